"""The example team's LLM pipeline, as driftgate's `command` target runs it.

driftgate writes one JSON object to stdin ({"case", "prompt", "vars", "context",
"sample"}) and reads the answer from stdout as {"output": ...}. A real pipeline would
call its model here; this one is deterministic so the demo runs offline.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from reports.deploy import report  # noqa: E402
from risk.extract import risks  # noqa: E402
from router.rules import route  # noqa: E402


def summarise_ticket(ticket: str) -> str:
    team = route(ticket)
    if team == "Billing":
        return (
            "The customer was charged twice on the March Pro invoice and asks for a refund; "
            f"route to {team}."
        )
    return f"The customer reports a problem with the product; route to {team}."


def answer(request: dict) -> str:
    case = request["case"]
    variables = request.get("vars") or {}
    if case.startswith("ticket_routing"):
        return summarise_ticket(variables["ticket"])
    if case == "pr_risk_extraction":
        return risks(variables["description"])
    if case == "deployment_report":
        return report(request["context"])
    raise SystemExit(f"example pipeline: no handler for case {case!r}")


if __name__ == "__main__":
    print(json.dumps({"output": answer(json.load(sys.stdin))}))
