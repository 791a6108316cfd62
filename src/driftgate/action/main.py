"""The action's glue: plan from the event, run the pipeline, report, post, gate.

`action(settings, github, git)` takes every client as an argument so tests drive it with a
fake GitHub server and real temporary repositories; only `main()` builds the real ones.
The exit code is the check: 0 passed, 1 failed, 2 usage or config error. Posting is
best effort: a token that cannot write (fork PRs) gives a warning, never a different verdict.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TextIO
from urllib.parse import quote

from driftgate.action.commands import Workflow
from driftgate.action.git import Git
from driftgate.action.github import (
    COMMENT_LIMIT,
    CannotPost,
    GitHub,
    legacy_marker,
    marker,
    status_context,
)
from driftgate.action.settings import (
    FULL_EVENTS,
    PR_EVENTS,
    Settings,
    process_secrets,
    step_summary_path,
)
from driftgate.errors import EXIT_PASS, EXIT_USAGE, ConfigError, DriftgateError, UsageError
from driftgate.gate import exit_code, summarize
from driftgate.ratelimit import WaitBudget
from driftgate.redact import Redactor, guarded_streams, installed, redact
from driftgate.report.markdown import untrusted
from driftgate.results import RunResults
from driftgate.text import plural

NAME_MAX = 120  # suite and case names in the report; longer ones are shortened
# `mode: plan` selects like `auto`: the plan must list what the scoring step will select.
AUTO_MODES = ("auto", "plan")
PR_TARGET_WARNING = (
    "pull_request_target runs with the base repository's secrets and a write token; if the "
    "workflow checks out the PR's code, that code runs with them. Use `pull_request` and the "
    "workflow_run pattern for forks (docs/action.md#pull-requests-from-forks)."
)


@dataclass(frozen=True)
class Plan:
    """What this event asks for, decided before anything runs."""

    kind: str  # "selective" | "full" | "merge" | "monitor" | "noop"
    note: str
    pr_number: int | None = None
    base_sha: str | None = None
    head_sha: str | None = None
    status_sha: str | None = None
    update_baseline: bool = False
    warnings: tuple[str, ...] = field(default=())


def plan_run(settings: Settings) -> Plan:
    event, name = settings.event, settings.event_name
    warnings: list[str] = []
    pr = settings.pull_request if name in PR_EVENTS else None
    number = None
    if pr is not None:
        number = int(event.get("number") or pr.get("number") or 0) or None
    head = ((pr or {}).get("head") or {}).get("sha")
    base = ((pr or {}).get("base") or {}).get("sha")
    status_sha = head or settings.sha or None
    if name == "pull_request_target":
        warnings.append(PR_TARGET_WARNING)
    # Any activity on an open PR the workflow listens to (labeled, edited, ...) is gated
    # like a push to it: its job is a check on the head commit, and a green no-op there
    # would replace the red verdict of the last run. Only a closed PR has nothing to gate.
    if pr is not None and (event.get("action") == "closed" or pr.get("state") == "closed"):
        return Plan(
            "noop",
            f"pull_request '{event.get('action')}': the pull request is closed, nothing to do",
            warnings=tuple(warnings),
        )
    if settings.mode == "monitor":
        return Plan(
            "monitor",
            f"{name or 'local'}: monitoring production samples (no PR comment)",
            update_baseline={
                "true": True,
                "false": False,
                "auto": name in ("schedule", "workflow_dispatch") and _on_default(settings),
            }[settings.update_baseline],
            warnings=tuple(warnings),
        )
    if settings.mode == "merge":
        run = event.get("workflow_run") if name == "workflow_run" else None
        if isinstance(run, dict):  # the fork pattern: a follow-up with a write token
            listed = run.get("pull_requests") or []  # empty for forks: hence `pr-number`
            number = settings.pr_number or (listed[0].get("number") if listed else None)
            head = status_sha = run.get("head_sha")
        elif settings.pr_number:
            number = settings.pr_number
        kind, note = "merge", "posting saved results"
    elif settings.mode == "selective" or (settings.mode in AUTO_MODES and pr is not None):
        if pr is None:
            warnings.append(
                f"mode 'selective' needs a pull_request event (this is '{name}'): running all cases"
            )
            kind, note = "full", f"{name}: full run"
        else:
            kind, note = "selective", f"pull request #{number}: cases affected by its changes"
    else:
        kind = "full"
        note = f"{name or 'local'}: full run"
        if settings.mode in AUTO_MODES and name not in FULL_EVENTS and pr is None:
            note = f"event '{name or 'none'}': full run"
    on_default = _on_default(settings)
    # auto: full runs of the default branch; a sharded run records it in its merge job.
    whole_run = kind == "full" and not settings.shard or kind == "merge"
    update = {
        "true": True,
        "false": False,
        "auto": whole_run and pr is None and name != "workflow_run" and on_default,
    }[settings.update_baseline] and settings.mode != "plan"
    return Plan(kind, note, number, base, head, status_sha, update, tuple(warnings))


def _on_default(settings: Settings) -> bool:
    """The run is for the repository's default branch (where baselines are recorded)."""
    return bool(settings.default_branch) and settings.ref == f"refs/heads/{settings.default_branch}"


