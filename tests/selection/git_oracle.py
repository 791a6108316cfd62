#!/usr/bin/env python3
"""Ask git itself whether paths match gitignore-style patterns.

Copied unchanged from the project's shared oracle fixture (written for driftgate, MIT);
lint and formatting are left as they were there.

Two oracles, both answered by the installed `git` binary in a throw-away repo:

* ``git_ignore(patterns, paths)`` -- ``git check-ignore --no-index -v -n -z --stdin``
  with the patterns in a file passed as ``-c core.excludesFile=...``.  This is the
  authoritative *.gitignore* semantics, including the directory rules:
  a pattern that matches a parent directory excludes everything below it, and
  a ``!negation`` cannot re-include a file whose parent directory is excluded.
  Trailing-slash patterns (``build/``) only match directories.

* ``git_attr(patterns, paths)`` -- ``git check-attr`` with a ``.gitattributes``-style
  file where each pattern line becomes ``<pattern> hit`` and each ``!pattern`` line
  becomes ``<pattern> -hit`` (last matching line wins).  gitattributes uses the same
  wildmatch engine and anchoring rules but matches *each path on its own* (a pattern
  matching a directory does not apply to files inside it; negation is never blocked
  by a parent).  That is the "file-level" reading most path-trigger tools want.
  Caveats: gitattributes cannot express trailing-slash directory patterns for files
  (``dir/`` never matches a file), and a pattern containing whitespace must be
  quoted in gitattributes; this helper quotes such patterns C-style.

Paths are repository-relative, '/'-separated.  A path ending in '/' is treated as a
directory.  By default the paths are materialised as empty files/dirs in the temp
repo so that git knows which leaves are directories; pass materialize=False to skip.

CLI:  git_oracle.py PATTERNS_FILE PATHS_FILE   (one entry per line; prints TSV)
"""

# ruff: noqa
# fmt: off
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass


@dataclass
class GitVerdict:
    path: str
    matched: bool            # True -> git says the path is matched (ignored / attr set)
    pattern: str | None      # the last pattern git reports as deciding (None = no match)
    line: int | None         # 1-based line number of that pattern in the pattern file


def _git(args, cwd, stdin: bytes | None = None) -> bytes:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=cwd, LC_ALL="C")
    res = subprocess.run(["git", *args], cwd=cwd, input=stdin, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # check-ignore exits 1 when nothing matched: not an error
    if res.returncode not in (0, 1):
        raise RuntimeError(f"git {' '.join(args)} failed: {res.stderr.decode(errors='replace')}")
    return res.stdout


def _materialize(root: str, paths) -> None:
    dirs = set()
    for p in paths:
        parts = p.rstrip("/").split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
        if p.endswith("/"):
            dirs.add(p.rstrip("/"))
    for d in sorted(dirs):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for p in paths:
        q = p.rstrip("/")
        if p.endswith("/") or q in dirs:
            continue
        full = os.path.join(root, q)
        if not os.path.exists(full):
            open(full, "wb").close()


def _new_repo(tmp: str) -> str:
    repo = os.path.join(tmp, "repo")
    os.makedirs(repo)
    _git(["init", "-q", "."], repo)
    return repo


def git_ignore(patterns: list[str], paths: list[str], materialize: bool = True) -> list[GitVerdict]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = _new_repo(tmp)
        excl = os.path.join(tmp, "patterns.gitignore")
        with open(excl, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("\n".join(patterns) + "\n")
        if materialize:
            _materialize(repo, paths)
        stdin = b"".join(p.rstrip("/").encode("utf-8") + b"\0" for p in paths)
        out = _git(["-c", f"core.excludesFile={excl}", "-c", "core.quotePath=false",
                    "check-ignore", "--no-index", "-v", "-n", "-z", "--stdin"], repo, stdin)
        fields = out.split(b"\0")
        recs = [fields[i:i + 4] for i in range(0, len(fields) - 1, 4)]
        by_path = {}
        for source, line, pattern, path in recs:
            pat = pattern.decode("utf-8") if pattern else None
            by_path[path.decode("utf-8")] = GitVerdict(
                path=path.decode("utf-8"),
                matched=bool(pat) and not pat.startswith("!"),
                pattern=pat,
                line=int(line) if line else None,
            )
        return [GitVerdict(p, by_path[p.rstrip("/")].matched, by_path[p.rstrip("/")].pattern,
                           by_path[p.rstrip("/")].line) for p in paths]


def _strip_trailing_spaces(pattern: str) -> str:
    # gitignore: trailing spaces are ignored unless quoted with backslash
    while pattern.endswith(" ") and not pattern.endswith("\\ "):
        pattern = pattern[:-1]
    return pattern


def _attr_quote(pattern: str) -> str:
    pattern = _strip_trailing_spaces(pattern)
    if any(c in pattern for c in ' \t"\\'):
        esc = pattern.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{esc}"'
    return pattern


def git_attr(patterns: list[str], paths: list[str], materialize: bool = True) -> list[GitVerdict]:
    lines, origin = [], []
    for i, pat in enumerate(patterns, 1):
        if not pat.strip() or pat.startswith("#"):
            continue
        if pat.startswith("!"):
            lines.append(f"{_attr_quote(pat[1:])} -hit{i}x -hit")
        else:
            lines.append(f"{_attr_quote(pat)} hit{i}x hit")
        origin.append(i)
    with tempfile.TemporaryDirectory() as tmp:
        repo = _new_repo(tmp)
        attrs = os.path.join(repo, ".git", "info", "attributes")
        os.makedirs(os.path.dirname(attrs), exist_ok=True)
        with open(attrs, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("\n".join(lines) + "\n")
        if materialize:
            _materialize(repo, paths)
        names = ["hit"] + [f"hit{i}x" for i in origin]
        stdin = b"".join(p.rstrip("/").encode("utf-8") + b"\0" for p in paths)
        out = _git(["-c", "core.quotePath=false", "check-attr", "-z", "--stdin", *names], repo, stdin)
        f = out.split(b"\0")
        recs = [f[i:i + 3] for i in range(0, len(f) - 1, 3)]
        state: dict[str, dict[str, str]] = {}
        for path, attr, value in recs:
            state.setdefault(path.decode("utf-8"), {})[attr.decode()] = value.decode()
        res = []
        for p in paths:
            st = state.get(p.rstrip("/"), {})
            hit = st.get("hit") == "set"
            # deciding line = highest-numbered line whose marker attr is set/unset
            deciding = None
            for i in origin:
                if st.get(f"hit{i}x") in ("set", "unset"):
                    deciding = i
            # later lines override earlier ones in gitattributes: the last matching line decides
            res.append(GitVerdict(p, hit, patterns[deciding - 1] if deciding else None, deciding))
        return res


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    pats = open(argv[1], encoding="utf-8").read().splitlines()
    paths = [p for p in open(argv[2], encoding="utf-8").read().splitlines() if p]
    ig = git_ignore(pats, paths)
    at = git_attr(pats, paths)
    print("path\tgit_check_ignore\tdeciding_pattern\tgit_check_attr")
    for a, b in zip(ig, at):
        print(f"{a.path}\t{int(a.matched)}\t{a.pattern or ''}\t{int(b.matched)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
