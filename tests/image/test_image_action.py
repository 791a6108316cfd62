"""The built image through the action's PR life cycle, as GitHub's runner runs it.

Against the loopback fake GitHub (the real PyGithub inside the container, host network) and a
local bare `origin`. Mirrors tests/action/test_action_e2e.py, which runs the same life cycle as
a host process: here it is the image's own python, packages, model and entrypoint.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from action_helpers import BAD_REFUND, action_env, git, pr_env, push_env, push_event
from image_runner import RUN, run_image, unreadable_by_runner

from driftgate.action.github import marker

TOKEN = "ghs_supersecrettoken123"
FIXED_REFUND = (
    "The customer was double-charged for the March Pro plan and asks for a refund; "
    "route to Billing."
)


def assert_clean(run) -> None:
    assert "Traceback" not in run.output, run.output
    assert run.stdout.count(TOKEN) <= 1  # only inside the ::add-mask:: command


def block_model(tmp_path) -> tuple[dict[str, str], dict[str, str]]:
    """Any import of torch / sentence-transformers fails the run loudly (PYTHONPATH first)."""
    blocker = tmp_path / "blocker"
    for package in ("torch", "sentence_transformers"):
        (blocker / package).mkdir(parents=True, exist_ok=True)
        (blocker / package / "__init__.py").write_text(
            f"raise ImportError('{package} must not be imported on this run')\n"
        )
    return {"PYTHONPATH": "/blocker"}, {str(blocker): "/blocker:ro"}


def test_version_runs_inside(image):
    done = subprocess.run(
        [
            *RUN,
            "--network",
            "none",
            "--entrypoint",
            "driftgate",
            image,
            "--version",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("driftgate ")


def test_push_to_main_records_the_baseline(image, tmp_path, repo, fake):
    env = push_env(tmp_path, repo, fake.base_url)
    run = run_image(env, repo, tmp_path)
    assert run.returncode == 0, run.output
    assert_clean(run)
    assert "::group::Record the baseline" in run.stdout
    listed = git(repo.origin, "ls-tree", "-r", "--name-only", "driftgate-baseline")
    assert f"support/{repo.main_sha}.json" in listed.splitlines()
    assert run.outputs()["verdict"] == "pass"
    assert [s["context"] for s in fake.statuses] == ["driftgate/support"]
    assert not fake.comments
    # What the container wrote into the workspace, the runner's user can read afterwards.
    results = repo.work / "driftgate-results.json"
    assert json.loads(results.read_text(encoding="utf-8"))["cases"]
    assert unreadable_by_runner(repo.work) == []
    assert unreadable_by_runner(run.file_commands) == []
    print(f"\nimage: push (full run, model loaded) took {run.seconds:.1f} s")


def test_pr_regression_then_fix_edits_the_same_comment(image, tmp_path, repo, fake):
    repo.branch("feature")
    repo.write({"answers/refund_routing.txt": BAD_REFUND})
    bad = repo.commit("refund answers are generic now")
    run = run_image(pr_env(tmp_path, repo, fake.base_url, bad), repo, tmp_path)
    assert run.returncode == 1, run.output
    assert_clean(run)
    (comment,) = fake.comments[2]
    assert comment["body"].startswith(marker("support") + "\n")
    assert "refund_routing" in comment["body"] and "failed" in comment["body"]
    assert "::error file=llm-evals.yaml,line=10,title=driftgate%3A refund_routing::" in run.stdout
    assert fake.statuses[-1]["state"] == "failure"
    assert run.outputs()["verdict"] == "fail"
    print(f"\nimage: PR with a critical regression took {run.seconds:.1f} s")

    repo.write({"answers/refund_routing.txt": FIXED_REFUND})
    fixed = repo.commit("fix the refund answer")
    env = pr_env(tmp_path, repo, fake.base_url, fixed, action="synchronize")
    run = run_image(env, repo, tmp_path)
    assert run.returncode == 0, run.output
    (edited,) = fake.comments[2]  # still exactly one comment: the same one, edited
    assert edited["id"] == comment["id"]
    assert "passed" in edited["body"].split("\n")[1]
    assert [s["state"] for s in fake.statuses] == ["failure", "success"]


def test_pr_touching_no_case_exits_0_without_loading_the_model(image, tmp_path, repo, fake):
    repo.branch("docs")
    repo.write({"README.md": "better docs\n"})
    head = repo.commit("docs only")
    extra_env, volumes = block_model(tmp_path)
    env = {**pr_env(tmp_path, repo, fake.base_url, head), **extra_env}
    run = run_image(env, repo, tmp_path, extra_volumes=volumes)
    assert run.returncode == 0, run.output
    assert_clean(run)
    assert not fake.comments
    assert fake.statuses[0]["description"] == "no case affected by this change"
    assert "no PR comment posted" in run.summary()
    assert run.outputs()["selected"] == "0"
    print(f"\nimage: PR touching no case took {run.seconds:.1f} s")


def test_config_typo_exits_2_with_the_line(image, tmp_path, repo, fake):
    text = (repo.work / "llm-evals.yaml").read_text().replace("critical: true", "critcal: true")
    repo.write({"llm-evals.yaml": text})
    head = repo.commit("typo")
    extra_env, volumes = block_model(tmp_path)
    env = {**pr_env(tmp_path, repo, fake.base_url, head), **extra_env}
    run = run_image(env, repo, tmp_path, extra_volumes=volumes)
    assert run.returncode == 2, run.output
    assert_clean(run)
    assert "::error file=llm-evals.yaml,line=16," in run.stdout
    assert "did you mean 'critical'" in run.stdout
    assert not fake.writes()


def test_fork_token_degrades_to_the_job_summary(image, tmp_path, repo, fake):
    fake.read_only = True
    repo.branch("fork-docs")
    repo.write({"README.md": "typo fix from a contributor\n"})
    head = repo.commit("docs from a fork")
    run = run_image(pr_env(tmp_path, repo, fake.base_url, head, fork=True), repo, tmp_path)
    assert run.returncode == 0, run.output
    assert_clean(run)
    assert "::warning title=driftgate%3A status not set::" in run.stdout
    assert not fake.statuses and not fake.comments
    assert "no case affected" in run.summary()


def test_full_run_needs_no_network(image, tmp_path, repo):
    """No network at all (not even the host's): the model, the scoring, git all work offline."""
    env = action_env(
        tmp_path,
        repo,
        "push",
        push_event("0" * 40, repo.main_sha),
        "http://127.0.0.1:9/api/v3",
        sha=repo.main_sha,
        ref="refs/heads/main",
        inputs={"comment": "false", "commit-status": "false", "update-baseline": "false"},
    )
    run = run_image(env, repo, tmp_path, network="none")
    assert run.returncode == 0, run.output
    assert_clean(run)
    assert run.outputs()["verdict"] == "pass"
    results = json.loads((repo.work / "driftgate-results.json").read_text(encoding="utf-8"))
    similarities = [case["similarity"] for case in results["cases"]]
    assert len(similarities) == 2, results
    assert all(isinstance(s, float) and s > 0.5 for s in similarities), results


@pytest.mark.parametrize("module", ["networkx", "hf_xet", "pip"])
def test_what_the_action_never_imports_is_not_in_the_image(image, module):
    done = subprocess.run(
        [
            *RUN,
            "--network",
            "none",
            "--entrypoint",
            "python",
            image,
            "-c",
            f"import importlib.util as u; print(u.find_spec('{module}') is None)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip() == "True", done.stdout + done.stderr
