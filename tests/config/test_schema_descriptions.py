"""The suite file's published JSON Schema explains every key, so an editor shows it on hover."""

from __future__ import annotations

import json

from driftgate.cli import main
from driftgate.config.schema import Strict


def published_schema(capsys) -> dict:
    """What `driftgate schema` prints, the file users point their editor at."""
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)


def descriptions(schema: dict) -> dict[str, str]:
    """The description of every model (`Case`, the top one as `(top)`) and of every key of
    one (`Case.critical`), "" where there is none."""
    texts = {}
    for name, model in [("(top)", schema), *schema.get("$defs", {}).items()]:
        texts[name] = str(model.get("description", ""))
        for key, spec in model.get("properties", {}).items():
            texts[f"{name}.{key}"] = str(spec.get("description", ""))
    return texts


def undescribed(schema: dict) -> list[str]:
    return [name for name, text in descriptions(schema).items() if not text.strip()]


def test_every_key_of_the_suite_schema_has_a_description(capsys):
    schema = published_schema(capsys)
    assert {"Suite", "Case", "Checks", "GateConfig", "MonitorTask"} <= set(schema["$defs"])
    missing = undescribed(schema)
    assert missing == [], f"keys without a description (write an attribute docstring): {missing}"


def test_a_wrapped_docstring_is_one_line_on_hover(capsys):
    """yaml-language-server and VS Code's JSON service show a lone line break as a new
    paragraph, so the docstrings' wrapping must not reach the schema."""
    texts = descriptions(published_schema(capsys))
    broken = sorted(k for k, text in texts.items() if "\n" in text.replace("\n\n", ""))
    assert broken == []
    assert "  " not in texts["Case.critical"]


def test_a_key_without_a_docstring_is_named():
    class Partly(Strict):
        """A model with one documented key."""

        said: int = 0
        """Documented."""
        unsaid: int = 0

    class Outer(Strict):
        """Holds the partly documented model."""

        inner: Partly = Partly()
        """The nested model."""

    assert undescribed(Outer.model_json_schema()) == ["Partly.unsaid"]


def test_descriptions_carry_the_facts_a_user_needs(capsys):
    defs = published_schema(capsys)["$defs"]
    critical = defs["Case"]["properties"]["critical"]["description"]
    assert "gate" in critical and "regress" in critical
    min_similarity = defs["Case"]["properties"]["min_similarity"]["description"]
    assert "default_threshold" in min_similarity  # where an unset value comes from
    assert "uncached" in defs["GateConfig"]["properties"]["max_latency_increase"]["description"]
    # A comment that documented a key became its description.
    assert "calibrate" in defs["Suite"]["properties"]["grounding_threshold"]["description"]
