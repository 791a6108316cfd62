"""Stage 6: the verdict's readers: terminal table, Markdown, JUnit, the report files."""
