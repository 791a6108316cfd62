"""Fixtures for the quality layer: a running fake Messages API and case specs from YAML."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from driftgate.anthropic_client import AnthropicSettings
from driftgate.config.load import load_suite
from fakes.anthropic_server import FakeAnthropic

API_KEY = "sk-ant-test-0123456789abcdef-SECRET"

_JUDGE_SETTINGS = """\
  concurrency: 1
  target: {type: outputs, path: outputs.jsonl}
  gate: {min_pass_rate: 0.0}
  judge: {model: claude-sonnet-4-5, max_retries: 0, timeout_s: 5}
  pricing:
    claude-sonnet-4-5: {input: 1000000, output: 0}
"""


def judged_suite_head(name: str) -> str:
    """The top of a suite YAML scored from outputs.jsonl, judged by the fake: one call at a time,
    no retries, and the judge's input priced high enough that every call shows in the cost."""
    return f"\neval_suite:\n  name: {name}\n{_JUDGE_SETTINGS}"


@pytest.fixture
def fake():
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(fake):
    """What the edges build from that environment (cli.py, action/settings.py)."""
    return AnthropicSettings(api_key=API_KEY, base_url=fake.base_url)


@pytest.fixture
def make_suite(tmp_path):
    """Load a suite from YAML text (or a dict of case overrides), through the real loader."""

    def build(cases: list[dict] | None = None, **suite_keys):
        cases = cases or [{"name": "c1", "prompt": "Summarise", "expected": "An answer."}]
        doc = {"eval_suite": {"name": "s", **suite_keys, "cases": cases}}
        path = tmp_path / "llm-evals.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return load_suite(path, root=tmp_path)

    return build


@pytest.fixture
def make_case(make_suite):
    def build(**case_keys):
        case = {"name": "c1", "prompt": "Summarise the ticket", "expected": "An answer."}
        case.update(case_keys)
        return make_suite([case]).cases[0]

    return build


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip()
