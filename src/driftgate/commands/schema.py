"""print the suite file's JSON Schema

Prints a JSON Schema: the suite file's (for editors), or with --results or --monitor the
results files' (for dashboards and other readers).
"""

from __future__ import annotations

import argparse
import json
import sys

from driftgate.errors import EXIT_PASS

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--results", action="store_true", help="print the results JSON's schema instead"
    )
    which.add_argument(
        "--monitor", action="store_true", help="print the monitor results' schema instead"
    )
    parser.set_defaults(handler=schema_command)


def schema_command(args: argparse.Namespace) -> int:
    if args.results:
        from driftgate.results_schema import results_json_schema_text

        sys.stdout.write(results_json_schema_text())
        return EXIT_PASS
    if args.monitor:
        from driftgate.monitor.results import MonitorResults

        model = MonitorResults
        title = "driftgate monitor results (driftgate monitor --output-json)"
    else:
        from driftgate.config.schema import SuiteFile

        model = SuiteFile
        title = "driftgate suite file (llm-evals.yaml)"
    schema = model.model_json_schema()
    schema["$schema"] = DRAFT
    schema["title"] = title
    print(json.dumps(schema, indent=2))
    return EXIT_PASS
