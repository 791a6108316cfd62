"""Facts compared by meaning, not spelling; polarity and causes compared clause by clause."""

import pytest

from driftgate.score.claims import missing_names
from driftgate.score.facts import extract, missing_facts
from driftgate.score.polarity import check_cause, check_polarity

DEPLOY = "14:30 UTC deploy v42 finished; 0 errors; rollback=false"
PRICING = (
    "Starting March 1, the Pro plan costs $49 per month. Annual billing gets a 15% discount. "
    "The integration suite failed 3 of the last 8 nightly runs. Refunds within 14 days."
)


@pytest.mark.parametrize(
    "sentence",
    [
        "It finished at 2:30 pm UTC.",  # 14:30
        "The plan is 49 dollars a month.",  # $49
        "Three of the eight nightly runs failed.",  # 3 of 8
        "From 1 March, yearly billing is 15 percent off.",  # March 1, 15%
        "Refunds are possible for two weeks.",  # 14 days
        "Version 42 finished with zero errors.",  # v42, 0
    ],
)
def test_a_fact_written_another_way_is_supported(sentence):
    assert missing_facts(sentence, DEPLOY + " " + PRICING) == []


@pytest.mark.parametrize(
    ("sentence", "missing", "instead"),
    [
        ("The plan is $94 a month.", "$94", "$49"),
        ("It finished at 4:30 pm UTC.", "4:30 pm", "14:30"),
        ("Five of the eight nightly runs failed.", "five", "3, 8"),
        ("From 2 March, billing changes.", "2 march", "march 1"),
        ("Refunds are possible for 30 days.", "30 days", "14 days"),
        ("Yearly billing is 25% off.", "25%", "15%"),
    ],
)
def test_a_changed_fact_is_missing_and_the_context_value_is_named(sentence, missing, instead):
    (fact,) = missing_facts(sentence, PRICING + " " + DEPLOY, near=PRICING)
    assert fact.fact.text == missing and fact.instead == instead


def test_versions_times_and_amounts_are_normalised():
    keys = {f.text: f.keys for f in extract("v2.4 at 02:00, then 2 am; $5,000 = 5000 dollars")}
    assert keys["2.4"] & {"v:2.4"}
    assert keys["02:00"] & keys["2 am"]
    assert keys["$5000"] == keys["5000 dollars"]
    assert not extract("3.10")[0].keys & extract("3.1")[0].keys  # a version, not a decimal


def test_an_acronym_the_context_spells_out_is_not_a_missing_name():
    context = "Single sign-on is now mandatory for all admin accounts."
    assert missing_names("Every admin must use SSO now.", context) == []
    assert missing_names("Every admin must use Okta now.", context) == ["Okta"]


@pytest.mark.parametrize(
    ("sentence", "context", "clash"),
    [
        ("Rollback not required.", DEPLOY, False),
        ("A rollback was required.", DEPLOY, True),
        ("No rollback was needed.", "No rollback.", False),
        ("Error rates did not change.", "Error rates stayed flat.", False),
        ("V2 is not compatible with reads.", "The v2 API is compatible with reads.", True),
        (
            "Python 3.8 is no longer supported.",
            "Version 2.4.0 drops support for Python 3.8.",
            False,
        ),
        ("The PR removes the check on config keys.", "This PR adds a check on config keys.", True),
        ("Latency rose from 300 to 800 ms.", "The cache reduced latency from 800 to 300 ms.", True),
        (
            "Latency fell from 800 to 300 ms.",
            "The cache reduced latency from 800 to 300 ms.",
            False,
        ),
    ],
)
def test_polarity_is_compared_with_the_matching_context_clause(sentence, context, clash):
    found = check_polarity(sentence, context)
    assert (found is not None) is clash
    if found:
        assert "context" in found.reason


def test_a_cause_the_context_never_gives_is_flagged_and_a_paraphrased_one_is_not():
    context = "The outage was caused by an expired TLS certificate on the database proxy."
    assert check_cause("It failed because the proxy's certificate had expired.", context) is None
    reason = check_cause("It failed because the proxy ran out of disk space.", context)
    assert reason and reason.startswith('the cause "because the proxy ran out of disk')


def test_a_duration_between_two_context_times_is_supported():
    context = "Between 10:05 and 10:40 UTC, 12% of checkout requests timed out."
    assert missing_facts("For 35 minutes checkout requests timed out.", context) == []
    (wrong,) = missing_facts("For 45 minutes checkout requests timed out.", context)
    assert wrong.fact.text == "45 minutes"


def test_switched_off_takes_away_like_disabled():
    context = "Search was empty because a feature flag disabled the ranking service."
    assert check_polarity("A feature flag switched off the ranking service.", context) is None
    clash = check_polarity("A feature flag switched on the ranking service.", context)
    assert clash is not None and clash.reason.startswith("drops the negation")


def test_a_date_at_the_end_of_a_sentence_is_named_without_the_full_stop():
    (wrong,) = missing_facts("It runs out on 13 October.", "The certificate expires on October 3.")
    assert (wrong.fact.text, wrong.instead) == ("13 october", "october 3")
