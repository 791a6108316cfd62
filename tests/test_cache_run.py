"""A whole run, cold then warm: the cache figures, and a warm run that never loads the model."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from driftgate.pipeline import RunOptions, run
from driftgate.score.embedder import Embedder

PIPELINE = """
import json, sys
request = json.load(sys.stdin)
print(json.dumps({"output": "The invoice was charged twice; route to Billing."}))
"""

SUITE = f"""
eval_suite:
  name: warm
  target: {{type: command, command: "{sys.executable} pipeline.py"}}
  cases:
    - name: billing
      prompt: "route {{ticket}}"
      vars: {{ticket: "double charge"}}
      expected: "Customer was double-charged; route to Billing."
      trigger_paths: ["pipeline.py"]
    - name: grounded
      prompt: "report"
      context: "The invoice was charged twice. Billing owns refunds."
      expected: "The invoice was charged twice; route to Billing."
      check_grounding: true
      trigger_paths: ["pipeline.py"]
"""


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pipeline.py").write_text(textwrap.dedent(PIPELINE))
    (root / "llm-evals.yaml").write_text(SUITE)
    for args in (["init", "-q"], ["add", "."]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def test_cold_then_warm(repo, tmp_path, embedder):
    options = dict(config=repo / "llm-evals.yaml", cache_dir=tmp_path / "cache")
    cold = run(RunOptions(**options, embedder=embedder))
    assert cold.summary.calls == 2
    assert (cold.summary.output_cache.lookups, cold.summary.output_cache.hits) == (2, 0)
    assert cold.summary.calls_saved == 0

    fresh = Embedder("all-MiniLM-L6-v2")
    warm = run(RunOptions(**options, embedder=fresh))
    assert warm.summary.calls == 0
    assert (warm.summary.output_cache.lookups, warm.summary.output_cache.hits) == (2, 2)
    assert warm.summary.output_cache.hit_rate == 1.0
    assert warm.summary.calls_saved == 2
    assert fresh._model is None and fresh.encoded == 0  # every vector came from the cache
    assert all(s.cached for c in warm.cases for s in c.samples)
    for before, after in zip(cold.cases, warm.cases, strict=True):
        assert (after.status, after.similarity, after.grounding_ratio) == (
            before.status,
            before.similarity,
            before.grounding_ratio,
        )

    off = run(RunOptions(**options, cache_mode="off", embedder=embedder))
    assert off.summary.calls == 2
    assert off.summary.output_cache.lookups == 0
