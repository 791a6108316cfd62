"""A `{file: ...}` reference never reads git's own folder, where a checkout keeps its token.

actions/checkout persists the job's token in `.git/config` (`http.<url>.extraheader =
AUTHORIZATION: basic base64(x-access-token:ghs_…)`): base64, so the redactor can't see it.
A pull request can turn a file the suite reads (a prompt part, a context document) into a
symlink to `../.git/config`; it stays inside the repository, so it used to be read, sent
to the model as the prompt and stored in the results (an echo of it is the output), an
artifact the PR's author can download. No PR code runs for an `anthropic` target, so this
was the only way to it.
"""

from __future__ import annotations

import base64
import os

import pytest

from driftgate.anthropic_client import AnthropicSettings
from driftgate.config import load_suite
from driftgate.errors import ConfigError
from driftgate.pipeline import RunOptions, run
from fakes.anthropic_server import FakeAnthropic, echo_text
from support import git

TOKEN = "ghs_checkoutpersistedtoken0123456789"
HEADER = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
SUITE = """\
eval_suite:
  name: docs
  target: {type: anthropic, model: claude-haiku-4-5}
  cases:
    - name: faq
      prompt: "Answer from this page: {page}"
      vars:
        page: {file: docs/faq.md}
      expected: The refund window is 30 days.
"""


@pytest.fixture
def checkout(tmp_path):
    """A repository whose `.git/config` holds the token as actions/checkout leaves it, and a
    pull request that made `docs/faq.md` a link to it."""
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    git(work, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {HEADER}")
    (work / "llm-evals.yaml").write_text(SUITE)
    (work / "docs" / "faq.md").write_text("Refunds: within 30 days.\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "main")
    (work / "docs" / "faq.md").unlink()
    os.symlink("../.git/config", work / "docs" / "faq.md")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "pr: the FAQ, now a link")
    return work


def test_a_file_reference_into_the_git_folder_is_refused(tmp_path, checkout, embedder):
    with FakeAnthropic(default=echo_text()) as claude:
        options = RunOptions(
            config=checkout / "llm-evals.yaml",
            embedder=embedder,
            baseline_branch=None,
            anthropic=AnthropicSettings(api_key="sk-ant-test-key", base_url=claude.base_url),
        )
        with pytest.raises(ConfigError) as raised:
            results = run(options)
            results.write(tmp_path / "results.json")  # what the gap left for the PR to read
            assert HEADER not in (tmp_path / "results.json").read_text()
        assert claude.messages_requests() == []
    (issue,) = raised.value.issues
    assert issue.line == 8
    assert "docs/faq.md" in issue.message and ".git" in issue.message


@pytest.mark.parametrize("name", [".git/config", "sub/../.git/HEAD", ".git"])
def test_a_reference_naming_the_git_folder_itself_is_refused(checkout, name):
    (checkout / "llm-evals.yaml").write_text(SUITE.replace("docs/faq.md", name))
    with pytest.raises(ConfigError) as raised:
        load_suite(checkout / "llm-evals.yaml")
    assert ".git" in raised.value.issues[0].message


def test_a_file_whose_name_starts_with_dot_git_is_read(checkout):
    (checkout / "docs" / ".github-faq.md").write_text("Refunds: within 30 days.\n")
    (checkout / "llm-evals.yaml").write_text(SUITE.replace("faq.md", ".github-faq.md"))
    suite = load_suite(checkout / "llm-evals.yaml")
    assert suite.cases[0].vars["page"] == "Refunds: within 30 days.\n"
