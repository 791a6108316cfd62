"""Two names traded between clauses are caught although every word is in the context."""

import pytest

from driftgate.score.claims import name_words
from driftgate.score.polarity import check_roles

REVIEW = "Priya wrote the migration script and Tom reviewed it. The script backfills the orders."
ONCALL = (
    "During the outage, Lena Park was the incident commander and Omar Haddad handled "
    "customer communications."
)
MOBILE = "The Android app 5.2 adds offline mode. The iOS version will follow next month."
TEAMS = "The billing team owns the invoice service. The platform team maintains its deployment."
ACCESS = (
    "Production access requires approval from the data owner, and the security team "
    "audits all grants every quarter."
)


@pytest.mark.parametrize(
    ("sentence", "context", "reason"),
    [
        (
            "The script was written by Tom and reviewed by Priya.",
            REVIEW,
            'puts `Tom` where the context has `Priya` ("Priya wrote the migration script")',
        ),
        (
            "Omar Haddad led the incident while Lena Park kept customers informed.",
            ONCALL,
            'puts `Omar` where the context has `Lena` ("Lena Park was the incident commander")',
        ),
        (
            "Offline mode arrives in iOS app 5.2, and Android gets it next month.",
            MOBILE,
            'puts `iOS` where the context has `Android` ("The Android app 5.2 adds offline mode.")',
        ),
        (
            "Invoice service ownership sits with platform, while billing maintains its deployment.",
            TEAMS,
            'puts `platform` where the context has `billing` ("The billing team owns the invoice '
            'service.")',
        ),
        (
            "Production access needs the security team's approval; the data owner audits grants.",
            ACCESS,
            "puts `security` where the context has `data` "
            '("Production access requires approval from the data owner")',
        ),
    ],
)
def test_names_traded_between_clauses_are_a_role_swap(sentence, context, reason):
    assert check_roles(sentence, context) == reason


@pytest.mark.parametrize(
    ("sentence", "context"),
    [
        ("The script was written by Priya and reviewed by Tom.", REVIEW),
        ("Lena Park led the incident while Omar Haddad kept customers informed.", ONCALL),
        ("Offline mode arrives in Android app 5.2, and iOS gets it next month.", MOBILE),
        ("Tom reviewed the script that Priya wrote.", REVIEW),  # one clause, both names
        ("Invoice service ownership sits with billing, while platform runs it.", TEAMS),
        ("Production access needs the data owner's approval; security audits grants.", ACCESS),
        # Days, months and acronyms are not names that hold roles.
        (
            "On Saturday 8 June from 10 pm UTC the database will be migrated.",
            "The database migration is scheduled for Saturday, June 8, between 22:00 and "
            "23:30 UTC. Writes are paused.",
        ),
    ],
)
def test_names_in_their_own_clauses_are_not_a_swap(sentence, context):
    assert check_roles(sentence, context) is None


def test_name_words_are_people_products_and_places_not_acronyms_or_dates():
    text = "On Monday Priya Raman moved OpenSearch to iOS and macOS in Berlin at 14:30 UTC (SSO)."
    assert name_words(text) == {"priya", "raman", "opensearch", "ios", "macos", "berlin"}
