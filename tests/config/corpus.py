"""A corpus of hostile and broken suite files, built from one valid suite.

Each entry is a name, the suite file's bytes, the files it references (written beside it)
and, when one line is clearly the culprit, that line. Every entry must give exit 2 with a
`FILE:LINE` location and no "internal error" or traceback (tests/config/test_fuzz_corpus.py).
"""

from __future__ import annotations

import codecs
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

VALID = """\
eval_suite:
  name: support
  target:
    type: command
    command: python pipeline.py
    timeout_s: 30
  cases:
    - name: refunds
      prompt: "How long do refunds take? {ticket}"
      vars: {ticket: "T-1"}
      expected: Refunds take 5 days.
      min_similarity: 0.8
      critical: true
      tags: [billing]
      trigger_paths: ["src/**"]
    - name: greeting
      expected: Hello.
"""
# Lines of VALID, 1-based, that the entries below refer to.
TARGET_LINE, TIMEOUT_LINE, CASE_LINE, EXPECTED_LINE, SIMILARITY_LINE = 3, 6, 8, 11, 12


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    line: int | None = None  # the line the error must name, when one line is the culprit
    files: dict[str, bytes | str] = field(default_factory=dict)  # str: a symlink target
    fifo: str | None = None  # a named pipe to create beside the suite


def _replace_line(number: int, new: str) -> str:
    lines = VALID.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def _insert_after(number: int, new: str) -> str:
    lines = VALID.splitlines()
    lines.insert(number, new)
    return "\n".join(lines) + "\n"


def _case_key(text: str) -> str:
    """VALID with `text` added as a key of the second case (on line 17)."""
    return _insert_after(16, f"      {text}")


def _suite_key(text: str) -> str:
    """VALID with `text` added as a suite-level key (on line 3)."""
    return _insert_after(2, f"  {text}")


