"""Judge grades through the content-hash cache: a grade of the same output, against the same
rubric, by the same model, with the same prompt, is never paid for twice.

The key holds the full Messages API request the judge would send (model, system prompt,
template, task, context, reference, rubric, output, max_tokens), so any change to what the
judge sees is a miss with no version number to forget. `pass_score` is not in the key:
pass/fail is recomputed from the cached score, so moving the bar costs nothing.
Only valid grades are stored; errors, skips and budget stops are asked again next run.
"""

from __future__ import annotations

from driftgate.cache import Cache, digest, entry_tokens, judge_key
from driftgate.results import JudgeResult


def template_version() -> str:
    """The judge's declared version plus a hash of its fixed prompt parts: editing the
    template invalidates cached grades even if nobody bumps TEMPLATE_VERSION."""
    from driftgate.score import judge

    parts = {"system": judge.SYSTEM_PROMPT, "user": judge.USER_TEMPLATE, "tool": judge.GRADE_TOOL}
    return f"{judge.TEMPLATE_VERSION}-{digest(parts)[:12]}"


class CachedJudge:
    """Wraps a `Judge`: same `grade(case, output, sample)`, answering from the cache first."""

    def __init__(self, judge, cache: Cache):
        self.judge = judge
        self.cache = cache
        self._version: str | None = None

    def __getattr__(self, name):  # config, budget, client...: the wrapped judge's
        return getattr(self.judge, name)

    def key(self, case, output: str) -> str:
        from driftgate.score.judge import build_request

        config = self.judge.config
        if self._version is None:
            self._version = template_version()
        client = self.judge.client
        return judge_key(
            model=config.model,
            rubric=(case.rubric or config.rubric),
            template_version=self._version,
            output=output,
            context=case.context,
            request=build_request(config, case, output),
            base_url=str(getattr(client, "base_url", "")).rstrip("/"),
        )

    def grade(self, case, output: str, sample: int = 0) -> JudgeResult:
        if self.judge.client is None or not self.cache.enabled:
            return self.judge.grade(case, output, sample)  # no call to save
        key = self.key(case, output)
        pass_score = self.judge.config.pass_score
        result = self.cache.get("judge", key, parse=lambda e: from_entry(e, pass_score))
        if result is not None:
            return result
        result = self.judge.grade(case, output, sample)
        if result.status in ("passed", "failed") and result.score is not None:
            self.cache.put("judge", key, to_entry(result))
        return result


def to_entry(result: JudgeResult) -> dict:
    return {
        "score": result.score,
        "reasoning": result.reasoning,
        "critical_issues": list(result.critical_issues),
        "model": result.model,
        "tokens": {"input": result.tokens.input, "output": result.tokens.output},
        "cost_usd": result.cost_usd,
    }


def from_entry(entry: dict, pass_score: int) -> JudgeResult | None:
    """The cached grade, re-judged against today's pass_score.

    Tokens are what the grade took when it was made; its cost this run is 0 (like a
    cached target output), and the summary prices those tokens into `cost_saved_usd`.
    """
    try:
        score = entry["score"]
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            return None
        return JudgeResult(
            status="passed" if score >= pass_score else "failed",
            score=score,
            reasoning=entry.get("reasoning"),
            critical_issues=list(entry.get("critical_issues") or []),
            model=entry.get("model"),
            tokens=entry_tokens(entry),
            cost_usd=0.0,  # not paid this run; the summary counts it in cost_saved_usd
            cached=True,
        )
    except (KeyError, TypeError, ValueError):
        return None
