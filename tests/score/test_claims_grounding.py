"""Grounding catches invented numbers and names that cosine similarity lets through."""

import pytest

from driftgate.score.claims import check_claims
from driftgate.score.grounding import ground

CONTEXT = (
    "Version 4.2.1 was deployed to production at 14:30 UTC on 3 March. "
    "Error rates stayed within normal bounds during the rollout. "
    "Priya Raman from the Berlin team approved the change; the incident cost $3,500."
)


@pytest.mark.parametrize(
    ("sentence", "missing"),
    [
        ("Version 4.2.1 was deployed at 14:30 UTC.", ()),
        ("Version 4.2.3 was deployed at 14:45 UTC.", ("4.2.3", "14:45")),
        ("v4.2.1 shipped on 3 March.", ()),
        ("It shipped on 5 March.", ("5",)),
        ("The incident cost $3,500.", ()),
        ("The incident cost $3500.", ()),
        ("The incident cost $4,500.", ("4500",)),
        ("Priya Raman approved it.", ()),
        ("John Smith approved it.", ("John", "Smith")),
        ("The change was approved in Paris.", ("Paris",)),
        ("Berlin's team approved it.", ()),
        ("It was deployed in April.", ("April",)),
    ],
)
def test_numbers_dates_versions_and_names_must_appear_in_the_context(sentence, missing):
    assert check_claims(sentence, CONTEXT).missing == missing


def test_sentence_start_and_clause_start_capitals_are_not_names():
    check = check_claims("Deployment went well. Nothing broke: Errors stayed low.", CONTEXT)
    assert check.missing == ()


def test_novel_words_use_a_crude_stem_and_skip_stopwords():
    check = check_claims("The deployment was approved and errors were normal.", CONTEXT)
    assert check.novel_words == ()  # deployed~deployment, approve, error(s), normal
    assert check.novel_words != check_claims("A cat sang opera.", CONTEXT).novel_words


@pytest.mark.slow
def test_an_invented_time_fails_although_its_cosine_is_high(embedder):
    output = "Version 4.2.1 was deployed to production at 14:45 UTC on 3 March."
    result = ground(output, CONTEXT, "chunked", 0.78, embedder)
    (sentence,) = result.sentences
    assert sentence.cosine > 0.9  # the embedding barely notices
    assert not sentence.grounded and sentence.missing == ["14:45"]
    assert sentence.reason == "`14:45` is not in the context (it says `14:30`)"
    assert sentence.flag == "fact"
    assert result.ratio == 0.0


@pytest.mark.slow
def test_an_invented_name_fails_and_the_true_sentence_passes(embedder):
    output = (
        "Version 4.2.1 was deployed to production at 14:30 UTC on 3 March. "
        "John Smith from the Berlin team approved the change."
    )
    result = ground(output, CONTEXT, "chunked", 0.78, embedder)
    first, second = result.sentences
    assert first.grounded and first.missing == [] and first.support == pytest.approx(1.0)
    assert not second.grounded and second.missing == ["John", "Smith"]
    assert second.reason == "`John` is not in the context" and second.flag == "name"
    assert result.ratio == 0.5


@pytest.mark.slow
def test_novel_wording_costs_nothing_but_is_listed(embedder):
    output = "Error rates stayed within normal bounds during the rollout, delighting shareholders."
    result = ground(output, CONTEXT, "chunked", 0.6, embedder)
    (sentence,) = result.sentences
    assert sentence.novel_words == ["delighting", "shareholders"]
    assert sentence.support == pytest.approx(sentence.cosine, abs=1e-6)
    assert sentence.grounded


