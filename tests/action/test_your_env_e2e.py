"""Your pipeline in your environment: plan → generate → score, end to end.

The team's pipeline imports a package (`tinyllm`) that only a second, minimal virtualenv
has, like a workflow's `pip install -r requirements.txt` step; driftgate's environment
cannot import it, nor can the generation environment import driftgate. The action runs as
the container does (a subprocess with the runner's variables) against the loopback fake
GitHub: `mode: plan`, the docs' generation script in the other environment, then the
scoring step with `outputs`. The suite, the script and the workflow are the ones in
docs/your-pipeline.md, so the quick start is what is tested.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from action_helpers import pr_env
from test_action_e2e import outputs, run_action

from support import REPO, git

pytestmark = pytest.mark.slow

DOC = REPO / "docs" / "your-pipeline.md"

TINYLLM = '''\
"""Stands for the team's LLM SDK: installed in the generation environment only."""


def complete(text: str) -> str:
    return " ".join(text.split())
'''

SUPPORT_BOT = """\
import tinyllm

from support_bot.billing import reply as billing
from support_bot.incidents import reply as incidents


def answer(prompt: str) -> str:
    handler = billing if "charged" in prompt else incidents
    return tinyllm.complete(handler(prompt))
"""

BILLING = """\
def reply(prompt):
    return ("The customer was charged twice for the Pro plan in March and asks for a refund; "
            "route to Billing.")
"""
BILLING_EDITED = BILLING.replace("asks for a refund", "wants a refund")

INCIDENTS = """\
def reply(prompt):
    return "Since 09:10 UTC all API calls fail with 503 errors; route to Infrastructure on-call."
"""


def doc_block(name: str) -> str:
    """The fenced block after `<!-- name -->` in docs/your-pipeline.md."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"<!-- {name} -->")
    found = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL).search(text, start)
    return found.group(1)


def purelib(python: Path) -> Path:
    done = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())


@pytest.fixture
def generation_env(tmp_path, repo) -> Path:
    """A venv without driftgate; tinyllm and the repository's own package are installed in
    it (path entries, as `pip install -e` does), nowhere else."""
    tinyllm = tmp_path / "tinyllm-src"
    tinyllm.mkdir()
    (tinyllm / "tinyllm.py").write_text(TINYLLM)
    venv = tmp_path / "gen-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    (purelib(python) / "team.pth").write_text(f"{tinyllm}\n{repo.work}\n")
    return python


def generate(python: Path, cwd: Path) -> subprocess.CompletedProcess:
    """The generation step: `python evals/generate.py` in the team's environment."""
    env = {"PATH": f"{python.parent}{os.pathsep}/usr/bin:/bin", "HOME": str(cwd.parent)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the work tree stays as the checkout left it
    return subprocess.run(
        [str(python), "evals/generate.py"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def team_repo(repo) -> None:
    """The quick start's repository: the docs' suite and script, the team's package."""
    git(repo.work, "rm", "-q", "-r", "answers", "pipeline.py")
    repo.write(
        {
            "llm-evals.yaml": doc_block("suite"),
            "evals/generate.py": doc_block("generate.py"),
            ".gitignore": doc_block("gitignore"),
            "support_bot/__init__.py": SUPPORT_BOT,
            "support_bot/billing/__init__.py": BILLING,
            "support_bot/incidents/__init__.py": INCIDENTS,
        }
    )
    repo.main_sha = repo.commit("evals for the support bot")
    git(repo.work, "push", "-q", "origin", "main")


def step(tmp_path, repo, fake, head, inputs, action="opened"):
    env = pr_env(tmp_path, repo, fake.base_url, head, action=action)
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    env["INPUT_CACHE-DIR"] = ".driftgate/cache"
    return run_action(env, repo.work, tmp_path)


def test_plan_generate_score_with_a_package_only_the_generation_env_has(
    tmp_path, repo, fake, generation_env
):
    team_repo(repo)
    # The premise: neither environment can import what the other has.
    ours = subprocess.run([sys.executable, "-c", "import tinyllm"], capture_output=True)
    assert ours.returncode == 1 and b"ModuleNotFoundError" in ours.stderr
    theirs = subprocess.run(
        [str(generation_env), "-c", "import driftgate"], capture_output=True, env={}
    )
    assert theirs.returncode == 1 and b"ModuleNotFoundError" in theirs.stderr

    repo.branch("feature")
    repo.write({"support_bot/billing/__init__.py": BILLING_EDITED})
    head = repo.commit("warmer refund wording")
    plan_path = repo.work / "driftgate-plan.jsonl"
    out_path = repo.work / "driftgate-outputs.jsonl"

    # 1. Plan: only the case the change can affect; nothing posted.
    done = step(tmp_path, repo, fake, head, {"mode": "plan"})
    assert done.returncode == 0, done.stdout + done.stderr
    planned = outputs(tmp_path)
    assert (planned["selected"], planned["requests"]) == ("1", "1")
    assert planned["plan-path"] == "driftgate-plan.jsonl"
    (request,) = [json.loads(line) for line in plan_path.read_text().splitlines()]
    assert request["case"] == "refund_routing" and request["prompt"].startswith("Route this")
    assert not fake.comments and not fake.statuses

    # 2. Generate, in the other environment, with the docs' script.
    generated = generate(generation_env, repo.work)
    assert generated.returncode == 0, generated.stderr
    (line,) = [json.loads(x) for x in out_path.read_text().splitlines()]
    assert line["case"] == "refund_routing" and "wants a refund" in line["output"]

    # 3. Score: the comment shows the selected case; the new output is cached.
    done = step(tmp_path, repo, fake, head, {"outputs": "driftgate-outputs.jsonl"})
    assert done.returncode == 0, done.stdout + done.stderr
    (comment,) = fake.comments[2]
    assert "refund_routing" in comment["body"]
    assert fake.statuses[-1]["state"] == "success"
    results = json.loads((repo.work / "driftgate-results.json").read_text())
    cases = {c["name"]: c for c in results["cases"]}
    assert cases["refund_routing"]["status"] == "passed"
    assert cases["outage_summary"]["selected"] is False
    assert len(list((repo.work / ".driftgate/cache/v1/outputs").rglob("*.json"))) == 1

    # 4. The same head again: nothing to generate; the cache answers, the comment is edited.
    plan_path.unlink()
    out_path.unlink()
    done = step(tmp_path, repo, fake, head, {"mode": "plan"}, action="synchronize")
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs(tmp_path)["requests"] == "0"
    assert plan_path.read_text() == ""
    done = step(
        tmp_path, repo, fake, head, {"outputs": "driftgate-outputs.jsonl"}, action="synchronize"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (edited,) = fake.comments[2]
    assert edited["id"] == comment["id"]
    results = json.loads((repo.work / "driftgate-results.json").read_text())
    cache = results["summary"]["output_cache"]
    assert (cache["lookups"], cache["hits"]) == (1, 1)
    assert git(repo.work, "status", "--porcelain") == ""  # .gitignore covers every run file


def test_the_one_liner_drives_a_command_target_script(tmp_path, repo, generation_env):
    """The docs' bash + jq line feeds each plan line to an existing stdin script."""
    team_repo(repo)
    repo.write(
        {
            "pipeline.py": "import json, sys\nfrom support_bot import answer\n"
            "print(json.dumps({'output': answer(json.load(sys.stdin)['prompt'])}))\n"
        }
    )
    from driftgate.cli import main

    plan = repo.work / "driftgate-plan.jsonl"
    assert main(["plan", "--config", str(repo.work / "llm-evals.yaml"), "-o", str(plan)]) == 0
    env = {"PATH": f"{generation_env.parent}{os.pathsep}/usr/bin:/bin"}
    done = subprocess.run(
        ["bash", "-c", doc_block("one-liner")],
        cwd=repo.work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [
        json.loads(x) for x in (repo.work / "driftgate-outputs.jsonl").read_text().split("\n") if x
    ]
    assert [(x["case"], x["sample"]) for x in lines] == [
        ("refund_routing", 0),
        ("outage_summary", 0),
    ]
    assert lines[0]["output"].startswith("The customer was charged twice")
    # A script that fails writes no line for that request (it becomes an `error` case).
    (repo.work / "pipeline.py").write_text("import sys; sys.exit(3)\n")
    done = subprocess.run(
        ["bash", "-c", doc_block("one-liner")], cwd=repo.work, env=env, capture_output=True
    )
    assert (repo.work / "driftgate-outputs.jsonl").read_text() == ""


def test_the_docs_workflow_is_the_linted_example():
    example = REPO / "examples" / "workflows" / "driftgate-your-env.yml"
    assert doc_block("workflow: driftgate-your-env.yml") == example.read_text()
    steps = yaml.safe_load(example.read_text())["jobs"]["evals"]["steps"]
    plan, *generation, score = [
        s
        for s in steps
        if "driftgate/driftgate" in s.get("uses", "") or s.get("if", "").startswith("steps.plan")
    ]
    assert plan["with"]["mode"] == "plan"
    assert all(s["if"] == "steps.plan.outputs.requests != '0'" for s in generation)
    assert score["with"]["outputs"] == "driftgate-outputs.jsonl"
    assert ".driftgate/" in doc_block("gitignore").split()
