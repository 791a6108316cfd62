"""plan → generate → score: the plan lists what the cache can't answer; the score reads the
outputs file, fills the gaps from the cache and stores what is new."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from driftgate.cli import main as cli_main
from driftgate.generate.command_target import pipeline_request
from driftgate.pipeline import RunOptions, run
from support import REPO, git

PIPELINE = """\
import json, sys
from pathlib import Path
request = json.load(sys.stdin)
print(json.dumps({"output": Path("answers", request["case"] + ".txt").read_text()}))
"""

SUITE = f"""\
eval_suite:
  name: plans
  target: {{type: command, command: "{sys.executable} pipeline.py"}}
  cases:
    - name: billing
      prompt: "Route: {{ticket}}"
      vars: {{ticket: "I was charged twice in March."}}
      expected: "The customer was charged twice in March; route to Billing."
      trigger_paths: ["answers/billing.txt"]
    - name: outage
      prompt: "Route: {{ticket}}"
      vars: {{ticket: "Every API call returns 503."}}
      context: "API calls fail with 503."
      expected: "API calls fail with 503 errors; route to Infrastructure."
      samples: 2
      tags: [infra]
      trigger_paths: ["answers/outage.txt"]
"""

ANSWERS = {
    "billing": "The customer was charged twice in March; route to Billing.",
    "outage": "Every API call fails with a 503 error; route to Infrastructure.",
}


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "answers").mkdir(parents=True)
    (root / "pipeline.py").write_text(PIPELINE)
    (root / "llm-evals.yaml").write_text(SUITE)
    for name, text in ANSWERS.items():
        (root / "answers" / f"{name}.txt").write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    return root


def plan(repo: Path, tmp_path: Path, *args: str, capsys=None) -> tuple[int, list[dict]]:
    out = tmp_path / "plan.jsonl"
    code = cli_main(
        [
            "plan",
            "--config",
            str(repo / "llm-evals.yaml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--output",
            str(out),
            *args,
        ]
    )
    lines = out.read_text().splitlines() if out.exists() else []
    return code, [json.loads(line) for line in lines]


def generate(requests: list[dict], path: Path, answers=ANSWERS) -> Path:
    """The team's generation step: one outputs line per planned request."""
    with path.open("w") as stream:
        for request in requests:
            line = {"case": request["case"], "sample": request["sample"]}
            stream.write(json.dumps({**line, "output": answers[request["case"]]}) + "\n")
    return path


def score(repo: Path, tmp_path: Path, outputs: Path, embedder, **extra):
    options = RunOptions(
        config=repo / "llm-evals.yaml",
        outputs=outputs,
        cache_dir=tmp_path / "cache",
        baseline_branch=None,
        embedder=embedder,
        **extra,
    )
    return run(options)


def test_plan_lists_every_request_as_the_command_target_receives_it(repo, tmp_path, capsys):
    code, requests = plan(repo, tmp_path, "--all")
    assert code == 0
    assert [(r["case"], r["sample"]) for r in requests] == [
        ("billing", 0),
        ("outage", 0),
        ("outage", 1),
    ]
    from driftgate.config import load_suite

    suite = load_suite(repo / "llm-evals.yaml")
    outage = suite.cases[1]
    # The same object a `command` target gets on stdin, plus the target, key and suite hash.
    expected = pipeline_request(outage, 1)
    assert {k: requests[2][k] for k in expected} == expected
    assert requests[2]["prompt"] == "Route: Every API call returns 503."
    assert requests[2]["context"] == "API calls fail with 503."
    assert requests[2]["target"] == "command"
    assert requests[2]["suite_hash"] == suite.file_hash
    assert len({r["cache_key"] for r in requests}) == 3  # every sample its own entry
    assert "2 cases selected, 3 requests to generate" in capsys.readouterr().out


def test_plan_selects_as_run_does(repo, tmp_path):
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "answers" / "outage.txt").write_text("Something else.")
    git(repo, "commit", "-qam", "change outage")
    code, requests = plan(repo, tmp_path, "--changed-since", "main")
    assert code == 0
    assert {r["case"] for r in requests} == {"outage"}
    changed = tmp_path / "changed.txt"
    changed.write_text("answers/billing.txt\n")
    assert {r["case"] for r in plan(repo, tmp_path, "--changed-files", str(changed))[1]} == {
        "billing"
    }
    assert {r["case"] for r in plan(repo, tmp_path, "--tags", "infra")[1]} == {"outage"}
    assert {r["case"] for r in plan(repo, tmp_path, "--cases", "billing")[1]} == {"billing"}


def test_plan_config_errors_exit_2(repo, tmp_path, capsys):
    (repo / "llm-evals.yaml").write_text("eval_suite:\n  name: x\n  casez: []\n")
    code, requests = plan(repo, tmp_path, "--all")
    assert code == 2
    assert "llm-evals.yaml:3" in capsys.readouterr().err
    assert requests == []
    code, _ = plan(repo, tmp_path, "--cases", "nope")
    assert code == 2


