"""The compare stage inside a real run: branch store round trip, batching, the CLI flags."""

from __future__ import annotations

import json

from driftgate.pipeline import RunOptions, run
from driftgate.score.embedder import Embedder
from support import git, run_cli

SUITE = """
eval_suite:
  name: routing
  target: {type: outputs, path: outputs.jsonl}
  cases:
    - name: billing
      expected: "The invoice was charged twice; route to Billing."
      critical: true
    - name: infra
      expected: "The API returns 503 errors; route to Infrastructure."
"""

GOOD = {
    "billing": "The invoice was charged twice, so route it to Billing.",
    "infra": "The API returns 503 errors; route it to Infrastructure.",
}
WORSE = {**GOOD, "billing": "The customer has a question about an invoice."}


class BatchCountingEmbedder(Embedder):
    """The real embedder, recording how many batches reached the model."""

    def __init__(self, model):
        super().__init__("all-MiniLM-L6-v2", model=model)
        self.batches = 0

    def encode(self, texts):
        before = self.encoded
        super().encode(texts)
        self.batches += self.encoded > before


def write_outputs(repo, outputs):
    lines = [json.dumps({"case": k, "output": v}) for k, v in outputs.items()]
    (repo / "outputs.jsonl").write_text("\n".join(lines) + "\n")


def make_origin(tmp_path, git_repo):
    """`git_repo` with the suite committed, pushed to a bare origin."""
    (git_repo / "llm-evals.yaml").write_text(SUITE.lstrip())
    write_outputs(git_repo, GOOD)
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "suite")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(git_repo), str(origin))
    git(git_repo, "remote", "add", "origin", str(origin))
    git(git_repo, "fetch", "-q", "origin")
    return origin


def test_main_records_a_baseline_and_a_pr_is_blocked_by_a_critical_drop(
    tmp_path, git_repo, st_model
):
    origin = make_origin(tmp_path, git_repo)
    main_sha = git(git_repo, "rev-parse", "HEAD")
    config = git_repo / "llm-evals.yaml"
    first = run(
        RunOptions(config=config, embedder=BatchCountingEmbedder(st_model), update_baseline=True)
    )
    assert first.summary.verdict == "pass" and first.summary.baseline is None
    assert git(origin, "ls-tree", "-r", "--name-only", "driftgate-baseline").splitlines() == [
        f"routing/{main_sha}.json",
        "routing/latest.json",
    ]

    pr = tmp_path / "pr"
    git(tmp_path, "clone", "-q", str(origin), str(pr))
    write_outputs(pr, WORSE)
    embedder = BatchCountingEmbedder(st_model)
    results = run(RunOptions(config=pr / "llm-evals.yaml", embedder=embedder, merge_base=main_sha))

    billing = results.case("billing")
    assert results.summary.baseline.commit == main_sha
    assert results.summary.baseline.at_merge_base is True
    assert billing.comparable and billing.regression and billing.delta < -0.05
    assert billing.output_drift < 0.9
    assert results.case("infra").regression is False
    assert results.summary.critical_regressions == 1 and results.summary.verdict == "fail"
    assert any("critical case 'billing' regressed" in r for r in results.summary.gate_reasons)
    assert embedder.batches == 1  # baseline outputs rode in the run's one batch


def test_cli_baseline_file_and_update_flags(tmp_path, git_repo):
    origin = make_origin(tmp_path, git_repo)
    base = {
        "schema_version": 1,
        "suite": "routing",
        "suite_path": "llm-evals.yaml",
        "embedding_model": "all-MiniLM-L6-v2",
        "git_sha": "0" * 40,
        "cases": [
            {
                "name": "billing",
                "status": "passed",
                "similarity": 0.999,
                "samples_n": 1,
                "passes": 1,
            },
            {"name": "infra", "status": "passed", "similarity": 0.9, "samples_n": 1, "passes": 1},
        ],
    }
    (tmp_path / "base.json").write_text(json.dumps(base))
    write_outputs(git_repo, WORSE)
    done = run_cli(
        "run",
        "--baseline",
        str(tmp_path / "base.json"),
        "--update-baseline",
        "--baseline-branch",
        "evals-data",
        "--output-json",
        str(tmp_path / "out.json"),
        cwd=git_repo,
    )
    assert done.returncode == 1, done.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["summary"]["baseline"]["source"] == str(tmp_path / "base.json")
    assert out["summary"]["critical_regressions"] == 1
    head = git(git_repo, "rev-parse", "HEAD")
    assert f"routing/{head}.json" in git(origin, "ls-tree", "-r", "--name-only", "evals-data")

    done = run_cli("run", "--baseline", str(tmp_path / "missing.json"), cwd=git_repo)
    assert done.returncode == 2 and "missing.json: results file not found" in done.stderr


def test_update_baseline_without_origin_stops_before_any_target_call(git_repo):
    """A local repository with no `origin`: exit 2 up front, not after the paid calls."""
    suite = SUITE.replace(
        "{type: outputs, path: outputs.jsonl}",
        "{type: command, command: \"python -c \\\"open('called', 'w')\\\"\"}",
    )
    (git_repo / "llm-evals.yaml").write_text(suite.lstrip())
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "suite")
    done = run_cli("run", "--update-baseline", cwd=git_repo)
    assert done.returncode == 2, done.stderr
    assert "no 'origin' remote" in done.stderr or "has none" in done.stderr
    assert "git remote add origin URL" in done.stderr
    assert not (git_repo / "called").exists()  # the target never ran
    assert "[1/" not in done.stderr


def test_no_baseline_note_says_what_to_do_in_this_repository(tmp_path, git_repo, embedder):
    """Without `origin` the way to compare locally is a results file; a run that records the
    first baseline is not told to record one."""
    (git_repo / "llm-evals.yaml").write_text(SUITE.lstrip())
    write_outputs(git_repo, GOOD)
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "suite")
    said: list[str] = []
    options = RunOptions(
        config=git_repo / "llm-evals.yaml", embedder=embedder, progress=said.append
    )
    run(options)
    note = next(line for line in said if line.startswith("no baseline"))
    assert "no 'origin' remote" in note and "--baseline PATH" in note
    assert "--output-json" in note and "--update-baseline" not in note

    make_origin(tmp_path, git_repo)
    said.clear()
    options = RunOptions(
        config=git_repo / "llm-evals.yaml",
        embedder=embedder,
        progress=said.append,
        update_baseline=True,
    )
    run(options)
    note = next(line for line in said if line.startswith("no baseline"))
    assert "record one with --update-baseline" not in note and "this run records" in note
