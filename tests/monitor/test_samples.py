"""Reading a production log: bad lines are located and skipped, `--limit` is a seeded sample."""

from __future__ import annotations

import json

import pytest
from monitor_helpers import sample, write_log

from driftgate.errors import UsageError
from driftgate.monitor.samples import Reading, parse_since, read_samples, reservoir


def read(path, since=None):
    reading = Reading(str(path))
    return list(read_samples(path, reading, parse_since(since))), reading


def test_bad_lines_are_reported_with_file_and_line_and_the_rest_is_read(tmp_path):
    log = write_log(
        tmp_path / "log.jsonl",
        [
            sample(id="ok1"),
            "{not json",
            b"\xff\xfe{}",
            "[1, 2]",
            {"id": "no-output"},
            '{"output": "x", "latency_s": Infinity}',
            "",
            sample(id="ok2"),
        ],
    )
    lines, reading = read(log)
    assert [line.sample.id for line in lines] == ["ok1", "ok2"]
    assert [line.number for line in lines] == [1, 8]
    problems = dict(reading.bad)
    assert set(problems) == {2, 3, 4, 5, 6}
    assert "not valid JSON" in problems[2]
    assert "not UTF-8" in problems[3]
    assert "not an object" in problems[4]
    assert "`output`" in problems[5] and "needs the model's `output`" in problems[5]
    assert "Infinity" in problems[6]
    assert reading.problems()[0].startswith(f"{log}:2: ")


def test_since_keeps_samples_created_at_or_after_and_counts_the_rest(tmp_path):
    log = write_log(
        tmp_path / "log.jsonl",
        [
            sample(id="old", created_at="2026-11-30T23:59:59Z"),
            sample(id="new", created_at="2026-12-01T00:00:00+00:00"),
            sample(id="naive", created_at="2026-12-02T08:00:00"),
            sample(id="undated"),
        ],
    )
    lines, reading = read(log, since="2026-12-01")
    assert [line.sample.id for line in lines] == ["new", "naive"]
    assert reading.before_since == 2


def test_a_bad_since_is_a_usage_error():
    with pytest.raises(UsageError, match="--since 'yesterday'"):
        parse_since("yesterday")


def test_missing_samples_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="samples file not found"):
        read(tmp_path / "nope.jsonl")


def test_limit_is_a_reproducible_seeded_sample_in_file_order(tmp_path):
    log = write_log(tmp_path / "log.jsonl", [sample(id=str(i)) for i in range(1000)])

    def pick(seed):
        reading = Reading(str(log))
        return [line.number for line in reservoir(read_samples(log, reading), 50, seed)]

    first, again, other = pick(7), pick(7), pick(8)
    assert first == again
    assert first != other
    assert len(first) == 50 and first == sorted(first)
    assert max(first) > 500  # not just the head of the file


def test_ids_may_be_numbers_in_the_log(tmp_path):
    log = write_log(tmp_path / "log.jsonl", [json.dumps({"id": 17, "output": "x"})])
    lines, _ = read(log)
    assert lines[0].sample.id == "17"


DEEP = "[" * 100_000 + "]" * 100_000  # far under MAX_LINE_BYTES, far over Python's recursion limit


def test_a_line_nested_too_deeply_is_a_bad_line_not_the_end_of_the_run(tmp_path):
    """json.loads raises RecursionError (not ValueError) on deep nesting: one hostile line
    must not stop the reading of a 100,000-line log."""
    log = write_log(
        tmp_path / "log.jsonl",
        [sample(id="ok1"), '{"output": "x", "vars": {"a": ' + DEEP + "}}", DEEP, sample(id="ok2")],
    )
    lines, reading = read(log)
    assert [line.sample.id for line in lines] == ["ok1", "ok2"]
    problems = dict(reading.bad)
    assert set(problems) == {2, 3}
    assert all("not valid JSON" in problems[n] and "nested" in problems[n] for n in (2, 3))


def test_an_unpaired_surrogate_is_a_bad_line_not_a_crash_later(tmp_path):
    r"""JSON may escape half a UTF-16 pair (`"\ud800"`, what a writer that cut a string in the
    middle of an emoji leaves); such a string is not text: every encoder downstream (the
    sentence splitter, the results file) raised on it and ended the run."""
    log = write_log(
        tmp_path / "log.jsonl",
        [
            sample(id="ok"),
            r'{"output": "Refund of \ud800 dollars."}',
            r'{"output": "fine", "id": "\uDC00x"}',
            r'{"output": "an emoji \ud83d\ude00 is a whole pair"}',
        ],
    )
    lines, reading = read(log)
    assert [line.number for line in lines] == [1, 4]
    assert lines[1].sample.output == "an emoji \U0001f600 is a whole pair"
    problems = dict(reading.bad)
    assert set(problems) == {2, 3}
    assert "half of a UTF-16 pair" in problems[2]


def test_a_negative_token_count_is_a_bad_line_not_a_negative_cost(tmp_path):
    """Latency already had to be >= 0; tokens did not, and -5,000,000 input tokens made the
    monitor report a cost of -$15 for the whole log."""
    log = write_log(
        tmp_path / "log.jsonl",
        [
            sample(id="ok", tokens={"input": 10, "output": 5}),
            sample(id="neg", tokens={"input": -5_000_000, "output": 3}),
            sample(id="api", tokens={"input_tokens": 10, "output_tokens": -1}),
        ],
    )
    lines, reading = read(log)
    assert [line.sample.id for line in lines] == ["ok"]
    problems = dict(reading.bad)
    assert set(problems) == {2, 3}
    assert "`tokens.input`" in problems[2] and "greater than or equal to 0" in problems[2]
