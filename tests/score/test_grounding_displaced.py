"""Grounding discounts a sentence that joins words from different parts of the context."""

import pytest

from driftgate.results import SentenceScore
from driftgate.score.claims import check_claims, displaced_words
from driftgate.score.grounding import DISPLACED_WEIGHT, answer_support, ground

CONTEXT = (
    "Priya Raman fixed the login bug in the auth service. "
    "The payments service had a memory leak last week. "
    "Tom Lee restarted the payments service on Friday."
)
LEAK = "The payments service had a memory leak last week."


def test_displaced_words_are_context_words_its_best_match_lacks():
    sentence = "Priya Raman fixed the memory leak in the payments service."
    content = check_claims(sentence, CONTEXT).content
    assert displaced_words(content, CONTEXT, LEAK) == ("priya", "raman", "fixed")
    # Words the context never uses are wording, not displacement.
    novel = check_claims("The payments service had a dreadful memory leak.", CONTEXT).content
    assert displaced_words(novel, CONTEXT, LEAK) == ()
    # The whole context as the best match (None) displaces nothing.
    assert displaced_words(content, CONTEXT, None) == ()


@pytest.mark.slow
def test_a_recombined_sentence_loses_support_and_says_which_words_moved(embedder):
    wrong = ground(
        "Priya Raman fixed the memory leak in the payments service.",
        CONTEXT, "chunked", 0.75, embedder,
    )  # fmt: skip
    (sentence,) = wrong.sentences
    assert sentence.best_unit == LEAK
    assert sentence.cosine >= 0.75  # the raw cosine alone would pass it
    assert sentence.displaced == ["priya", "raman", "fixed"]
    # Three of its seven context words (priya, raman, fixed; not memory, leak, payments,
    # service) come from elsewhere.
    assert sentence.support == pytest.approx(sentence.cosine - DISPLACED_WEIGHT * 3 / 7, abs=1e-5)
    assert not sentence.grounded and sentence.flag == "support"
    assert "`priya`, `raman` come from elsewhere than its best match" in sentence.reason
    assert "< 0.75" in sentence.reason


@pytest.mark.slow
def test_a_paraphrase_of_one_context_sentence_keeps_its_cosine(embedder):
    result = ground("Last week the payments service leaked memory.", CONTEXT, "chunked", 0.75,
                    embedder)  # fmt: skip
    (sentence,) = result.sentences
    assert sentence.displaced == [] and sentence.support == pytest.approx(sentence.cosine)
    assert sentence.grounded and sentence.reason is None


def test_answer_support_ranks_by_the_raw_cosine_not_the_discounted_support():
    def s(cosine, support, verbatim=False):
        return SentenceScore(
            text="x", support=support, cosine=cosine, grounded=True, verbatim=verbatim
        )

    assert answer_support([s(0.9, 0.7)]) == pytest.approx(0.9)
    assert answer_support([s(0.8, 1.0, verbatim=True)]) == pytest.approx(1.0)
    whole_mode = SentenceScore(text="x", support=0.7, grounded=True)  # no cosine field
    assert answer_support([whole_mode]) == pytest.approx(0.7)


def test_a_support_just_under_the_bar_never_reads_as_equal_to_it():
    from driftgate.score.grounding import _weak

    assert _weak(0.5996, 0.60).endswith("(best match 0.59 < 0.60)")
    assert _weak(0.58, 0.60).endswith("(best match 0.58 < 0.60)")
    reason = _weak(0.5996, 0.60, ("lost", "iphone", "lost"))
    assert reason == (
        "joins parts of the context that don't go together: `lost`, `iphone` come from "
        "elsewhere than its best match (support 0.59 < 0.60)"
    )
