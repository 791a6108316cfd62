"""Stage 5: the run against its baseline (config → select → generate → score → compare → report).

`baseline` reads a results file, `store` keeps baselines on a git branch, `drift` fills the
per-case comparison, `stats` holds the tests that tell a regression from noise, `rules`
the gate's baseline rules and `calibrate` proposes thresholds from repeated runs.
"""

from driftgate.compare.baseline import load_baseline_file
from driftgate.compare.drift import baseline_texts, compare_to_baseline
from driftgate.compare.rules import baseline_gate_reasons
from driftgate.compare.stats import drop_p_value, holm, pass_at_k, suite_pass_at
from driftgate.compare.store import read_baseline_from_branch, write_baseline_to_branch

__all__ = [
    "baseline_gate_reasons",
    "baseline_texts",
    "compare_to_baseline",
    "drop_p_value",
    "holm",
    "load_baseline_file",
    "pass_at_k",
    "read_baseline_from_branch",
    "suite_pass_at",
    "write_baseline_to_branch",
]
