"""Render the example PR comment of docs/action.md as GitHub shows it, into docs/comment.png.

The Markdown is the one tests/report/test_docs_example.py keeps current; GitHub's own parser
(cmarkgfm) turns it into HTML, and headless Chromium takes the picture the README shows.

    .venv/bin/python docs/tools/render_comment.py        (needs Debian's `chromium`)
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

DOCS = Path(__file__).resolve().parents[1]
CSS = """
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
       color: #1f2328; background: #fff; margin: 0; padding: 16px; width: 880px; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; }
.head { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; }
.body { padding: 4px 16px 8px; }
h3 { font-size: 1.25em; margin: 16px 0 8px; }
code { background: #eff1f3; border-radius: 6px; padding: .2em .4em; font-size: 85%;
       font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #f6f8fa; padding: 12px; border-radius: 6px; overflow: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
ul { padding-left: 2em; margin: 4px 0; }
sub { color: #59636e; }
"""


def example_markdown() -> str:
    text = (DOCS / "action.md").read_text(encoding="utf-8")
    block = text.split("<!-- example-comment:", 1)[1].split("-->", 1)[1]
    block = block.split("<!-- /example-comment -->", 1)[0]
    block = block.split("<details><summary>The Markdown", 1)[0]  # the source shown below it
    lines = [line[2:] if line.startswith("> ") else line.lstrip(">") for line in block.splitlines()]
    return "\n".join(lines).strip() + "\n"


def main() -> None:
    body = cmarkgfm.github_flavored_markdown_to_html(
        example_markdown(), options=Options.CMARK_OPT_UNSAFE
    )
    page = (
        f"<!doctype html><meta charset=utf-8><style>{CSS}</style>"
        f'<div class="comment"><div class="head"><b>github-actions</b> bot commented</div>'
        f'<div class="body">{body}</div></div>'
    )
    out = DOCS / "comment.png"
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "comment.html"
        html.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                f"--user-data-dir={tmp}/profile", f"--screenshot={out}", "--window-size=914,1010",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
