"""Every YAML block a user copies from README.md and docs/*.md works.

Workflows (a `jobs:` file or a list of steps) pass actionlint, and what they give the driftgate
action (`with:` keys, `steps.<id>.outputs.<name>`) exists in action.yml. Suite files and their
fragments load through the loader `driftgate validate` uses. A block is classified by what it
holds; one the tests can't classify, or one that must not be checked, says so with a comment
right before its fence, invisible on GitHub:

    <!-- snippet: KIND (why) -->

KIND is `workflow` or `suite` (classify), `excerpt` (a suite with required keys or cases
elided: they are filled in, every key shown is still checked) or `skip` (not checked; the
reason is required). An unclassified block fails, so no untested snippet lands silently.
"""

from __future__ import annotations

import re
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from driftgate.config.load import load_suite
from driftgate.config.schema import SuiteFile
from driftgate.cost import unpriced_models
from driftgate.errors import ConfigError
from driftgate.score.embedder import check_embedding_model
from support import REPO, tool

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
MARKER = re.compile(r"<!--\s*snippet:\s*([\w-]+)\s*(.*?)\s*-->")
KINDS = ("workflow", "suite", "excerpt", "skip")

# Steps that run driftgate: the action (published or `./`), its image, and the image
# docs/your-pipeline.md builds FROM driftgate's.
DRIFTGATE_STEP = re.compile(
    r"^(\./?|[\w./-]*driftgate[\w./-]*@.+"
    r"|docker://ghcr\.io/(driftgate/driftgate|acme/support-bot-evals):.+)$"
)
OUTPUT_REF = re.compile(r"\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)")
STEP_KEYS = {"uses", "run"}
WORKFLOW_KEYS = {"jobs", "on", True}  # PyYAML reads a bare `on:` as True

SCHEMA = SuiteFile.model_json_schema()["$defs"]
SUITE_KEYS = set(SCHEMA["Suite"]["properties"])
CASE_KEYS = set(SCHEMA["Case"]["properties"])
A_CASE = {"name": "snippet-case", "prompt": "hi", "expected": "hello"}


@dataclass(frozen=True)
class Block:
    """One fenced YAML block: where it is, what it says, and its `snippet:` marker if any."""

    page: Path
    fence: int  # the line of the opening fence; the block's line N is fence + N
    text: str
    marker: str = ""
    why: str = ""

    def at(self, line: int = 0) -> str:
        return f"{self.page.relative_to(REPO)}:{self.fence + max(line, 0)}"


def yaml_blocks(page: Path) -> list[Block]:
    lines = page.read_text("utf-8").splitlines()
    blocks, n = [], 0
    while n < len(lines):
        opened = FENCE.match(lines[n])
        if not opened:
            n += 1
            continue
        end = n + 1
        while end < len(lines) and not lines[end].strip().startswith(opened.group(1)):
            end += 1
        if opened.group(2) in ("yaml", "yml"):
            marker, why = _marker_before(lines, n)
            text = "\n".join(lines[n + 1 : end]) + "\n"
            blocks.append(Block(page, n + 1, text, marker, why))
        n = end + 1
    return blocks


def _marker_before(lines: list[str], fence: int) -> tuple[str, str]:
    """The `snippet:` marker among the blank and comment lines right above the fence."""
    n = fence - 1
    while n >= 0 and (not lines[n].strip() or lines[n].lstrip().startswith("<!--")):
        found = MARKER.search(lines[n])
        if found:
            return found.group(1), found.group(2).strip("() ")
        n -= 1
    return "", ""


def kind_of(block: Block) -> str:
    """workflow, suite, excerpt or skip; "" when the block says too little to tell."""
    if block.marker:
        return block.marker
    try:
        data = yaml.safe_load(block.text)
    except yaml.YAMLError:
        return ""  # test_every_yaml_block_is_classified says why
    if isinstance(data, dict):
        if WORKFLOW_KEYS & set(data):
            return "workflow"
        if "eval_suite" in data or (SUITE_KEYS | CASE_KEYS) & set(data):
            return "suite"
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        if any(STEP_KEYS & set(item) for item in data):
            return "workflow"
        if all("name" in item for item in data):
            return "suite"
    return ""


