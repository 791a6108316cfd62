"""The fail-safe rules, each named in the reason, on real repositories and suite files."""

from __future__ import annotations

import pytest

from driftgate.config.load import load_suite
from driftgate.errors import UsageError
from driftgate.select.changes import changes_from_paths, changes_since, unknown
from driftgate.select.selection import (
    DEFINITION_CHANGED,
    FULL_RUN,
    NEW_CASE,
    NOT_AFFECTED,
    UNAVAILABLE,
    UNTRIGGERED_ALWAYS,
    UNTRIGGERED_FULL_ONLY,
    select_cases,
)
from support import shallow_clone

SUITE = """\
eval_suite:
  name: s
  target: {type: outputs, path: outputs.jsonl}
  untriggered: UNTRIGGERED
  always_run_paths:
    - requirements.txt
  cases:
    - name: router
      expected: route it
      tags: [routing]
      trigger_paths:
        - src/router/**
    - name: writer
      expected: write it
      tags: [writing, reports]
      trigger_paths:
        - src/writer/**
        - "!src/writer/legacy/**"
    - name: plain
      expected: anything
      context: {file: contexts/plain.md}
"""


@pytest.fixture
def project(repo):
    """A repository with the suite committed on main and a `feature` branch checked out."""
    repo.write("llm-evals.yaml", SUITE.replace("UNTRIGGERED", "always"))
    for path in (
        "src/router/a.py",
        "src/router/b.py",
        "src/writer/w.py",
        "src/writer/legacy/old.py",
        "requirements.txt",
        "contexts/plain.md",
        "README.md",
    ):
        repo.write(path)
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def select_since_main(repo, **filters):
    suite = load_suite(repo.root / "llm-evals.yaml")
    return select_cases(suite, changes_since("main", repo.root), **filters)


