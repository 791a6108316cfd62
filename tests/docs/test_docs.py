"""Docs that cannot rot: every suite key, action input and output, and every link is checked.

The suite reference is held against the JSON Schema the code generates, and the action's
reference against `action.yml`, so a key added without its documentation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from driftgate.config.schema import SuiteFile

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *sorted(DOCS.glob("*.md"))]
PAGES += [p for p in (ROOT / "CHANGELOG.md", ROOT / "CONTRIBUTING.md") if p.exists()]


def table_keys(markdown: str, heading: str) -> set[str]:
    """The backticked names in the first column of the table under `heading`."""
    section = markdown.split(heading, 1)[1]
    keys: set[str] = set()
    started = False
    for line in section.splitlines()[1:]:
        if line.startswith("|"):
            started = True
            first = line.split("|")[1]
            keys.update(re.findall(r"`([^`]+)`", first))
        elif started or line.startswith("#"):
            break
    return keys


def schema_properties(name: str) -> set[str]:
    schema = SuiteFile.model_json_schema()
    return set(schema["$defs"][name]["properties"])


@pytest.mark.parametrize(
    ("definition", "heading"),
    [("Suite", "## Suite keys"), ("Case", "## Case keys")],
)
def test_suite_reference_lists_exactly_the_schema_keys(definition, heading):
    documented = table_keys((DOCS / "suite.md").read_text("utf-8"), heading)
    keys = schema_properties(definition)
    assert keys - documented == set(), f"undocumented {definition} keys"
    assert documented - keys == set(), f"documented keys that don't exist in {definition}"


def table_defaults(markdown: str, heading: str) -> dict[str, str]:
    """Each key of the table under `heading` with the text of its default column."""
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    defaults = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) >= 2 and not set(cells[0]) <= {"-"}:
            defaults.update(dict.fromkeys(re.findall(r"`([^`]+)`", cells[0]), cells[1]))
    return defaults


def test_the_case_keys_that_fall_back_to_the_suite_are_the_documented_ones():
    from driftgate.config.load import SUITE_DEFAULTS

    defaults = table_defaults((DOCS / "suite.md").read_text("utf-8"), "## Case keys")
    documented = {
        key
        for key, default in defaults.items()
        if default == "the suite's" or default.strip("`") in SUITE_DEFAULTS.values()
    }
    # max_samples: the suite's, else 6 × samples (its own rule)
    assert documented == {*SUITE_DEFAULTS, "max_samples"}
    assert defaults["min_similarity"] == "`default_threshold`"


@pytest.mark.parametrize(
    "definition",
    ["GateConfig", "JudgeConfig", "Checks", "CommandTarget", "AnthropicTarget", "OutputsTarget"],
)
def test_every_nested_key_is_documented_somewhere(definition):
    code = " ".join(code_of(p.read_text("utf-8")) for p in DOCS.glob("*.md"))
    missing = {k for k in schema_properties(definition) if not re.search(rf"\b{k}\b", code)}
    assert not missing, f"{definition} keys missing from docs/: {sorted(missing)}"


def code_of(markdown: str) -> str:
    """Fenced blocks and inline code spans: where a key is shown as a key."""
    fenced = re.findall(r"```.*?```", markdown, flags=re.DOTALL)
    prose = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    return " ".join(fenced + re.findall(r"`([^`\n]+)`", prose))


def action_yml() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))


@pytest.mark.parametrize("kind", ["inputs", "outputs"])
def test_action_reference_lists_exactly_action_yml(kind):
    documented = table_keys((DOCS / "action.md").read_text("utf-8"), f"## {kind.title()}")
    declared = set(action_yml()[kind])
    assert declared - documented == set(), f"{kind} of action.yml missing from docs/action.md"
    assert documented - declared == set(), f"docs/action.md lists {kind} action.yml lacks"


def test_action_input_defaults_match_action_yml():
    text = (DOCS / "action.md").read_text("utf-8").split("## Inputs", 1)[1].split("\n## ")[0]
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([\w-]+)` \|([^|]*)\|", text, flags=re.MULTILINE)
    }
    for name, spec in action_yml()["inputs"].items():
        default = str(spec.get("default", ""))
        shown = rows[name].strip().strip("`")
        unset = default == "" and (shown in ("", "–", "-") or shown.startswith("("))
        assert shown == default or unset, (
            f"input {name}: docs say {shown!r}, action.yml says {default!r}"
        )


def slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found, fence = set(), False
    for line in page.read_text("utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and line.startswith("#"):
            found.add(slug(line.lstrip("#")))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    text = re.sub(r"```.*?```", "", page.read_text("utf-8"), flags=re.DOTALL)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        assert dest.exists(), f"{page.name}: link to missing {target}"
        if anchor and dest.suffix == ".md":
            assert anchor in anchors(dest), f"{page.name}: no heading for #{anchor} in {dest.name}"


def test_readme_is_a_page_a_user_reads_to_the_end():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.encode()) <= 20 * 1024
    assert readme.count("```sh") == 1, "exactly one block of set-up commands, under Develop"
