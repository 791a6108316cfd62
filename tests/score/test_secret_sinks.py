"""Each sink passes the one redactor; a pasted key's trailing newline is not the key.

The end-to-end check (tests/action/test_secrets_never_leave.py) greps whole runs; these pin
each sink and leak source on its own, so a failure says which one broke.
"""

from __future__ import annotations

import io
import json

from driftgate.action.commands import Workflow, parse_outputs
from driftgate.anthropic_client import AnthropicSettings
from driftgate.cache import SECRET_NOT_STORED, Cache
from driftgate.config.schema import AnthropicTarget, JudgeConfig
from driftgate.cost import Budget
from driftgate.generate.anthropic_target import AnthropicRunner
from driftgate.redact import Redactor, installed
from driftgate.report.junit import render_junit
from driftgate.report.markdown import render_markdown
from driftgate.report.terminal import render_table
from driftgate.results import CaseResult, JudgeResult, RunResults
from driftgate.score.judge import Judge
from driftgate.traces import TraceWriter
from score.conftest import API_KEY

# JSON, HTML and XML escape these characters: the secret must be caught in every form.
ODD = 'pa"ss<wo>rd&\\-0042'


def leaky_results() -> RunResults:
    case = CaseResult(
        name="leaky",
        status="error",
        output=f"the key is {API_KEY} and {ODD}",
        error=f"command exited 1:\nTraceback: auth {API_KEY}",
        reasons=[f"stderr: {ODD}"],
        judge=JudgeResult(status="failed", score=1, reasoning=f"it printed {API_KEY}"),
    )
    return RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=[case])


def test_every_report_format_is_redacted(tmp_path):
    with installed(Redactor([API_KEY, ODD])):
        results = leaky_results()
        results.write(tmp_path / "r.json")
        texts = {
            "json": (tmp_path / "r.json").read_text(),
            "markdown": render_markdown(results),
            "junit": render_junit(results),
            "table": render_table(results),
        }
    for name, text in texts.items():
        assert API_KEY not in text, name
        for form in (ODD, json.dumps(ODD)[1:-1], "pa&quot;ss&lt;wo&gt;rd&amp;"):
            assert form not in text, (name, form)
        assert "***" in text, name
    data = json.loads(texts["json"])  # still valid JSON, masks inside the strings
    assert data["cases"][0]["output"] == "the key is *** and ***"
    assert results.cases[0].output.startswith("the key is sk-ant")  # the run's own copy: intact


def test_the_cache_never_stores_an_entry_with_a_secret(tmp_path):
    cache = Cache(tmp_path / "cache")
    with installed(Redactor([API_KEY])):
        cache.put("outputs", "a" * 64, {"output": f"echo {API_KEY}"})
        cache.put("judge", "b" * 64, {"reasoning": f"it said {API_KEY}"})
        cache.put("outputs", "c" * 64, {"output": "clean"})
    assert cache.get("outputs", "a" * 64) is None and cache.get("judge", "b" * 64) is None
    assert cache.get("outputs", "c" * 64) == {"output": "clean"}
    assert cache.warnings == [SECRET_NOT_STORED]
    stored = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert API_KEY not in stored and "clean" in stored


def test_traces_mask_what_the_process_knows_and_token_shapes(tmp_path):
    planted = "plain-password-value-1234"
    with installed(Redactor([planted])):
        writer = TraceWriter(tmp_path / "t")  # given no secrets: the installed ones apply
        path = writer.write("target", "c", {"prompt": planted}, {"text": f"{API_KEY}"})
    text = path.read_text()
    assert planted not in text and API_KEY not in text  # the key by its sk-ant- shape


def test_workflow_commands_outputs_and_summary_are_redacted(tmp_path):
    stream = io.StringIO()
    out = Workflow(stream, str(tmp_path / "output"), str(tmp_path / "summary.md"))
    with installed(Redactor([ODD])):
        out.mask(ODD)  # the only place the value is written: GitHub needs it to mask
        out.error(f"failed: {ODD}", file=f"{ODD}.yaml", title=f"driftgate: {ODD}")
        out.warning(f"careful {API_KEY}")
        out.log(f"progress {ODD}")
        with out.group(f"group {ODD}"):
            pass
        out.set_output("verdict", f"fail {ODD}")
        out.summary(f"summary {API_KEY}")
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("::add-mask::pa")
    rest = "\n".join(lines[1:]) + (tmp_path / "output").read_text()
    rest += (tmp_path / "summary.md").read_text()
    assert API_KEY not in rest and "pa" + '"ss' not in rest and "pa%22ss" not in rest
    assert parse_outputs((tmp_path / "output").read_text())["verdict"] == "fail ***"


def test_a_key_with_a_trailing_newline_is_stripped_for_the_target(fake, make_case):
    env = {"ANTHROPIC_API_KEY": API_KEY + "\n", "ANTHROPIC_BASE_URL": fake.base_url}
    fake.push(fake.text("fine"))
    runner = AnthropicRunner(
        AnthropicTarget(type="anthropic", model="m", max_retries=0),
        AnthropicSettings.from_env(env),  # as the edges build it
    )
    try:
        generation = runner.generate(make_case(), 0)
    finally:
        runner.close()
    assert generation.error is None and generation.output == "fine"
    assert fake.messages_requests()[0].api_key == API_KEY


def test_a_key_with_a_trailing_newline_is_stripped_for_the_judge(fake, make_case):
    fake.push(fake.tool_use("record_grade", {"score": 5, "reasoning": "ok", "critical_issues": []}))
    env = {"ANTHROPIC_API_KEY": API_KEY + "\r\n", "ANTHROPIC_BASE_URL": fake.base_url}
    judge = Judge.connect(JudgeConfig(max_retries=0), Budget(), AnthropicSettings.from_env(env))
    try:
        result = judge.grade(make_case(), "an output")
    finally:
        judge.close()
    assert result.status == "passed", result
    assert fake.messages_requests()[0].api_key == API_KEY


def test_an_api_error_echoing_the_key_is_masked_in_the_results(fake, settings, make_case):
    fake.push(fake.echoing_key(401))
    runner = AnthropicRunner(AnthropicTarget(type="anthropic", model="m", max_retries=0), settings)
    try:
        generation = runner.generate(make_case(), 0)
    finally:
        runner.close()
    assert API_KEY in generation.error  # the raw error does carry it...
    case = CaseResult(name="c", status="error", error=generation.error)
    results = RunResults(suite="s", suite_path="s.yaml", embedding_model="m", cases=[case])
    text = results.to_json()  # ...the results never do (by its sk-ant- shape, nothing installed)
    assert API_KEY not in text and "invalid x-api-key: ***" in text