def _bomb(levels: int, width: int) -> str:
    rows = [f"  l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        rows.append(f"  l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "eval_suite:\n" + "\n".join(rows) + "\n  name: s\n  cases: [{name: a, expected: b}]\n"


def _map_bomb(levels: int) -> str:
    rows = ["  m0: &m0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x}"]
    for level in range(1, levels):
        keys = ", ".join(f"{k}: *m{level - 1}" for k in "abcdefgh")
        rows.append(f"  m{level}: &m{level} {{{keys}}}")
    return "eval_suite:\n" + "\n".join(rows) + "\n  name: s\n  cases: [{name: a, expected: b}]\n"


def structural() -> list[Hostile]:
    """YAML that parses but would blow up or can't be plain data."""
    out = [
        Hostile(f"alias-bomb-{levels}x{width}", _bomb(levels, width).encode(), line=None)
        for levels, width in [(9, 9), (7, 9), (12, 4), (30, 2), (6, 20)]
    ]
    out += [Hostile(f"alias-map-bomb-{n}", _map_bomb(n).encode()) for n in (7, 9)]
    out.append(
        Hostile(
            "merge-key-bomb",
            (
                _map_bomb(6).replace("cases: [{name: a, expected: b}]", "")
                + "  cases:\n    - <<: *m5\n      name: a\n      expected: b\n"
            ).encode(),
        )
    )
    for depth, opener, closer in [(200, "[", "]"), (5000, "[", "]"), (300, "{a: ", "}")]:
        body = opener * depth + "x" + closer * depth
        out.append(
            Hostile(
                f"deep-flow-{opener.strip(': ')}-{depth}",
                f"eval_suite:\n  name: {body}\n  cases: [{{name: a, expected: b}}]\n".encode(),
                line=2,
            )
        )
    block = "eval_suite:\n  name: s\n  cases: [{name: a, expected: b}]\n  deep:\n"
    for level in range(80):
        block += "  " * (level + 2) + f"k{level}:\n"
    out.append(Hostile("deep-block-mapping", (block + "  " * 82 + "x: 1\n").encode()))
    seq = "eval_suite:\n  name: s\n  cases: [{name: a, expected: b}]\n  deep:\n"
    for level in range(80):
        seq += "  " * (level + 2) + "-\n"
    out.append(Hostile("deep-block-list", (seq + "  " * 82 + "x\n").encode()))
    out += [
        Hostile("complex-key-flow-map", _suite_key("? {a: 1}\n  : 3").encode(), line=3),
        Hostile("complex-key-flow-list", _suite_key("[a, b]: 3").encode(), line=3),
        Hostile("complex-key-block", _suite_key("? - a\n    - b\n  : 3").encode(), line=3),
        Hostile("complex-key-case", _case_key("{x: 1}: y").encode(), line=17),
        Hostile(
            "complex-key-alias",
            _suite_key("anchor: &k {a: 1}\n  *k : 3").encode(),
            line=4,
        ),
        Hostile("recursive-alias", _suite_key("loop: &r [1, *r]").encode(), line=3),
        Hostile("undefined-alias", _case_key("context: *nowhere").encode(), line=17),
        Hostile(
            "alias-before-anchor", _case_key("context: *late\n      rubric: &late x").encode(), 17
        ),
        Hostile("merge-of-scalar", _case_key("<<: just text").encode(), line=17),
        Hostile("merge-of-list-of-scalars", _case_key("<<: [1, 2]").encode(), line=17),
        Hostile("two-documents", (VALID + "---\neval_suite: {}\n").encode(), line=18),
        Hostile("document-end-then-more", (VALID + "...\n---\nname: x\n").encode()),
        Hostile("python-object-tag", _case_key("context: !!python/object:os.system x").encode()),
        Hostile("python-name-tag", _case_key("rubric: !!python/name:os.system ''").encode()),
        Hostile("custom-tag-on-mapping", _case_key("checks: !custom {contains: a}").encode()),
        Hostile("set-tag", _case_key("tags: !!set {a, b}").encode(), line=17),
        Hostile("omap-tag", _case_key("checks: !!omap [a: 1]").encode(), line=17),
        Hostile("bad-int-tag", _case_key("samples: !!int abc").encode(), line=17),
        Hostile("bad-float-tag", _case_key("max_drop: !!float zero").encode(), line=17),
        Hostile("bad-bool-tag", _case_key("critical: !!bool maybe").encode(), line=17),
        Hostile("bad-binary-tag", _case_key("rubric: !!binary 'a'").encode(), line=17),
        Hostile("impossible-date", _case_key("description: 2024-13-45").encode(), line=17),
        Hostile("impossible-time", _suite_key("description: 2024-01-01 25:61:00").encode()),
        Hostile("bad-timestamp-tag", _case_key("task: !!timestamp soon").encode(), line=17),
    ]
    return out


def encodings() -> list[Hostile]:
    """Bytes that are not UTF-8 YAML text."""
    rng = random.Random(11)
    out = [
        Hostile("utf16-le-bom", codecs.BOM_UTF16_LE + VALID.encode("utf-16-le"), line=1),
        Hostile("utf16-be-bom", codecs.BOM_UTF16_BE + VALID.encode("utf-16-be"), line=1),
        Hostile("utf16-le-no-bom", VALID.encode("utf-16-le"), line=1),
        Hostile("utf16-be-no-bom", VALID.encode("utf-16-be"), line=1),
        Hostile("utf32-bom", VALID.encode("utf-32"), line=1),
        Hostile(
            "latin1-value", _replace_line(11, "      expected: Café olé").encode("latin-1"), 11
        ),
        Hostile("cp1252-quotes", _replace_line(11, "      expected: “x”").encode("cp1252"), 11),
        Hostile("lone-0xff", VALID.encode().replace(b"support", b"supp\xffort"), line=2),
        Hostile("truncated-multibyte", VALID.encode() + b"# \xe2\x82", line=18),
        Hostile("overlong-slash", VALID.encode().replace(b"Hello.", b"Hello\xc0\xaf"), line=17),
        Hostile("encoded-surrogate", VALID.encode().replace(b"Hello.", b"\xed\xa0\x80"), line=17),
        Hostile("nul-in-value", VALID.encode().replace(b"Hello.", b"Hel\x00lo."), line=17),
        Hostile("nul-at-start", b"\x00" + VALID.encode(), line=1),
        Hostile("bell-character", VALID.encode().replace(b"Hello.", b"Hel\x07lo."), line=17),
        Hostile("escape-character", VALID.encode().replace(b"support", b"\x1b[31m"), line=2),
        Hostile("delete-character", VALID.encode().replace(b"greeting", b"greet\x7f"), line=16),
        Hostile("c1-control", VALID.replace("greeting", "greet\x9b").encode(), line=16),
        Hostile("gzip-magic", b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(200))),
        Hostile("png-header", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(64))),
    ]
    for seed in range(8):
        noise = random.Random(seed)
        out.append(Hostile(f"random-bytes-{seed}", bytes(noise.randrange(256) for _ in range(300))))
    return out


