"""`validate` fails fast on what `run` would fail on later: the embedding model, dead trigger
patterns; `run` checks the model before any target call; each warning prints its prefix once."""

from __future__ import annotations

import json
import textwrap

import pytest

from driftgate.cli import main
from driftgate.score.embedder import BUNDLED_MODEL, model_problem, resolve_model
from support import git

SUITE = """\
eval_suite:
  name: support
  embedding_model: {model}
  target:
    type: command
    command: python -c "open('called', 'w').write('yes')"
  cases:
    - name: ticket_summary
      prompt: "Summarize: {{ticket}}"
      expected: A short summary.
      trigger_paths:
        - "src/features/ticket_ruoter/**"
"""


@pytest.fixture
def repo(git_repo):
    (git_repo / "src" / "features" / "ticket_router").mkdir(parents=True)
    (git_repo / "src" / "features" / "ticket_router" / "route.py").write_text("x = 1\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "code")
    return git_repo


def write(repo, model: str = "all-MiniLM-L6-v2"):
    path = repo / "llm-evals.yaml"
    path.write_text(SUITE.format(model=model))
    return path


def test_validate_warns_about_a_trigger_pattern_that_matches_no_tracked_file(repo, capsys):
    path = write(repo)
    assert main(["validate", "--config", str(path)]) == 0
    captured = capsys.readouterr()
    assert (
        "warning: llm-evals.yaml:12: case 'ticket_summary': pattern "
        "'src/features/ticket_ruoter/**' matches no file tracked by git" in captured.err
    )
    assert "2 warnings" in captured.out  # the typo and the placeholder without a value


def test_validate_outside_git_has_no_pattern_warning(tmp_path, capsys):
    path = write(tmp_path)
    assert main(["validate", "--config", str(path)]) == 0
    assert "matches no file" not in capsys.readouterr().err


def test_warnings_carry_one_prefix(repo, capsys):
    path = write(repo)
    main(["validate", "--config", str(path)])
    err = capsys.readouterr().err
    assert f"warning: {path}:9:7: case 'ticket_summary': placeholder ticket" in err
    assert "warning: " in err and not any(line.count("warning:") > 1 for line in err.splitlines())


def test_run_prints_each_suite_warning_with_one_prefix(repo, capsys):
    path = write(repo)
    (repo / "pipeline.py").write_text("import sys; sys.exit(3)\n")
    text = path.read_text().replace(
        """python -c "open('called', 'w').write('yes')\"""", "python pipeline.py"
    )
    path.write_text(text)
    code = main(["run", "--config", str(path), "--no-cache", "--baseline-branch", "", "-q"])
    assert code == 1  # the target failed: the case is an error
    err = capsys.readouterr().err
    assert f"warning: {path}:9:7: case 'ticket_summary': placeholder" in err
    assert not any(line.count("warning:") > 1 for line in err.splitlines()), err


@pytest.mark.parametrize("name", ["all-minilm-l6-v2", "ALL-MINILM-L6-V2", "all-MiniLM-L6-v2"])
def test_bundled_model_names_match_case_insensitively(repo, capsys, name):
    assert main(["validate", "--config", str(write(repo, name))]) == 0
    assert model_problem(name) is None
    assert resolve_model(name) == resolve_model(BUNDLED_MODEL)
    assert resolve_model(name).endswith("model")


def test_validate_rejects_a_model_that_is_not_installed(repo, capsys):
    path = write(repo, "all-mpnet-base-v2")
    assert main(["validate", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:3:3: eval_suite.embedding_model: embedding model ")
    assert "'all-mpnet-base-v2' is not installed here" in err
    assert "Available: 'all-MiniLM-L6-v2' (bundled" in err
    assert "Use `embedding_model: all-MiniLM-L6-v2`" in err


def test_run_rejects_a_missing_model_before_any_target_call(repo, capsys):
    path = write(repo, "all-mpnet-base-v2")
    code = main(["run", "--config", str(path), "--no-cache", "--baseline-branch", "", "-q"])
    assert code == 2
    assert "'all-mpnet-base-v2' is not installed here" in capsys.readouterr().err
    assert not (repo / "called").exists()  # the command target never ran


def test_a_local_model_folder_is_accepted_and_a_missing_one_named(tmp_path, capsys):
    (tmp_path / "models" / "mine").mkdir(parents=True)
    assert model_problem(str(tmp_path / "models" / "mine")) is None
    assert (
        model_problem("./no/such/folder") == "embedding model folder './no/such/folder' not found"
    )


@pytest.mark.slow
def test_calibrate_write_on_a_flow_style_case_prints_the_patch(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = textwrap.dedent(
        """\
        eval_suite:
          name: s
          cases:
            - {name: refunds, expected: Refunds take 5 days.}
        """
    )
    (tmp_path / "llm-evals.yaml").write_text(text)
    rows = [
        {"case": "refunds", "sample": i, "output": out}
        for i, out in enumerate(["Refunds take 5 days.", "Refunds take five days."])
    ]
    (tmp_path / "out.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    argv = ["calibrate", "--samples", "2", "--outputs", "out.jsonl", "--write", "-q"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "apply the printed patch to it by hand" in captured.err
    assert "eval_suite:\n  cases:\n    - name: refunds" in captured.out
    assert "      min_similarity: " in captured.out and "      noise_sd: " in captured.out
    assert (tmp_path / "llm-evals.yaml").read_text() == text


def test_validate_warns_about_a_claude_model_without_a_price(tmp_path, capsys):
    path = tmp_path / "llm-evals.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            eval_suite:
              name: s
              target: {type: anthropic, model: claude-sonnet-4-5-20250929}
              judge: {model: my-judge}
              cases:
                - name: a
                  expected: b
                  critical: true
                  target: {type: anthropic, model: my-custom-model}
            """
        )
    )
    assert main(["validate", "--config", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {path}:4:11: no price for model 'my-judge'" in err
    assert f"warning: {path}:9:33: no price for model 'my-custom-model'" in err
    assert "claude-sonnet" not in err  # priced by the table's longest matching prefix