def action(
    settings: Settings,
    github: GitHub | None,
    git: Git,
    *,
    run: Callable | None = None,
    embedder=None,
    stream: TextIO | None = None,
) -> int:
    out = Workflow(stream, settings.output_path, settings.step_summary_path)
    secrets = tuple(dict.fromkeys(s for s in (settings.github_token, *settings.secrets) if s))
    for secret in secrets:  # first, before anything can print one
        out.mask(secret)
    # Every later write (ours, the pipeline's, a library's) passes the redactor; `out` keeps
    # the real stdout, the guarded one catches stray prints.
    with installed(Redactor(secrets)), guarded_streams(commands=True):
        return _guarded_action(settings, github, git, out, run, embedder)


def _guarded_action(settings, github, git, out: Workflow, run, embedder) -> int:
    try:
        return _action(settings, github, git, out, run, embedder)
    except ConfigError as exc:
        for issue in exc.issues:
            path = _repo_path(issue.file, settings)
            emit = out.error if issue.severity == "error" else out.warning
            emit(
                issue.message,
                file=path,
                line=issue.line,
                col=issue.col,
                title="driftgate: suite file",
            )
        lines = "\n".join(
            f"- {untrusted(f'{_repo_path(i.file, settings)}:{i.line}')}: {untrusted(i.message)}"
            for i in exc.issues
        )
        out.summary(f"### ⚠️ driftgate: the suite file has problems\n\n{lines}\n")
        out.log(str(exc))
        return EXIT_USAGE
    except DriftgateError as exc:
        return _die(out, str(exc), exc.exit_code)


def _die(out: Workflow, message: str, code: int = EXIT_USAGE) -> int:
    """One place that says what went wrong, as an annotation and in the job summary."""
    out.error(message, title="driftgate")
    out.summary(f"### ⚠️ driftgate could not run\n\n{untrusted(message)}\n")
    return code


def _refuse_links_out(settings: Settings) -> None:
    """Exit 2 when a folder of a path the action writes is a symlink out of the checkout: the
    pull request committed it, and as root in the container the write would land anywhere.
    `working-directory` is one of those folders: measured from the workspace, not from it."""
    from driftgate.cache import DEFAULT_DIR
    from driftgate.fileio import leaves_through_a_link

    checkout = Path(settings.workspace)
    root = checkout / settings.working_directory  # not resolved: a link there counts
    cache_dir = settings.cache_dir or DEFAULT_DIR
    written = [  # (input, value, a file it writes)
        ("results-path", settings.results_path, settings.results_path),
        ("plan-path", settings.plan_path, settings.plan_path),
        ("cache-dir", cache_dir, f"{cache_dir}/v1"),  # the cache folder is a folder on the way
    ]
    for name, value, file in written:
        lands = leaves_through_a_link(checkout, root / file)
        if lands is not None:
            raise UsageError(
                f"{name} {value}: a folder on its way is a symbolic link out of the checkout "
                f"(the write would land at {lands}); a pull request may have committed it. "
                f"Remove the link, or set {name} to a path whose folders are real"
            )


