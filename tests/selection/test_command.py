"""`driftgate select` and selection inside `driftgate run`, through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from driftgate.cli import main

SRC = Path(__file__).resolve().parents[2] / "src"

SUITE = """\
eval_suite:
  name: s
  target: {type: command, command: "python -c \\"print('hello there')\\""}
  cases:
    - name: router
      expected: hello there
      trigger_paths: [src/router/**]
    - name: writer
      expected: hello there
      trigger_paths: [src/writer/**]
"""


@pytest.fixture
def project(repo):
    repo.write("llm-evals.yaml", SUITE)
    repo.write("src/router/a.py")
    repo.write("src/writer/w.py")
    repo.write("README.md")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("src/router/a.py", "changed\n")
    repo.commit()
    return repo


def test_select_prints_the_table_and_exits_0(project, capsys, monkeypatch):
    monkeypatch.chdir(project.root)
    assert main(["select", "--changed-since", "main"]) == 0
    out = capsys.readouterr().out
    assert "router  yes  matched src/router/a.py by 'src/router/**'" in out
    assert "writer  no   not affected" in out
    assert "1 of 2 cases selected, 1 skipped" in out


def test_select_json(project, capsys, monkeypatch):
    monkeypatch.chdir(project.root)
    assert main(["select", "--changed-since", "main", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"]["files"] == ["src/router/a.py"]
    assert [(c["name"], c["selected"], c["rule"]) for c in data["cases"]] == [
        ("router", True, "trigger"),
        ("writer", False, "not_affected"),
    ]
    assert data["summary"] == {"total": 2, "selected": 1, "skipped": 1}


def test_select_bad_case_name_is_exit_2_with_a_suggestion(project, capsys, monkeypatch):
    monkeypatch.chdir(project.root)
    assert main(["select", "--cases", "ruoter"]) == 2
    assert "did you mean 'router'" in capsys.readouterr().err


def test_change_sources_are_exclusive(project, capsys, monkeypatch):
    monkeypatch.chdir(project.root)
    assert main(["select", "--all", "--changed-since", "main"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def run_cli(args: list[str], cwd: Path, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "driftgate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
    )


def test_changed_files_from_real_stdin(project):
    done = run_cli(
        ["select", "--changed-files", "-", "--json"], project.root, stdin="src/writer/w.py\n"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [c["selected"] for c in data["cases"]] == [False, True]
    assert data["changes"]["source"] == "--changed-files from stdin"


def test_unknown_change_list_runs_all_and_says_why(project):
    done = run_cli(["select", "--changed-since", "nope"], project.root)
    assert done.returncode == 0
    assert done.stdout.count("change list unavailable: running all") == 2
    assert "'nope' is not a commit" in done.stderr


NO_IMPORT_PROBE = """
import json, sys
from driftgate.cli import main
rc = main(sys.argv[1:])
heavy = ("torch", "sentence_transformers", "transformers", "anthropic")
print(json.dumps({"rc": rc, "heavy": sorted(m for m in heavy if m in sys.modules)}))
"""


def test_run_selecting_nothing_imports_no_model_and_records_reasons(project, tmp_path):
    """The speed guarantee: nothing to score means torch (and the anthropic SDK, seconds to
    import as well) is never imported."""
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            NO_IMPORT_PROBE,
            "run",
            "--changed-files",
            "-",
            "--output-json",
            str(out),
            "--quiet",
        ],
        cwd=project.root,
        capture_output=True,
        text=True,
        input="README.md\n",
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["heavy"] == [], probe
    assert probe["rc"] == 0
    results = json.loads(out.read_text())
    assert [(c["selected"], c["selection_reason"]) for c in results["cases"]] == [
        (False, "not affected"),
        (False, "not affected"),
    ]
    assert results["summary"]["selected"] == 0 and results["summary"]["skipped"] == 2
    assert results["mode"] == "selective"


def test_run_scores_only_the_selected_case(project, embedder):
    from driftgate.pipeline import RunOptions, run
    from driftgate.select.changes import changes_since

    results = run(
        RunOptions(
            config=project.root / "llm-evals.yaml",
            changes=changes_since("main", project.root),
            embedder=embedder,
        )
    )
    by_name = {c.name: c for c in results.cases}
    assert by_name["router"].selected and by_name["router"].status == "passed"
    assert by_name["router"].selection_reason == "matched src/router/a.py by 'src/router/**'"
    assert not by_name["writer"].selected and by_name["writer"].status == "skipped"
    assert (results.summary.selected, results.summary.skipped) == (1, 1)


def test_a_run_warns_that_uncommitted_edits_are_not_part_of_the_change(project, tmp_path):
    """Found adopting driftgate: edit a trigger file, forget to commit, and `run
    --changed-since` selected nothing and passed without a word about why."""
    project.git("checkout", "-q", "main")
    project.write("src/writer/w.py", "edited, not committed\n")
    out = tmp_path / "results.json"
    done = run_cli(["run", "--changed-since", "main", "--output-json", str(out)], project.root)
    assert done.returncode == 0, done.stderr
    assert "uncommitted changes are not part of --changed-since main" in done.stderr
    assert "commit them, or pass --changed-files" in done.stderr
    warnings = json.loads(out.read_text())["warnings"]
    assert any("uncommitted changes" in w for w in warnings)  # in the reports too
    shown = run_cli(["select", "--changed-since", "main"], project.root)
    assert (shown.stdout + shown.stderr).count("uncommitted") == 1  # once, not in the header too


def test_validate_warns_when_no_pattern_covers_the_command_targets_script(
    repo, capsys, monkeypatch
):
    """Found adopting driftgate: `python pipeline.py` with trigger_paths on the package only;
    an edit to pipeline.py selected no case and reused every cached output."""
    suite = SUITE.replace('"python -c \\"print(\'hello there\')\\""', '"python pipeline.py --fast"')
    repo.write("llm-evals.yaml", suite)
    repo.write("pipeline.py", "print('hello there')\n")
    repo.write("src/router/a.py")
    repo.write("src/writer/w.py")
    repo.commit("base")
    monkeypatch.chdir(repo.root)
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert "llm-evals.yaml:3: the command target runs 'pipeline.py'" in err
    assert "2 cases (router, writer)" in err and "add 'pipeline.py' to always_run_paths" in err
    covered = suite.replace("  cases:", "  always_run_paths: [pipeline.py]\n  cases:")
    repo.write("llm-evals.yaml", covered)
    assert main(["validate"]) == 0
    assert "the command target runs" not in capsys.readouterr().err
