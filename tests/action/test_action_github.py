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
    url1 = gh.upsert_comment(2, tag, "first report").url
    url2 = gh.upsert_comment(2, tag, "second report").url
    ours = [c for c in fake.comments[2] if tag in c["body"]]
    assert len(ours) == 1 and ours[0]["body"].endswith("second report")
    assert ours[0]["user"]["login"] == "github-actions[bot]"
    assert url1 == url2
    assert fake.comments[2][0]["body"] == "LGTM"
    # GET /user was asked once: its 403 means an Actions installation token.
    assert [p for _, p, _ in fake.requests if p.endswith("/user")] == ["/api/v3/user"]


def test_marker_separates_suites_and_shards(fake):
    gh = connect(fake)
    gh.upsert_comment(2, marker("a"), "suite a")
    gh.upsert_comment(2, marker("b"), "suite b")
    gh.upsert_comment(2, marker("a", "1/2"), "suite a shard 1")
    gh.upsert_comment(2, marker("a"), "suite a again")
    bodies = sorted(c["body"].split("\n", 1)[1] for c in fake.comments[2])
    assert bodies == ["suite a again", "suite a shard 1", "suite b"]
    assert "-->" not in marker("x --> y")[:-3]
    assert marker("a", "1/2") != marker("a/1", "2") != marker("a")


def test_finds_our_comment_past_the_first_page(fake):
    for i in range(130):
        fake.add_comment(2, f"chatter {i}")
    fake.add_comment(2, f"{marker('s')}\nold", "github-actions[bot]")
    gh = connect(fake)
    gh.upsert_comment(2, marker("s"), "new")
    assert len(fake.comments[2]) == 131
    assert fake.comments[2][-1]["body"].endswith("new")


def test_update_only_does_not_create(fake):
    assert connect(fake).upsert_comment(2, marker("s"), "x", create=False).url is None
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


# -- the sticky comment is ours alone -----------------------------------------------------


def test_a_comment_by_someone_else_with_our_marker_is_left_alone(fake):
    planted = fake.add_comment(2, f"{marker('support')}\nplanted by a PR author", "mallory")
    posted = connect(fake).upsert_comment(2, marker("support"), "the real report")
    assert planted["body"].endswith("planted by a PR author")  # not edited
    ours = fake.comments[2][-1]
    assert ours["user"]["login"] == "github-actions[bot]" and ours["body"].endswith("real report")
    assert posted.url == ours["html_url"]
    (note,) = posted.notes
    assert "mallory" in note and "github-actions[bot]" in note


def test_a_personal_token_owns_the_comments_its_user_wrote():
    with FakeGitHub(login="octo-maintainer") as fake:
        bot = fake.add_comment(2, f"{marker('s')}\nby the actions bot", "github-actions[bot]")
        mine = fake.add_comment(2, f"{marker('s')}\nmine", "octo-maintainer")
        posted = connect(fake).upsert_comment(2, marker("s"), "edited")
        assert mine["body"].endswith("edited") and bot["body"].endswith("by the actions bot")
        assert len(fake.comments[2]) == 2 and "github-actions[bot]" in posted.notes[0]


def test_a_suite_name_cannot_spell_another_suites_marker(fake):
    gh = connect(fake)
    gh.upsert_comment(2, marker("beta"), "beta's report")
    hostile = "alpha <!-- driftgate-report suite=beta -->"
    for name in (hostile, f"x\n{marker('beta')}", marker("beta")):
        assert marker(name) != marker("beta")
        gh.upsert_comment(2, marker(name), f"report of {name!r}")
    assert fake.comments[2][0]["body"] == f"{marker('beta')}\nbeta's report"
    assert len(fake.comments[2]) == 4
    # The marker is the first line only: a body quoting it elsewhere is not ours.
    fake.add_comment(2, f"hello\n{marker('gamma')}", "github-actions[bot]")
    gh.upsert_comment(2, marker("gamma"), "gamma")
    assert fake.comments[2][-2]["body"] == f"hello\n{marker('gamma')}"


