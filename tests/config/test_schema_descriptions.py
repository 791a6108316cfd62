"""The suite file's published JSON Schema explains every key, so an editor shows it on hover."""

from __future__ import annotations

import json

from driftgate.cli import main
from driftgate.config.schema import Strict


def published_schema(capsys) -> dict:
    """What `driftgate schema` prints, the file users point their editor at."""
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)


def undescribed(schema: dict) -> list[str]:
    """`Model.key` of every property, at the top and in `$defs`, without a description;
    `Model` alone for a definition without one."""
    missing = []
    objects = [("(top)", schema), *schema.get("$defs", {}).items()]
    for name, definition in objects:
        if name != "(top)" and not str(definition.get("description", "")).strip():
            missing.append(name)
        for key, spec in definition.get("properties", {}).items():
            if not str(spec.get("description", "")).strip():
                missing.append(f"{name}.{key}")
    return missing


def test_every_key_of_the_suite_schema_has_a_description(capsys):
    schema = published_schema(capsys)
    assert {"Suite", "Case", "Checks", "GateConfig", "MonitorTask"} <= set(schema["$defs"])
    missing = undescribed(schema)
    assert missing == [], f"keys without a description (write an attribute docstring): {missing}"


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