def commit_suite_on_a_feature_branch(repo):
    """Branch off into `feature` and commit the suite (and a file for each case) there."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("llm-evals.yaml", SUITE.replace("UNTRIGGERED", "always"))
    repo.write("src/router/a.py")
    repo.write("src/writer/w.py")
    repo.write("contexts/plain.md")
    repo.commit()


def reasons(result) -> dict[str, tuple[bool, str]]:
    return {s.case.name: (s.selected, s.reason) for s in result.selections}


def test_trigger_match_negation_and_not_affected(project):
    project.write("src/router/a.py", "changed\n")
    project.write("src/router/b.py", "changed\n")
    project.write("src/writer/legacy/old.py", "changed\n")
    project.commit()
    got = reasons(select_since_main(project))
    assert got["router"] == (True, "matched src/router/a.py by 'src/router/**' (+1 more)")
    assert got["writer"] == (False, NOT_AFFECTED)  # only the excluded legacy folder changed
    assert got["plain"] == (True, UNTRIGGERED_ALWAYS)


def test_rule1_definition_changed_and_new_case(project):
    text = (project.root / "llm-evals.yaml").read_text()
    text = text.replace("expected: write it", "expected: write it well")
    text += "    - name: fresh\n      expected: new\n      trigger_paths: [docs/**]\n"
    project.write("docs/x.md")
    project.write("llm-evals.yaml", text)
    project.commit()
    got = reasons(select_since_main(project))
    assert got["writer"] == (True, DEFINITION_CHANGED)
    assert got["fresh"] == (True, NEW_CASE)
    assert got["router"] == (False, NOT_AFFECTED)  # same definition, reformatting elsewhere


def test_rule1_suite_settings_that_change_outcomes_run_every_case(project):
    text = (project.root / "llm-evals.yaml").read_text()
    project.write("llm-evals.yaml", text.replace("  untriggered: always\n", "  samples: 3\n"))
    project.commit()
    got = reasons(select_since_main(project))
    assert got["router"] == (True, "suite settings changed: samples")
    assert got["writer"] == (True, "suite settings changed: samples")


def test_rule1_neutral_suite_settings_select_nothing(project):
    text = (project.root / "llm-evals.yaml").read_text()
    project.write("llm-evals.yaml", text.replace("name: s\n", "name: renamed\n  concurrency: 2\n"))
    project.commit()
    assert reasons(select_since_main(project))["router"] == (False, NOT_AFFECTED)


def test_rule1_reformatting_a_case_is_not_a_definition_change(project):
    text = (project.root / "llm-evals.yaml").read_text()
    project.write("llm-evals.yaml", text.replace("tags: [routing]", "tags:\n        - routing"))
    project.commit()
    assert reasons(select_since_main(project))["router"] == (False, NOT_AFFECTED)


def test_rule1_suite_file_new_since_base_makes_every_case_new(repo):
    repo.write("README.md")
    repo.commit("before the suite")
    commit_suite_on_a_feature_branch(repo)
    got = select_since_main(repo)
    assert {s.reason for s in got.selections} == {NEW_CASE}


def test_rule1_unreadable_base_runs_every_case_with_a_warning(repo):
    repo.write("llm-evals.yaml", "eval_suite: [unclosed\n")
    repo.commit("broken suite")
    commit_suite_on_a_feature_branch(repo)
    result = select_since_main(repo)
    assert all(s.selected and s.reason.startswith(DEFINITION_CHANGED) for s in result.selections)
    assert any("can't be compared" in w and "does not parse" in w for w in result.warnings)


def test_rule1_changed_suite_without_a_base_commit_runs_every_case(project):
    suite = load_suite(project.root / "llm-evals.yaml")
    changes = changes_from_paths(["llm-evals.yaml"], "--changed-files list")
    result = select_cases(suite, changes)
    assert all(s.selected for s in result.selections)
    assert any("--changed-since" in w for w in result.warnings)


def test_rule2_always_run_path_selects_every_case(project):
    project.write("requirements.txt", "pathspec==1.1.1\n")
    project.commit()
    got = reasons(select_since_main(project))
    assert got["router"] == (True, "always_run path changed: requirements.txt")
    assert got["writer"] == (True, "always_run path changed: requirements.txt")


def test_rule3_untriggered_full_only(project):
    project.write("llm-evals.yaml", SUITE.replace("UNTRIGGERED", "full_only"))
    project.git("commit", "-qam", "full_only")
    project.git("branch", "-f", "main")  # the suite edit is now on both sides
    project.write("README.md", "docs only\n")
    project.commit()
    assert reasons(select_since_main(project))["plain"] == (False, UNTRIGGERED_FULL_ONLY)
    suite = load_suite(project.root / "llm-evals.yaml")
    assert reasons(select_cases(suite, None))["plain"] == (True, FULL_RUN)


@pytest.mark.parametrize(
    "changes",
    [
        unknown("--changed-since main", "shallow clone"),
        changes_from_paths(["README.md"], "GitHub API", truncated=True),
    ],
    ids=["unknown", "truncated"],
)
def test_rule4_unknown_or_truncated_change_list_runs_everything(project, changes):
    suite = load_suite(project.root / "llm-evals.yaml")
    result = select_cases(suite, changes)
    assert [(s.selected, s.reason) for s in result.selections] == [(True, UNAVAILABLE)] * 3
    assert any("change list unavailable" in w for w in result.warnings)


def test_rule5_dead_and_invalid_patterns_warn_with_their_line(project):
    text = (project.root / "llm-evals.yaml").read_text()
    text = text.replace("- src/router/**", "- src/router/**\n        - src/ruoter/**")
    text = text.replace("- requirements.txt", '- requirements.txt\n    - "["')
    project.write("llm-evals.yaml", text)
    project.commit()
    result = select_cases(load_suite(project.root / "llm-evals.yaml"), None)
    line = text.splitlines().index("        - src/ruoter/**") + 1
    dead = [w for w in result.warnings if "src/ruoter/**" in w]
    assert dead == [
        f"llm-evals.yaml:{line}: case 'router': pattern 'src/ruoter/**' matches no file "
        f"tracked by git; fix the path (a dead pattern never selects the case)"
    ]
    assert any(
        "always_run_paths: pattern '['" in w and "never matches" in w for w in result.warnings
    )
    assert not any("src/router/**'" in w for w in result.warnings)


def test_a_warning_points_at_the_key_the_loader_parsed_not_at_the_first_look_alike(project):
    """The same text earlier in the case (a comment, a prompt) is not where the pattern is."""
    text = (project.root / "llm-evals.yaml").read_text()
    text = text.replace(
        "    - name: router\n",
        "    - name: router\n      # src/ruoter/** was renamed last week\n",
    ).replace("- src/router/**", "- src/router/**\n        - src/ruoter/**")
    project.write("llm-evals.yaml", text)
    project.commit()
    result = select_cases(load_suite(project.root / "llm-evals.yaml"), None)
    line = text.splitlines().index("        - src/ruoter/**") + 1
    assert [w.split(": ")[0] for w in result.warnings if "src/ruoter/**" in w] == [
        f"llm-evals.yaml:{line}"
    ]


def test_input_file_of_a_case_counts_as_a_change(project):
    project.write("contexts/plain.md", "new context\n")
    project.write("llm-evals.yaml", SUITE.replace("UNTRIGGERED", "full_only"))
    project.git("add", "-A")
    project.git("commit", "-qm", "x")
    got = reasons(select_since_main(project))
    assert got["plain"] == (True, "input file changed: contexts/plain.md")


def test_an_input_file_turned_into_a_link_counts_as_a_change(project):
    """A PR that makes the referenced file a symlink to another, unchanged file changes what
    the case reads; git lists the link's own path, not the file it now leads to."""
    (project.root / "contexts" / "plain.md").unlink()
    (project.root / "contexts" / "plain.md").symlink_to("../README.md")
    project.write("llm-evals.yaml", SUITE.replace("UNTRIGGERED", "full_only"))
    project.commit()
    got = reasons(select_since_main(project))
    assert got["plain"] == (True, "input file changed: contexts/plain.md")


