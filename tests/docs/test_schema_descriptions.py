"""The three published JSON Schemas explain every key and field: the suite file's, so an
editor shows it on hover, and the results files', so a dashboard author reads what a figure
means (a mean over samples? in seconds? when null?) without opening the code."""

from __future__ import annotations

import json

import pytest

from driftgate.cli import main
from driftgate.config.schema import Strict
from driftgate.monitor.results import Model as MonitorModel
from driftgate.results import Model as ResultsModel

SCHEMAS = ["(suite)", "--results", "--monitor"]


def published(capsys, which: str) -> dict:
    """The schema exactly as `driftgate schema [--results | --monitor]` prints it."""
    assert main(["schema"] if which == "(suite)" else ["schema", which]) == 0
    return json.loads(capsys.readouterr().out)


def descriptions(schema: dict) -> dict[str, str]:
    """The description of every model (the top one as `(top)`) and of every key of one
    (`Case.critical`), "" where there is none."""
    texts = {}
    for name, model in [("(top)", schema), *schema.get("$defs", {}).items()]:
        texts[name] = str(model.get("description") or "")
        for key, spec in model.get("properties", {}).items():
            texts[f"{name}.{key}"] = str(spec.get("description") or "")
    return texts


def undescribed(schema: dict) -> list[str]:
    return [name for name, text in descriptions(schema).items() if not text.strip()]


@pytest.mark.parametrize("which", SCHEMAS)
def test_every_key_and_model_of_a_published_schema_has_a_description(capsys, which):
    schema = published(capsys, which)
    assert len(descriptions(schema)) > 50  # the whole format, not an empty schema
    missing = undescribed(schema)
    assert missing == [], f"no description (write an attribute docstring) for {missing}"


@pytest.mark.parametrize("which", SCHEMAS)
def test_a_wrapped_docstring_is_one_line_in_the_schema(capsys, which):
    """yaml-language-server and VS Code's JSON service show a lone line break as a new
    paragraph, so the docstrings' wrapping must not reach the schema."""
    texts = descriptions(published(capsys, which))
    broken = sorted(k for k, text in texts.items() if "\n" in text.replace("\n\n", ""))
    assert broken == []
    assert not [k for k, text in texts.items() if "  " in text]


@pytest.mark.parametrize("base", [Strict, ResultsModel, MonitorModel])
def test_a_key_without_a_docstring_is_named(base):
    """What happens when someone adds a key and forgets its docstring: the check names it."""

    class Partly(base):
        """A model with one documented key."""

        said: int = 0
        """Documented, and wrapped
        over two lines."""
        unsaid: int = 0

    class Outer(base):
        """Holds the partly documented model."""

        inner: Partly = Partly()
        """The nested model."""

    schema = Outer.model_json_schema()
    assert undescribed(schema) == ["Partly.unsaid"]
    assert schema["$defs"]["Partly"]["properties"]["said"]["description"] == (
        "Documented, and wrapped over two lines."
    )


def test_a_description_removed_from_the_published_schema_is_named(capsys):
    schema = published(capsys, "--results")
    del schema["$defs"]["CaseResult"]["properties"]["delta"]["description"]
    schema["properties"]["suite"]["description"] = "  "
    assert undescribed(schema) == ["(top).suite", "CaseResult.delta"]


def test_suite_descriptions_carry_the_facts_a_user_needs(capsys):
    defs = published(capsys, "(suite)")["$defs"]
    critical = defs["Case"]["properties"]["critical"]["description"]
    assert "gate" in critical and "regress" in critical
    min_similarity = defs["Case"]["properties"]["min_similarity"]["description"]
    assert "default_threshold" in min_similarity  # where an unset value comes from
    assert "uncached" in defs["GateConfig"]["properties"]["max_latency_increase"]["description"]
    # A comment that documented a key became its description.
    assert "calibrate" in defs["Suite"]["properties"]["grounding_threshold"]["description"]


def test_results_descriptions_say_what_a_case_figure_is_reduced_from(capsys):
    defs = published(capsys, "--results")["$defs"]

    def said(model: str, field: str) -> str:
        return defs[model]["properties"][field]["description"]

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
