"""A small suite with every outcome, answered by a tiny `command` target (bot.py)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

BOT = """
import json, sys
request = json.load(sys.stdin)
name = request["case"]
answers = {
    "refund": "Refunds are available within 30 days of purchase.",
    "outage": "The API has returned 503 errors since 09:10 UTC; page infrastructure on-call.",
    "password": "Use the reset link on the login page to choose a new password.",
    "invoice": "Your invoice is attached to the billing email each month.",
    "weather": "I like turtles.",
    "shipping": "Orders ship within two business days.",
    "cancel": "Bananas are yellow.",
    "grounded": "The plan costs 25 dollars per month. It includes five seats.",
    "tagged_a": "Exports are available as CSV files.",
    "tagged_b": "Single sign-on is available on the Enterprise plan.",
    "sampled": ["The office opens at nine in the morning.", "Cats sleep a lot."],
}
if name == "crashes":
    sys.stderr.write("model backend unavailable")
    sys.exit(3)
answer = answers[name]
if isinstance(answer, list):
    answer = answer[request["sample"] % len(answer)]
print(json.dumps({"output": answer}))
"""

SUITE = """
eval_suite:
  name: shard-demo
  default_threshold: 0.8
  gate:
    min_pass_rate: 0.9
  target:
    type: command
    command: {python} -S -E bot.py
  cases:
    - name: refund
      prompt: "What is the refund policy?"
      expected: "Refunds are available within 30 days of purchase."
      critical: true
    - name: outage
      prompt: "Summarise: {{ticket}}"
      vars: {{ticket: "every API call returns 503 since 09:10"}}
      expected: "API calls fail with 503 since 09:10 UTC; route to infrastructure on-call."
    - name: password
      prompt: "How do I reset my password?"
      expected: "Click the reset link on the login page and pick a new password."
    - name: invoice
      prompt: "Where is my invoice?"
      expected: "Invoices are emailed monthly with the billing message."
      min_similarity: 0.5
    - name: weather
      prompt: "What's the weather like?"
      expected: "I cannot check live weather conditions."
    - name: shipping
      prompt: "When will my order ship?"
      expected: "Orders ship within two business days."
    - name: cancel
      prompt: "How do I cancel?"
      expected: "Cancel from Settings, then Billing, then Cancel plan."
    - name: crashes
      prompt: "Anything"
      expected: "Something"
    - name: grounded
      prompt: "Describe the plan."
      context: "The Team plan costs 20 dollars per month and includes five seats."
      check_grounding: true
      expected: "The plan is 20 dollars a month with five seats."
      min_similarity: 0.6
    - name: tagged_a
      prompt: "Can I export?"
      expected: "You can export data to CSV."
      tags: [exports]
      min_similarity: 0.6
    - name: tagged_b
      prompt: "Do you support SSO?"
      expected: "SSO is part of the Enterprise plan."
      tags: [sso]
      min_similarity: 0.6
    - name: sampled
      prompt: "When do you open?"
      expected: "We open at 9 am."
      samples: 2
      min_similarity: 0.6
"""


def write_suite(folder: Path, extra: str = "") -> Path:
    (folder / "bot.py").write_text(BOT, encoding="utf-8")
    path = folder / "llm-evals.yaml"
    path.write_text(textwrap.dedent(SUITE.format(python=sys.executable)) + extra, encoding="utf-8")
    return path
