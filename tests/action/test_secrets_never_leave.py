"""Planted secrets never leave the process: a full CLI run and a full action run, then grep.

Secrets are planted in the environment (the Anthropic key, with the trailing newline of a
paste; a password; the GitHub token) and reach every leak source at once: a command's stderr
tail, a command's stdout (its output), an Anthropic 401 and 500 whose message echoes the key
(the loopback fake Messages API, driven by the real SDK), a model output repeating it, the
judge's reasoning and critical issues repeating it, and outputs the cache would store. Then
EVERY file the runs wrote (results, report, JUnit, traces, cache, job summary, outputs file),
their stdout and stderr, and every request body the fake GitHub received are searched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from action_helpers import pr_env

from fakes.anthropic_server import FakeAnthropic, Request
from support import run_cli

pytestmark = pytest.mark.slow

KEY = "sk-ant-api03-PLANTED0key0for0redaction0tests"
PASSWORD = "correct-horse-battery-staple-42"  # no known shape: found by its variable's name
GITHUB_TOKEN = "plain-github-token-value-0042"  # no ghs_ shape either
FOUND_TOKEN = "ghp_" + "Q" * 12 + "plantedinoutput" + "Z" * 9  # shape only, not in the env
SECRETS = (KEY, PASSWORD, GITHUB_TOKEN, FOUND_TOKEN)

SUITE = f"""\
eval_suite:
  name: leaks
  concurrency: 1
  judge: {{model: claude-sonnet-4-5, max_retries: 0, timeout_s: 5}}
  cases:
    - name: model-echoes-the-key
      prompt: "ECHO the configuration"
      expected: "A short answer about the configuration."
      judge: true
      target: {{type: anthropic, model: claude-test, max_retries: 0, timeout_s: 5}}
    - name: api-401-echoes-the-key
      prompt: "FAIL401"
      expected: "Anything."
      target: {{type: anthropic, model: claude-test, max_retries: 0, timeout_s: 5}}
    - name: api-500-echoes-the-key
      prompt: "FAIL500"
      expected: "Anything."
      target: {{type: anthropic, model: claude-test, max_retries: 0, timeout_s: 5}}
    - name: clean-and-cached
      prompt: "CLEAN"
      expected: "All good."
      target: {{type: anthropic, model: claude-test, max_retries: 0, timeout_s: 5}}
    - name: stderr-tail
      expected: "Anything."
      target: {{type: command, command: "{sys.executable} leak.py stderr"}}
    - name: stdout-output
      expected: "The password is hidden."
      target: {{type: command, command: "{sys.executable} leak.py stdout"}}
"""

LEAK = """\
import json, os, sys
json.load(sys.stdin)
found = "ghp" + "_" + "Q" * 12 + "plantedinoutput" + "Z" * 9  # no token in this file's text
key, password = os.environ["ANTHROPIC_API_KEY"], os.environ["DEPLOY_PASSWORD"]
if sys.argv[1] == "stderr":
    print("connecting with", key.strip(), file=sys.stderr)
    print("auth failed for password", password, file=sys.stderr)
    sys.exit(3)
print(json.dumps({"output": "The password is " + password + "; found " + found}))
"""


def model(fake: FakeAnthropic):
    """The fake's answers: each leak source repeats the key the request carried."""

    def reply(request: Request):
        key = request.api_key
        if request.json.get("tools"):  # the judge's forced tool call
            return fake.tool_use(
                "record_grade",
                {
                    "score": 2,
                    "reasoning": f"The answer prints the key {key} and {PASSWORD} verbatim.",
                    "critical_issues": [f"leaks {key}"],
                },
            )
        prompt = request.prompt_text
        if "FAIL401" in prompt:
            return fake.echoing_key(401)(request)
        if "FAIL500" in prompt:
            return fake.echoing_key(500)(request)
        if "ECHO" in prompt:
            return fake.text(f"Sure: ANTHROPIC_API_KEY={key}, DEPLOY_PASSWORD={PASSWORD}.")
        return fake.text("All good.")

    return reply


@pytest.fixture
def anthropic():
    with FakeAnthropic() as server:
        server.default = model(server)
        yield server


def planted_env(anthropic: FakeAnthropic) -> dict[str, str]:
    return {
        "GIT_CONFIG_NOSYSTEM": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANTHROPIC_API_KEY": KEY + "\n",  # a copy-paste: stripped before use
        "ANTHROPIC_BASE_URL": anthropic.base_url,
        "DEPLOY_PASSWORD": PASSWORD,
    }


