"""A suite file from a pull request cannot drive the terminal of whoever runs driftgate on it.

YAML's double-quoted strings take `\\e`, so a case or suite name can hold terminal escape
sequences: OSC 52 writes the reader's clipboard, OSC 0 sets the window title, `ESC[2K` with a
carriage return erases what was printed. The progress lines and warnings printed them raw;
every printed line now shows them as text (`\\x1b]52;…`).
"""

from __future__ import annotations

import io
import sys

from driftgate.redact import RedactingStream, Redactor, installed
from support import run_cli

CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\x08", "\u202e")
SUITE = f"""\
eval_suite:
  name: "esc\\e]0;pwned\\a"
  cases:
    - name: "clip\\e]52;c;ZXZpbA==\\a\\e[2K\\x9b2J\\b\\u202e"
      expected: hi
      target: {{type: command, command: "{sys.executable} answer.py"}}
"""


def test_names_with_terminal_escapes_are_printed_as_text(tmp_path):
    (tmp_path / "llm-evals.yaml").write_text(SUITE)
    (tmp_path / "answer.py").write_text(
        "import json, sys\njson.load(sys.stdin)\nprint(json.dumps({'output': 'hi'}))\n"
    )
    done = run_cli(
        "run", "--all", "--no-cache", cwd=tmp_path,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = done.stdout + done.stderr
    assert "[1/1] clip" in done.stderr, "the progress line must carry the name"
    assert "\\x1b]52;c;ZXZpbA==\\x07" in done.stderr
    for char in CONTROLS:
        assert char not in printed, repr(char)


def test_a_secret_holding_a_control_character_is_still_masked():
    secret = "abc\x1bdefghij-secret"
    sink = io.StringIO()
    with installed(Redactor([secret])):
        stream = RedactingStream(sink)
        stream.write(f"value {secret} end\n")
        stream.close_line()
    assert sink.getvalue() == "value *** end\n"