def syntax() -> list[Hostile]:
    """YAML syntax errors, most of them indentation."""
    return [
        Hostile("list-item-misindented", _replace_line(16, "     - name: greeting").encode(), 16),
        Hostile("list-item-overindented", _replace_line(16, "       - name: greeting").encode()),
        Hostile("key-misindented", _replace_line(11, "     expected: x").encode(), line=11),
        Hostile("key-overindented", _replace_line(12, "         min_similarity: 0.8").encode()),
        Hostile("suite-key-dedented", _replace_line(7, " cases:").encode(), line=7),
        Hostile("tab-indent", _replace_line(11, "\t  expected: x").encode(), line=11),
        Hostile("unclosed-double-quote", _replace_line(9, '      prompt: "How long').encode()),
        Hostile("unclosed-single-quote", _replace_line(9, "      prompt: 'How long").encode()),
        Hostile("unclosed-flow-list", _replace_line(14, "      tags: [billing").encode()),
        Hostile("unclosed-flow-map", _replace_line(10, "      vars: {ticket: x").encode()),
        Hostile("colon-in-plain-value", _replace_line(11, "      expected: a: b").encode(), 11),
        Hostile("at-sign-start", _replace_line(11, "      expected: @here").encode(), line=11),
        Hostile("backtick-start", _replace_line(11, "      expected: `x`").encode(), line=11),
        Hostile("bad-escape", _replace_line(11, '      expected: "C:\\q"').encode(), line=11),
        Hostile("star-text", _replace_line(11, "      expected: *bold*").encode(), line=11),
        Hostile("stray-bracket", _replace_line(11, "      expected: ]x").encode(), line=11),
        Hostile("missing-colon", _replace_line(13, "      critical true\n      x").encode()),
        Hostile("dash-without-space", _replace_line(16, "    -name: greeting").encode()),
        Hostile("percent-directive", ("%YAML 9.9\n---\n" + VALID).encode(), line=1),
        Hostile("bad-anchor", _replace_line(11, "      expected: &").encode(), line=11),
        Hostile("block-scalar-bad-indent", _replace_line(11, "      expected: |\n  x").encode()),
        Hostile("only-a-dash", b"-\n- -\n  :\n"),
        Hostile("empty-key-flow", _replace_line(10, "      vars: {: x}").encode()),
        Hostile("block-scalar-same-line", _replace_line(11, "      expected: |x").encode(), 11),
        Hostile("list-after-key-same-line", _replace_line(14, "      tags: - a").encode(), 14),
        Hostile("broken-tag", _replace_line(11, "      expected: !<x y").encode(), line=11),
        Hostile("text-after-document-end", (VALID + "...\nstray\n").encode(), line=19),
    ]