def test_score_stores_outputs_then_plan_leaves_cached_requests_out(repo, tmp_path, embedder):
    _, requests = plan(repo, tmp_path)
    outputs = generate(requests, tmp_path / "outputs.jsonl")
    first = score(repo, tmp_path, outputs, embedder, plan=tmp_path / "plan.jsonl")
    assert first.summary.verdict == "pass", first.cases
    assert [s.status for s in first.cases] == ["passed", "passed"]

    code, again = plan(repo, tmp_path)
    assert (code, again) == (0, [])  # everything is in the cache now
    code, everything = plan(repo, tmp_path, "--include-cached")
    assert len(everything) == 3

    # The generation step is skipped (nothing planned): no outputs file, the cache answers.
    outputs.unlink()
    said: list[str] = []
    warm = score(
        repo, tmp_path, outputs, embedder, plan=tmp_path / "plan.jsonl", progress=said.append
    )
    assert warm.summary.verdict == "pass"
    # Said, not silent: a mistyped --outputs path must not look like the file was read.
    note = f"--outputs {outputs}: no such file; the cache answers all 3 selected requests"
    assert any(line.startswith(note) for line in said)
    assert all(s.cached for c in warm.cases for s in c.samples)
    assert (warm.summary.output_cache.lookups, warm.summary.output_cache.hits) == (3, 3)


def test_a_changed_answer_file_invalidates_only_its_case(repo, tmp_path, embedder):
    _, requests = plan(repo, tmp_path)
    score(repo, tmp_path, generate(requests, tmp_path / "out.jsonl"), embedder)
    (repo / "answers" / "billing.txt").write_text("Route to Sales.")
    _, requests = plan(repo, tmp_path)
    assert [(r["case"], r["sample"]) for r in requests] == [("billing", 0)]
    outputs = generate(requests, tmp_path / "out.jsonl", {"billing": "Route to Sales."})
    results = score(repo, tmp_path, outputs, embedder)
    billing, outage = results.cases
    assert billing.status == "failed" and not billing.samples[0].cached
    assert outage.status == "passed" and all(s.cached for s in outage.samples)


def test_a_request_with_neither_a_line_nor_a_cached_output_is_an_error(repo, tmp_path, embedder):
    _, requests = plan(repo, tmp_path)
    kept = [r for r in requests if (r["case"], r["sample"]) == ("outage", 0)]
    results = score(repo, tmp_path, generate(kept, tmp_path / "out.jsonl"), embedder)
    billing, outage = results.cases
    assert billing.status == "error"
    assert "no output for case 'billing'" in billing.error and "no cached output" in billing.error
    assert outage.samples[0].status == "passed"
    assert outage.samples[1].status == "error"
    assert "sample 1" in outage.samples[1].error and "cache" in outage.samples[1].error
    assert results.summary.verdict == "fail"


def test_lines_for_unselected_cases_are_ignored_with_one_warning(repo, tmp_path, embedder):
    _, requests = plan(repo, tmp_path)
    outputs = generate(requests, tmp_path / "out.jsonl")
    results = score(repo, tmp_path, outputs, embedder, names=["billing"])
    assert [c.status for c in results.cases] == ["passed", "skipped"]
    ignored = [w for w in results.warnings if "not selected" in w]
    assert len(ignored) == 1 and "outage" in ignored[0]


def test_a_suite_changed_since_the_plan_is_refused(repo, tmp_path, capsys):
    _, requests = plan(repo, tmp_path)
    outputs = generate(requests, tmp_path / "out.jsonl")
    suite = repo / "llm-evals.yaml"
    suite.write_text(suite.read_text().replace("charged twice in March.", "charged twice."))
    config = ["--config", str(suite), "--cache-dir", str(tmp_path / "cache")]
    code = cli_main(
        ["run", *config, "--outputs", str(outputs), "--plan", str(tmp_path / "plan.jsonl")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "plan.jsonl:1: the plan was made for another version of llm-evals.yaml" in err
    assert "Traceback" not in err


def test_a_plan_that_is_not_utf8_is_exit_2_naming_it(repo, tmp_path, capsys):
    """Found: `--plan` with bytes that are not UTF-8 ended in an internal error."""
    _, requests = plan(repo, tmp_path)
    outputs = generate(requests, tmp_path / "out.jsonl")
    bad = tmp_path / "plan.jsonl"
    bad.write_bytes(b"\xff\xfe" + bad.read_bytes())
    config = ["--config", str(repo / "llm-evals.yaml"), "--cache-dir", str(tmp_path / "cache")]
    code = cli_main(["run", *config, "--outputs", str(outputs), "--plan", str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"--plan {bad}: cannot read the plan ('utf-8' codec can't decode" in err
    assert "internal error" not in err


def test_a_missing_outputs_file_with_uncached_requests_exits_2(repo, tmp_path, capsys):
    config = ["--config", str(repo / "llm-evals.yaml"), "--cache-dir", str(tmp_path / "cache")]
    code = cli_main(["run", *config, "--outputs", str(tmp_path / "nowhere.jsonl")])
    assert code == 2
    err = capsys.readouterr().err
    assert "nowhere.jsonl: file not found" in err and "billing#0" in err


def test_plan_imports_nothing_scoring_needs(repo, tmp_path):
    """The plan step is fast because torch (and the embedding stack) never loads."""
    script = textwrap.dedent(
        f"""
        import sys
        from driftgate.cli import main
        code = main(["plan", "--config", {str(repo / "llm-evals.yaml")!r},
                     "--output", {str(tmp_path / "p.jsonl")!r}])
        heavy = sorted(m for m in ("torch", "sentence_transformers", "numpy", "scipy",
                                   "anthropic", "github") if m in sys.modules)
        print(code, heavy)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr
