"""Routing rules of the example pipeline: the file a PR would change to retune routing."""

TEAMS = {
    "invoice": "Billing",
    "refund": "Billing",
    "charged": "Billing",
    "503": "Infrastructure on-call",
    "outage": "Infrastructure on-call",
}


def route(ticket: str) -> str:
    lowered = ticket.lower()
    for word, team in TEAMS.items():
        if word in lowered:
            return team
    return "General support"
