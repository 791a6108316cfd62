"""Stage 2: which cases this run executes, and why each one is in or out."""
