"""The comment's links come from GitHub's settings only, and only where they are safe."""

from __future__ import annotations

from driftgate.action.main import Plan, _base_branch, _report_links
from driftgate.action.settings import Settings

HEAD = "b" * 40


def settings(tmp_path, **fields) -> Settings:
    fields.setdefault("repository", "acme/bot")
    fields.setdefault("run_id", "7")
    return Settings(workspace=str(tmp_path), sha="a" * 40, **fields)


def test_suite_line_links_to_the_file_at_the_pr_head(tmp_path):
    links = _report_links(
        settings(tmp_path), Plan("selective", "", head_sha=HEAD), "evals/my suite.yaml"
    )
    assert links.suite_file == f"https://github.com/acme/bot/blob/{HEAD}/evals/my%20suite.yaml"
    assert links.run == "https://github.com/acme/bot/actions/runs/7"
    assert links.artifacts == "https://github.com/acme/bot/actions/runs/7#artifacts"
    # A push: the pushed commit.
    push = _report_links(settings(tmp_path), Plan("full", ""), "llm-evals.yaml")
    assert push.suite_file == f"https://github.com/acme/bot/blob/{'a' * 40}/llm-evals.yaml"


def test_no_link_where_it_could_mislead(tmp_path):
    plan = Plan("selective", "", head_sha=HEAD)
    assert _report_links(settings(tmp_path), plan, "../elsewhere/llm-evals.yaml").suite_file is None
    odd = Plan("selective", "", head_sha="main](https://evil.example)")
    assert _report_links(settings(tmp_path), odd, "llm-evals.yaml").suite_file is None
    bare = _report_links(settings(tmp_path, repository="", run_id=""), plan, "llm-evals.yaml")
    assert bare == type(bare)()  # no repository, no run: no links at all
    # Characters that would end a Markdown link are percent-encoded.
    weird = _report_links(settings(tmp_path), plan, "a) [b].yaml").suite_file
    assert weird.endswith("/a%29%20%5Bb%5D.yaml")


def test_already_failing_is_measured_against_the_pr_base(tmp_path):
    event = {
        "pull_request": {"base": {"ref": "release/2"}},
        "repository": {"default_branch": "main"},
    }
    assert _base_branch(settings(tmp_path, event=event)) == "release/2"
    assert (
        _base_branch(settings(tmp_path, event={"repository": {"default_branch": "main"}})) == "main"
    )
    assert _base_branch(settings(tmp_path, event={"pull_request": {"base": "x"}})) is None
