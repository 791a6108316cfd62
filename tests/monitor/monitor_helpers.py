"""The monitor tests' suite file, production log rows and their writer."""

from __future__ import annotations

import json
from pathlib import Path

SUITE = """\
# The support bot's suite: comments and layout must survive `promote`.
eval_suite:
  name: "Support bot"
  target: {type: command, command: "python pipeline.py"}
  judge: {policy: never}
  monitor:
    tasks:
      summarize:
        description: "Summarise a support ticket in one sentence"
        checks: {max_length: 120, not_contains: ["As an AI"]}
  cases:
    # the main case
    - name: ticket_summary
      prompt: "Summarize: {ticket}"
      vars: {ticket: "Login fails after reset"}
      expected: "Customer reports login failure after password reset"
      critical: true
      task: summarize
      checks: {not_contains: ["lorem"]}
  # end of the cases
"""

CONTEXT = "The user reset the password on Monday. Login now fails with error 403."


def sample(**fields) -> dict:
    return {"output": "The user cannot log in after the password reset.", **fields}


def write_log(path: Path, rows: list) -> Path:
    lines = [row if isinstance(row, str | bytes) else json.dumps(row) for row in rows]
    data = b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
    path.write_bytes(data)
    return path