def schema() -> list[Hostile]:
    """Well-formed YAML the suite schema rejects."""
    out = [
        Hostile("empty-file", b"", line=1),
        Hostile("only-comments", b"# nothing here\n", line=1),
        Hostile("scalar-top-level", b"just text\n", line=1),
        Hostile("list-top-level", b"- eval_suite: {}\n", line=1),
        Hostile("misspelled-eval-suite", VALID.replace("eval_suite:", "eval_suit:").encode(), 1),
        Hostile("null-key-top", b"null: x\n", line=1),
        Hostile(
            "int-key-top", b"1: x\neval_suite: {name: s, cases: [{name: a, expected: b}]}\n", 1
        ),
        Hostile("eval-suite-scalar", b"eval_suite: 3\n", line=1),
        Hostile("eval-suite-null", b"eval_suite:\n", line=1),
    ]
    empty_cases = "eval_suite:\n  name: s\n  cases: []\n"
    out += [
        Hostile("cases-empty", empty_cases.encode(), line=3),
        Hostile("cases-null", b"eval_suite:\n  name: s\n  cases:\n", line=3),
        Hostile("cases-scalar", b"eval_suite:\n  name: s\n  cases: all\n", line=3),
        Hostile("cases-mapping", b"eval_suite:\n  name: s\n  cases: {a: 1}\n", line=3),
        Hostile("case-scalar", b"eval_suite:\n  name: s\n  cases: [x]\n", line=3),
        Hostile("case-null", b"eval_suite:\n  name: s\n  cases:\n    -\n", line=4),
        Hostile("missing-expected", _replace_line(11, "      description: x").encode(), 8),
        Hostile("missing-name", _replace_line(8, "    - description: x").encode(), line=8),
        Hostile("missing-suite-name", _replace_line(2, "  description: x").encode(), line=1),
        Hostile("name-list", _replace_line(8, "    - name: [a]").encode(), line=8),
        Hostile("name-empty", _replace_line(8, '    - name: ""').encode(), line=8),
        Hostile("name-date", _replace_line(8, "    - name: 2024-01-01").encode(), line=8),
        Hostile("duplicate-key", _case_key("expected: again").encode(), line=18),
        Hostile("duplicate-case", _replace_line(16, "    - name: refunds").encode(), line=16),
        Hostile("unknown-case-key", _case_key("min_similarty: 0.9").encode(), line=17),
        Hostile("unknown-suite-key", _suite_key("default_treshold: 0.8").encode(), line=3),
        Hostile("unknown-target-key", _insert_after(5, "    comand: x").encode(), line=6),
        Hostile("target-type-unknown", _replace_line(4, "    type: shell").encode(), line=3),
        Hostile("target-type-missing", _replace_line(4, "    kind: command").encode(), line=3),
        Hostile("target-scalar", _replace_line(3, "  target: python p.py").encode()),
        Hostile("timeout-string", _replace_line(TIMEOUT_LINE, '    timeout_s: "60s"').encode(), 6),
        Hostile("timeout-inf", _replace_line(TIMEOUT_LINE, "    timeout_s: .inf").encode(), 6),
        Hostile("timeout-nan", _replace_line(TIMEOUT_LINE, "    timeout_s: .nan").encode(), 6),
        Hostile("timeout-zero", _replace_line(TIMEOUT_LINE, "    timeout_s: 0").encode(), 6),
        Hostile("timeout-negative", _replace_line(TIMEOUT_LINE, "    timeout_s: -5").encode(), 6),
        Hostile("command-empty", _replace_line(5, '    command: ""').encode(), line=5),
        Hostile("similarity-high", _replace_line(12, "      min_similarity: 1.5").encode(), 12),
        Hostile("similarity-nan", _replace_line(12, "      min_similarity: .nan").encode(), 12),
        Hostile("similarity-text", _replace_line(12, "      min_similarity: high").encode(), 12),
        Hostile("critical-maybe", _replace_line(13, "      critical: maybe").encode(), line=13),
        Hostile("tags-mapping", _replace_line(14, "      tags: {a: 1}").encode(), line=14),
        Hostile("tags-of-lists", _replace_line(14, "      tags: [[a]]").encode(), line=14),
        Hostile("trigger-int", _replace_line(15, "      trigger_paths: 3").encode(), line=15),
        Hostile("vars-list-value", _replace_line(10, "      vars: {ticket: [1]}").encode(), 10),
        Hostile("vars-int-key", _replace_line(10, "      vars: {1: x}").encode(), line=10),
        Hostile("vars-scalar", _replace_line(10, "      vars: x").encode(), line=10),
        Hostile("context-int", _case_key("context: 42").encode(), line=17),
        Hostile("context-file-empty", _case_key("context: {file: ''}").encode(), line=17),
        Hostile("context-file-extra", _case_key("context: {file: a, x: 1}").encode(), line=17),
        Hostile("samples-zero", _case_key("samples: 0").encode(), line=17),
        Hostile("samples-fraction", _case_key("samples: 2.5").encode(), line=17),
        Hostile("samples-huge", _case_key("samples: 1000000000000000000000").encode(), 17),
        Hostile("grounding-mode", _case_key("grounding_mode: all").encode(), line=17),
        Hostile("regex-invalid", _case_key("checks: {regex: '('}").encode(), line=17),
        Hostile("json-schema-invalid", _case_key("checks: {json_schema: {type: 3}}").encode()),
        Hostile(
            "json-schema-mixed-keys",
            _case_key("checks: {json_schema: {1: a, type: object}}").encode(),
            line=17,
        ),
        Hostile("checks-scalar", _case_key("checks: yes").encode(), line=17),
        Hostile("judge-policy", _suite_key("judge: {policy: sometimes}").encode(), line=3),
        Hostile("gate-confidence", _suite_key("gate: {confidence: 0.2}").encode(), line=3),
        Hostile("pricing-scalar", _suite_key("pricing: {m: 3}").encode(), line=3),
        Hostile("pricing-negative", _suite_key("pricing: {m: {input: -1, output: 1}}").encode()),
        Hostile("concurrency-zero", _suite_key("concurrency: 0").encode(), line=3),
        Hostile("cache-mode", _suite_key("cache: sometimes").encode(), line=3),
        Hostile("pass-at-k-text", _suite_key("pass_at_k: [one]").encode(), line=3),
        Hostile("true-key", _case_key("true: 1").encode(), line=17),
        Hostile("null-value-name", _replace_line(8, "    - name:").encode(), line=8),
        Hostile("binary-value", _case_key("rubric: !!binary /w==").encode(), line=17),
        Hostile("huge-int-threshold", _suite_key("default_threshold: 1e400").encode(), line=3),
    ]
    return out


