"""Stage 6: the verdict and its readers: terminal table, Markdown, JSON."""
