"""The published results schemas document every field, so a dashboard author reads what a
figure means (a mean over samples? in seconds? when null?) without opening the code."""

from __future__ import annotations

import json

import pytest

from driftgate.cli import main
from driftgate.monitor.results import Model as MonitorModel
from driftgate.results import Model as ResultsModel


def published(capsys, flag: str) -> dict:
    """The schema exactly as `driftgate schema --results / --monitor` prints it."""
    assert main(["schema", flag]) == 0
    return json.loads(capsys.readouterr().out)


def objects(schema: dict) -> list[tuple[str, dict]]:
    """The top level and every definition: each object schema a reader may meet."""
    return [("(top level)", schema), *schema.get("$defs", {}).items()]


def undescribed(schema: dict) -> list[str]:
    """`Model.field` for every property without a non-empty description."""
    return [
        f"{name}.{field}"
        for name, definition in objects(schema)
        for field, prop in definition.get("properties", {}).items()
        if not str(prop.get("description") or "").strip()
    ]


@pytest.mark.parametrize("flag", ["--results", "--monitor"])
def test_every_field_of_the_published_schema_has_a_description(capsys, flag):
    schema = published(capsys, flag)
    fields = sum(len(d.get("properties", {})) for _, d in objects(schema))
    assert fields > 50  # the whole format, not an empty schema that passes trivially
    missing = undescribed(schema)
    assert not missing, f"`driftgate schema {flag}`: no description for {', '.join(missing)}"


@pytest.mark.parametrize("flag", ["--results", "--monitor"])
def test_every_published_model_has_a_description(capsys, flag):
    schema = published(capsys, flag)
    bare = [name for name, d in objects(schema) if not str(d.get("description") or "").strip()]
    assert not bare, f"`driftgate schema {flag}`: no description for {', '.join(bare)}"


@pytest.mark.parametrize("base", [ResultsModel, MonitorModel], ids=["results", "monitor"])
def test_a_field_without_a_docstring_is_named(base):
    """What happens when someone adds a field and forgets its docstring: the check names it."""

    class Probe(base):
        documented: int = 0
        """Has its docstring."""
        forgotten: int = 0

    schema = {"$defs": {"Probe": Probe.model_json_schema()}}
    assert undescribed(schema) == ["Probe.forgotten"]
    assert schema["$defs"]["Probe"]["properties"]["documented"]["description"] == (
        "Has its docstring."
    )


def test_a_description_removed_from_the_published_schema_is_named(capsys):
    schema = published(capsys, "--results")
    del schema["$defs"]["CaseResult"]["properties"]["delta"]["description"]
    schema["properties"]["suite"]["description"] = "  "
    assert undescribed(schema) == ["(top level).suite", "CaseResult.delta"]


def test_descriptions_say_what_a_case_figure_is_reduced_from(capsys):
    defs = published(capsys, "--results")["$defs"]

    def said(model: str, field: str) -> str:
        return " ".join(defs[model]["properties"][field]["description"].split())

    case_similarity = said("CaseResult", "similarity")
    assert "mean" in case_similarity and "samples" in case_similarity
    assert "mean" not in said("SampleResult", "similarity")  # one sample's own score
    assert "median" in said("CaseResult", "latency_s").lower()
    assert "lowest" in said("CaseResult", "grounding_score")
    assert "+50%" in said("Summary", "latency_increase")
    assert "Holm" in said("CaseResult", "p_adjusted")


def test_monitor_descriptions_say_what_a_reader_needs(capsys):
    schema = published(capsys, "--monitor")
    defs = schema["$defs"]
    assert "--fail-on-rate" in defs["GroupSummary"]["properties"]["flag_rate"]["description"]
    assert "never a flag" in defs["SampleRecord"]["properties"]["similarity"]["description"]
    assert "YYYY-MM-DD" in defs["TrendPoint"]["properties"]["date"]["description"]
    assert "2,000" in schema["properties"]["listed"]["description"]
