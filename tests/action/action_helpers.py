"""A temporary repository with a bare origin, event payloads adapted to it, the action's env."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from support import git

EVENTS = Path(__file__).parent / "events"
REPOSITORY = "Codertocat/Hello-World"  # the fixtures' repository, kept so payloads stay real

SUITE = f"""\
eval_suite:
  name: support
  target:
    type: command
    command: "{sys.executable} pipeline.py"
    timeout_s: 30
  gate:
    min_pass_rate: 0.5
  cases:
    - name: refund_routing
      prompt: "Summarise and route: {{ticket}}"
      vars:
        ticket: "I was charged twice for the Pro plan in March, please refund me."
      expected: >-
        The customer was charged twice for the March Pro plan and wants a refund; route to Billing.
      critical: true
      trigger_paths: ["answers/refund_routing.txt"]
    - name: outage_summary
      prompt: "Summarise and route: {{ticket}}"
      vars:
        ticket: "Since 09:10 UTC every API call returns 503."
      expected: >-
        API requests have failed with 503 errors since 09:10 UTC; route to Infrastructure on-call.
      trigger_paths: ["answers/outage_summary.txt"]
"""

PIPELINE = """\
import json, sys
from pathlib import Path
request = json.load(sys.stdin)
print(json.dumps({"output": Path("answers", request["case"] + ".txt").read_text()}))
"""

GOOD = {
    "refund_routing": "The customer was charged twice on the March Pro plan invoice and asks for "
    "a refund; route to Billing.",
    "outage_summary": "Since 09:10 UTC all API calls fail with 503 errors; route to "
    "Infrastructure on-call.",
}
BAD_REFUND = "Thank you for contacting us. Our office hours are Monday to Friday."


class Repo:
    """`work` is the checkout the action sees; `origin` a bare repository it pushes to."""

    def __init__(self, root: Path):
        self.origin = root / "origin.git"
        self.work = root / "work"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.origin)], check=True)
        self.work.mkdir()
        git(self.work, "init", "-q", "-b", "main")
        git(self.work, "remote", "add", "origin", str(self.origin))
        self.write({"llm-evals.yaml": SUITE, "pipeline.py": PIPELINE, "README.md": "demo\n"})
        self.write({f"answers/{name}.txt": text for name, text in GOOD.items()})
        self.main_sha = self.commit("initial")
        git(self.work, "push", "-q", "origin", "main")

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        return git(self.work, "rev-parse", "HEAD")

    def branch(self, name: str) -> None:
        git(self.work, "checkout", "-q", "-b", name)

    def push(self, branch: str) -> None:
        git(self.work, "push", "-q", "origin", branch)


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def pr_event(
    base_sha: str, head_sha: str, *, action: str = "opened", fork: bool = False, number: int = 2
) -> dict:
    """pull_request.opened (or synchronize/labeled) pointed at our commits."""
    source = {
        "opened": "pull_request.opened.json",
        "synchronize": "pull_request.synchronize.json",
        "labeled": "pull_request.labeled.json",
        "closed": "pull_request.labeled.json",  # derived below: action and state "closed"
    }[action]
    event = copy.deepcopy(load_event(source))
    if action == "closed":
        event["action"] = event["pull_request"]["state"] = "closed"
    event["number"] = number
    pr = event["pull_request"]
    pr["number"] = number
    pr["base"]["sha"], pr["base"]["ref"] = base_sha, "main"
    pr["head"]["sha"] = head_sha
    event["repository"]["default_branch"] = "main"
    if action == "synchronize":
        event["after"] = head_sha
    if fork:
        # Derived: no fork payload exists in @octokit/webhooks-examples (see events/SOURCE.md).
        head_repo = pr["head"]["repo"]
        head_repo["fork"] = True
        head_repo["full_name"] = "outsider/Hello-World"
        head_repo["owner"] = {**head_repo["owner"], "login": "outsider"}
        pr["head"]["label"] = "outsider:changes"
        pr["head"]["user"] = {**pr["head"]["user"], "login": "outsider"}
    return event


def push_event(before: str, after: str) -> dict:
    event = copy.deepcopy(load_event("push.json"))
    event.update(ref="refs/heads/main", before=before, after=after, base_ref=None)
    event["repository"]["default_branch"] = "main"
    event["repository"]["master_branch"] = "main"
    return event


def action_env(
    tmp: Path,
    repo: Repo,
    event_name: str,
    event: dict,
    api_url: str,
    *,
    sha: str,
    ref: str,
    inputs: dict | None = None,
) -> dict[str, str]:
    """The variables the runner gives a container action (inputs as INPUT_<NAME-WITH-HYPHENS>)."""
    event_path = tmp / f"event-{event_name}-{sha[:7]}.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    env = {
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_WORKSPACE": str(repo.work),
        "GITHUB_SHA": sha,
        "GITHUB_REF": ref,
        "GITHUB_RUN_ID": "4242",
        "GITHUB_OUTPUT": str(out / "output"),
        "GITHUB_STEP_SUMMARY": str(out / "summary.md"),
        "INPUT_CONFIG": "llm-evals.yaml",
        "INPUT_GITHUB-TOKEN": "ghs_supersecrettoken123",
        "INPUT_MODE": "auto",
        "INPUT_BASELINE-BRANCH": "driftgate-baseline",
        "INPUT_UPDATE-BASELINE": "auto",
        "INPUT_COMMENT": "true",
        "INPUT_COMMIT-STATUS": "true",
        "INPUT_RESULTS-PATH": "driftgate-results.json",
        "INPUT_WORKING-DIRECTORY": ".",
    }
    for name, value in (inputs or {}).items():
        env[f"INPUT_{name.upper()}"] = value
    return env


def pr_env(
    tmp: Path, repo: Repo, api_url: str, head: str, inputs: dict | None = None, **event_options
) -> dict[str, str]:
    """The environment of a pull_request run from main to `head`."""
    event = pr_event(repo.main_sha, head, **event_options)
    ref = "refs/pull/2/merge"
    return action_env(tmp, repo, "pull_request", event, api_url, sha=head, ref=ref, inputs=inputs)


def push_env(
    tmp: Path,
    repo: Repo,
    api_url: str,
    *,
    branch: str = "main",
    before: str = "0" * 40,
    inputs: dict | None = None,
) -> dict[str, str]:
    """The environment of a push of main's head commit to `branch`."""
    event = push_event(before, repo.main_sha)
    ref = f"refs/heads/{branch}"
    return action_env(tmp, repo, "push", event, api_url, sha=repo.main_sha, ref=ref, inputs=inputs)
