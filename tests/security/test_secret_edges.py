"""Secrets found where the first round of redaction did not look.

- A password inside a URL (`https://user:password@host`): package indexes, git remotes and
  proxies are configured this way in variables whose names say nothing secret
  (`PIP_INDEX_URL`, `HTTPS_PROXY`), and a command's stderr or an error message quotes them.
- `DRIFTGATE_DEBUG=1` (a team chasing a bug in CI): the traceback of an internal error used
  to be printed by Python after the redactor had been removed, with the exception's message
  (an API error echoing the key) in clear.
"""

from __future__ import annotations

import json
import sys

import pytest

from driftgate import cli
from driftgate.commands import validate
from driftgate.redact import MASK, Redactor, redact
from support import run_cli

URL_PASSWORD = "pr1vate-index-passw0rd"
URL = f"https://deploy:{URL_PASSWORD}@pypi.corp.example/simple/"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"pip: could not fetch {URL} (403)", "@pypi.corp.example/simple/"),
        (f"proxy=http://u:{URL_PASSWORD}@10.0.0.1:3128 refused", "@10.0.0.1:3128 refused"),
        (f"postgres://app:{URL_PASSWORD}@db/prod", "@db/prod"),
        (f"'https://x-access-token:{URL_PASSWORD}@github.com/o/r'", "@github.com/o/r'"),
    ],
)
def test_a_password_in_a_url_is_masked_without_any_environment(text, kept):
    masked = Redactor().text(text)
    assert URL_PASSWORD not in masked
    assert f"://{MASK}{kept}" in masked


def test_urls_without_credentials_are_left_alone():
    text = "see https://example.com:8443/path?a=b@c and mailto:me@example.com, git@github.com:o/r"
    assert redact(text) == text


def test_a_url_password_from_a_harmless_variable_never_reaches_a_report(tmp_path):
    """The whole CLI: a command target prints the index URL of its environment (a variable
    named PIP_INDEX_URL, not a secret by its name) to stdout and to stderr."""
    (tmp_path / "echo_url.py").write_text(
        "import json, os, sys\n"
        "json.load(sys.stdin)\n"
        "url = os.environ['PIP_INDEX_URL']\n"
        "if sys.argv[1] == 'fail':\n"
        "    print('ERROR: could not install from', url, file=sys.stderr)\n"
        "    sys.exit(1)\n"
        "print(json.dumps({'output': 'installed from ' + url}))\n"
    )
    cases = "\n".join(
        f"    - name: {how}\n"
        f"      expected: installed\n"
        f'      target: {{type: command, command: "{sys.executable} echo_url.py {how}"}}'
        for how in ("ok", "fail")
    )
    (tmp_path / "suite.yaml").write_text(f"eval_suite:\n  name: urls\n  cases:\n{cases}\n")
    outputs = [tmp_path / "r.json", tmp_path / "r.md", tmp_path / "r.xml"]
    done = run_cli(
        "run", "--config", "suite.yaml", "--all", "--no-cache",
        "--output-json", str(outputs[0]), "--report-md", str(outputs[1]),
        "--junit", str(outputs[2]),
        cwd=tmp_path,
        env={"PIP_INDEX_URL": URL, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )  # fmt: skip
    results = json.loads(outputs[0].read_text())
    shown = {case["name"]: case for case in results["cases"]}
    assert "installed from" in shown["ok"]["output"], "the source must carry the URL"
    assert "could not install" in (shown["fail"]["error"] or ""), shown["fail"]
    for text in [done.stdout, done.stderr, *(p.read_text() for p in outputs)]:
        assert URL_PASSWORD not in text


def test_the_debug_traceback_is_redacted_too(monkeypatch, capsys):
    """With DRIFTGATE_DEBUG the traceback is printed, through the redactor."""
    secret = "sk-ant-api03-debug0traceback0key"

    def crash(args):
        raise RuntimeError(f"Error code: 401 - invalid x-api-key {secret} (DEPLOY {URL})")

    monkeypatch.setattr(validate, "validate_command", crash)
    monkeypatch.setenv("DRIFTGATE_DEBUG", "1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", secret)
    code = cli.main(["validate", "suite.yaml"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback (most recent call last)" in err and "RuntimeError" in err
    assert secret not in err and URL_PASSWORD not in err
