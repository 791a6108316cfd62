"""In a pull request the checkout is the PR's: what it commits is never taken for a job's work.

A folder it commits as a symlink out of the checkout is never written through.
`fileio.write_text` replaces a symlink at the file's own path, but the folders on the way are
followed. The container runs as root: a PR that commits `reports` as a link to `/` (or to
the runner's home) would carry `results-path: reports/results.json`, the plan or the cache's
files there. The action refuses (exit 2) before any call, and says which input and where
the write would have landed.

An `outputs` file it commits is not read as the generation step's outputs: when the plan is
empty that step is skipped, and the committed file's lines would win over the cache.
"""

from __future__ import annotations

import io
import json

import pytest
from action_helpers import BAD_REFUND, GOOD, pr_env, push_env

from driftgate.action.git import Git
from driftgate.action.main import action
from driftgate.action.settings import Settings
from support import git

SUITE_WITH_OUTPUTS = """\
eval_suite:
  name: support
  target: {type: outputs, path: PATH}
  cases:
    - name: refund_routing
      expected: >-
        The customer was charged twice for the March Pro plan and wants a refund; route to Billing.
      critical: true
"""


def never_run(options):
    raise AssertionError("the suite must not run")


@pytest.mark.parametrize(
    ("link", "inputs", "name"),
    [
        ("reports", {"results-path": "reports/results.json"}, "results-path"),
        ("plans", {"mode": "plan", "plan-path": "plans/plan.jsonl"}, "plan-path"),
        (".driftgate", {}, "cache-dir"),  # the default cache folder, .driftgate/cache
        ("cache", {"cache-dir": "cache"}, "cache-dir"),  # the cache folder itself a link
    ],
)
def test_a_committed_link_out_of_the_checkout_is_refused(tmp_path, repo, link, inputs, name):
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo.work / link).symlink_to(outside)
    git(repo.work, "add", "-A")
    git(repo.work, "commit", "-qm", "pr: a folder that leads out")
    env = push_env(tmp_path, repo, "http://127.0.0.1:9", branch="feature", inputs=inputs)
    stream = io.StringIO()

    code = action(Settings.from_env(env), None, Git(), run=never_run, stream=stream)

    log = stream.getvalue()
    assert code == 2, log
    assert f"{name} " in log and "symbolic link out of the checkout" in log
    assert str(outside) in log
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("mode", ["plan", "auto"])
def test_a_working_directory_the_pr_made_a_link_out_is_refused(tmp_path, repo, mode):
    """`working-directory: app` names a folder of the checkout; the PR can make it a link.
    A closed PR's `mode: plan` step wrote its empty plan there without reading the suite."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo.work / "app").symlink_to(outside)
    head = repo.commit("pr: app leads out")
    inputs = {"working-directory": "app", "mode": mode}
    env = pr_env(tmp_path, repo, "http://127.0.0.1:9", head, inputs, action="closed")
    stream = io.StringIO()

    code = action(Settings.from_env(env), None, Git(), run=never_run, stream=stream)

    log = stream.getvalue()
    assert code == 2, log
    assert "symbolic link out of the checkout" in log and str(outside) in log
    assert list(outside.iterdir()) == []


def test_links_that_stay_inside_and_paths_the_workflow_chose_outside_are_fine(tmp_path, repo):
    from driftgate.fileio import leaves_through_a_link

    (repo.work / "real").mkdir()
    (repo.work / "inside").symlink_to(repo.work / "real")
    (repo.work / "out").symlink_to(tmp_path)
    root = repo.work
    assert leaves_through_a_link(root, root / "inside" / "results.json") is None
    assert leaves_through_a_link(root, tmp_path / "runner-temp" / "results.json") is None
    assert leaves_through_a_link(root, root / "results.json") is None
    assert leaves_through_a_link(root, root / "out" / "r.json") == tmp_path.resolve() / "r.json"
    assert leaves_through_a_link(root, root / "sub" / ".." / "out" / "r.json") is not None


def test_a_committed_outputs_file_the_job_did_not_rewrite_is_refused(tmp_path, repo):
    forged = '{"case": "refund_routing", "output": "a good answer nobody generated"}\n'
    repo.write({"driftgate-outputs.jsonl": forged})
    git(repo.work, "add", "-A")
    git(repo.work, "commit", "-qm", "pr: outputs, ready-made")

    log = outputs_refused(tmp_path, repo)

    assert "git rm --cached -- driftgate-outputs.jsonl" in log


def outputs_refused(tmp_path, repo, inputs=None, refused="outputs driftgate-outputs.jsonl", **run):
    """The action (by default `outputs: driftgate-outputs.jsonl`, stopped before the run)
    refuses the committed outputs file `refused` names: its log."""
    inputs = inputs or {"outputs": "driftgate-outputs.jsonl"}
    run = run or {"run": never_run}
    env = push_env(tmp_path, repo, "http://127.0.0.1:9", branch="feature", inputs=inputs)
    stream = io.StringIO()
    code = action(Settings.from_env(env), None, Git(), stream=stream, **run)
    log = stream.getvalue()
    assert code == 2, log
    assert f"{refused}: the file is committed to the repository" in log
    return log


def test_an_outputs_file_this_job_wrote_is_read(tmp_path, repo):
    """Untracked (the docs' .gitignore), or tracked but rewritten by the generation step."""
    seen = []

    def spy(options):
        seen.append(options.outputs)
        raise SystemExit(0)  # stop at the seam: what matters is that the run was reached

    for commit_first in (False, True):
        path = repo.work / "driftgate-outputs.jsonl"
        path.write_text('{"case": "refund_routing", "output": "old"}\n')
        if commit_first:
            git(repo.work, "add", "-A")
            git(repo.work, "commit", "-qm", "an outputs file, committed by mistake")
            path.write_text('{"case": "refund_routing", "output": "generated now"}\n')
        inputs = {"outputs": "driftgate-outputs.jsonl"}
        env = push_env(tmp_path, repo, "http://127.0.0.1:9", branch="feature", inputs=inputs)
        with pytest.raises(SystemExit):
            action(Settings.from_env(env), None, Git(), run=spy, stream=io.StringIO())
    assert seen == [repo.work / "driftgate-outputs.jsonl"] * 2


FORGED = '{"case": "refund_routing", "output": "a good answer nobody generated%s"}'


@pytest.mark.parametrize(
    ("committed", "attributes"),
    [
        # A blob with CRLF line ends under `text`: git would store LF now.
        ((FORGED % "" + "\r\n").encode(), "text"),
        # An `$Id: … $` naming another blob: checkout writes this blob's id, git stores `$Id$`.
        ((FORGED % (" $Id: " + "0" * 39 + "1 $") + "\n").encode(), "ident"),
    ],
    ids=["crlf-under-text", "ident"],
)
def test_a_committed_outputs_file_git_calls_modified_is_still_refused(
    tmp_path, repo, committed, attributes
):
    """`.gitattributes` can make git report a file the checkout wrote as modified, although
    nobody touched it: `git diff` compares after the conversions the attributes choose.
    driftgate reads the file the same (a line's `\\r` is dropped)."""
    path = repo.work / "driftgate-outputs.jsonl"
    path.write_bytes(committed)
    repo.commit("pr: outputs, ready-made")
    repo.write({".gitattributes": f"driftgate-outputs.jsonl {attributes}\n"})
    git(repo.work, "add", ".gitattributes")  # only it: `add -A` would renormalize the file
    git(repo.work, "commit", "-qm", "pr: and git converts them")
    path.unlink()  # checked out afresh, as in CI
    git(repo.work, "checkout", "--", path.name)
    assert git(repo.work, "status", "--porcelain") == f"M {path.name}"  # git: "modified"

    outputs_refused(tmp_path, repo)


def test_a_committed_file_shadowing_the_suites_outputs_target_is_refused(tmp_path, repo, embedder):
    """The suite's own `{type: outputs, path: …}` is read relative to the suite file first,
    then the root: the generation step writes `eval-outputs.jsonl` at the root, and a PR that
    commits `evals/eval-outputs.jsonl` beside the suite had its answers read instead."""
    suite = SUITE_WITH_OUTPUTS.replace("PATH", "eval-outputs.jsonl")
    generated = json.dumps({"case": "refund_routing", "output": BAD_REFUND}) + "\n"
    forged = json.dumps({"case": "refund_routing", "output": GOOD["refund_routing"]}) + "\n"
    repo.write({"evals/llm-evals.yaml": suite, "evals/eval-outputs.jsonl": forged})
    repo.commit("pr: a ready-made outputs file beside the suite")
    repo.write({"eval-outputs.jsonl": generated})  # the generation step, untracked
    inputs = {"config": "evals/llm-evals.yaml"}

    log = outputs_refused(tmp_path, repo, inputs, "evals/eval-outputs.jsonl", embedder=embedder)

    assert "outputs target" in log  # passed (exit 0) on the forged answer before
