import json

from driftgate.anthropic_client import AnthropicSettings
from driftgate.traces import REDACTED, TraceWriter, scrub

KEY = "sk-ant-api03-very-secret-key"


def test_scrub_drops_credential_headers_and_every_copy_of_the_key():
    record = {
        "headers": {"Authorization": f"Bearer {KEY}", "X-Api-Key": KEY, "request-id": "req_1"},
        "body": {"messages": [{"content": f"my key is {KEY}!"}], "n": 3, "ok": True},
        "list": [KEY, None, 1.5],
    }
    clean = scrub(record, [KEY])
    assert KEY not in json.dumps(clean)
    assert clean["headers"] == {
        "Authorization": REDACTED,
        "X-Api-Key": REDACTED,
        "request-id": "req_1",
    }
    assert clean["body"]["messages"][0]["content"] == f"my key is {REDACTED}!"
    assert clean["body"]["n"] == 3 and clean["list"][1:] == [None, 1.5]


def test_secrets_come_from_the_environment_names():
    assert AnthropicSettings.from_env({"ANTHROPIC_API_KEY": KEY, "OTHER": "x"}).secrets == (KEY,)
    assert AnthropicSettings.from_env({}).secrets == ()


def test_writer_numbers_files_and_never_writes_the_key(tmp_path):
    writer = TraceWriter(tmp_path / "traces", secrets=[KEY])
    first = writer.write(
        "target",
        "refund summary/1",
        {"model": "m", "messages": [{"content": "hi " + KEY}]},
        '{"id": "msg_1", "content": []}',
        status=200,
        headers={"authorization": KEY},
    )
    second = writer.write("judge", "c", {"model": "m"}, "not json", status=500, error="boom")
    assert first.name == "00001-target-refund_summary_1-s0-a1.json"
    assert second.name.startswith("00002-judge-c-")
    data = json.loads(first.read_text())
    assert data["response"]["body"] == {"id": "msg_1", "content": []}
    assert data["request"]["messages"][0]["content"] == "hi " + REDACTED
    assert json.loads(second.read_text())["response"]["body"] == "not json"
    for path in (tmp_path / "traces").iterdir():
        assert KEY not in path.read_text()
