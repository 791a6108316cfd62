"""Deterministic synthetic suites for the benchmarks: realistic lengths, no network."""

from __future__ import annotations

import random

SUBJECTS = [
    "The release",
    "Our billing service",
    "The API gateway",
    "The on-call engineer",
    "Version 4.2.1",
    "The checkout flow",
    "The nightly job",
    "Customer support",
    "The database migration",
    "The payment provider",
    "The router",
    "The dashboard",
]
VERBS = [
    "was deployed to",
    "returned errors for",
    "was rolled back in",
    "scaled up in",
    "was paused for",
    "recovered in",
    "was migrated to",
    "timed out in",
    "was patched in",
]
OBJECTS = [
    "production",
    "the EU region",
    "staging",
    "three clusters",
    "the billing database",
    "the invoices table",
    "the mobile app",
    "the partner API",
    "the search index",
]
TAILS = [
    "at 14:30 UTC",
    "after the 09:10 incident",
    "with no rollback",
    "within the SLA",
    "for 12 minutes",
    "on 12 March",
    "before the freeze",
    "after review by the team",
    "while error rates stayed normal",
    "with a $3.5M exposure",
    "using release v1.2",
]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def synthetic_cases(n: int, seed: int = 7) -> list[dict]:
    """Expected ≈ 18 words, output 3–5 sentences, context ≈ 170 words (about 12 sentences)."""
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        context_sentences = [sentence(rng) for _ in range(12)]
        expected = sentence(rng)[:-1] + ", " + rng.choice(TAILS) + " " + rng.choice(OBJECTS) + "."
        output_sentences = rng.sample(context_sentences, 2) + [
            sentence(rng) for _ in range(rng.randint(1, 3))
        ]
        cases.append(
            {
                "name": f"case_{i:04d}",
                "expected": expected,
                "context": " ".join(context_sentences),
                "output": " ".join(output_sentences),
            }
        )
    return cases
