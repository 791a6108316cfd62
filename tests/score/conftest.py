"""Fixtures for the quality layer: a running fake Messages API and case specs from YAML."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from driftgate.anthropic_client import AnthropicSettings
from driftgate.config.load import load_suite
from fakes.anthropic_server import FakeAnthropic

API_KEY = "sk-ant-test-0123456789abcdef-SECRET"


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