def _action(settings, github, git, out: Workflow, run, embedder) -> int:
    from driftgate.report.markdown import render_markdown

    root = settings.root
    _refuse_links_out(settings)  # before anything is written, an empty plan included
    plan = plan_run(settings)
    for warning in plan.warnings:
        out.warning(warning, title="driftgate")
    if plan.kind == "noop":
        out.notice(plan.note, title="driftgate")
        out.summary(f"driftgate: {plan.note}\n")
        if settings.mode == "plan":  # an empty plan: the generation step is skipped
            _write_request_plan(settings, None, root, out, run_nothing=True)
        return EXIT_PASS
    git.trust(Path(settings.workspace).resolve())
    from driftgate.report.files import check_writable

    check_writable([("results-path", root / settings.results_path)])  # before any paid call
    if plan.kind == "monitor":
        from driftgate.action.monitor_mode import monitor_mode

        return monitor_mode(settings, plan, out, git, embedder)
    out.log(f"driftgate: {plan.note}")

    shard_job = bool(settings.shard) and plan.kind != "merge"
    if settings.outputs and settings.mode != "plan" and plan.kind != "merge":
        from driftgate.generate.plan_file import refuse_committed_outputs

        refuse_committed_outputs(root / settings.outputs, root, git)
    if plan.kind == "merge":
        with out.group("Merge shard results"):
            results = _merge_shards(root / settings.shard_results, root, git)
    else:
        changes = None
        if plan.kind == "selective":
            with out.group("Changed files"):
                changes = _pr_changes(settings, plan, github, git, out, root)
        if settings.mode == "plan":
            return _write_request_plan(settings, changes, root, out, git=git)
        with out.group("Run the suite"):
            results = _run_suite(settings, plan, changes, root, run, embedder, out, git)

    # Checked writable before the run; if it fails now (a full disk), the comment and the
    # status still carry the verdict, and the exit code says it was not all delivered.
    delivered = True
    try:
        results.write(root / settings.results_path)
    except OSError as exc:
        delivered = False
        out.error(
            f"cannot write results-path {settings.results_path} ({exc.strerror or exc}); "
            f"the verdict ({results.summary.verdict.upper()}) is in the comment and the status",
            title="driftgate",
        )
    summary = results.summary
    shard_key = results.shard if shard_job else None
    tag = marker(results.suite, shard_key)
    body = render_markdown(
        _short_names(results),
        links=_report_links(settings, plan, results.suite_path),
        base_branch=_base_branch(settings),
        limit=COMMENT_LIMIT - len(tag) - 1,
        artifact_hint=f"`{settings.results_path}`",
    )
    out.summary(body)
    _annotate(results, out)

    comment_url = None
    if settings.event_name == "workflow_run" and plan.pr_number and github is not None:
        _check_pr_head(github, plan, out)
    if plan.pr_number and settings.comment and not shard_job and github is not None:
        with out.group("Post the PR comment"):
            legacy = legacy_marker(results.suite, shard_key)
            comment_url = _post_comment(
                github, plan.pr_number, (tag, legacy), body, summary.selected, out
            )
    if settings.commit_status and not shard_job and plan.status_sha and github is not None:
        with out.group("Set the commit status"):
            _post_status(github, settings, plan.status_sha, results, out)
    if plan.update_baseline and not shard_job:
        with out.group("Record the baseline"):
            _record_baseline(settings, git, root, results, out)

    _outputs(out, results, settings.results_path, comment_url)
    verdict = "passed" if summary.verdict == "pass" else "FAILED"
    out.log(
        f"driftgate: gate {verdict} ({summary.selected} selected, "
        f"{summary.failed} failed, {summary.errors} errors)"
    )
    return exit_code(results) if delivered else EXIT_USAGE


