"""Targets with real subprocesses and real files: outputs, errors, timeouts, the protocol."""

from __future__ import annotations

import json
import sys

from driftgate.config import load_suite
from driftgate.config.schema import CommandTarget, OutputsTarget
from driftgate.generate.command_target import CommandRunner
from driftgate.generate.outputs_target import OutputsFile
from driftgate.generate.runner import NO_TARGET, Targets, generate_all

PY = sys.executable


def suite_with(write_suite, body: str = ""):
    return load_suite(
        write_suite(
            f"""
            eval_suite:
              name: s
              cases:
                - name: greet
                  prompt: "Say hello to {{who}}"
                  vars: {{who: Ada}}
                  context: "ctx"
                  expected: Hello Ada
                - name: missing_var
                  prompt: "Say hello to {{nobody}}"
                  expected: Hello
            {body}
            """
        )
    )


def test_command_target_receives_the_protocol_and_reads_json(tmp_path, write_suite):
    script = tmp_path / "echo.py"
    script.write_text(
        "import json, os, sys\n"
        "req = json.load(sys.stdin)\n"
        "print(json.dumps({'output': json.dumps({**req, 'env': os.environ.get('DG_T')})}))\n"
    )
    suite = suite_with(write_suite)
    runner = CommandRunner(CommandTarget(type="command", command=f"{PY} {script}"), tmp_path)
    import os

    os.environ["DG_T"] = "passed-through"
    try:
        generation = runner.generate(suite.cases[0], 2)
    finally:
        del os.environ["DG_T"]
    received = json.loads(generation.output)
    assert received == {
        "case": "greet",
        "prompt": "Say hello to Ada",
        "vars": {"who": "Ada"},
        "context": "ctx",
        "sample": 2,
        "env": "passed-through",
    }
    assert generation.latency_s > 0


def test_command_target_plain_text_error_and_timeout(tmp_path, write_suite):
    suite = suite_with(write_suite)
    case = suite.cases[0]
    plain = CommandRunner(CommandTarget(type="command", command="echo '  plain text  '"), tmp_path)
    assert plain.generate(case, 0).output == "plain text"

    failing = CommandRunner(
        CommandTarget(
            type="command",
            command=f"{PY} -c \"import sys; sys.stderr.write('boom at line 3'); sys.exit(3)\"",
        ),
        tmp_path,
    )
    result = failing.generate(case, 0)
    assert result.output is None
    assert result.error.startswith("command exited 3")
    assert "boom at line 3" in result.error

    slow = CommandRunner(
        CommandTarget(
            type="command", command=f"{PY} -c 'import time; time.sleep(5)'", timeout_s=0.3
        ),
        tmp_path,
    )
    result = slow.generate(case, 0)
    assert result.output is None and "timed out after 0.3s" in result.error


def test_outputs_target_lines_samples_and_problems(tmp_path, write_suite):
    suite = suite_with(write_suite)
    path = tmp_path / "out.jsonl"
    path.write_text(
        '{"case": "greet", "output": "Hello Ada"}\n'
        '{"case": "greet", "output": "Hi Ada", "sample": 1}\n'
        "not json\n"
    )
    outputs = OutputsFile(OutputsTarget(type="outputs", path="out.jsonl"), tmp_path, tmp_path)
    assert outputs.generate(suite.cases[0], 0).output == "Hello Ada"
    assert outputs.generate(suite.cases[0], 1).output == "Hi Ada"
    missing = outputs.generate(suite.cases[1], 0)
    assert missing.output is None
    assert "no output for case 'missing_var'" in missing.error
    assert "out.jsonl:3: not valid JSON" in missing.error

    unreadable = OutputsFile(OutputsTarget(type="outputs", path="nope.jsonl"), tmp_path, tmp_path)
    result = unreadable.generate(suite.cases[0], 0)
    assert "cannot read outputs file" in result.error


def test_runner_keeps_every_result_when_some_fail(tmp_path, write_suite):
    suite = suite_with(
        write_suite,
        "  target: {type: command, command: \"python3 -c 'print(1)'\"}",
    )
    finished = []
    results = generate_all(
        list(suite.cases), Targets(suite), 4, on_done=lambda c, s, g: finished.append(c.name)
    )
    assert results[("greet", 0)].output == "1"
    assert "nobody" in results[("missing_var", 0)].error
    assert sorted(finished) == ["greet", "missing_var"]


def test_no_target_is_a_case_error(write_suite):
    suite = suite_with(write_suite)
    results = generate_all(list(suite.cases), Targets(suite), 2)
    assert results[("greet", 0)].error == NO_TARGET