BLOCKS = [block for page in PAGES for block in yaml_blocks(page)]


def params(*kinds: str) -> list:
    return [pytest.param(b, id=b.at()) for b in BLOCKS if kind_of(b) in kinds]


def test_the_docs_have_yaml_blocks_of_each_kind():
    """The extraction itself: a change to the fences can't make every test below vacuous."""
    kinds = {kind_of(block) for block in BLOCKS}
    assert {"workflow", "suite", "excerpt", "skip"} <= kinds, kinds
    assert any(block.page.name == "README.md" for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=Block.at)
def test_every_yaml_block_is_classified(block):
    if block.marker != "skip":
        try:
            yaml.safe_load(block.text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = block.at(mark.line + 1 if mark else 0)
            pytest.fail(f"{where}: not YAML a user can copy: {exc.problem}", pytrace=False)
    kind = kind_of(block)
    assert kind, (
        f"{block.at()}: a YAML block the tests can't classify as a workflow or a suite; put "
        f"`<!-- snippet: KIND (why) -->` right before its fence (KIND: {', '.join(KINDS)})"
    )
    assert kind in KINDS, f"{block.at()}: unknown snippet kind {kind!r}; one of {KINDS}"
    if kind == "skip":
        assert block.why, f"{block.at()}: `<!-- snippet: skip (why) -->` needs the reason"


# --- workflows --------------------------------------------------------------------------


def as_workflow(block: Block) -> tuple[str, int]:
    """The block as a workflow file, and how many lines were put before it."""
    data = yaml.safe_load(block.text)
    if isinstance(data, dict):
        return block.text, 0
    head = "on: pull_request\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n    steps:\n"
    return head + indent(block.text, 6), head.count("\n")


def indent(text: str, width: int) -> str:
    """Re-indent a fragment: its least indented line lands at `width`."""
    return textwrap.indent(textwrap.dedent(text), " " * width)


def driftgate_problems(block: Block, workflow: dict) -> list[str]:
    """`with:` keys and `steps.<id>.outputs.<name>` actionlint can't check against action.yml."""
    action = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
    problems, ids = [], set()
    for job in (workflow.get("jobs") or {}).values():
        for step in job.get("steps") or []:
            if not DRIFTGATE_STEP.match(str(step.get("uses", ""))):
                continue
            ids.add(step.get("id"))
            for key in sorted(set(step.get("with") or {}) - set(action["inputs"])):
                where = block.at(line_of(block, rf"(?<![\w-]){re.escape(key)}\s*:"))
                problems.append(f"{where}: the driftgate action has no input {key!r} (`with:`)")
    for step_id, name in sorted(set(OUTPUT_REF.findall(block.text))):
        if step_id in ids and name not in action["outputs"]:
            ref = f"steps.{step_id}.outputs.{name}"
            where = block.at(line_of(block, rf"{re.escape(ref)}(?![\w-])"))
            problems.append(f"{where}: `{ref}`: the driftgate action has no output {name!r}")
    return problems


def line_of(block: Block, pattern: str) -> int:
    """The block's line where `pattern` first matches (0, the fence, if nowhere)."""
    found = re.search(pattern, block.text)
    return block.text.count("\n", 0, found.start()) + 1 if found else 0


@pytest.mark.parametrize("block", params("workflow"))
def test_workflow_snippets_pass_actionlint_and_use_real_inputs(block, tmp_path):
    text, added = as_workflow(block)
    (tmp_path / "workflow.yml").write_text(text, "utf-8")
    done = subprocess.run(
        [tool("actionlint"), "-oneline", "-no-color", "workflow.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    located = re.sub(
        r"workflow\.yml:(\d+):\d+:",
        lambda m: f"{block.at(int(m.group(1)) - added)}:",
        done.stdout + done.stderr,
    )
    assert done.returncode == 0, f"{block.at()}: actionlint:\n{located}"
    problems = driftgate_problems(block, yaml.safe_load(text))
    assert not problems, "\n".join(problems)


# --- suite files --------------------------------------------------------------------------


def as_suite(block: Block) -> tuple[str, int]:
    """The block as a whole suite file (a name, one case around a fragment), and how many
    lines were put before it."""
    data = yaml.safe_load(block.text)
    if block.marker == "excerpt":
        return _filled(data), 0
    if isinstance(data, list):  # a list of cases
        head = "eval_suite:\n  name: snippet\n  cases:\n"
        return head + indent(block.text, 4), head.count("\n")
    if "eval_suite" in data:
        return block.text, 0
    if set(data) & SUITE_KEYS:  # keys of the suite
        head = "eval_suite:\n" + ("" if "name" in data else "  name: snippet\n")
        tail = "" if "cases" in data else f"  cases:\n    - {A_CASE}\n"
        return head + indent(block.text, 2) + tail, head.count("\n")
    head = "eval_suite:\n  name: snippet\n  cases:\n    -\n"  # keys of one case
    fill = "".join(f"      {k}: {v}\n" for k, v in A_CASE.items() if k not in data)
    return head + indent(block.text, 6) + fill, head.count("\n")


def _filled(data) -> str:
    """An excerpt made whole: `[...]` becomes a case, a case gets its elided required keys."""
    if isinstance(data, list):
        data = {"cases": data}
    suite = data.get("eval_suite", data)
    suite.setdefault("name", "snippet")
    cases = [c for c in suite.get("cases") or [] if isinstance(c, dict)]
    suite["cases"] = [
        {"name": A_CASE["name"], **c, "expected": c.get("expected", "hello")} for c in cases
    ] or [A_CASE]
    return yaml.safe_dump({"eval_suite": suite}, sort_keys=False)


def referenced_files(data) -> set[str]:
    """Every `{file: PATH}` in the suite: the scratch repository must hold them."""
    if isinstance(data, dict):
        if set(data) == {"file"}:
            ref = Path(data["file"])
            inside = not ref.is_absolute() and ".." not in ref.parts
            return {data["file"]} if inside else set()  # outside: the loader says so
        return set().union(*map(referenced_files, data.values()))
    if isinstance(data, list):
        return set().union(*map(referenced_files, data))
    return set()


@pytest.mark.parametrize("block", params("suite", "excerpt"))
def test_suite_snippets_load_as_driftgate_validate_loads_them(block, tmp_path):
    text, added = as_suite(block)
    for name in referenced_files(yaml.safe_load(text)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a file the suite reads\n", "utf-8")
    path = tmp_path / "llm-evals.yaml"
    path.write_text(text, "utf-8")
    excerpt = " (an excerpt, filled in)" if block.marker == "excerpt" else ""
    try:
        suite = load_suite(path, root=tmp_path)
        check_embedding_model(suite)
        issues = [*suite.warnings, *unpriced_models(suite)]  # a copied snippet warns of nothing
    except ConfigError as exc:
        issues = exc.issues
    problems = [located(block, issue, added, excerpt) for issue in issues]
    assert not problems, "\n".join(problems)


def located(block: Block, issue, added: int, excerpt: str) -> str:
    """The issue at its line of the doc; in a filled-in excerpt, the line of the key it names
    (`eval_suite.cases['x'].key: ...`)."""
    line = issue.line - added
    if excerpt:
        where = re.match(r"(\S+?):\s", issue.message)
        key = re.findall(r"[\w-]+", where.group(1))[-1] if where else ""
        line = line_of(block, rf"(?<![\w-]){re.escape(key)}(?![\w-])") if key else 0
    return f"{block.at(line)}{excerpt}: {issue.message}"
