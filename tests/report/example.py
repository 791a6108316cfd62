"""A realistic failing pull request's results, built through the real comparison and gate:
the example in docs/action.md and the fixture most report tests read."""

from __future__ import annotations

from compare.conftest import case, run
from driftgate.compare.drift import compare_to_baseline
from driftgate.config.load import load_suite
from driftgate.gate import summarize
from driftgate.report.markdown import Links
from driftgate.results import BaselineInfo, GateSettings, JudgeResult, SentenceScore
from driftgate.score.grounding import Grounding, _weak
from driftgate.score.scorers import grounded
from driftgate.text import short_hash

SUITE = """\
eval_suite:
  name: support-bot
  max_drop: 0.05
  gate:
    min_pass_rate: 0.8
  cases:
    - name: refund-policy
      prompt: p
      expected: Refunds take 5 business days.
      critical: true
    - name: shipping-times
      prompt: p
      expected: We ship in 2 days.
      critical: true
      min_grounding_ratio: 0.8
    - name: greeting
      prompt: p
      expected: Hello there.
    - name: apology-tone
      prompt: p
      expected: Be kind.
    - name: opening-hours
      prompt: p
      expected: We open at 9.
    - name: returns-window
      prompt: p
      expected: 30 days.
    - name: store-locator
      prompt: p
      expected: Main street.
"""

HEAD = "4f2c9e1b7a3d5f6e8c0b1a2d3e4f5a6b7c8d9e0f"
RUN = "https://github.com/acme/support-bot/actions/runs/912345"
LINKS = Links(
    run=RUN,
    artifacts=f"{RUN}#artifacts",
    suite_file=f"https://github.com/acme/support-bot/blob/{HEAD}/llm-evals.yaml",
)
REFUND_JUDGE = (
    "The answer promises a refund within 24 hours; the policy in the context says 5 business days."
)
REFUND_OUTPUT = "Good news: your refund will reach your account within 24 hours."
SHIPPING_OUTPUT = "We ship within 2 days. Express delivery is free. Orders ship from Oslo."
SENTENCES = [
    SentenceScore(text="We ship within 2 days.", support=0.91, grounded=True),
    SentenceScore(
        text="Express delivery is free.",
        support=0.41,
        grounded=False,
        reason=_weak(0.41, 0.60),
    ),
    SentenceScore(
        text="Orders ship from Oslo.",
        support=0.30,
        grounded=False,
        reason="`Oslo` is not in the context",
    ),
]


def example_results(tmp_path):
    """Two critical failures, one caused by the PR (a regression), one the base branch
    already had; a new case, a changed expected text, a skipped case, a pass rate too low."""
    path = tmp_path / "llm-evals.yaml"
    path.write_text(SUITE, encoding="utf-8")
    suite = load_suite(path, root=tmp_path)
    specs = {c.name: c for c in suite.cases}
    lines = {name: spec.line for name, spec in specs.items()}
    old_hours = short_hash("We open at 8.")
    baseline = run(
        [
            case("refund-policy", [0.93, 0.92, 0.94]),
            case("shipping-times", [0.55, 0.52, 0.58]),
            case("greeting", [0.90, 0.91, 0.89]),
            case("apology-tone", [0.88, 0.86, 0.87]),
            case("opening-hours", [0.86, 0.85, 0.87], expected_hash=old_hours),
        ],
        suite="support-bot",
    )
    skipped = case("store-locator", [], selected=False, selection_reason="no trigger matched")
    skipped.status = "skipped"
    current = run(
        [
            case("refund-policy", [0.41, 0.44, 0.39], critical=True, output=REFUND_OUTPUT),
            case("shipping-times", [0.54, 0.51, 0.56], critical=True, output=SHIPPING_OUTPUT),
            case("greeting", [0.91, 0.90, 0.92]),
            case("apology-tone", [0.85, 0.84, 0.86]),
            case("opening-hours", [0.88, 0.87, 0.89], expected_hash=short_hash("We open at 9.")),
            case("returns-window", [0.74, 0.72, 0.76], output="Returns are accepted for 14 days."),
            skipped,
        ],
        suite="support-bot",
        git_sha=HEAD,
    )
    for result in current.cases:
        result.line = lines[result.name]
    refunds, shipping, returns = (
        current.case(n) for n in ("refund-policy", "shipping-times", "returns-window")
    )
    refunds.reasons = ["similarity 0.41 < 0.80"]
    refunds.judge = JudgeResult(status="failed", score=2, reasoning=REFUND_JUDGE)
    # Worded by the scorer itself, so the example follows its changes.
    measured = Grounding(ratio=0.33, score=0.0, sentences=SENTENCES, answer_support=0.0)
    grounding = grounded(measured, specs["shipping-times"].min_grounding_ratio).reason
    shipping.reasons = ["similarity 0.54 < 0.80", grounding]
    shipping.sentences, shipping.grounding_ratio = SENTENCES, 0.33
    returns.reasons = ["similarity 0.74 < 0.80"]
    current.gate = GateSettings(min_pass_rate=0.8)
    info = BaselineInfo(
        source="branch driftgate-baseline", commit="9b8a7c6d5e4f3a2b1c0d", age_hours=5.0
    )
    compare_to_baseline(current, baseline, info, suite, _overlap)
    summarize(current)
    current.summary.calls, current.summary.cost_usd, current.summary.duration_s = 18, 0.0214, 41.3
    return current


def _overlap(a: str, b: str) -> float:
    wa, wb = set(a.split()), set(b.split())
    return len(wa & wb) / len(wa | wb)