def file_references() -> list[Hostile]:
    """`{file: ...}` values that point at something that isn't readable text."""

    def ref(value: str) -> bytes:
        return _case_key(f"context: {{file: {value}}}").encode()

    out = [
        Hostile("ref-binary", ref("ctx.bin"), 17, {"ctx.bin": b"\x89PNG\r\n\x1a\n\x00\x00"}),
        Hostile("ref-latin1", ref("ctx.txt"), 17, {"ctx.txt": "Café\n".encode("latin-1")}),
        Hostile("ref-utf16", ref("ctx.txt"), 17, {"ctx.txt": "hello".encode("utf-16")}),
        Hostile("ref-nul-content", ref("ctx.txt"), 17, {"ctx.txt": b"a\x00b"}),
        Hostile("ref-symlink-loop", ref("loop.txt"), 17, {"loop.txt": "loop.txt"}),
        Hostile("ref-symlink-cycle", ref("a.txt"), 17, {"a.txt": "b.txt", "b.txt": "a.txt"}),
        Hostile("ref-dangling-symlink", ref("gone.txt"), 17, {"gone.txt": "nowhere.txt"}),
        Hostile("ref-nul-in-name", ref('"a\\0b.txt"'), line=17),
        Hostile("ref-long-name", ref("a" * 5000), line=17),
        Hostile("ref-long-component-path", ref("/".join(["b" * 255] * 30)), line=17),
        Hostile("ref-missing", ref("nothing.txt"), line=17),
        Hostile("ref-folder", ref("."), line=17),
        Hostile("ref-outside", ref("/etc/hostname"), line=17),
        Hostile("ref-parent-escape", ref("../../../../etc/passwd"), line=17),
        Hostile("ref-fifo", ref("pipe"), line=17, fifo="pipe"),
        Hostile(
            "ref-vars-binary",
            _replace_line(10, "      vars: {ticket: {file: t.bin}}").encode(),
            10,
            {"t.bin": bytes(range(256))},
        ),
    ]
    return out


def corpus() -> list[Hostile]:
    return structural() + encodings() + syntax() + schema() + file_references()


def materialize(entry: Hostile, folder: Path) -> Path:
    """Write the suite and the files it references into `folder`; returns the suite path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in entry.files.items():
        path = folder / name
        if isinstance(content, str):
            path.symlink_to(content)
        else:
            path.write_bytes(content)
    if entry.fifo:
        os.mkfifo(folder / entry.fifo)
    suite = folder / "llm-evals.yaml"
    suite.write_bytes(entry.data)
    return suite
