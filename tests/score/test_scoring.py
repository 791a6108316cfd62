"""Scores equal sentence-transformers' own; texts are embedded once; grounding in both modes."""

from __future__ import annotations

import numpy as np
import pytest

from driftgate.score.grounding import ground
from driftgate.score.sentences import split_sentences

PAIRS = [
    (
        "Customer was double-charged and wants a refund; route to Billing.",
        "The customer was charged twice and asks for a refund; route to Billing.",
    ),
    (
        "Deployment 4.2.1 went out at 14:30 UTC with no rollback.",
        "The weather in Lisbon is sunny today.",
    ),
    ("", "An empty expectation still embeds."),
]


@pytest.mark.parametrize(("expected", "output"), PAIRS)
def test_similarity_matches_sentence_transformers(embedder, st_model, expected, output):
    from sentence_transformers import util

    reference = float(util.cos_sim(*st_model.encode([expected, output]))[0][0])
    embedder.encode([expected, output, "some other text in the same batch"])
    assert abs(embedder.similarity(expected, output) - reference) < 1e-5


def test_each_distinct_text_is_encoded_once(embedder):
    embedder.encode(["a", "b", "a"])
    embedder.encode(["b", "c"])
    assert embedder.encoded == 3
    embedder.similarity("a", "c")
    assert embedder.encoded == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We shipped v1.2 today. It fixed the login bug.",
            ("We shipped v1.2 today.", "It fixed the login bug."),
        ),
        (
            "Use a flag, e.g. --fast, for speed. Then rerun.",
            ("Use a flag, e.g. --fast, for speed.", "Then rerun."),
        ),
        (
            "The deploy finished at 14:30 UTC. No rollback was needed.",
            ("The deploy finished at 14:30 UTC.", "No rollback was needed."),
        ),
        (
            "Revenue reached $3.5M in Q3. Costs fell.",
            ("Revenue reached $3.5M in Q3.", "Costs fell."),
        ),
        (
            "- first point\n- second point\n\n1. numbered",
            ("first point", "second point", "numbered"),
        ),
        (
            "A sentence wrapped\nover two lines. Next one.",
            ("A sentence wrapped over two lines.", "Next one."),
        ),
        ("", ()),
        ("...", ()),
    ],
)
def test_sentence_splitting_edge_cases(text, expected):
    assert split_sentences(text) == expected


CONTEXT = (
    "Version 4.2.1 was deployed to production at 14:30 UTC. "
    "Error rates stayed within normal bounds during the rollout. "
    "No rollback was needed."
)


def test_chunked_grounding_accepts_a_verbatim_sentence_that_whole_rejects(embedder):
    output = "Error rates stayed within normal bounds during the rollout."
    chunked = ground(output, CONTEXT, "chunked", 0.78, embedder)
    whole = ground(output, CONTEXT, "whole", 0.78, embedder)
    assert chunked.ratio == 1.0
    assert chunked.sentences[0].support == pytest.approx(1.0, abs=1e-5)
    assert chunked.sentences[0].best_unit == output
    # The write-ups' proxy: a perfectly grounded sentence scores far below 0.78.
    assert whole.sentences[0].support < 0.78
    assert whole.ratio == 0.0
    assert whole.sentences[0].best_unit == "(whole context)"


def test_grounding_flags_the_unsupported_sentence(embedder):
    output = (
        "Version 4.2.1 was deployed to production at 14:30 UTC. "
        "The marketing team launched a new logo in Berlin."
    )
    result = ground(output, CONTEXT, "chunked", 0.78, embedder)
    assert [s.grounded for s in result.sentences] == [True, False]
    assert result.ratio == 0.5
    assert result.score == min(s.support for s in result.sentences)
    assert result.sentences[1].reason == "`Berlin` is not in the context"


def test_normalised_vectors(embedder):
    embedder.encode(["x y z"])
    assert np.linalg.norm(embedder.vector("x y z")) == pytest.approx(1.0)
