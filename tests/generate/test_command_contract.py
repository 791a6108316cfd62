"""The `command` target's output contract and limits, with real subprocesses."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from driftgate.config import load_suite
from driftgate.config.schema import CommandTarget
from driftgate.generate.command_target import CommandRunner
from driftgate.generate.runner import Targets, generate_one

PY = sys.executable
SUITE = """
eval_suite:
  name: s
  cases:
    - name: c
      prompt: "Hello"
      expected: Hello
"""


@pytest.fixture
def case(write_suite):
    return load_suite(write_suite(SUITE)).cases[0]


def run_python(tmp_path: Path, case, code: str, **target):
    script = tmp_path / "target.py"
    script.write_text("import sys, json, os, time\n" + code)
    cap = target.pop("max_output_chars", 1_000_000)
    spec = CommandTarget(type="command", command=f"{PY} {script}", **target)
    return CommandRunner(spec, tmp_path, cap).generate(case, 0)


@pytest.mark.parametrize(
    ("stdout", "message"),
    [
        ('{"text": "Hello"}', 'stdout is JSON but has no "output" key (keys: text)'),
        ('{"output": 42}', 'stdout is JSON but its "output" is int, not a string'),
        ('{"output": "Hel', "stdout starts with '{' but is not valid JSON (line 1 column 12"),
        (
            'DEBUG: loaded prompt\n{"output": "Hello"}',
            'stdout has text before its {"output": ...} object (line 2',
        ),
        ("   \n\t ", "the target printed nothing"),
        ('{"output": "  "}', "the target printed nothing"),
    ],
)
def test_stdout_that_is_not_an_answer_is_an_error(tmp_path, case, stdout, message):
    (tmp_path / "stdout.txt").write_text(stdout)
    generation = run_python(tmp_path, case, "sys.stdout.write(open('stdout.txt').read())")
    assert generation.output is None
    assert message in generation.error


def test_plain_text_and_json_output_are_answers(tmp_path, case):
    assert run_python(tmp_path, case, "print('  Hello there  ')").output == "Hello there"
    code = "print(json.dumps({'output': ' Hi ', 'debug': 1}))"
    assert run_python(tmp_path, case, code).output == "Hi"


def test_undecodable_bytes_are_replaced_with_a_warning(tmp_path, case):
    code = "sys.stdout.buffer.write(b'caf\\xe9 ok'); sys.stderr.buffer.write(b'\\xff')"
    generation = run_python(tmp_path, case, code)
    assert generation.output == "caf\ufffd ok"
    assert generation.warnings == (
        "stdout is not valid UTF-8: 1 undecodable byte replaced with \ufffd",
    )
    failing = run_python(tmp_path, case, "sys.stderr.buffer.write(b'bad \\xff byte'); sys.exit(4)")
    assert "bad \ufffd byte" in failing.error
    assert "stderr is not valid UTF-8" not in failing.error
    assert failing.warnings == (
        "stderr is not valid UTF-8: 1 undecodable byte replaced with \ufffd",
    )


def test_errors_show_the_tail_of_stderr(tmp_path, case):
    """A traceback's last line names the exception; the head of stderr does not."""
    code = (
        "for i in range(200): print(f'log line {i}', file=sys.stderr)\n"
        "raise KeyError('OPENAI_API_KEY')\n"
    )
    generation = run_python(tmp_path, case, code)
    assert generation.error.startswith("command exited 1")
    lines = generation.error.splitlines()
    assert lines[-1] == "KeyError: 'OPENAI_API_KEY'"
    assert len(lines) <= 7 and "log line 0" not in generation.error
    from driftgate.report.terminal import render_table
    from driftgate.results import CaseResult, RunResults

    result = CaseResult(name="c", status="error", reasons=[generation.error], samples_n=1)
    table = render_table(RunResults(suite="s", suite_path="s", embedding_model="m", cases=[result]))
    assert "KeyError: 'OPENAI_API_KEY'" in table


def test_a_long_output_is_cut_with_a_warning(tmp_path, case):
    generation = run_python(tmp_path, case, "print('a' * 5000)", max_output_chars=1000)
    assert generation.output == "a" * 1000
    assert generation.warnings == ("output of 5,000 characters cut to max_output_chars 1,000",)


def test_stdout_is_read_bounded_as_it_streams(tmp_path, case):
    """20 MB of stdout keeps only the head: the rest is counted and dropped."""
    code = "chunk = b'x' * (1 << 20)\nfor _ in range(20): sys.stdout.buffer.write(chunk)\n"
    generation = run_python(tmp_path, case, code, max_output_chars=1000)
    assert generation.output == "x" * 1000
    assert generation.warnings == (
        "stdout of 20,971,520 bytes cut to max_output_chars 1,000 characters",
    )
    from driftgate.generate.process import run_command

    done = run_command(f"{PY} {tmp_path / 'target.py'}", tmp_path, b"", 30, 4096)
    assert (len(done.stdout), done.stdout_total, done.returncode) == (4096, 20 << 20, 0)


def test_suite_setting_max_output_chars_applies_to_every_target(tmp_path, write_suite):
    suite = load_suite(
        write_suite(
            """
            eval_suite:
              name: s
              max_output_chars: 10
              target: {type: command, command: "echo 0123456789abcdef"}
              cases:
                - name: c
                  expected: x
            """
        )
    )
    generation = generate_one(Targets(suite), suite.cases[0], 0)
    assert generation.output == "0123456789"
    assert "cut to max_output_chars 10" in generation.warnings[0]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_timeout_kills_the_whole_process_group(tmp_path, case):
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    started = time.monotonic()
    generation = run_python(tmp_path, case, code, timeout_s=1.0)
    assert "timed out after 1s" in generation.error
    assert "process group was killed" in generation.error
    assert time.monotonic() - started < 10
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild), "a grandchild outlived the timeout"


def test_a_background_child_holding_stdout_does_not_time_the_case_out(tmp_path, case):
    spec = CommandTarget(
        type="command",
        command='sleep 30 & echo \'{"output": "done"}\'',
        timeout_s=10,
    )
    started = time.monotonic()
    generation = CommandRunner(spec, tmp_path).generate(case, 0)
    assert generation.error is None, generation.error
    assert generation.output == "done"
    assert time.monotonic() - started < 5


def test_the_request_reaches_a_command_that_reads_it_late(tmp_path, case):
    code = "time.sleep(0.2)\nprint(json.load(sys.stdin)['case'])\n"
    assert run_python(tmp_path, case, code).output == "c"
    assert os.environ.get("DRIFTGATE_DEBUG") is None


def test_markdown_keeps_the_end_of_a_long_error():
    from driftgate.report.markdown import render_markdown
    from driftgate.results import CaseResult, RunResults

    error = (
        "command exited 1: x\n" + "\n".join(["noise " * 60] * 4) + "\nKeyError: 'OPENAI_API_KEY'"
    )
    result = CaseResult(name="c", status="error", critical=True, reasons=[error], samples_n=1)
    results = RunResults(suite="s", suite_path="s", embedding_model="m", cases=[result])
    from driftgate.gate import summarize

    summarize(results)
    assert "KeyError: 'OPENAI_API_KEY'" in render_markdown(results)
