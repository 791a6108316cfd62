"""The redactor's invariants, tried on generated text with hypothesis.

1. No planted secret survives, whatever text surrounds it (and however often it appears).
2. Overlapping or adjacent secrets leave no part of either: the covered span is one mask.
3. Text with no secret and no token shape is returned unchanged; redacting is idempotent.
4. Token shapes are masked inside longer text with no secret installed.
5. A stream gives the same output however its writes are chunked (a secret split across two
   writes is still seen whole), and that output holds no secret.
6. Serialized forms (JSON, HTML) of a secret are masked too, so a written file can be checked.
7. Neutralized text holds no line GitHub's runner would read as a command, and differs from
   the original only by invisible spaces.
"""

from __future__ import annotations

import html
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from driftgate.redact import (
    MASK,
    TOKEN_SHAPES,
    ZERO_WIDTH_SPACE,
    RedactingStream,
    Redactor,
    installed,
    neutralize_commands,
    secrets_from_env,
)
from fakes.workflow_runner import commands

# A shared 2-core machine: no deadline. No example database in the work tree.
fast = settings(deadline=None, max_examples=150, database=None)

# Secrets are trimmed (values are stripped when collected) and at least 8 characters.
secret = st.text(min_size=8, max_size=30).map(str.strip).filter(lambda s: len(s) >= 8)
ascii_secret = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=30
)
filler = st.text(max_size=40)


def interleave(pieces: list[str], secrets: list[str], picks: list[int]) -> str:
    out = []
    for i, piece in enumerate(pieces):
        out.append(piece)
        out.append(secrets[picks[i % len(picks)] % len(secrets)])
    return "".join(out)


@fast
@given(
    st.lists(secret, min_size=1, max_size=4),
    st.lists(filler, min_size=1, max_size=5),
    st.lists(st.integers(0, 10), min_size=1, max_size=5),
)
def test_no_planted_secret_survives(secrets, pieces, picks):
    text = interleave(pieces, secrets, picks)
    clean = Redactor(secrets).text(text)
    for value in secrets:
        assert value not in clean


@fast
@given(ascii_secret, st.text(min_size=1, max_size=10), ascii_secret, filler, filler)
def test_overlapping_secrets_become_one_mask(head, shared, tail, left, right):
    first, second = head + shared, shared + tail
    redactor = Redactor([first, second])
    assert redactor.text(head + shared + tail) == MASK  # no part of either is left
    clean = redactor.text(left + head + shared + tail + right)
    assert first not in clean and second not in clean


@fast
@given(filler)
def test_text_without_secrets_is_unchanged_and_redaction_is_idempotent(text):
    redactor = Redactor(["a-secret-value-123"])
    clean = redactor.text(text)
    if "a-secret-value-123" not in text and not TOKEN_SHAPES.search(text):
        assert clean == text
    assert redactor.text(clean) == clean


tokens = st.one_of(
    st.from_regex(r"sk-ant-api03-[A-Za-z0-9_\-]{20,40}", fullmatch=True),
    st.from_regex(r"gh[pousr]_[A-Za-z0-9]{36}", fullmatch=True),
    st.from_regex(r"github_pat_[A-Za-z0-9_]{22,60}", fullmatch=True),
)


@fast
@given(tokens, filler, filler)
def test_token_shapes_are_masked_inside_longer_text_with_nothing_installed(token, left, right):
    clean = Redactor().text(f"{left}{token}{right}")
    assert token not in clean
    assert MASK in clean


@fast
@given(
    st.lists(secret.filter(lambda s: "\n" not in s and "\r" not in s), min_size=1, max_size=3),
    st.lists(filler, min_size=1, max_size=4),
    st.lists(st.integers(0, 10), min_size=1, max_size=4),
    st.lists(st.integers(1, 15), min_size=1, max_size=30),
)
def test_a_stream_sees_a_secret_split_across_writes(secrets, pieces, picks, cuts):
    text = interleave(pieces, secrets, picks) + "\n"
    with installed(Redactor(secrets)):
        whole, chunked = io.StringIO(), io.StringIO()
        stream = RedactingStream(whole, commands=False)
        stream.write(text)
        stream.close_line()
        stream = RedactingStream(chunked, commands=False)
        position, i = 0, 0
        while position < len(text):
            size = cuts[i % len(cuts)]
            stream.write(text[position : position + size])
            position, i = position + size, i + 1
        stream.close_line()
    assert chunked.getvalue() == whole.getvalue()
    for value in secrets:
        assert value not in chunked.getvalue()


@fast
@given(st.lists(secret, min_size=1, max_size=3), filler)
def test_serialized_forms_are_masked_too(secrets, around):
    redactor = Redactor(secrets)
    record = {"output": around.join(secrets), "list": [f"{around}{s}" for s in secrets]}
    for text in (
        json.dumps(record),
        json.dumps(record, ensure_ascii=False),
        html.escape(json.dumps(record, ensure_ascii=False)),
    ):
        clean = redactor.text(text)
        for value in secrets:
            assert json.dumps(value)[1:-1] not in clean
            assert json.dumps(value, ensure_ascii=False)[1:-1] not in clean
    data = json.dumps(redactor.data(record), ensure_ascii=False)
    for value in secrets:
        assert json.dumps(value, ensure_ascii=False)[1:-1] not in data


def test_secrets_from_env_picks_names_and_lengths():
    env = {
        "ANTHROPIC_API_KEY": "sk-ant-real-key\n",  # a pasted key: the newline is not the secret
        "GITHUB_TOKEN": "ghs_short",
        "INPUT_GITHUB-TOKEN": "ghs_from_the_input_123",
        "DB_PASSWORD": "hunter2hunter2",
        "MY_SECRET_THING": "s3cr3t-value",
        "SHORT_TOKEN": "1234567",  # under 8 characters: not treated as a secret
        "TOKENIZERS_PARALLELISM": "false",
        "HOME": "/home/runner/a-long-path-value",
    }
    assert secrets_from_env(env) == (
        "sk-ant-real-key",
        "ghs_short",
        "ghs_from_the_input_123",
        "hunter2hunter2",
        "s3cr3t-value",
    )


def test_a_multiline_secret_is_masked_line_by_line():
    key = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----"
    clean = Redactor([key]).text("log: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC was used")
    assert clean == f"log: {MASK} was used"


command_text = st.lists(
    st.sampled_from(list(":#[] \t\r\n\u2003\u200bxe") + ["::", "##[", "\r\n", "::error::"]),
    max_size=30,
).map("".join)


@fast
@given(st.one_of(command_text, st.text(max_size=60)))
def test_neutralized_text_holds_no_workflow_command_and_only_gains_invisible_spaces(text):
    safe = neutralize_commands(text)
    assert commands(safe) == []
    if ZERO_WIDTH_SPACE not in text:
        assert safe.replace(ZERO_WIDTH_SPACE, "") == text
    assert neutralize_commands(safe) == safe
