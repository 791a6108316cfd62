"""The action's entrypoint closes its GitHub connections when the run ends.

PyGithub's pooled connections sit in reference cycles: left open, they close whenever the
garbage collector runs, and warn there ("unclosed socket"). With the collector paused, what
the run did not close is still open when it returns.
"""

from __future__ import annotations

from action_helpers import pr_env

from driftgate.action.github import GitHub
from driftgate.action.main import main
from fakes.sockets import client_sockets_to, garbage_kept


def test_the_entrypoint_leaves_no_connection_to_github_open(
    tmp_path, repo, fake, monkeypatch, capsys
):
    repo.branch("docs")
    repo.write({"README.md": "better docs\n"})
    head = repo.commit("docs only")  # touches no case: a status is set, no model is loaded
    for name, value in pr_env(tmp_path, repo, fake.base_url, head).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(repo.work)
    with garbage_kept():
        code = main()
        assert client_sockets_to(fake.base_url) == []
    assert code == 0, capsys.readouterr().out
    assert [m for m, _, _ in fake.writes()] == ["POST"]  # it did talk to GitHub
    assert fake.statuses[0]["description"] == "no case affected by this change"


def test_a_closed_client_has_no_connection_left(fake):
    fake.set_pr_files(2, ["a.py"])
    with garbage_kept():
        with GitHub.connect("ghs_x", fake.base_url, fake.repository, throttle=False) as github:
            assert list(github.pr_files(2).paths) == ["a.py"]
            assert len(client_sockets_to(fake.base_url)) == 1  # the check sees a live one
        assert client_sockets_to(fake.base_url) == []
