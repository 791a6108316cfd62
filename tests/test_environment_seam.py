"""The environment is read at the edges only (cli.py, action/settings.py): every other
module gets what it needs (AnthropicSettings above all) passed down, so tests and the
action hand a run exactly the settings it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from driftgate.anthropic_client import AnthropicSettings

SRC = Path(__file__).resolve().parents[1] / "src" / "driftgate"
READS = re.compile(r"\bos\.environ\b|\bgetenv\b|\bos\.putenv\b|\benviron\[")
EDGES = {"cli.py", "action/settings.py"}
# Documented exceptions: none of them reads Anthropic (or any driftgate) settings.
ALLOWED = {
    # the local model must never be downloaded: offline switches set before transformers loads
    "score/embedder.py": ('os.environ.setdefault("HF_HUB_OFFLINE"', "os.environ.setdefault("),
    # git subprocesses inherit the environment (HOME, credential helpers), plus fixed switches
    "git.py": ("**os.environ,",),
    # a `command` target runs the team's script in the job's own environment
    "generate/process.py": ("env=env if env is not None else os.environ.copy()",),
}


def environment_reads(root: Path = SRC) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name in EDGES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not READS.search(line) or line.lstrip().startswith("#"):
                continue
            if any(allowed in line for allowed in ALLOWED.get(name, ())):
                continue
            found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_only_the_edges_read_the_environment():
    assert environment_reads() == [], (
        "read the environment in cli.py or action/settings.py and pass the value down "
        "(AnthropicSettings for the Anthropic key and base URL)"
    )


def test_the_seam_test_sees_a_read(tmp_path):
    """The check above can fail: a module that reads the key is reported with its line."""
    (tmp_path / "score").mkdir()
    (tmp_path / "score" / "sneaky.py").write_text(
        'import os\n\nKEY = os.environ.get("ANTHROPIC_API_KEY")\n', encoding="utf-8"
    )
    (tmp_path / "cli.py").write_text("import os\nos.environ.get('X')\n", encoding="utf-8")
    assert environment_reads(tmp_path) == [
        'score/sneaky.py:3: KEY = os.environ.get("ANTHROPIC_API_KEY")'
    ]


def test_no_module_below_the_edges_imports_os_environ_by_name():
    offenders = [
        p.relative_to(SRC).as_posix()
        for p in SRC.rglob("*.py")
        if re.search(r"from os import .*\b(environ|getenv)\b", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("env", "key", "endpoint"),
    [
        ({}, "", "https://api.anthropic.com"),
        ({"ANTHROPIC_API_KEY": "sk-ant-abc\n"}, "sk-ant-abc", "https://api.anthropic.com"),
        ({"ANTHROPIC_API_KEY": "  \n"}, "", "https://api.anthropic.com"),
        ({"ANTHROPIC_BASE_URL": "http://127.0.0.1:9/"}, "", "http://127.0.0.1:9"),
        ({"ANTHROPIC_BASE_URL": ""}, "", "https://api.anthropic.com"),
    ],
)
def test_settings_from_an_environment_mapping(env, key, endpoint):
    settings = AnthropicSettings.from_env(env)
    assert (settings.api_key, settings.endpoint) == (key, endpoint)


def test_settings_never_show_the_key():
    settings = AnthropicSettings.from_env(
        {"ANTHROPIC_API_KEY": "sk-ant-0123456789\n", "ANTHROPIC_AUTH_TOKEN": "tok-abcdef"}
    )
    assert "sk-ant" not in repr(settings) and "tok-abcdef" not in repr(settings)
    # the trace writer hides the key as sent and every other secret of the environment
    assert set(settings.trace_secrets) == {"tok-abcdef", "sk-ant-0123456789"}
