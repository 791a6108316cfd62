"""`podman run` of the image with what GitHub's runner gives a Docker action.

The runner mounts the workspace at /github/workspace (owned by its own user, uid 1001), a home,
the event payload and the file-command files under /github, passes GITHUB_*/INPUT_* and runs the
image's entrypoint with --workdir /github/workspace. Here the container also gets the host's
network (to reach the fake GitHub on 127.0.0.1) or none at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

IMAGE = os.environ.get("DRIFTGATE_IMAGE", "localhost/driftgate:dev")
# podman here (make image-test); docker in the release workflow, on GitHub's runner.
CONTAINER = os.environ.get("DRIFTGATE_CONTAINER", "podman")
RUNNER_UID = 1001  # the runner's user on GitHub's hosted runners owns the workspace

# podman on these machines needs runc (crun fails on their cgroup layout) and explicit ulimits
# (the hard open-files limit is below podman's default); docker needs neither.
RUN = [CONTAINER, "run", "--rm"]
if CONTAINER == "podman":
    RUN += ["--runtime", "runc", "--ulimit", "nofile=1024:20000", "--ulimit", "nproc=4096:4096"]
WORKSPACE = "/github/workspace"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    file_commands: Path

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def summary(self) -> str:
        return (self.file_commands / "step_summary").read_text(encoding="utf-8")

    def outputs(self) -> dict[str, str]:
        from driftgate.action.commands import parse_outputs

        return parse_outputs((self.file_commands / "set_output").read_text(encoding="utf-8"))


def chown_tree(path: Path, uid: int) -> None:
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(root, name), uid, uid)
    os.lchown(path, uid, uid)


def run_image(
    env: dict[str, str],
    repo,
    tmp: Path,
    *,
    network: str = "host",
    entrypoint: list[str] | None = None,
    extra_volumes: dict[str, str] | None = None,
) -> Run:
    """Run the image on `repo.work` with the action environment `env` (from action_helpers)."""
    github = tmp / "github"
    for part in ("home", "workflow", "file_commands"):
        (github / part).mkdir(parents=True, exist_ok=True)
    commands = github / "file_commands"
    for name in ("set_output", "step_summary"):
        (commands / name).write_text("", encoding="utf-8")
    shutil.copyfile(env["GITHUB_EVENT_PATH"], github / "workflow" / "event.json")
    for path in (github, repo.work):
        chown_tree(path, RUNNER_UID)

    container_env = {
        **env,
        "HOME": "/github/home",
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "RUNNER_OS": "Linux",
        "GITHUB_WORKSPACE": WORKSPACE,
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_OUTPUT": "/github/file_commands/set_output",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary",
    }
    volumes = {
        str(repo.work): WORKSPACE,
        str(github / "home"): "/github/home",
        str(github / "workflow"): "/github/workflow",
        str(commands): "/github/file_commands",
        str(repo.origin): str(repo.origin),  # the remote `origin` the workspace pushes to
        **(extra_volumes or {}),
    }
    command = [*RUN, "--network", network, "--workdir", WORKSPACE]
    for host, inside in volumes.items():
        command += ["-v", f"{host}:{inside}"]
    for name, value in container_env.items():
        command += ["-e", f"{name}={value}"]
    if entrypoint:
        command += ["--entrypoint", entrypoint[0], IMAGE, *entrypoint[1:]]
    else:
        command.append(IMAGE)
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start, commands)


def unreadable_by_runner(path: Path) -> list[str]:
    """Files under `path` that the runner's user cannot read (checked as that uid)."""
    as_runner = (
        []
        if os.getuid() == RUNNER_UID
        else ["setpriv", f"--reuid={RUNNER_UID}", f"--regid={RUNNER_UID}", "--clear-groups"]
    )
    # From inside `path` (entered as root): the test's own temporary folders above it are private.
    done = subprocess.run(
        [*as_runner, "find", ".", "!", "-readable"],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
    )
    # A folder it cannot enter is reported by find on stderr ("Permission denied").
    return done.stdout.split() + [line for line in done.stderr.splitlines() if "denied" in line]
