"""What a run's API calls cost, and the `--max-cost` budget that stops new calls.

Prices are USD per million tokens. The defaults are Anthropic's list prices for the current
Claude models at the time of writing; a suite overrides or extends them under `pricing:`
(the same keys), so a price change never needs a driftgate release. A model name matches the
longest table key it starts with, so dated ids (`claude-sonnet-4-5-20250929`) need no entry.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from driftgate.config.load import SuiteSpec
from driftgate.config.schema import AnthropicTarget, JudgeConfig, Price
from driftgate.errors import ConfigIssue
from driftgate.results import Summary, Tokens

BUDGET_SKIP_REASON = "skipped (budget)"

DEFAULT_PRICES: dict[str, Price] = {
    "claude-opus-4-6": Price(input=5.0, output=25.0),
    "claude-opus-4-5": Price(input=5.0, output=25.0),
    "claude-opus-4-1": Price(input=15.0, output=75.0),
    "claude-opus-4": Price(input=15.0, output=75.0),
    "claude-sonnet-4-6": Price(input=3.0, output=15.0),
    "claude-sonnet-4-5": Price(input=3.0, output=15.0),
    "claude-sonnet-4": Price(input=3.0, output=15.0),
    "claude-3-7-sonnet": Price(input=3.0, output=15.0),
    "claude-haiku-4-5": Price(input=1.0, output=5.0),
    "claude-3-5-haiku": Price(input=0.8, output=4.0),
    "claude-3-haiku": Price(input=0.25, output=1.25),
}


class PriceTable:
    """Defaults plus the suite's `pricing:`; remembers models it had no price for."""

    def __init__(self, overrides: Mapping[str, Price] | None = None):
        self.prices = {**DEFAULT_PRICES, **dict(overrides or {})}
        self.unknown: set[str] = set()

    def price(self, model: str) -> Price | None:
        if model in self.prices:
            return self.prices[model]
        matches = [key for key in self.prices if model.startswith(key)]
        return self.prices[max(matches, key=len)] if matches else None

    def cost(self, model: str, tokens: Tokens) -> float:
        """USD for one call; 0 for a model with no price (reported once as a warning)."""
        price = self.price(model)
        if price is None:
            self.unknown.add(model)
            return 0.0
        return cost_usd(price, tokens)

    def warnings(self) -> list[str]:
        return [self.warning_for(m) for m in sorted(self.unknown)]

    @staticmethod
    def warning_for(model: str) -> str:
        return (
            f"no price for model '{model}': its cost counts as $0; add it under `pricing:` "
            f"in the suite file ({{input: USD per 1M tokens, output: USD per 1M tokens}})"
        )


def unpriced_models(suite: SuiteSpec) -> list[ConfigIssue]:
    """Warnings, at the line of each `model:`, for the Claude models a run may call that
    have no price (a run would count them as $0): `validate` says so before any call."""
    table = PriceTable(suite.pricing)
    seen: set[str] = set()
    out = []
    targets = [(("eval_suite", "target", "model"), suite.target)] + [
        (("eval_suite", "cases", case.index, "target", "model"), case.target)
        for case in suite.cases
    ]
    policy = suite.judge.policy
    judged = (
        policy in ("selected", "all")
        or any(case.judge for case in suite.cases)
        or (policy == "critical" and any(case.critical for case in suite.cases))
    )
    if policy != "never" and judged:
        targets.append((("eval_suite", "judge", "model"), suite.judge))
    for loc, spec in targets:
        model = getattr(spec, "model", None)
        if not isinstance(spec, AnthropicTarget | JudgeConfig) or model in seen:
            continue
        seen.add(model)
        if table.price(model) is None:
            message = table.warning_for(model)
            out.append(suite.issue(loc, message, severity="warning"))
    return out


def cost_usd(price: Price, tokens: Tokens) -> float:
    return (tokens.input * price.input + tokens.output * price.output) / 1_000_000


@dataclass
class _Totals:
    calls: int = 0
    input: int = 0
    output: int = 0
    cost: float = 0.0


class Budget:
    """Thread-safe run ledger: every API call is recorded here, and asks here first.

    `allow()` is checked before a call starts; once the recorded cost reaches `max_cost_usd`
    no new call starts (calls already in flight finish, so a run may end slightly above the
    budget, by at most `concurrency` calls). Without a limit it only counts.
    """

    def __init__(self, prices: PriceTable | None = None, max_cost_usd: float | None = None):
        if max_cost_usd is not None and max_cost_usd < 0:
            raise ValueError("max_cost_usd must be >= 0")
        self.prices = prices or PriceTable()
        self.max_cost_usd = max_cost_usd
        self._lock = threading.Lock()
        self._totals = _Totals()
        self.refused = 0

    def allow(self) -> bool:
        with self._lock:
            if self.max_cost_usd is None or self._totals.cost < self.max_cost_usd:
                return True
            self.refused += 1
            return False

    def record(self, model: str, tokens: Tokens) -> float:
        """Count one call (also a failed one that used tokens); return its cost in USD."""
        cost = self.prices.cost(model, tokens)
        with self._lock:
            self._totals.calls += 1
            self._totals.input += tokens.input
            self._totals.output += tokens.output
            self._totals.cost += cost
        return cost

    @property
    def calls(self) -> int:
        return self._totals.calls

    @property
    def tokens(self) -> Tokens:
        with self._lock:
            return Tokens(input=self._totals.input, output=self._totals.output)

    @property
    def cost_usd(self) -> float:
        return self._totals.cost

    @property
    def exhausted(self) -> bool:
        return self.max_cost_usd is not None and self._totals.cost >= self.max_cost_usd

    def fill(self, summary: Summary) -> None:
        """Write calls, tokens and cost into the run summary."""
        summary.calls = self.calls
        summary.tokens = self.tokens
        summary.cost_usd = round(self.cost_usd, 6)
