import threading

import pytest

from driftgate.config.schema import Price
from driftgate.cost import Budget, PriceTable, cost_usd
from driftgate.results import Summary, Tokens


def test_cost_is_per_million_tokens_in_and_out():
    price = Price(input=3.0, output=15.0)
    assert cost_usd(price, Tokens(input=1_000_000, output=0)) == pytest.approx(3.0)
    assert cost_usd(price, Tokens(input=2_000, output=500)) == pytest.approx(0.006 + 0.0075)


def test_dated_model_ids_match_the_longest_prefix():
    table = PriceTable()
    assert table.price("claude-sonnet-4-5-20250929") == Price(input=3.0, output=15.0)
    # "claude-opus-4-5" must not fall back to the older, dearer "claude-opus-4" entry
    assert table.price("claude-opus-4-5-20251101") == Price(input=5.0, output=25.0)
    assert table.price("claude-opus-4-20250514") == Price(input=15.0, output=75.0)


def test_suite_pricing_overrides_and_extends_defaults():
    table = PriceTable(
        {"claude-sonnet-4-5": Price(input=1, output=2), "my-proxy": Price(input=0.5, output=0.5)}
    )
    assert table.cost("claude-sonnet-4-5", Tokens(input=1_000_000, output=1_000_000)) == 3.0
    assert table.cost("my-proxy-v2", Tokens(input=2_000_000)) == 1.0


def test_unknown_model_costs_zero_and_warns_once_with_the_fix():
    table = PriceTable()
    assert table.cost("gpt-9", Tokens(input=10, output=10)) == 0.0
    table.cost("gpt-9", Tokens(input=1))
    warnings = table.warnings()
    assert len(warnings) == 1 and "gpt-9" in warnings[0] and "pricing:" in warnings[0]


def test_budget_counts_calls_tokens_and_cost_into_the_summary():
    budget = Budget(PriceTable({"m": Price(input=10, output=20)}))
    budget.record("m", Tokens(input=100, output=50))
    budget.record("m", Tokens(input=300, output=0))
    summary = Summary()
    budget.fill(summary)
    assert summary.calls == 2
    assert summary.tokens == Tokens(input=400, output=50)
    assert summary.cost_usd == pytest.approx((400 * 10 + 50 * 20) / 1e6)


def test_budget_stops_new_calls_once_reached():
    budget = Budget(PriceTable({"m": Price(input=1_000_000, output=0)}), max_cost_usd=2.5)
    started = 0
    while budget.allow():
        budget.record("m", Tokens(input=1))  # $1 per call
        started += 1
        assert started < 10
    assert started == 3  # $0, $1, $2 are below 2.5; after the third, $3 >= 2.5
    assert budget.exhausted and not budget.allow() and budget.refused == 2


def test_zero_budget_allows_no_call_and_negative_is_refused():
    assert not Budget(max_cost_usd=0).allow()
    with pytest.raises(ValueError):
        Budget(max_cost_usd=-1)


def test_budget_is_consistent_under_threads():
    budget = Budget(PriceTable({"m": Price(input=1, output=1)}))

    def work():
        for _ in range(500):
            budget.record("m", Tokens(input=1, output=2))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.calls == 4000 and budget.tokens == Tokens(input=4000, output=8000)
