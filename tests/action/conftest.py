"""Fixtures of the action tests: a temporary repository with its own HOME, the fake GitHub."""

from __future__ import annotations

import pytest
from action_helpers import Repo

from fakes.github_server import FakeGitHub


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The action writes git's global config (safe.directory): keep it out of the real HOME."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return home


@pytest.fixture
def repo(tmp_path, home):
    return Repo(tmp_path)


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server
