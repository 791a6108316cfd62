"""The run end to end: in process with the shared model, and the CLI in a subprocess."""

from __future__ import annotations

import json
import shutil

from driftgate.pipeline import RunOptions, run
from support import REPO, run_cli

SUITE = """
eval_suite:
  name: pipeline-test
  target: {type: outputs, path: outputs.jsonl}
  gate: {min_pass_rate: 0.5}
  cases:
    - name: good
      expected: "The invoice was charged twice; route to Billing."
      critical: true
    - name: bad
      expected: "The API returns 503 errors; route to Infrastructure."
    - name: grounded
      expected: "Version 4.2.1 shipped at 14:30 UTC."
      context: "Version 4.2.1 shipped at 14:30 UTC. Error rates were normal."
      check_grounding: true
    - name: lost
      expected: "anything"
"""

OUTPUTS = [
    {"case": "good", "output": "The invoice was charged twice, so route it to Billing."},
    {"case": "bad", "output": "Bananas are yellow."},
    {"case": "grounded", "output": "Version 4.2.1 shipped at 14:30 UTC. A cat sang opera in Rome."},
]


def write(tmp_path, write_suite, outputs=OUTPUTS, suite=SUITE):
    path = write_suite(suite)
    (tmp_path / "outputs.jsonl").write_text("\n".join(json.dumps(o) for o in outputs) + "\n")
    return path


def test_run_scores_every_case_and_keeps_errors(tmp_path, write_suite, embedder):
    results = run(RunOptions(config=write(tmp_path, write_suite), embedder=embedder))
    by_name = {c.name: c for c in results.cases}
    assert by_name["good"].status == "passed" and by_name["good"].similarity > 0.8
    assert by_name["bad"].status == "failed"
    assert by_name["bad"].reasons == [f"similarity {by_name['bad'].similarity:.2f} < 0.80"]
    grounded = by_name["grounded"]
    assert grounded.status == "failed"
    assert grounded.grounding_ratio == 0.5
    assert [s.grounded for s in grounded.sentences] == [True, False]
    assert grounded.reasons[-1].startswith("grounding 0.50 < 0.85")
    lost = by_name["lost"]
    assert lost.status == "error" and "no output for case 'lost'" in lost.error
    s = results.summary
    assert (s.total, s.selected, s.passed, s.failed, s.errors) == (4, 4, 1, 2, 1)
    assert s.pass_at_1 == 0.25
    assert s.verdict == "fail"
    assert s.gate_reasons == ["1 of 4 cases passed (0.25) < min_pass_rate 0.50"]
    assert s.pass_rate == 0.25  # passing cases / run cases, reported beside pass@1


def test_critical_failure_fails_even_above_pass_rate(tmp_path, write_suite, embedder):
    outputs = [dict(o) for o in OUTPUTS] + [{"case": "lost", "output": "anything"}]
    outputs[0]["output"] = "Bananas are yellow."
    outputs[1]["output"] = "The API returns 503 errors; route to Infrastructure."
    outputs[2]["output"] = "Version 4.2.1 shipped at 14:30 UTC."
    config = write(tmp_path, write_suite, outputs)
    results = run(RunOptions(config=config, embedder=embedder))
    assert results.summary.pass_at_1 == 0.75
    assert results.summary.critical_failures == 1
    assert results.summary.verdict == "fail"
    assert results.summary.gate_reasons[0].startswith("critical case 'good' failed")


def test_cli_end_to_end_exit_codes_and_files(tmp_path, write_suite):
    config = write(tmp_path, write_suite)
    done = run_cli(
        "run",
        "--config",
        str(config),
        "--output-json",
        "r.json",
        "--report-md",
        "r.md",
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert "verdict: FAIL" in done.stdout
    assert "[4/4]" in done.stderr  # progress as cases finish
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["schema_version"] == 1
    assert data["summary"]["errors"] == 1
    assert {c["name"]: c["status"] for c in data["cases"]}["good"] == "passed"
    assert "❌ driftgate · `pipeline-test`: 3 failures\n" in (tmp_path / "r.md").read_text()
    assert "Traceback" not in done.stderr

    # --outputs with a passing set and a --cases filter: the gate passes, exit 0.
    (tmp_path / "ok.jsonl").write_text(json.dumps(OUTPUTS[0]) + "\n")
    done = run_cli(
        "run",
        "--config",
        str(config),
        "--outputs",
        "ok.jsonl",
        "--cases",
        "good",
        "-q",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict: PASS" in done.stdout


def test_cli_usage_and_config_errors_exit_2_without_traceback(tmp_path, write_suite):
    bad = write_suite("eval_suite:\n  name: s\n  cases:\n    - name: a\n      expectd: x\n")
    for args in (
        ["validate", "--config", str(bad)],
        ["run", "--config", str(bad)],
        ["run", "--config", str(tmp_path / "missing.yaml")],
        ["run", "--bogus-flag"],
    ):
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr
    done = run_cli("validate", "--config", str(bad), cwd=tmp_path)
    assert (
        f"{bad}:5:7: eval_suite.cases['a'].expectd: unknown key 'expectd': did you mean "
        "'expected'?" in done.stderr
    )
    done = run_cli(
        "run", "--config", str(write(tmp_path, write_suite)), "--cases", "goood", cwd=tmp_path
    )
    assert done.returncode == 2 and "did you mean 'good'" in done.stderr


def test_validate_and_schema_commands(tmp_path):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    done = run_cli("validate", "--config", "examples/llm-evals.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ok: suite 'support-assistant', 4 cases, 2 critical" in done.stdout
    done = run_cli("schema", cwd=tmp_path)
    schema = json.loads(done.stdout)
    assert "eval_suite" in schema["properties"]
    assert "Case" in schema["$defs"]


def test_bundled_example_shows_passing_and_failing_cases(embedder):
    # No cache and no baseline branch: the test must not write into, or read from, the repo.
    options = RunOptions(
        config=REPO / "examples" / "llm-evals.yaml",
        embedder=embedder,
        cache_mode="off",
        baseline_branch=None,
    )
    results = run(options)
    assert results.summary.output_cache.lookups == 0
    statuses = {c.name: c.status for c in results.cases}
    assert statuses == {
        "ticket_routing_summary": "passed",
        "ticket_routing_outage": "failed",
        "pr_risk_extraction": "passed",
        "deployment_report": "failed",
    }
    report = results.case("deployment_report")
    unsupported = [s.text for s in report.sentences if not s.grounded]
    assert unsupported == ["A hotfix 4.2.2 followed at 16:45 UTC after a spike in checkout errors."]