def test_a_folder_link_on_the_way_to_an_input_file_counts_as_a_change(project):
    """`contexts` a symlink already on main; the PR points it at another folder."""
    for folder in ("ctx-a", "ctx-b"):
        project.write(f"{folder}/plain.md", f"the context in {folder}\n")
    project.git("rm", "-rq", "contexts")
    (project.root / "contexts").symlink_to("ctx-a")
    project.write("llm-evals.yaml", SUITE.replace("UNTRIGGERED", "full_only"))
    project.commit("main: contexts kept in ctx-a")
    project.git("branch", "-f", "main")
    (project.root / "contexts").unlink()
    (project.root / "contexts").symlink_to("ctx-b")
    project.commit("pr: contexts now in ctx-b")
    got = reasons(select_since_main(project))
    assert got["plain"] == (True, "input file changed: contexts")


def test_changed_git_attributes_run_every_case(project):
    """`.gitattributes` change the bytes a checkout writes for files whose blobs did not
    change (`working-tree-encoding`, `eol`): no trigger path sees it."""
    project.write(".gitattributes", "src/router/*.py text eol=crlf\n")
    project.commit()
    got = reasons(select_since_main(project))
    reason = "git attributes changed: .gitattributes"
    assert got["router"] == (True, reason)
    assert got["writer"] == (True, reason)


def test_filters_and_did_you_mean(project):
    suite = load_suite(project.root / "llm-evals.yaml")
    with pytest.raises(UsageError, match="no case named 'ruoter'; did you mean 'router'"):
        select_cases(suite, None, names=["ruoter"])
    with pytest.raises(UsageError, match="no case has the tag 'report'; did you mean 'reports'"):
        select_cases(suite, None, tags=["report"])
    got = reasons(select_cases(suite, None, names=["router", "plain"]))
    assert got == {
        "router": (True, FULL_RUN),
        "writer": (False, "not in --cases"),
        "plain": (True, FULL_RUN),
    }
    got = reasons(select_cases(suite, None, tags=["reports"]))
    assert got["writer"] == (True, FULL_RUN)
    assert got["router"] == (False, "no tag in --tags reports")


def test_cases_and_tags_that_select_nothing_together_are_exit_2(project):
    """Found: `run --all --cases router --tags reports` (router has no tag reports) ran no
    case and passed: exit 0 on nothing checked."""
    suite = load_suite(project.root / "llm-evals.yaml")
    with pytest.raises(UsageError, match="--cases router --tags reports: no case is in both"):
        select_cases(suite, None, names=["router"], tags=["reports"])
    got = reasons(select_cases(suite, None, names=["router", "writer"], tags=["reports"]))
    assert got["writer"] == (True, FULL_RUN)


def test_shallow_clone_missing_the_base_runs_every_case_and_says_why(project, tmp_path):
    project.write("src/router/a.py", "changed\n")
    project.commit()
    clone = tmp_path / "clone"
    shallow_clone(project.root, clone, "feature")
    base = project.git("rev-parse", "main")
    result = select_cases(load_suite(clone / "llm-evals.yaml"), changes_since(base, clone))
    assert [(s.selected, s.reason) for s in result.selections] == [(True, UNAVAILABLE)] * 3
    assert any("shallow" in w and "fetch-depth: 0" in w for w in result.warnings)


def test_a_dead_pattern_with_commas_says_to_write_a_list(project):
    """Found adopting driftgate: `trigger_paths: src/router/**, src/writer/**` is one pattern
    (a comma and all), so it matched nothing; the warning only said to fix the path."""
    text = (project.root / "llm-evals.yaml").read_text()
    text = text.replace("- src/router/**", "- src/router/**, src/writer/**")
    project.write("llm-evals.yaml", text)
    project.commit()
    result = select_cases(load_suite(project.root / "llm-evals.yaml"), None)
    dead = [w for w in result.warnings if "src/router/**, src/writer/**" in w]
    assert len(dead) == 1
    assert dead[0].endswith(
        "one pattern per list item: write ['src/router/**', 'src/writer/**'], not one text "
        "with commas"
    )
