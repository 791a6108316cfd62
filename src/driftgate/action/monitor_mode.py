"""`mode: monitor`: the nightly job over production samples.

Scores the log, writes the results file and the job summary, sets the outputs, records
the trend on the baseline branch on scheduled runs of the default branch, and never
comments on a pull request: production samples are nobody's PR.
"""

from __future__ import annotations

from driftgate.action.commands import Workflow
from driftgate.errors import EXIT_FAIL, EXIT_PASS, UsageError
from driftgate.fileio import write_text


def monitor_mode(settings, plan, out: Workflow, git, embedder=None) -> int:
    from driftgate.monitor.report import render
    from driftgate.monitor.run import MonitorOptions, monitor
    from driftgate.redact import redacted_json

    if not settings.samples:
        raise UsageError(
            "mode `monitor` needs the `samples` input: the path of the production log "
            "(JSONL, one call per line with at least `output`), relative to working-directory"
        )
    root = settings.root
    if settings.event_name in ("pull_request", "pull_request_target"):
        out.warning("mode `monitor` posts no PR comment; run it on schedule or workflow_dispatch")
    options = MonitorOptions(
        config=root / settings.config,
        samples=root / settings.samples,
        fail_on_rate=settings.fail_on_rate,
        judge=settings.judge,
        cache_dir=root / settings.cache_dir if settings.cache_dir else None,
        baseline_branch=settings.baseline_branch,
        record=plan.update_baseline,
        anthropic=settings.anthropic,
        embedder=embedder,
        git=git,
        progress=out.log,
    )
    with out.group("Score the production samples"):
        results = monitor(options)
    for problem in results.bad_line_examples:
        out.warning(problem, title="driftgate monitor: bad line")
    write_text(root / settings.results_path, redacted_json(results, indent=2) + "\n")
    out.summary(render(results, run_url=settings.run_url))
    overall = results.overall
    outputs = {
        "verdict": results.verdict or "pass",
        "flagged": overall.flagged,
        "flag-rate": "" if overall.flag_rate is None else f"{overall.flag_rate:.4f}",
        "samples": overall.samples,
        "results-path": settings.results_path,
    }
    for name, value in outputs.items():
        out.set_output(name, value)
    out.log(
        f"driftgate monitor: {overall.flagged} of {overall.samples} samples flagged"
        + (f" · verdict {results.verdict}" if results.verdict else "")
    )
    return EXIT_FAIL if results.verdict == "fail" else EXIT_PASS
