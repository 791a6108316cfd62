"""The real PyGithub against the loopback fake: pagination, sticky comment, status, 403."""

from __future__ import annotations

import pytest

from driftgate.action.github import FILES_CAP, CannotPost, GitHub, marker
from fakes.github_server import FakeGitHub


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server


def connect(fake: FakeGitHub) -> GitHub:
    return GitHub.connect("ghs_secret", fake.base_url, fake.repository, retries=0, throttle=False)


def test_pr_files_follow_every_page(fake):
    names = [f"src/file{i}.py" for i in range(250)]
    fake.set_pr_files(2, names)
    changed = connect(fake).pr_files(2)
    assert list(changed.paths) == names
    assert not changed.truncated
    pages = [p for m, p, _ in fake.requests if p.endswith("/pulls/2/files")]
    assert len(pages) == 3  # 100 + 100 + 50


def test_pr_files_at_the_cap_are_truncated(fake):
    fake.set_pr_files(2, [f"f{i}" for i in range(3500)])
    changed = connect(fake).pr_files(2)
    assert len(changed.paths) == FILES_CAP
    assert changed.truncated


def test_sticky_comment_is_created_once_then_edited(fake):
    fake.add_comment(2, "LGTM")
    gh = connect(fake)
    tag = marker("support bot")
    url1 = gh.upsert_comment(2, tag, "first report")
    url2 = gh.upsert_comment(2, tag, "second report")
    ours = [c for c in fake.comments[2] if tag in c["body"]]
    assert len(ours) == 1 and ours[0]["body"].endswith("second report")
    assert url1 == url2
    assert fake.comments[2][0]["body"] == "LGTM"
    assert not any(p.endswith("/user") for _, p, _ in fake.requests)


def test_marker_separates_suites_and_shards(fake):
    gh = connect(fake)
    gh.upsert_comment(2, marker("a"), "suite a")
    gh.upsert_comment(2, marker("b"), "suite b")
    gh.upsert_comment(2, marker("a", "1/2"), "suite a shard 1")
    gh.upsert_comment(2, marker("a"), "suite a again")
    bodies = sorted(c["body"].split("\n", 1)[1] for c in fake.comments[2])
    assert bodies == ["suite a again", "suite a shard 1", "suite b"]
    assert "-->" not in marker("x --> y")[:-3]


def test_finds_our_comment_past_the_first_page(fake):
    for i in range(130):
        fake.add_comment(2, f"chatter {i}")
    fake.add_comment(2, f"{marker('s')}\nold")
    gh = connect(fake)
    gh.upsert_comment(2, marker("s"), "new")
    assert len(fake.comments[2]) == 131
    assert fake.comments[2][-1]["body"].endswith("new")


def test_update_only_does_not_create(fake):
    assert connect(fake).upsert_comment(2, marker("s"), "x", create=False) is None
    assert fake.comments.get(2) is None


def test_commit_status(fake):
    connect(fake).set_status("a" * 40, "driftgate/support", "failure", "x" * 300, "https://r")
    (status,) = fake.statuses
    assert status["context"] == "driftgate/support"
    assert status["state"] == "failure"
    assert len(status["description"]) == 140


def test_read_only_token_is_a_clear_cannot_post(fake):
    fake.read_only = True
    gh = connect(fake)
    with pytest.raises(CannotPost, match="pull-requests: write"):
        gh.upsert_comment(2, marker("s"), "body")
    with pytest.raises(CannotPost, match="statuses: write"):
        gh.set_status("b" * 40, "driftgate/s", "success", "ok")