@pytest.mark.slow
def test_the_articles_own_example_passes_and_its_one_fact_edit_fails(embedder):
    context = "14:30 UTC deploy v42 finished; 0 errors; rollback=false"
    good = "Deployment completed. No incidents. Rollback not required."
    assert ground(good, context, "chunked", 0.6, embedder).ratio == 1.0
    bad = ground("Deployment completed at 4:30 pm.", context, "chunked", 0.6, embedder)
    assert bad.sentences[0].reason == "`4:30 pm` is not in the context (it says `14:30`)"
    flipped = ground("A rollback was required.", context, "chunked", 0.6, embedder)
    assert flipped.sentences[0].flag == "polarity"
    assert ground("No rollback was needed.", "No rollback.", "chunked", 0.6, embedder).ratio == 1


@pytest.mark.slow
def test_a_short_sentence_gets_a_lower_bar_than_a_long_one(embedder):
    result = ground("No incidents.", CONTEXT, "chunked", 0.6, embedder)
    assert result.sentences[0].bar == pytest.approx(0.6 / 4)  # one content word of four


@pytest.mark.slow
def test_whole_mode_is_unchanged_by_the_claim_check(embedder):
    output = "Version 4.2.1 was deployed to production at 14:45 UTC on 3 March."
    result = ground(output, CONTEXT, "whole", 0.5, embedder)
    assert result.sentences[0].missing == [] and result.sentences[0].cosine is None


def test_the_case_reason_quotes_the_unsupported_sentence_and_why():
    from driftgate.results import SentenceScore
    from driftgate.score.grounding import unsupported_detail

    sentences = [
        SentenceScore(text="Fine.", support=0.9, grounded=True),
        SentenceScore(
            text="John Smith approved it.",
            support=0.5,
            grounded=False,
            reason="`John` is not in the context",
        ),
    ]
    assert unsupported_detail(sentences) == (
        ': "John Smith approved it." — `John` is not in the context'
    )
    assert unsupported_detail(sentences[:1]) == ""


@pytest.mark.parametrize(
    ("sentence", "verbatim"),
    [
        ("Error rates stayed within normal bounds.", True),  # a clause, quoted
        ("error rates STAYED within normal bounds", True),  # case and punctuation aside
        ("The incident cost $3,500.", True),
        ("Error rates stayed within the normal bounds.", False),  # a word added
        ("Error rates stayed within bounds.", False),  # a word dropped
        ("Normal bounds stayed within error rates.", False),  # the same words, reordered
        ("Version 4.2.1 was deployed to production at 14:45 UTC.", False),
    ],
)
def test_a_sentence_quoted_word_for_word_is_verbatim(sentence, verbatim):
    assert check_claims(sentence, CONTEXT).verbatim is verbatim


def test_answer_support_multiplies_sentence_supports_and_a_missing_fact_zeroes_it():
    from driftgate.results import SentenceScore
    from driftgate.score.grounding import answer_support

    def s(support, missing=()):
        return SentenceScore(text="x", support=support, grounded=True, missing=list(missing))

    assert answer_support([s(0.9)]) == pytest.approx(0.9)
    # Three shaky sentences are riskier than one, though each alone would pass.
    assert answer_support([s(0.9), s(0.9), s(0.9)]) == pytest.approx(0.729)
    assert answer_support([s(1.0), s(0.95, missing=["14:45"])]) == 0.0
    assert answer_support([s(1.2), s(-0.1)]) == 0.0  # clipped to [0, 1]
    assert answer_support([s(1.2), s(0.5)]) == pytest.approx(0.5)


@pytest.mark.slow
def test_a_clause_quoted_from_a_long_sentence_is_supported_whatever_its_cosine(embedder):
    output = "Priya Raman from the Berlin team approved the change."
    result = ground(output, CONTEXT, "chunked", 0.78, embedder)
    (sentence,) = result.sentences
    assert sentence.verbatim and sentence.grounded and sentence.reason is None
    assert sentence.support == 1.0 and sentence.cosine < 1.0  # the raw cosine is kept
    assert result.answer_support == 1.0
    edited = ground(
        "Priya Raman from the Paris team approved the change.", CONTEXT, "chunked", 0.78, embedder
    )
    assert not edited.sentences[0].verbatim and not edited.sentences[0].grounded
    assert edited.answer_support == 0.0  # 'Paris' is not in the context
