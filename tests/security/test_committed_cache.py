"""A cache a pull request commits is not read: its entries are outputs no model gave.

Cache keys are content hashes anyone can compute by running driftgate on their own machine,
and the cache folder lives in the work tree, which in CI is the pull request's checkout. A
PR author could commit `.driftgate/cache/v1/outputs/…/<key>.json` holding a good answer for
the prompt they broke: the run took it as a cache hit and the gate passed without a call.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from driftgate.cache import Cache
from support import git, run_cli

SUITE = f"""\
eval_suite:
  name: forged
  cases:
    - name: answer
      expected: "The refund window is thirty days from delivery."
      min_similarity: 0.9
      trigger_paths: [answer.py]
      target: {{type: command, command: "{sys.executable} answer.py"}}
"""
BROKEN = (
    "import json, sys\njson.load(sys.stdin)\n"
    "print(json.dumps({'output': 'Bananas are yellow and grow in bunches.'}))\n"
)
ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GIT_CONFIG_NOSYSTEM": "1"}


def forge_the_cache(work: Path) -> None:
    """What the attacker does on their own machine: run once, rewrite the entry's output."""
    done = run_cli("run", "--all", "--output-json", "first.json", cwd=work, env=ENV)
    assert done.returncode == 1, done.stderr  # the broken prompt fails for real
    cache = Cache(work / ".driftgate" / "cache")
    entries = list((cache.directory / "v1" / "outputs").rglob("*.json"))
    assert len(entries) == 1
    entry = json.loads(entries[0].read_text())
    forged = json.loads(
        json.dumps(entry["value"]).replace(
            "Bananas are yellow and grow in bunches.",
            "The refund window is thirty days from delivery.",
        )
    )
    cache.put("outputs", entry["key"], forged)
    (work / "first.json").unlink()


def repository(tmp_path: Path, ignored: str = "") -> Path:
    """The suite and its (broken) target, committed; `ignored` goes to .gitignore."""
    work = tmp_path / "repo"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "llm-evals.yaml").write_text(SUITE)
    (work / "answer.py").write_text(BROKEN)
    (work / ".gitignore").write_text(ignored)
    git(work, "add", "-A")
    git(work, "commit", "-qm", "pr: new answer")
    return work


def assert_the_forged_entry_is_not_read(work: Path) -> None:
    """The broken prompt fails for real: no cache lookup, and the run says why."""
    done = run_cli("run", "--all", "--output-json", "results.json", cwd=work, env=ENV)

    results = json.loads((work / "results.json").read_text())
    assert done.returncode == 1, done.stdout + done.stderr
    assert results["cases"][0]["status"] == "failed"
    assert results["summary"]["output_cache"] == {"lookups": 0, "hits": 0}
    warning = " ".join(results["warnings"])
    assert "committed to the repository" in warning and "git rm -r --cached" in warning


def test_a_committed_cache_entry_cannot_pass_the_gate(tmp_path):
    work = repository(tmp_path)
    forge_the_cache(work)
    git(work, "add", "-A", "-f")
    git(work, "commit", "-qm", "pr: and a cache")
    assert_the_forged_entry_is_not_read(work)


def test_an_untracked_cache_is_still_used(tmp_path):
    work = repository(tmp_path, ignored=".driftgate/\n")
    for _ in range(2):
        done = run_cli("run", "--all", "--output-json", "results.json", cwd=work, env=ENV)
        assert done.returncode == 1, done.stderr
    results = json.loads((work / "results.json").read_text())
    assert results["summary"]["output_cache"] == {"lookups": 1, "hits": 1}
    assert not any("committed" in w for w in results["warnings"])


def test_a_committed_cache_behind_a_symlinked_folder_is_not_read_either(tmp_path):
    """`.driftgate` committed as a symlink to a folder of committed entries: `git ls-files`
    of `.driftgate/cache` lists nothing (git stops at the link), so the check must ask
    about the folder the link leads to."""
    work = repository(tmp_path)
    forge_the_cache(work)
    (work / ".driftgate").rename(work / "forged")
    (work / ".driftgate").symlink_to("forged")
    git(work, "add", "-A", "-f")
    git(work, "commit", "-qm", "pr: and a cache, out of sight")
    assert_the_forged_entry_is_not_read(work)