def _pr_changes(settings, plan: Plan, github, git, out: Workflow, root: Path):
    """From git with the event's SHAs; else the API listing; else None (run everything)."""
    from driftgate.select.changes import changes_from_paths

    if plan.base_sha and plan.head_sha:
        changes = git.changes(plan.base_sha, plan.head_sha, root)
        if changes.files is not None:
            out.log(changes.describe())
            return changes
        out.log(changes.describe())
    if github is not None and plan.pr_number:
        try:
            listed = github.pr_files(plan.pr_number)
        except Exception as exc:  # any API failure: run all, say why
            out.warning(f"cannot list the PR's files from the API ({exc}); running all cases")
            return None
        changes = changes_from_paths(
            listed.paths, "GitHub API PR files", listed.truncated, base=plan.base_sha
        )
        if listed.truncated:
            out.warning("the PR touches 3000 files or more (GitHub's listing cap): running all")
        out.log(changes.describe())
        return changes
    out.warning("changed files are unknown: running all cases")
    return None


def _run_suite(settings, plan: Plan, changes, root: Path, run, embedder, out: Workflow, git):
    from driftgate.pipeline import RunOptions
    from driftgate.pipeline import run as pipeline_run

    options = RunOptions(
        config=root / settings.config,
        changes=changes,
        embedder=embedder,
        progress=out.log,
        anthropic=settings.anthropic,
    )
    options.git = git  # one git for every command of the run
    options.baseline_branch = settings.baseline_branch
    options.merge_base = _baseline_commit(settings, plan, changes)
    # Recorded by the action after reporting, so a push failure is a warning, not exit 2.
    options.update_baseline = False
    options.untrusted_checkout = True  # the PR's: its committed outputs files are refused
    for field_name, value in _optional_options(settings).items():
        setattr(options, field_name, value() if callable(value) else value)
    return (run or pipeline_run)(options)


def _write_request_plan(
    settings: Settings, changes, root: Path, out: Workflow, run_nothing: bool = False, git=None
) -> int:
    """`mode: plan`: write the requests the team's job must generate; post nothing."""
    from driftgate.generate.plan_file import GenerationPlan, make_plan, write_plan

    if run_nothing:
        selection_note, plan = "", GenerationPlan("", "", 0)
    else:
        cache_dir = root / settings.cache_dir if settings.cache_dir else None
        with out.group("Plan the requests to generate"):
            _suite, _selection, plan = make_plan(
                root / settings.config, changes, cache_dir=cache_dir, git=git
            )
            for warning in plan.warnings:
                out.warning(warning.removeprefix("warning: "), title="driftgate")
        selection_note = plan.describe()
    write_plan(root / settings.plan_path, plan)
    if selection_note:
        out.log(f"driftgate: {selection_note}; plan written to {settings.plan_path}")
        out.summary(f"driftgate plan: {selection_note} (`{settings.plan_path}`)\n")
    out.set_output("selected", plan.cases)
    out.set_output("requests", len(plan.requests))
    out.set_output("plan-path", settings.plan_path)
    return EXIT_PASS


def _optional_options(settings: Settings) -> dict:
    """Inputs other stages own, by RunOptions field: a value or a builder."""
    options: dict = {}
    if settings.cache_dir:
        options["cache_dir"] = settings.root / settings.cache_dir
    if settings.judge:
        options["judge"] = settings.judge
    if settings.outputs:
        options["outputs"] = settings.root / settings.outputs
        plan_file = settings.root / settings.plan_path
        if plan_file.exists():  # written by the `mode: plan` step of this job
            options["plan"] = plan_file
    if settings.shard:

        def shard():
            from driftgate.shard import parse_shard

            return parse_shard(settings.shard, "input `shard`")

        options["shard"] = shard
    return options


def _baseline_commit(settings: Settings, plan: Plan, changes) -> str | None:
    """Compare with the baseline recorded where this change starts: the PR's merge-base,
    or the commit a push came after."""
    if plan.kind == "selective":
        return getattr(changes, "base", None) or plan.base_sha
    before = settings.event.get("before") if settings.event_name == "push" else None
    if before and before.strip("0"):
        return before
    return None