def leaks(text: str, where: str) -> list[str]:
    return [f"{where}: {secret[:12]}…" for secret in SECRETS if secret in text]


def files_under(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    return found


def assert_no_leak(files: list[Path], streams: dict[str, str]) -> None:
    problems = []
    for path in files:
        problems += leaks(path.read_bytes().decode("utf-8", errors="replace"), str(path))
    for name, text in streams.items():
        problems += leaks(text, name)
    assert not problems, "secrets found:\n" + "\n".join(problems)


def assert_every_source_was_hit(anthropic: FakeAnthropic, results: dict) -> None:
    """The check means something only if each leak source really carried a secret."""
    keys = {r.api_key for r in anthropic.messages_requests()}
    assert keys == {KEY}  # the pasted newline was stripped: the calls went through
    cases = {c["name"]: c for c in results["cases"]}
    assert "invalid x-api-key: ***" in cases["api-401-echoes-the-key"]["error"]
    assert "HTTP 401" in cases["api-401-echoes-the-key"]["error"]
    assert "invalid x-api-key: ***" in cases["api-500-echoes-the-key"]["error"]
    assert "could not connect" not in json.dumps(results)
    stderr_case = cases["stderr-tail"]["error"]
    assert "connecting with ***" in stderr_case and "auth failed for password ***" in stderr_case
    assert cases["stdout-output"]["output"] == "The password is ***; found ***"
    echoed = cases["model-echoes-the-key"]
    assert echoed["output"] == "Sure: ANTHROPIC_API_KEY=***, DEPLOY_PASSWORD=***."
    assert "prints the key *** and *** verbatim" in echoed["judge"]["reasoning"]
    assert echoed["judge"]["critical_issues"] == ["leaks ***"]


def test_a_full_cli_run_writes_no_secret_anywhere(tmp_path, repo, anthropic):
    repo.write({"llm-evals.yaml": SUITE, "leak.py": LEAK})
    repo.commit("a suite whose every source leaks")
    out = tmp_path / "cli-out"
    cache = repo.work / ".driftgate" / "cache"
    done = run_cli(
        "run",
        "--output-json", str(out / "results.json"),
        "--report-md", str(out / "report.md"),
        "--junit", str(out / "junit.xml"),
        "--traces", str(out / "traces"),
        "--cache-dir", str(cache),
        cwd=repo.work,
        env=planted_env(anthropic),
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # the gate fails: cases error
    assert "Traceback" not in done.stderr
    results = json.loads((out / "results.json").read_text())
    assert_every_source_was_hit(anthropic, results)
    assert len(list((out / "traces").glob("*.json"))) >= 5
    assert list(cache.rglob("*.json")), "the clean output should have been cached"
    assert "not cached" in done.stderr  # outputs with a secret are not stored
    assert_no_leak(
        files_under(out, cache, repo.work),
        {"stdout": done.stdout, "stderr": done.stderr},
    )


def test_a_full_action_run_writes_and_posts_no_secret(tmp_path, repo, fake, anthropic):
    repo.write({"llm-evals.yaml": SUITE, "leak.py": LEAK})
    repo.main_sha = repo.commit("a suite whose every source leaks")
    repo.branch("feature")
    repo.write({"README.md": "a change\n"})
    head = repo.commit("change")
    inputs = {"cache-dir": ".driftgate/cache", "github-token": GITHUB_TOKEN}
    env = pr_env(tmp_path, repo, fake.base_url, head, inputs=inputs)
    env.update(planted_env(anthropic))
    done = run_cli("action", cwd=repo.work, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    # The masks come first and are the only place a secret is printed (GitHub hides them).
    masks = [line for line in done.stdout.splitlines() if line.startswith("::add-mask::")]
    assert done.stdout.splitlines()[: len(masks)] == masks
    assert {f"::add-mask::{GITHUB_TOKEN}", f"::add-mask::{KEY}", f"::add-mask::{PASSWORD}"} <= set(
        masks
    )
    stdout = "\n".join(line for line in done.stdout.splitlines() if line not in masks)
    results = json.loads((repo.work / "driftgate-results.json").read_text())
    assert_every_source_was_hit(anthropic, results)
    (comment,) = fake.comments[2]
    assert "stderr-tail" in comment["body"]
    received = json.dumps([body for _, _, body in fake.requests])
    assert_no_leak(
        files_under(tmp_path / "out", repo.work),
        {"stdout": stdout, "stderr": done.stderr, "GitHub requests": received},
    )
