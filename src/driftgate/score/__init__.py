"""Stage 4: score outputs: embedding similarity, grounding, checks and the judge."""
