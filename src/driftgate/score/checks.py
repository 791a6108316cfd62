"""Deterministic checks on an output: free, exact, and run before any judge call.

Each check yields one CheckResult whose detail says what was expected without opening the
suite file; scorers.checks turns a failed one into the sample's reason.
"""

from __future__ import annotations

import json
import re

import jsonschema

from driftgate.config.schema import Checks
from driftgate.results import CheckResult
from driftgate.text import shorten


def run_checks(
    checks: Checks | None, output: str, latency_s: float | None = None
) -> list[CheckResult]:
    if checks is None:
        return []
    fold = checks.case_insensitive
    haystack = output.casefold() if fold else output
    results: list[CheckResult] = []
    for needle in checks.contains:
        found = (needle.casefold() if fold else needle) in haystack
        detail = _quote(needle) + ("" if found else " not found in output")
        results.append(CheckResult(check="contains", passed=found, detail=detail))
    for needle in checks.not_contains:
        found = (needle.casefold() if fold else needle) in haystack
        detail = _quote(needle) + (" found in output" if found else "")
        results.append(CheckResult(check="not_contains", passed=not found, detail=detail))
    for pattern in checks.regex:
        results.append(_regex(pattern, output, fold))
    if checks.json_schema is not None:
        results.append(_json_schema(checks.json_schema, output))
    if checks.max_length is not None:
        n = len(output)
        ok = n <= checks.max_length
        detail = f"{n} characters" + ("" if ok else f" > {checks.max_length}")
        results.append(CheckResult(check="max_length", passed=ok, detail=detail))
    if checks.max_latency_s is not None:
        results.append(_latency(checks.max_latency_s, latency_s))
    return results


def _quote(text: str, limit: int = 60) -> str:
    return json.dumps(shorten(text, limit), ensure_ascii=False)


def _regex(pattern: str, output: str, fold: bool) -> CheckResult:
    try:
        found = re.search(pattern, output, re.IGNORECASE if fold else 0) is not None
    except re.error as exc:  # the loader validates patterns; this guards direct callers
        detail = f"invalid pattern {_quote(pattern)}: {exc}"
        return CheckResult(check="regex", passed=False, detail=detail)
    detail = f"/{pattern}/" + ("" if found else " has no match in output")
    return CheckResult(check="regex", passed=found, detail=detail)


def _json_schema(schema: dict, output: str) -> CheckResult:
    try:
        data = json.loads(output)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested past Python's limit
        hint = ""
        if output.lstrip().startswith("```"):
            hint = " (it is wrapped in a ``` code fence; a consumer parsing it would fail)"
        detail = f"output is not JSON: {exc}{hint}"
        return CheckResult(check="json_schema", passed=False, detail=detail)
    try:
        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    except jsonschema.SchemaError as exc:
        detail = f"invalid json_schema in the suite: {exc.message}"
        return CheckResult(check="json_schema", passed=False, detail=detail)
    if not errors:
        return CheckResult(check="json_schema", passed=True, detail="valid")
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or "(root)"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    detail = f"at {where}: {first.message}{more}"
    return CheckResult(check="json_schema", passed=False, detail=detail)


def _latency(limit: float, latency_s: float | None) -> CheckResult:
    if latency_s is None:
        detail = "latency not measured; not applied"
        return CheckResult(check="max_latency_s", passed=True, detail=detail)
    ok = latency_s <= limit
    detail = f"{latency_s:.2f}s" + ("" if ok else f" > {limit:g}s")
    return CheckResult(check="max_latency_s", passed=ok, detail=detail)
