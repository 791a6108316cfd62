"""The published JSON Schema of the results file (`driftgate schema --results`).

Generated from the pydantic model that writes the file, so the two cannot drift apart;
dashboards validate against it and pin `schema_version`.
"""

from __future__ import annotations

import json

from driftgate.results import SCHEMA_VERSION, RunResults

SCHEMA_ID = f"urn:driftgate:results:v{SCHEMA_VERSION}"


def results_json_schema() -> dict:
    schema = RunResults.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "driftgate results",
        "description": (
            f"What `driftgate run --output-json` and `driftgate merge --output-json` write "
            f"(schema_version {SCHEMA_VERSION}). Fields are only ever added, never renamed."
        ),
        **{k: v for k, v in schema.items() if k not in {"title", "description"}},
    }


def results_json_schema_text() -> str:
    return json.dumps(results_json_schema(), indent=2) + "\n"
