"""Is the grounding flag usable as a gate? Today's rule and the new one, side by side.

Two data sets, one run, the same embeddings (all-MiniLM-L6-v2):

- the contrast set (benchmarks/data/grounding_contrast.jsonl, in this repo): 40 short
  engineering contexts (tickets, incidents, deployments, PR descriptions, release notes,
  policies), each with a faithful paraphrase and a one-fact edit (number, date, time,
  amount, version, percentage, entity, role, polarity, cause); hand-written. Rows 0, 2, 4...
  are the dev half (looked at while building the checks), 1, 3, 5... the held-out half;
  a fresh block of 12 more (grounding_contrast_fresh.jsonl) was written after the
  displacement discount and a first role check, before they were run on it, and a
  second of 8 ("batch": 2) after the role check's last change (docs/grounding.md says
  what changed in between);
- QAGS (Wang et al., ACL 2020): news articles, model summaries, crowd votes per sentence;
  read from ../shared/benchmarks/qags-dev.jsonl (never copied: no licence is stated) or a
  path given as the first argument; skipped with a note when missing.

Methods, each at its default operating point (an answer is flagged when fewer than 85% of
its sentences are grounded, i.e. any sentence of a short answer):
  lexical  what driftgate did before: best-unit cosine − 0.10 × words not in the context,
           threshold 0.78, any number or name spelled differently from the context fails
  previous the rule before this change: facts compared by meaning, names, polarity and
           cause checks, no wording penalty, best-unit cosine ≥ 0.65 (lower for sentences
           under 4 content words)
  new      the default now (score/grounding.py): the same checks and a role check (two
           names traded between clauses); the support is the cosine minus 0.30 × the
           share of the sentence's context words that its best match lacks (words joined
           from elsewhere in the context), threshold 0.60
AUC ranks answers by 1 − answer support (the new rule's discounts novel words for ranking
only, 0.10 each, at most 3; the flag never does). Ablations of the new rule switch one
check off at a time. Rates carry Wilson 95% intervals,
AUCs a bootstrap 95% interval (1,000 resamples of the answers).

    python benchmarks/bench_grounding.py [QAGS_PATH]
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CONTRAST = REPO / "benchmarks" / "data" / "grounding_contrast.jsonl"
FRESH = REPO / "benchmarks" / "data" / "grounding_contrast_fresh.jsonl"
OLD_THRESHOLD, OLD_PENALTY = 0.78, 0.10
PREVIOUS_THRESHOLD = 0.65  # the cosine rule's default before the displacement discount
CHECKS = ("fact", "name", "polarity", "cause", "role")
RULES = (
    ("lexical", "lexical (first)"),
    ("previous", "cosine 0.65 (before)"),
    ("new", "new (default)"),
)


def find_qags(argv: list[str]) -> Path | None:
    if len(argv) > 1:
        return Path(argv[1])
    for parent in [REPO, *REPO.parents]:
        candidate = parent / "shared" / "benchmarks" / "qags-dev.jsonl"
        if candidate.is_file():
            return candidate
    return None


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion: sane at 0/n and n/n, unlike p ± 2se."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(hits: int, n: int) -> str:
    low, high = wilson(hits, n)
    return f"{hits:3d}/{n:<3d} {hits / n if n else 0:4.0%} [{low:4.0%}, {high:4.0%}]"


def auc(risks: list[float], labels: list[bool]) -> float:
    """P(risk of a random unfaithful answer > risk of a random faithful one); ties count 1/2."""
    pos = [r for r, y in zip(risks, labels, strict=True) if y]
    neg = [r for r, y in zip(risks, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def auc_interval(risks, labels, n=1000) -> tuple[float, float]:
    rng = random.Random(0)
    values = []
    while len(values) < n:
        idx = [rng.randrange(len(labels)) for _ in labels]
        sample = [labels[i] for i in idx]
        if all(sample) or not any(sample):
            continue
        values.append(auc([risks[i] for i in idx], sample))
    values.sort()
    return values[int(0.025 * n)], values[int(0.975 * n) - 1]


class Answer:
    """One answer's per-sentence evidence, so every rule and ablation is recomputed cheaply."""

    def __init__(self, answer: str, context: str, embedder, threshold: float):
        from driftgate.score.claims import check_claims
        from driftgate.score.facts import missing_facts, month_in_context
        from driftgate.score.grounding import ground
        from driftgate.score.polarity import check_cause, check_polarity, check_roles
        from driftgate.score.sentences import split_sentences

        self.grounding = ground(answer, context, "chunked", threshold, embedder)
        old_units = [*split_sentences(context), context]
        self.sentences = []
        for s in self.grounding.sentences:
            claims = check_claims(s.text, context)
            old_cosine = embedder.best_support(s.text, old_units)[0]
            names = [n for n in self._names(s.text, context) if not month_in_context(n, context)]
            self.sentences.append(
                {
                    "support": s.support,
                    "previous_support": 1.0 if s.verbatim else s.cosine,
                    "scale": min(1.0, len(claims.content) / 4),
                    "fact": bool(missing_facts(s.text, context)),
                    "name": bool(names),
                    "polarity": not s.verbatim and check_polarity(s.text, context) is not None,
                    "cause": not s.verbatim and check_cause(s.text, context) is not None,
                    "role": not s.verbatim and check_roles(s.text, context) is not None,
                    "old_support": 1.0
                    if claims.verbatim
                    else old_cosine - OLD_PENALTY * len(claims.novel_words),
                    "old_missing": bool(claims.missing),
                }
            )

    @staticmethod
    def _names(sentence, context):
        from driftgate.score.claims import missing_names

        return missing_names(sentence, context)

    def flagged(self, method: str, threshold: float, off: str | None = None) -> bool:
        return any(self._sentence_flag(s, method, threshold, off) for s in self.sentences)

    @staticmethod
    def _sentence_flag(s, method, threshold, off) -> bool:
        if method == "lexical":
            return s["old_missing"] or s["old_support"] < OLD_THRESHOLD
        checks = CHECKS[:-1] if method == "previous" else CHECKS  # the role check is new
        if any(s[check] and check != off for check in checks):
            return True
        if method == "previous":
            return s["previous_support"] < PREVIOUS_THRESHOLD * s["scale"]
        if off == "displaced":  # the new threshold on the raw cosine
            return s["previous_support"] < threshold * s["scale"]
        return off != "cosine" and s["support"] < threshold * s["scale"]

    def risk(self, method: str) -> float:
        """1 − answer support: what AUC ranks by (the new rule's is grounding's own)."""
        if method in ("new", "previous"):  # ranking did not change: raw cosines
            return 1.0 - self.grounding.answer_support
        product = 1.0
        for s in self.sentences:
            failed, support = s["old_missing"], s["old_support"]
            product *= 0.0 if failed else min(1.0, max(0.0, support))
        return 1.0 - product