def _merge_shards(folder: Path, root: Path, git) -> RunResults:
    from driftgate.results import read_results

    committed = git.tracked(root, folder) if folder.is_dir() else 0
    if committed:  # a file the PR commits there could stand in for a shard that uploaded none
        raise UsageError(
            f"mode 'merge': {folder} holds {plural(committed, 'file')} committed to the "
            f"repository; shard results must come only from the shard jobs' artifacts: "
            f"remove them (git rm -r --cached), or download the artifacts to a folder the "
            f"repository does not track and set `shard-results` to it"
        )
    files = sorted(folder.rglob("*.json")) if folder.is_dir() else []
    if not files:
        raise UsageError(
            f"mode 'merge': no shard results (*.json) under {folder}; download the shard "
            f"jobs' artifacts there (actions/download-artifact) or set `shard-results`"
        )
    if len(files) == 1:
        saved = read_results(files[0])
        if saved.shard is None:  # one saved run (the fork pattern): nothing to merge
            summarize(saved)  # the verdict from its cases, never the summary it carries
            return saved
        # One shard alone is not a run: the merge counts the missing ones and fails closed.
    from driftgate.merge import merge_folder  # the scale-out stage: checks the shards fit

    return merge_folder(folder)


def _check_pr_head(github: GitHub, plan: Plan, out: Workflow) -> None:
    """The PR number comes from an artifact a fork's run wrote: trust it only if that PR's
    head is the commit GitHub says the run was for."""
    from driftgate.errors import UsageError

    actual = github.pr_head_sha(plan.pr_number)
    if actual != plan.head_sha:
        raise UsageError(
            f"pull request #{plan.pr_number} has head {str(actual)[:12]}, but the workflow run "
            f"was for {str(plan.head_sha)[:12]}: not posting (the PR moved on, or the saved "
            f"PR number is wrong)"
        )


def _short_names(results: RunResults) -> RunResults:
    """A copy for the report whose suite and case names fit on a line: an 8,000-character
    name is a detail like any other, and must not crowd the verdict out of the comment."""
    names = [results.suite, *(c.name for c in results.cases)]
    if all(len(name) <= NAME_MAX for name in names):
        return results
    shown = results.model_copy(deep=True)
    shown.suite = _clip_name(shown.suite)
    for case in shown.cases:
        case.name = _clip_name(case.name)
    return shown


def _clip_name(name: str) -> str:
    return name if len(name) <= NAME_MAX else f"{name[: NAME_MAX - 12]}…({len(name)} chars)"


def _annotate(results: RunResults, out: Workflow) -> None:
    for case in results.cases:
        if not case.selected:
            continue
        if case.status in ("failed", "error") or case.regression:
            what = "regressed" if case.regression and case.status == "passed" else case.status
            critical = "critical " if case.critical else ""
            reasons = "; ".join(case.reasons) or what
            out.error(
                f"{critical}case '{case.name}' {what}: {reasons}",
                file=results.suite_path,
                line=case.line,
                title=f"driftgate: {case.name}",
            )


def _post_comment(
    github: GitHub, number: int, tags: tuple[str, str], body: str, selected: int, out: Workflow
) -> str | None:
    tag, legacy = tags
    try:
        posted = github.upsert_comment(number, tag, body, create=selected > 0, legacy=legacy)
    except CannotPost as exc:
        out.warning(str(exc), title="driftgate: comment not posted")
        out.summary(f"> ⚠️ The PR comment was not posted: {untrusted(exc)}\n")
        return None
    for note in posted.notes:
        out.warning(note, title="driftgate: PR comment")
        out.summary(f"> ⚠️ PR comment: {note}\n")
    url = posted.url
    if url is None:
        out.log("no case was affected and no earlier comment exists: nothing posted")
        out.summary("_No case was affected by this change: no PR comment posted._\n")
    else:
        out.log(f"comment: {url}")
    return url


