"""`mode: monitor` in-process: a nightly run over a production log, no PR comment, the
trend recorded on the baseline branch of a scheduled run of the default branch."""

from __future__ import annotations

import io
import json

from action_helpers import action_env

from driftgate.action.commands import parse_outputs
from driftgate.action.git import Git
from driftgate.action.github import GitHub
from driftgate.action.main import action
from driftgate.action.settings import Settings
from support import git

LOG = [
    {"id": "ok", "case": "refund_routing", "output": "Refund requested; route to Billing."},
    {"id": "long", "case": "outage_summary", "output": "word " * 50},
    "not json",
]
TASKS = """
  monitor:
    tasks:
      routing:
        checks: {max_length: 100}
"""


def nightly(tmp_path, repo, fake, embedder, inputs, event_name="schedule"):
    suite = (repo.work / "llm-evals.yaml").read_text()
    (repo.work / "llm-evals.yaml").write_text(
        suite.replace("  cases:\n", TASKS.lstrip("\n") + "  cases:\n", 1).replace(
            "      critical: true\n", "      critical: true\n      task: routing\n", 1
        ).replace(
            '      trigger_paths: ["answers/outage_summary.txt"]',
            '      trigger_paths: ["answers/outage_summary.txt"]\n      task: routing',
        )
    )
    lines = [row if isinstance(row, str) else json.dumps(row) for row in LOG]
    (repo.work / "prod.jsonl").write_text("\n".join(lines) + "\n")
    event = {"schedule": "17 3 * * *", "repository": {"default_branch": "main"}}
    env = action_env(
        tmp_path, repo, event_name, event, fake.base_url, sha=repo.main_sha,
        ref="refs/heads/main", inputs={"mode": "monitor", **inputs},
    )
    settings = Settings.from_env(env)
    github = GitHub.connect(
        settings.github_token, settings.api_url, settings.repository, retries=0, throttle=False
    )
    stream = io.StringIO()
    code = action(settings, github, Git(), embedder=embedder, stream=stream)
    output_file = tmp_path / "out" / "output"
    outputs = parse_outputs(output_file.read_text()) if output_file.exists() else {}
    summary = (tmp_path / "out" / "summary.md").read_text()
    return code, stream.getvalue(), outputs, summary


def test_nightly_monitor_reports_sets_outputs_and_records_the_trend(
    tmp_path, repo, fake, embedder
):
    code, log, outputs, summary = nightly(
        tmp_path, repo, fake, embedder, {"samples": "prod.jsonl"}
    )
    assert code == 0, log
    assert outputs["flagged"] == "1" and outputs["samples"] == "2"
    assert outputs["flag-rate"] == "0.5000"
    assert summary.startswith("### 🔎 driftgate monitor · `support`: 50.0% of 2 samples flagged")
    assert "::warning title=driftgate monitor%3A bad line::" in log
    assert not any(fake.comments.values())  # never a PR comment
    results = json.loads((repo.work / "driftgate-results.json").read_text())
    assert results["kind"] == "monitor" and results["trend"]["recorded"]
    listed = git(repo.work, "ls-tree", "-r", "--name-only", "origin/driftgate-baseline")
    assert listed.startswith("monitor/support/") and listed.endswith(".json")


def test_fail_on_rate_fails_the_job(tmp_path, repo, fake, embedder):
    code, _log, outputs, summary = nightly(
        tmp_path, repo, fake, embedder, {"samples": "prod.jsonl", "fail-on-rate": "0.25"}
    )
    assert code == 1
    assert outputs["verdict"] == "fail"
    assert "**Failed:** `all samples: 50.0% flagged > 25.0%" in summary


def test_monitor_without_samples_is_a_usage_error(tmp_path, repo, fake, embedder):
    code, log, _outputs, summary = nightly(tmp_path, repo, fake, embedder, {})
    assert code == 2
    assert "mode `monitor` needs the `samples` input" in summary
    assert "::error title=driftgate::" in log


def test_a_bad_rate_input_is_a_usage_error(tmp_path, repo):
    env = action_env(
        tmp_path, repo, "schedule", {}, "http://127.0.0.1:1", sha=repo.main_sha,
        ref="refs/heads/main", inputs={"mode": "monitor", "fail-on-rate": "5%"},
    )
    try:
        Settings.from_env(env)
    except Exception as exc:  # UsageError: the entrypoint turns it into exit 2
        assert "input `fail-on-rate`: '5%'" in str(exc)
    else:
        raise AssertionError("a rate of '5%' was accepted")