def contrast_report(answers, rows, fresh, threshold) -> None:
    """`rows`: the contrast set then the fresh block (its last `fresh` rows)."""
    main = len(rows) - fresh
    print(f"Contrast set: {main} contexts ({CONTRAST.relative_to(REPO)}) and a fresh block "
          f"of {fresh} ({FRESH.relative_to(REPO)})")  # fmt: skip
    header = f"  {'method':22} {'half':9} {'faithful flagged':>24}   {'one-fact edits flagged':>24}"
    print(header)
    groups = {
        "dev": [i for i in range(main) if i % 2 == 0],
        "held-out": [i for i in range(main) if i % 2 == 1],
        "fresh": [i for i in range(main, len(rows)) if rows[i].get("batch", 1) == 1],
        "fresh 2": [i for i in range(main, len(rows)) if rows[i].get("batch", 1) == 2],
    }
    for method, label in RULES:
        off = None
        for name, idx in groups.items():
            good = sum(answers[i, "faithful"].flagged(method, threshold, off) for i in idx)
            bad = sum(answers[i, "unfaithful"].flagged(method, threshold, off) for i in idx)
            print(f"  {label:22} {name:9} {rate(good, len(idx)):>24}   {rate(bad, len(idx)):>24}")
    print(f"\n  ablation (new rule, all {len(rows)} contexts): one check switched off")
    for off in (*CHECKS, "displaced", "cosine"):
        good = sum(answers[i, "faithful"].flagged("new", threshold, off) for i in range(len(rows)))
        bad = sum(answers[i, "unfaithful"].flagged("new", threshold, off) for i in range(len(rows)))
        print(f"  {'without ' + off:22} {'all':9} {rate(good, len(rows)):>24}   "
              f"{rate(bad, len(rows)):>24}")  # fmt: skip
    print("\n  one-fact edits flagged, by kind of edit (new / cosine 0.65 / lexical)")
    kinds: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        kinds.setdefault(row["edit"], []).append(i)
    for kind, idx in sorted(kinds.items()):
        new = sum(answers[i, "unfaithful"].flagged("new", threshold) for i in idx)
        prev = sum(answers[i, "unfaithful"].flagged("previous", threshold) for i in idx)
        old = sum(answers[i, "unfaithful"].flagged("lexical", threshold) for i in idx)
        print(f"    {kind:11} {new}/{len(idx)}  (cosine 0.65 {prev}/{len(idx)}, "
              f"lexical {old}/{len(idx)})")  # fmt: skip