def status_line(results: RunResults) -> str:
    s = results.summary
    if s.selected == 0:
        return "no case affected by this change"
    rate = f"pass@1 {s.pass_at_1:.2f}" if s.pass_at_1 is not None else f"{s.passed} passed"
    parts = [rate, f"{s.passed}/{s.selected} passed"]
    if s.critical_regressions:
        parts.append(plural(s.critical_regressions, "critical regression"))
    elif s.regressions:
        parts.append(plural(s.regressions, "regression"))
    if s.critical_failures:
        parts.append(plural(s.critical_failures, "critical failure"))
    return " · ".join(parts)


def _post_status(
    github: GitHub, settings: Settings, sha: str, results: RunResults, out: Workflow
) -> None:
    state = "success" if results.summary.verdict == "pass" else "failure"
    try:
        github.set_status(
            sha,
            redact(status_context(results.suite)),
            state,
            status_line(results),
            settings.run_url,
        )
    except CannotPost as exc:
        out.warning(str(exc), title="driftgate: status not set")


def _record_baseline(settings, git: Git, root: Path, results: RunResults, out: Workflow) -> None:
    sha = settings.sha or results.git_sha
    try:
        commit = git.write_baseline(root, settings.baseline_branch, results, sha)
    except DriftgateError as exc:
        out.warning(str(exc), title="driftgate: baseline not recorded")
        return
    out.log(f"baseline recorded on branch {settings.baseline_branch} ({commit[:12]})")


def _outputs(out: Workflow, results: RunResults, results_path: str, comment_url) -> None:
    s = results.summary
    values = {
        "verdict": s.verdict,
        "pass-at-1": "" if s.pass_at_1 is None else f"{s.pass_at_1:.4f}",
        "selected": s.selected,
        "skipped": s.skipped,
        "passed": s.passed,
        "failed": s.failed,
        "errors": s.errors,
        "regressions": s.regressions,
        "critical-regressions": s.critical_regressions,
        "results-path": results_path,
        "comment-url": comment_url or "",
    }
    for name, value in values.items():
        out.set_output(name, value)


def _report_links(settings: Settings, plan: Plan, suite_path: str):
    """The comment's links, built from GitHub's own settings only: the run, its artifacts,
    and the suite file at the PR's head commit (a path that could leave the repository, or
    an unknown commit, gets no link)."""
    from driftgate.report.markdown import Links

    run = settings.run_url
    suite_file = None
    head = plan.head_sha or settings.sha
    path = _repo_path(suite_path, settings)
    inside = not (path.startswith("/") or ".." in PurePosixPath(path).parts)
    if settings.repository and re.fullmatch(r"[0-9a-f]{40}", head or "") and inside:
        server = settings.server_url.rstrip("/")
        suite_file = f"{server}/{settings.repository}/blob/{head}/{quote(path, safe='/')}"
    return Links(run=run, artifacts=f"{run}#artifacts" if run else None, suite_file=suite_file)


def _base_branch(settings: Settings) -> str | None:
    """The branch "already failing" is measured against: the PR's base, else the default."""
    base = (settings.pull_request or {}).get("base")
    ref = base.get("ref") if isinstance(base, dict) else None
    return ref if isinstance(ref, str) and ref else settings.default_branch


def _repo_path(file: str, settings: Settings) -> str:
    """Annotations name files relative to the repository root."""
    path = Path(file)
    if not path.is_absolute():
        path = (settings.root / path).resolve()
    try:
        return path.relative_to(Path(settings.workspace).resolve()).as_posix()
    except ValueError:
        return file


def main(argv: list[str] | None = None) -> int:
    """`driftgate action`: the container's entrypoint. Builds the real clients, then runs."""
    try:
        settings = Settings.from_process()
    except DriftgateError as exc:
        out = Workflow(sys.stdout, None, step_summary_path())
        secrets = process_secrets()
        for secret in secrets:
            out.mask(secret)
        with installed(Redactor(secrets)):
            return _die(out, str(exc))
    if not settings.repository:
        return action(settings, None, Git())
    with GitHub.connect(
        settings.github_token,
        settings.api_url,
        settings.repository,
        budget=WaitBudget(settings.max_wait),
    ) as github:
        return action(settings, github, Git())
