"""JUnit output validated against the schema CI reporters use (tests/data/junit-10.xsd)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from driftgate.report.junit import render_junit, write_junit
from driftgate.results import CaseResult, JudgeResult, RunResults, Summary

DATA = Path(__file__).resolve().parent.parent / "data"
STRICT_XSD = (DATA / "junit-10.xsd").read_text(encoding="utf-8")
CASE_PROPERTIES = '<xs:element ref="properties" minOccurs="0"/>'


def junit_schema(strict: bool) -> xmlschema.XMLSchema:
    """junit-10, or (strict=False) junit-10 plus our one extension: <properties> first in
    <testcase>."""
    marker = "<!-- TESTCASE-PROPERTIES -->"
    assert marker in STRICT_XSD
    return xmlschema.XMLSchema(
        STRICT_XSD if strict else STRICT_XSD.replace(marker, CASE_PROPERTIES)
    )


@pytest.fixture(scope="module")
def strict_schema() -> xmlschema.XMLSchema:
    return junit_schema(strict=True)


@pytest.fixture(scope="module")
def extended_schema() -> xmlschema.XMLSchema:
    return junit_schema(strict=False)


def sample_results() -> RunResults:
    return RunResults(
        suite="support-bot",
        suite_path="evals/llm-evals.yaml",
        suite_hash="ab" * 32,
        embedding_model="all-MiniLM-L6-v2",
        judge_model="claude-sonnet-4-5",
        driftgate_version="0.1.0",
        git_sha="0123456789abcdef0123456789abcdef01234567",
        created_at="2026-11-22T01:00:00+00:00",
        summary=Summary(verdict="fail", gate_reasons=["1 critical case failed"], pass_at_1=0.5),
        cases=[
            CaseResult(
                name="refund policy",
                status="passed",
                similarity=0.9312,
                threshold=0.8,
                latency_s=0.42,
                tags=["billing"],
                definition_hash="1111",
                prompt_hash="2222",
                target="command:python bot.py",
                output="Refunds within 30 days.",
            ),
            CaseResult(
                name='cancel <plan> & "quotes"',
                status="failed",
                critical=True,
                similarity=0.61,
                threshold=0.8,
                reasons=["similarity 0.61 < 0.80", "missing 'cancel'"],
                output="bell\x07 and nul\x00 from a model",
                judge=JudgeResult(status="failed", score=2, reasoning="wrong plan"),
                latency_s=1.5,
            ),
            CaseResult(
                name="timeout",
                status="error",
                error="target timed out after 60 s",
                reasons=["target error"],
            ),
            CaseResult(
                name="docs only",
                selected=False,
                selection_reason="no trigger path changed",
                status="skipped",
            ),
            CaseResult(
                name="other shard case",
                selected=False,
                selection_reason="other shard (2/3); this job runs shard 1/3",
                run_by_shard="2/3",
                status="skipped",
            ),
        ],
    )


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_validates_against_junit_10_with_case_properties(extended_schema, tmp_path):
    path = tmp_path / "out" / "junit.xml"
    write_junit(sample_results(), path)
    extended_schema.validate(str(path))


def test_without_case_properties_it_is_strict_junit_10(strict_schema, extended_schema):
    """Case <properties> are the only thing the strict schema does not know."""
    text = render_junit(sample_results())
    assert not strict_schema.is_valid(text)
    root = parse(text)
    for case in root.iter("testcase"):
        for props in case.findall("properties"):
            case.remove(props)
    strict_schema.validate(ET.tostring(root, "unicode"))


def test_outcomes_map_to_failure_error_skipped():
    root = parse(render_junit(sample_results()))
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert "other shard case" not in cases
    assert list(cases) == ["refund policy", 'cancel <plan> & "quotes"', "timeout", "docs only"]
    assert [child.tag for child in cases["refund policy"]] == ["properties", "system-out"]
    failure = cases['cancel <plan> & "quotes"'].find("failure")
    assert failure.get("message") == "similarity 0.61 < 0.80; missing 'cancel'"
    assert "missing 'cancel'" in failure.text
    error = cases["timeout"].find("error")
    assert error.get("message") == "target timed out after 60 s"
    assert cases["docs only"].find("skipped").get("message") == "no trigger path changed"
    assert suite.get("tests") == "4"
    assert suite.get("failures") == "1"
    assert suite.get("errors") == "1"
    assert suite.get("skipped") == "1"
    assert root.get("tests") == "4"


def test_what_the_gate_holds_against_a_passed_or_unrun_case_is_a_failure(extended_schema):
    """Found: a critical case that passed its threshold but regressed (the gate fails) and
    a selected case `--max-cost` left unrun (counted as not passed) were a pass and a
    `<skipped>`: a CI that gates on JUnit failures went green on a red verdict."""
    results = sample_results()
    results.cases = [
        CaseResult(
            name="regressed",
            critical=True,
            status="passed",
            similarity=0.84,
            regression=True,
            regression_reason="drop 0.11, p = 0.002",
        ),
        CaseResult(name="unrun", status="skipped", reasons=["skipped (budget)"]),
        CaseResult(name="noisy", status="passed", regression=True),  # reported, not blocking
        CaseResult(name="docs", selected=False, selection_reason="no trigger", status="skipped"),
    ]
    text = render_junit(results)
    extended_schema.validate(text)
    suite = parse(text).find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["regressed"].find("failure").get("message") == "regressed: drop 0.11, p = 0.002"
    assert cases["unrun"].find("failure").get("message") == "not run: skipped (budget)"
    assert cases["unrun"].find("skipped") is None
    assert cases["noisy"].find("failure") is None
    assert cases["docs"].find("skipped") is not None
    assert (suite.get("failures"), suite.get("skipped")) == ("2", "1")


def test_scores_are_properties_and_in_system_out():
    root = parse(render_junit(sample_results()))
    case = next(c for c in root.iter("testcase") if c.get("name") == "refund policy")
    props = {p.get("name"): p.get("value") for p in case.find("properties")}
    assert props["similarity"] == "0.9312"
    assert props["threshold"] == "0.8"
    assert props["tags"] == "billing"
    assert props["definition_hash"] == "1111"
    assert case.get("time") == "0.420"
    assert "similarity=0.9312" in case.find("system-out").text
    suite_props = {p.get("name"): p.get("value") for p in root.find("testsuite/properties")}
    assert suite_props["suite.hash"] == "ab" * 32
    assert suite_props["verdict"] == "fail"
    assert suite_props["git.sha"].startswith("0123")


def test_control_characters_from_model_output_stay_well_formed():
    text = render_junit(sample_results())
    root = parse(text)  # raises on invalid XML
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("cancel"))
    out = case.find("system-out").text
    assert "bell\ufffd and nul\ufffd" in out
    assert "judge (2/5): wrong plan" in out