def qags_report(answers, rows, threshold) -> None:
    labels = [bool(r["unfaithful"]) for r in rows]
    n_bad, n_good = sum(labels), labels.count(False)
    print(f"\nQAGS dev split: {len(rows)} answers ({n_bad} unfaithful, {n_good} faithful)")
    print(f"  {'method':20} {'AUC [95%]':>20}   {'false-flag rate':>22}   {'recall':>22}   "
          f"{'precision':>22}")  # fmt: skip
    for method, label in RULES:
        risks = [a.risk(method) for a in answers]
        low, high = auc_interval(risks, labels)
        flags = [a.flagged(method, threshold) for a in answers]
        tp = sum(f and y for f, y in zip(flags, labels, strict=True))
        fp = sum(f and not y for f, y in zip(flags, labels, strict=True))
        print(
            f"  {label:20} {auc(risks, labels):.3f} [{low:.3f}, {high:.3f}]   "
            f"{rate(fp, n_good):>22}   {rate(tp, n_bad):>22}   {rate(tp, tp + fp):>22}"
        )
    subsets = {
        "even rows": [i for i in range(len(rows)) if i % 2 == 0],
        "odd rows": [i for i in range(len(rows)) if i % 2 == 1],
        "CNN/DM": [i for i, r in enumerate(rows) if "cnndm" in r["id"]],
        "XSum": [i for i, r in enumerate(rows) if "xsum" in r["id"]],
    }
    for method in ("previous", "new"):
        print(f"\n  {method} rule by half (rows even/odd; the new rule's weight and threshold "
              f"were chosen on the even rows) and subset:")  # fmt: skip
        for name, idx in subsets.items():
            sub = [labels[i] for i in idx]
            flags = [answers[i].flagged(method, threshold) for i in idx]
            fp = sum(f and not y for f, y in zip(flags, sub, strict=True))
            tp = sum(f and y for f, y in zip(flags, sub, strict=True))
            print(
                f"    {name:10} AUC {auc([answers[i].risk(method) for i in idx], sub):.3f}  "
                f"false flags {rate(fp, sub.count(False))}  recall {rate(tp, sum(sub))}"
            )
    for method, off in (("new", None), ("new", "displaced")):
        name = "new rule" if off is None else "raw cosine (no displacement discount)"
        print(f"\n  threshold sweep ({name}): false-flag rate / recall on QAGS")
        line = []
        for t in (0.50, 0.55, 0.58, 0.60, 0.62, 0.65, 0.70):
            flags = [a.flagged(method, t, off) for a in answers]
            fp = sum(f and not y for f, y in zip(flags, labels, strict=True))
            tp = sum(f and y for f, y in zip(flags, labels, strict=True))
            line.append(f"{t:.2f}: {fp / n_good:.2f}/{tp / n_bad:.2f}")
        print("    " + "   ".join(line))


def main(argv: list[str]) -> int:
    from driftgate.config.schema import Suite
    from driftgate.score.embedder import Embedder
    from driftgate.score.grounding import context_units, grounding_texts
    from driftgate.score.sentences import split_sentences

    threshold = Suite.model_fields["grounding_threshold"].default
    embedder = Embedder("all-MiniLM-L6-v2")
    contrast = [json.loads(line) for line in CONTRAST.read_text("utf-8").splitlines() if line]
    fresh = [json.loads(line) for line in FRESH.read_text("utf-8").splitlines() if line]
    contrast += fresh
    path = find_qags(argv)
    qags = []
    if path is not None and path.is_file():
        qags = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    pairs = [(r[k], r["context"]) for r in contrast for k in ("faithful", "unfaithful")]
    pairs += [(r["answer"], r["context"]) for r in qags]
    texts = []
    for answer, context in pairs:
        texts += grounding_texts(answer, context, "chunked")
        texts += split_sentences(context)  # today's units, for the side-by-side
    started = time.perf_counter()
    embedder.encode(texts)
    encode_s = time.perf_counter() - started
    started = time.perf_counter()
    answers = {
        (i, k): Answer(r[k], r["context"], embedder, threshold)
        for i, r in enumerate(contrast)
        for k in ("faithful", "unfaithful")
    }
    qags_answers = [Answer(r["answer"], r["context"], embedder, threshold) for r in qags]
    score_s = time.perf_counter() - started
    units = sum(len(context_units(c)) for _, c in pairs)
    print(f"grounding_threshold default: {threshold}; {len(pairs)} answers, {units} context units")
    print(f"encode {embedder.encoded} texts once: {encode_s:.1f}s; all checks on every answer, "
          f"both rules: {score_s:.2f}s\n")  # fmt: skip
    contrast_report(answers, contrast, len(fresh), threshold)
    if not qags:
        print(
            "\nQAGS data not found (expected ../shared/benchmarks/qags-dev.jsonl or a path "
            "argument); skipping the QAGS figures."
        )
    else:
        print(f"(QAGS data: {path})")
        qags_report(qags_answers, qags, threshold)
    print(
        "\nEvery method is a proxy, not a fact checker: read each flagged sentence's reason "
        "before trusting a flag (docs/grounding.md)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
