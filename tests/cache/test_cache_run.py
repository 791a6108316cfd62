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


def test_warm_run_with_a_judge_saves_every_call_and_reports_the_cost(tmp_path, embedder):
    from driftgate.anthropic_client import AnthropicSettings
    from fakes.anthropic_server import FakeAnthropic

    def answer(request):
        if request.json.get("tools"):
            return fake.tool_use(
                "record_grade",
                {"score": 5, "reasoning": "Faithful.", "critical_issues": []},
                input_tokens=1000,
                output_tokens=100,
            )
        return fake.text("Customer was double-charged; route to Billing.", 200, 20)

    suite = tmp_path / "llm-evals.yaml"
    suite.write_text(
        textwrap.dedent(
            """
            eval_suite:
              name: judged
              target: {type: anthropic, model: claude-haiku-4-5}
              judge: {model: claude-sonnet-4-5, policy: all, max_retries: 0}
              cases:
                - name: a
                  prompt: "Route: double charge"
                  expected: "Customer was double-charged; route to Billing."
                - name: b
                  prompt: "Route: charged twice"
                  expected: "Customer was double-charged; route to Billing."
            """
        )
    )
    with FakeAnthropic(default=answer) as fake:
        anthropic = AnthropicSettings(api_key="sk-ant-test", base_url=fake.base_url)
        options = dict(
            config=suite, cache_dir=tmp_path / "cache", embedder=embedder, anthropic=anthropic
        )
        cold = run(RunOptions(**options))
        cold_requests = len(fake.messages_requests())
        warm = run(RunOptions(**options))
        warm_requests = len(fake.messages_requests()) - cold_requests

    assert cold.summary.calls == 4 and cold_requests == 4  # 2 targets + 2 judge grades
    assert cold.summary.cost_usd > 0 and cold.summary.cost_saved_usd == 0
    assert warm_requests == 0 and warm.summary.calls == 0
    s = warm.summary
    assert (s.output_cache.hits, s.judge_cache.hits, s.calls_saved) == (2, 2, 4)
    assert s.cost_usd == 0
    assert s.cost_saved_usd == pytest.approx(cold.summary.cost_usd)
    assert [c.judge.score for c in warm.cases] == [5, 5]
    assert all(c.judge.cached for c in warm.cases)
