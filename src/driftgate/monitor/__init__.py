"""Production monitoring: score logged calls without a reference answer.

The suite checks the cases a team wrote down; production meets inputs nobody wrote down.
`driftgate monitor` reads a JSONL log of real calls (samples.py), scores each with the
reference-free scorers the run already has (score.py), sums them up per case or task
(results.py), keeps a trend on the baseline branch (trend.py) and reports (report.py).
"""
