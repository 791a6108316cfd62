"""driftgate installs like any Python package: the wheel and sdist build from the checkout,
carry everything read at run time, and the installed CLI runs outside the repository; a
release refuses to publish when its versions disagree."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from driftgate import __version__
from support import REPO

pytestmark = pytest.mark.slow


def copy_source(tmp_path: Path) -> Path:
    """The files a build reads, outside the work tree (builds leave build/ and egg-info)."""
    tree = tmp_path / "source"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, tree / name)
    shutil.copytree(REPO / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return tree


def package_data_files() -> set[str]:
    """Every non-Python file in the package: what the wheel must carry besides code."""
    package = REPO / "src" / "driftgate"
    return {
        path.relative_to(REPO / "src").as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    source = copy_source(tmp)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = (tmp / "dist").glob("*.whl")
    return built


def test_the_wheel_carries_code_data_and_the_entry_point(wheel):
    assert wheel.name == f"driftgate-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "driftgate/py.typed" in names
    assert package_data_files() <= names, package_data_files() - names
    sources = {
        p.relative_to(REPO / "src").as_posix() for p in (REPO / "src" / "driftgate").rglob("*.py")
    }
    assert sources <= names, sources - names
    dist_info = f"driftgate-{__version__}.dist-info"
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "driftgate = driftgate.cli:main" in entry_points
    metadata = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
    assert f"Version: {__version__}" in metadata
    assert "Requires-Dist: torch" in metadata  # the user's pip must see it (CPU build first)


def test_the_sdist_builds_with_the_sources(tmp_path):
    source = copy_source(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import build_meta; print(build_meta.build_sdist('dist'))",
        ],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sdist = source / "dist" / f"driftgate-{__version__}.tar.gz"
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    prefix = f"driftgate-{__version__}/"
    assert {prefix + "pyproject.toml", prefix + "src/driftgate/cli.py"} <= names
    assert prefix + "src/driftgate/py.typed" in names


def test_the_installed_wheel_runs_outside_the_repository(wheel, tmp_path):
    """Installed with --no-deps into a fresh venv, whose dependencies come from the shared
    environment (a path added after its own site-packages, so its driftgate wins)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shared = sysconfig.get_paths()["purelib"]
    Path(site, "shared-deps.pth").write_text(shared + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "llm-evals.yaml").write_text(
        "eval_suite:\n  name: mine\n  cases:\n    - name: a\n      prompt: hi\n"
        "      expected: hello\n"
    )
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path)}

    def driftgate(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(venv / "bin" / "driftgate"), *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert driftgate("--version").stdout.strip() == f"driftgate {__version__}"
    checked = driftgate("validate")
    assert checked.returncode == 0, checked.stderr
    assert "ok: suite 'mine', 1 case," in checked.stdout
    where = subprocess.run(
        [str(python), "-c", "import driftgate; print(driftgate.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(site), where  # the wheel's copy, not the checkout's


# -- the release: versions agree or nothing is published ---------------------------------


def load_checker():
    path = REPO / ".github" / "scripts" / "check_versions.py"
    spec = importlib.util.spec_from_file_location("check_versions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def release_tree(tmp_path: Path, version: str, image: str) -> Path:
    root = tmp_path / "release"
    (root / "src" / "driftgate").mkdir(parents=True)
    (root / "src" / "driftgate" / "__init__.py").write_text(f'__version__ = "{version}"\n')
    action = (REPO / "action.yml").read_text()
    action = re.sub(r"(?m)^(\s*)image:.*$", rf"\1image: {image}", action)
    (root / "action.yml").write_text(action)
    return root


def test_release_versions_must_agree(tmp_path):
    check = load_checker()
    image = "ghcr.io/acme/driftgate"
    good = release_tree(tmp_path / "good", "1.4.0", f"docker://{image}:v1.4.0")
    assert check.problems(good, "v1.4.0", image) == []
    assert check.problems(good, "v1.4.0") == []

    wrong_tag, image_too = check.problems(good, "v1.5.0", image)
    assert "src/driftgate/__init__.py" in wrong_tag and "version 1.4.0" in wrong_tag
    assert f"set it to docker://{image}:v1.5.0" in image_too
    stale = release_tree(tmp_path / "stale", "1.4.0", f"docker://{image}:v1.3.9")
    (stale_image,) = check.problems(stale, "v1.4.0", image)
    assert stale_image.startswith("file=action.yml::") and f"{image}:v1.4.0" in stale_image
    built = release_tree(tmp_path / "built", "1.4.0", "Dockerfile")
    (not_published,) = check.problems(built, "v1.4.0", image)
    assert "published image" in not_published


def test_release_workflow_gates_both_publish_jobs_on_the_version_check():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    jobs = workflow["jobs"]
    assert jobs["image"]["needs"] == "versions" and jobs["pypi"]["needs"] == "versions"
    assert "check_versions.py" in jobs["versions"]["steps"][-1]["run"]
    assert jobs["pypi"]["permissions"]["id-token"] == "write"  # trusted publishing
    steps = jobs["pypi"]["steps"]
    assert steps[-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in steps[-1]  # no password: the OIDC token is the credential
    assert workflow[True]["push"]["tags"] == ["v*"]  # yaml reads `on:` as True


def test_the_version_check_passes_on_this_checkout_once_released(tmp_path):
    """The repository's own version, with action.yml set as the release procedure says."""
    check = load_checker()
    assert check.package_version(REPO) == __version__
    image = "ghcr.io/driftgate/driftgate"
    tree = release_tree(tmp_path, __version__, f"docker://{image}:v{__version__}")
    assert check.problems(tree, f"v{__version__}", image) == []
