"""The built image, run the way GitHub's runner runs a Docker action (see docs/image.md).

These tests run only under `make image-test` (DRIFTGATE_IMAGE_TEST=1, after `make image`);
plain `make test` / pytest skips them, so an old image on the machine is never tested by mistake.
Under `make image-test` a missing image or podman is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "action"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from action_helpers import Repo  # noqa: E402
from image_runner import CONTAINER, IMAGE  # noqa: E402

from fakes.github_server import FakeGitHub  # noqa: E402

ENABLED = os.environ.get("DRIFTGATE_IMAGE_TEST") == "1"


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="image tests run by `make image-test` (DRIFTGATE_IMAGE_TEST=1)")
    for item in items:
        if "tests/image/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def image() -> str:
    assert shutil.which(CONTAINER), f"{CONTAINER} is missing: run `make image` (it installs it)"
    found = subprocess.run([CONTAINER, "image", "inspect", IMAGE], capture_output=True, check=False)
    assert found.returncode == 0, f"{IMAGE} is not built: run `make image`"
    return IMAGE


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The host's git works in a workspace owned by the runner's uid (as on the runner)."""
    home = tmp_path / "host-home"
    home.mkdir()
    (home / ".gitconfig").write_text("[safe]\n\tdirectory = *\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return home


@pytest.fixture
def repo(tmp_path, home):
    """The action tests' repository, its pipeline run by the container's python."""
    repo = Repo(tmp_path)
    suite = (repo.work / "llm-evals.yaml").read_text(encoding="utf-8")
    repo.write(
        {"llm-evals.yaml": suite.replace(f"{sys.executable} pipeline.py", "python pipeline.py")}
    )
    repo.main_sha = repo.commit("the container's python runs the pipeline")
    repo.push("main")
    return repo


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server
