"""`monitor` end to end: reference-free flags, the judge through the loopback fake, the
trend on a local baseline branch, and the CLI's files and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from monitor_helpers import CONTEXT, sample, write_log

from driftgate.anthropic_client import AnthropicSettings
from driftgate.compare.store import commit_files
from driftgate.monitor.report import render
from driftgate.monitor.results import MonitorResults
from driftgate.monitor.run import MonitorOptions, monitor
from fakes.anthropic_server import FakeAnthropic
from support import git, run_cli

pytestmark = pytest.mark.slow


def run_monitor(project, rows, embedder, **options) -> MonitorResults:
    log = write_log(project / "logs.jsonl", rows)
    defaults = {"config": project / "llm-evals.yaml", "samples": log, "embedder": embedder}
    return monitor(MonitorOptions(**{**defaults, **options}))


def by_id(results: MonitorResults) -> dict:
    return {r.id: r for r in results.samples}


def test_flags_come_from_grounding_and_checks_never_from_similarity(project, embedder):
    rows = [
        sample(
            id="faithful", case="ticket_summary", context=CONTEXT, latency_s=1.0,
            output="Login now fails with error 403.",
        ),
        sample(
            id="invented", task="summarize", context="Refund of $49 issued on Monday.",
            output="The customer was refunded $94 on Tuesday.", latency_s=3.0,
        ),
        sample(id="too-long", task="summarize", output="word " * 40),
        sample(id="case-check", case="ticket_summary", output="lorem ipsum dolor"),
        sample(id="unlabelled", output="Anything at all."),
    ]
    results = run_monitor(project, rows, embedder)
    flagged = by_id(results)
    assert set(flagged) == {"invented", "too-long", "case-check"}
    assert flagged["invented"].flags == ["grounding"]
    assert "$94" in flagged["invented"].reasons[0] or "94" in flagged["invented"].reasons[0]
    assert flagged["too-long"].flags == ["check"]
    assert "max_length" in flagged["too-long"].reasons[0]
    assert flagged["case-check"].flags == ["check"]  # the case's own checks apply
    # a sample of a case is compared with its expected answer, and that is not a flag
    assert flagged["case-check"].similarity is not None
    assert results.overall.samples == 5 and results.overall.flagged == 3
    assert results.overall.flag_rate == pytest.approx(0.6)
    groups = {g.name: g for g in results.groups}
    assert groups["task summarize"].samples == 2 and groups["task summarize"].flagged == 2
    assert groups["case ticket_summary"].compared == 2
    assert groups["task summarize"].latency_p50_s == pytest.approx(3.0)
    assert results.verdict is None  # no rate given: nothing to fail


def test_worst_samples_come_first(project, embedder):
    rows = [
        sample(id="one-flag", task="summarize", output="word " * 40),
        sample(
            id="two-flags", task="summarize", context="Refund of $49 issued on Monday.",
            output="As an AI I refunded $94 on Tuesday. " + "word " * 30,
        ),
    ]
    results = run_monitor(project, rows, embedder)
    assert [r.id for r in results.samples] == ["two-flags", "one-flag"]
    assert results.samples[0].flags == ["grounding", "check"]


def test_unknown_case_is_a_warning_with_a_suggestion(project, embedder):
    results = run_monitor(project, [sample(case="ticket_sumary")], embedder)
    assert any("did you mean 'ticket_summary'" in w for w in results.warnings)
    assert results.groups[0].name == "(no label)"


@pytest.mark.parametrize(
    ("rate", "verdict"), [(0.5, "pass"), (0.2, "fail")]
)
def test_fail_on_rate_checks_the_whole_log_and_each_group(project, embedder, rate, verdict):
    rows = [sample(id=str(i), case="ticket_summary") for i in range(3)]
    rows += [sample(id="t1", task="summarize"), sample(id="t2", task="summarize")]
    rows.append(sample(id="bad", task="summarize", output="word " * 40))
    results = run_monitor(project, rows, embedder, fail_on_rate=rate)
    assert results.overall.flag_rate == pytest.approx(1 / 6, abs=1e-6)
    assert results.verdict == verdict
    if verdict == "fail":  # the whole log is under 20%, one task is not
        assert results.fail_reasons == ["task summarize: 33.3% flagged > 20.0% (1 of 3)"]


def test_nothing_scored_is_a_fail_when_a_rate_is_given(project, embedder):
    results = run_monitor(project, ["{broken", "[]"], embedder, fail_on_rate=0.5)
    assert results.scored == 0 and results.bad_lines == 2
    assert results.verdict == "fail"
    assert "no sample could be scored" in results.fail_reasons


def grade(score, reasoning="ok"):
    return {"score": score, "reasoning": reasoning, "critical_issues": []}


def test_judge_grades_with_the_task_rubric_flags_low_grades_and_errors(project, embedder):
    with FakeAnthropic() as fake:
        fake.push(
            fake.tool_use("record_grade", grade(5)),
            fake.tool_use("record_grade", grade(2, "invents a refund")),
            fake.server_error(),
            fake.server_error(),
            fake.server_error(),
        )
        rows = [
            sample(id="good", task="summarize"),
            sample(id="low", task="summarize", output="We refunded you twice."),
            sample(id="api-down", task="summarize", output="Another answer."),
        ]
        env = AnthropicSettings("sk-ant-test-key-123456", fake.base_url)  # as an edge builds it
        results = run_monitor(
            project, rows, embedder, judge="all", anthropic=env, cache_mode="off",
            batch_size=1,  # one judge call at a time: the fake's queue is in order
        )
        prompts = [r.prompt_text for r in fake.messages_requests()]
    flagged = by_id(results)
    assert "good" not in flagged
    assert flagged["low"].flags == ["judge"] and "invents a refund" in flagged["low"].reasons[0]
    assert flagged["api-down"].flags == ["error"]
    assert "judge error" in flagged["api-down"].reasons[0]
    assert results.overall.judged == 2 and results.overall.judge_scores["2"] == 1
    # reference-free: the judge is told there is no reference, and reads the task
    assert "Summarise a support ticket in one sentence" in prompts[0]
    assert "(none: a production sample" in prompts[0]
    assert "Customer reports login failure" not in prompts[0]


def test_a_judge_reply_nested_too_deeply_is_a_judge_error_and_the_run_goes_on(
    project, embedder
):
    """A text reply of 100,000 `[` makes json.loads raise RecursionError: that sample is an
    `error` (after the judge's one retry), the next one is still graded."""
    with FakeAnthropic() as fake:
        deep = "[" * 100_000 + "]" * 100_000
        fake.push(fake.text(deep), fake.text(deep), fake.tool_use("record_grade", grade(5)))
        env = AnthropicSettings("sk-ant-test-key-123456", fake.base_url)  # as an edge builds it
        rows = [sample(id="deep", task="summarize"), sample(id="fine", task="summarize")]
        results = run_monitor(
            project, rows, embedder, judge="all", anthropic=env, cache_mode="off", batch_size=1
        )
    assert by_id(results)["deep"].flags == ["error"]
    assert "judge error" in by_id(results)["deep"].reasons[0]
    assert "fine" not in by_id(results) and results.overall.judge_scores["5"] == 1


def test_judge_grades_are_cached_between_runs(project, embedder, tmp_path):
    with FakeAnthropic() as fake:
        fake.push(fake.tool_use("record_grade", grade(5)))
        env = AnthropicSettings("sk-ant-test-key-123456", fake.base_url)  # as an edge builds it
        rows = [sample(id="a", task="summarize")]
        first = run_monitor(
            project, rows, embedder, judge="all", anthropic=env, cache_dir=tmp_path / "c"
        )
        second = run_monitor(
            project, rows, embedder, judge="all", anthropic=env, cache_dir=tmp_path / "c"
        )
        assert len(fake.messages_requests()) == 1
    assert first.judge_calls == 1 and second.judge_calls == 0
    assert second.overall.judge_scores["5"] == 1


def test_a_committed_judge_cache_is_not_read(project, embedder):
    """A grade committed to the repository is no grader's word: the judge is asked again."""
    with FakeAnthropic() as fake:
        fake.push(
            fake.tool_use("record_grade", grade(5)),
            fake.tool_use("record_grade", grade(1, "made up")),
        )
        env = AnthropicSettings("sk-ant-test-key-123456", fake.base_url)  # as an edge builds it
        rows = [sample(id="a", task="summarize")]
        first = run_monitor(project, rows, embedder, judge="all", anthropic=env)
        git(project, "add", "-f", ".driftgate/cache")
        git(project, "commit", "-qm", "a cache")
        second = run_monitor(project, rows, embedder, judge="all", anthropic=env)
        assert len(fake.messages_requests()) == 2
    assert first.judge_calls == 1 and second.judge_calls == 1
    assert by_id(second)["a"].flags == ["judge"]
    assert any("committed to the repository" in w for w in second.warnings)


def test_without_a_key_the_judge_is_skipped_with_one_warning(project, embedder):
    rows, no_key = [sample(task="summarize")] * 3, AnthropicSettings()
    results = run_monitor(project, rows, embedder, judge="all", anthropic=no_key)
    assert results.overall.judged == 0 and results.overall.flagged == 0
    assert any("judge not run for 3 samples" in w for w in results.warnings)


def test_trend_compares_with_the_previous_run_and_records_this_one(project, embedder):
    earlier = {"summary": {"date": "2026-11-30", "samples": 10, "flag_rate": 0.1}}
    commit_files(
        project, "driftgate-baseline",
        {"monitor/support-bot/2026-11-30.json": json.dumps(earlier)}, "seed",
    )
    rows = [
        sample(id="ok", case="ticket_summary"),
        sample(id="bad", task="summarize", output="word " * 40),  # max_length 120
    ]
    results = run_monitor(
        project, rows, embedder, baseline_branch="driftgate-baseline", record=True
    )
    trend = results.trend
    assert trend.previous.date == "2026-11-30"
    assert trend.flag_rate_change == pytest.approx(0.5 - 0.1)
    assert len(trend.history) == 2
    recorded = trend.recorded.split(":", 1)[1]
    stored = git(project, "show", f"origin/driftgate-baseline:{recorded}")
    assert json.loads(stored)["summary"]["flag_rate"] == pytest.approx(0.5)
    assert "bad" not in stored  # summaries only: no sample (production text) on the branch
    report = render(results)
    assert "▲ +40.0 pts since 2026-11-30" in report
    assert "xychart-beta" in report


def test_a_forged_trend_file_on_the_baseline_branch_cannot_write_the_report(project, embedder):
    """Whoever can push to the baseline branch wrote the stored summaries: a `date` that closes
    the chart's code fence (or sits raw in the headline) would put HTML and mentions in the
    job summary, and a NaN rate would be drawn. Such files are skipped with a warning."""
    forged = '2026-11-29"]\n```\n\n<img src=x onerror=alert(1)> @octocat\n\n```mermaid\n'
    stored = {
        "monitor/support-bot/2026-11-28.json": {"summary": {"date": "2026-11-28", "samples": 9,
                                                            "flag_rate": 0.2}},
        "monitor/support-bot/2026-11-29.json": {"summary": {"date": forged, "samples": 9,
                                                            "flag_rate": 0.1}},
        "monitor/support-bot/2026-11-30.json": '{"summary": {"date": "2026-11-30", '
                                               '"samples": 9, "flag_rate": NaN}}',
    }
    files = {k: v if isinstance(v, str) else json.dumps(v) for k, v in stored.items()}
    commit_files(project, "driftgate-baseline", files, "seed")
    results = run_monitor(
        project, [sample(id="ok", case="ticket_summary")], embedder,
        baseline_branch="driftgate-baseline",
    )
    report = render(results)
    assert "<img" not in report and "@octocat" not in report and "nan" not in report.lower()
    assert report.count("```mermaid") == 1
    assert [p.date for p in results.trend.history] == ["2026-11-28", results.created_at[:10]]
    skipped = [w for w in results.warnings if "unreadable, skipped" in w]
    assert len(skipped) == 2


def test_untrusted_log_text_is_escaped_in_the_report(project, embedder):
    rows = [
        sample(
            id="<img src=x> @octocat | x", task="summarize",
            output="<b>word</b> " * 30, checks_note="",
        )
    ]
    report = render(run_monitor(project, rows, embedder))
    # ids are shown in code spans (GitHub renders neither HTML nor mentions there) ...
    assert "| `<img src=x> @octocat \\| x` |" in report
    # ... and nothing outside a code span can open a tag
    outside = report.replace("`<img src=x> @octocat \\| x`", "")
    assert "<img" not in outside and "<b>" not in outside


def test_a_secret_cut_by_a_clipped_quote_leaves_no_part_behind(project, embedder):
    """A production answer quoting a token verbatim: the reason quotes its sentence clipped to
    80 characters, and the cut fell inside the token. Redacting after the clip left its
    first 16 characters (no longer the whole secret) in the results and the report."""
    from driftgate.redact import Redactor, installed, redacted_json

    token = "Zq9xV7mKp2Lw4RtY8nB3"  # a SERVICE_TOKEN: no known shape, masked by value only
    rows = [
        sample(
            id="leak", task="summarize", context="The user reset the password on Monday.",
            output="y" * 60 + " key " + token + " ok.",
        )
    ]
    with installed(Redactor([token])):  # as the CLI's edge installs it from the environment
        results = run_monitor(project, rows, embedder)
        written = redacted_json(results) + render(results)
    assert by_id(results)["leak"].flags[0] == "grounding"
    assert "***" in by_id(results)["leak"].reasons[0]
    assert token[:8] not in written


def test_cli_writes_results_and_report_and_exits_by_the_rate(project):
    log = write_log(
        project / "logs.jsonl",
        [sample(id="a", task="summarize", output="word " * 40), sample(id="b"), "oops"],
    )
    args = ["monitor", "--samples", str(log), "--output-json", "m.json", "--report-md", "m.md",
            "--no-trend", "-q"]
    done = run_cli(*args, "--fail-on-rate", "0.4", cwd=project)
    assert done.returncode == 1, done.stderr
    assert "verdict: FAIL" in done.stdout
    assert f"{log}:3: not valid JSON" in done.stderr
    data = MonitorResults.model_validate_json((project / "m.json").read_text())
    assert data.schema_version == 1 and data.bad_lines == 1 and data.overall.flagged == 1
    assert (project / "m.md").read_text().startswith("### ❌ driftgate monitor")
    assert run_cli(*args, cwd=project).returncode == 0  # no rate: report only
    usage = run_cli("monitor", "--samples", str(log), "--fail-on-rate", "5", cwd=project)
    assert usage.returncode == 2 and "between 0 and 1" in usage.stderr
    folder = run_cli("monitor", "--samples", str(log), "--output-json", ".", cwd=project)
    assert folder.returncode == 2 and "is a folder" in folder.stderr


def test_the_embedder_keeps_a_bounded_number_of_vectors_and_the_current_batch(embedder):
    embedder.bound(3)
    embedder.encode(["a", "b", "c", "d", "e"])  # one batch larger than the bound: all kept
    assert all(embedder.knows(t) for t in "abcde")
    embedder.encode(["f"])
    assert [t for t in "abcdef" if embedder.knows(t)] == ["d", "e", "f"]


def test_the_worked_example_in_the_docs_holds(project, embedder):
    """docs/monitor.md's three-line log: r2 invents facts, r1 is faithful, line 3 is broken."""
    doc = (Path(__file__).parents[2] / "docs" / "monitor.md").read_text(encoding="utf-8")
    block = doc.split("```jsonl\n", 1)[1].split("```", 1)[0]
    results = run_monitor(project, block.splitlines(), embedder)
    assert [r.id for r in results.samples] == ["r2"]
    assert results.samples[0].flags == ["grounding"]
    assert "$94" in results.samples[0].reasons[0]
    assert results.bad_lines == 1 and results.overall.flag_rate == pytest.approx(0.5)


def test_a_sample_no_case_names_is_held_to_the_suites_grounding_not_the_first_cases(
    project, embedder
):
    """The first case's own strict bar (every sentence, support 0.99) is that case's: a
    sample labelled only with a task is held to the suite's defaults."""
    suite = (project / "llm-evals.yaml").read_text(encoding="utf-8")
    critical = "      critical: true\n"
    strict = critical + "      grounding_threshold: 0.99\n      min_grounding_ratio: 1.0\n"
    (project / "llm-evals.yaml").write_text(suite.replace(critical, strict))
    paraphrase = "After the password reset on Monday, logging in fails with error 403."
    rows = [
        sample(id="by-task", task="summarize", context=CONTEXT, output=paraphrase),
        sample(id="by-case", case="ticket_summary", context=CONTEXT, output=paraphrase),
    ]

    flagged = by_id(run_monitor(project, rows, embedder))

    assert set(flagged) == {"by-case"}  # the case's bar still holds for its own samples
    assert flagged["by-case"].flags == ["grounding"]
