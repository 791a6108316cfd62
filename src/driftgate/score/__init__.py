"""Stage 4: score outputs. Scorers (similarity, grounding, checks, the judge) answer a
Score each; the reducers make each case's result from its samples."""