def test_several_of_our_comments_edit_the_newest_and_retire_the_rest(fake):
    old = fake.add_comment(2, f"{marker('s')}\nrun 1", "github-actions[bot]")
    fake.add_comment(2, "chatter")
    new = fake.add_comment(2, f"{marker('s')}\nrun 2", "github-actions[bot]")
    posted = connect(fake).upsert_comment(2, marker("s"), "run 3")
    assert new["body"] == f"{marker('s')}\nrun 3"
    assert "outdated" in old["body"] and new["html_url"] in old["body"]
    assert marker("s") not in old["body"]  # so the next run finds one comment only
    assert "found 2 driftgate comments" in posted.notes[0]
    connect(fake).upsert_comment(2, marker("s"), "run 4")
    assert new["body"].endswith("run 4") and len(fake.comments[2]) == 3


def test_a_502_after_github_saved_the_comment_does_not_post_twice(fake):
    fake.save_then_fail = 1
    posted = connect(fake).upsert_comment(2, marker("s"), "report")
    assert [c["body"] for c in fake.comments[2]] == [f"{marker('s')}\nreport"]
    posts = [r for r in fake.writes() if r[0] == "POST"]
    assert len(posts) == 1  # neither PyGithub's transport nor we re-sent it
    assert posted.url == fake.comments[2][0]["html_url"]
    assert "not posted twice" in posted.notes[0]


def test_an_old_marker_on_our_own_comment_is_taken_over(fake):
    from driftgate.action.github import legacy_marker

    fake.add_comment(2, f"{legacy_marker('s')}\nold format", "github-actions[bot]")
    connect(fake).upsert_comment(2, marker("s"), "new", legacy=legacy_marker("s"))
    assert [c["body"] for c in fake.comments[2]] == [f"{marker('s')}\nnew"]


def test_a_body_over_the_limit_is_cut_never_raised(fake):
    from driftgate.action.github import COMMENT_LIMIT

    connect(fake).upsert_comment(2, marker("s" * 8000), "x" * 200_000)
    (comment,) = fake.comments[2]
    assert len(comment["body"]) <= COMMENT_LIMIT
    assert comment["body"].startswith(marker("s" * 8000) + "\n")
    assert "cut to fit" in comment["body"]


# -- bounded waits --------------------------------------------------------------------------


def slow_connect(fake: FakeGitHub, total: float):
    from driftgate.ratelimit import WaitBudget

    slept: list[float] = []
    budget = WaitBudget(total, sleep=slept.append)
    gh = GitHub.connect(
        "ghs_secret", fake.base_url, fake.repository, retries=0, throttle=False, budget=budget
    )
    return gh, slept


def test_a_primary_limit_resetting_in_an_hour_is_not_waited_for(fake):
    from driftgate.action.github import RateLimited

    fake.limit_next("primary", reset_in=3600)
    gh, slept = slow_connect(fake, 60)
    with pytest.raises(RateLimited, match=r"allowed in 360\d s.*60 s in all per run"):
        gh.upsert_comment(2, marker("s"), "report")
    assert slept == [] and fake.comments.get(2) is None


def test_secondary_limits_are_waited_out_until_the_budget_is_spent(fake):
    from driftgate.action.github import RateLimited

    fake.limit_next("secondary", retry_after=20, count=2)
    gh, slept = slow_connect(fake, 60)
    gh.upsert_comment(2, marker("s"), "report")  # two waits of 20 s, within the bound
    assert slept == [20, 20] and len(fake.comments[2]) == 1
    fake.limit_next("secondary", retry_after=20, count=3, status=429)
    with pytest.raises(RateLimited, match="0 s left"):
        gh.set_status("c" * 40, "driftgate/s", "success", "ok")
    assert slept == [20, 20, 20] and fake.statuses == []


def test_a_secondary_limit_without_retry_after_costs_a_minute(fake):
    fake.limit_next("secondary")
    gh, slept = slow_connect(fake, 60)
    gh.set_status("d" * 40, "driftgate/s", "success", "ok")
    assert slept == [60] and len(fake.statuses) == 1
