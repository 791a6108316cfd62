"""How well does grounding flag unfaithful answers? Prints AUC and precision/recall.

Data: QAGS (Wang et al., ACL 2020): news articles, model-written summaries and three crowd
workers' per-sentence votes; an answer is unfaithful when some sentence lacks a majority
"supported". Read from ../shared/benchmarks/qags-dev.jsonl (never copied into this repo;
no licence is stated); pass another path as the first argument. Without it: skip.

Compared, on the same embeddings (all-MiniLM-L6-v2):
  whole    each output sentence vs the whole-context embedding (the write-ups' proxy)
  max      each sentence vs its best context unit (sentence or whole), plain cosine
  chunked  driftgate's default: max, minus 0.10 per novel content word, any number or
           name absent from the context fails the sentence, and a sentence quoted word for
           word from the context is supported (score/claims.py)
AUC ranks answers by 1 - answer support, the product of the sentences' supports (a
missing fact counts 0); the `max` and `whole` rows, and the ablations, by the lowest
support. Precision/recall use the default thresholds: a sentence is grounded at support
>= 0.78, and an answer is flagged when fewer than 85% of its sentences are.
The 2-fold check picks the best of the ablation variants and penalties on one half of the
rows (even/odd) and reports it on the other: nothing here is tuned on all 200 rows.

    python benchmarks/bench_grounding.py [PATH]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

THRESHOLD = 0.78  # grounding_threshold default
MIN_RATIO = 0.85  # min_grounding_ratio default


def find_data(argv: list[str]) -> Path | None:
    if len(argv) > 1:
        return Path(argv[1])
    for parent in [REPO, *REPO.parents]:
        candidate = parent / "shared" / "benchmarks" / "qags-dev.jsonl"
        if candidate.is_file():
            return candidate
    return None


def auc(risks: list[float], labels: list[bool]) -> float:
    """P(risk of a random unfaithful answer > risk of a random faithful one); ties count 1/2."""
    pos = [r for r, y in zip(risks, labels, strict=True) if y]
    neg = [r for r, y in zip(risks, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _risk(sentences, verbatim: bool, how: str, penalty: float) -> float:
    """One answer's risk under a variant: a missing fact is worst, then low support."""
    supports = []
    for s in sentences:
        support = 1.0 if verbatim and s.verbatim else s.cosine - penalty * len(s.novel_words)
        supports.append((bool(s.missing), support))
    if how == "lowest":
        return max(float(missing) - support for missing, support in supports)
    product = 1.0
    for missing, support in supports:
        product *= 0.0 if missing else min(1.0, max(0.0, support))
    return 1.0 - product


def _bootstrap(new, old, labels, n=1000):
    """95% intervals of the new AUC and of its gain over the old, resampling answers."""
    import random

    rng = random.Random(0)
    aucs, gains = [], []
    while len(aucs) < n:
        idx = [rng.randrange(len(labels)) for _ in labels]
        sample = [labels[i] for i in idx]
        if all(sample) or not any(sample):
            continue
        a = auc([new[i] for i in idx], sample)
        aucs.append(a)
        gains.append(a - auc([old[i] for i in idx], sample))
    aucs.sort()
    gains.sort()
    lo, hi = int(0.025 * n), int(0.975 * n) - 1
    return aucs[lo], aucs[hi], gains[lo], gains[hi]


def _aucs(risks, labels, subsets) -> list[float]:
    out = [auc(risks, labels)]
    for subset in ("cnndm", "xsum"):
        idx = [i for i, s in enumerate(subsets) if s == subset]
        out.append(auc([risks[i] for i in idx], [labels[i] for i in idx]))
    return out


def precision_recall(flags: list[bool], labels: list[bool]) -> tuple[int, float, float]:
    tp = sum(f and y for f, y in zip(flags, labels, strict=True))
    flagged = sum(flags)
    return flagged, (tp / flagged if flagged else 0.0), tp / sum(labels)


def main(argv: list[str]) -> int:
    path = find_data(argv)
    if path is None or not path.is_file():
        print(
            "bench_grounding: QAGS data not found (expected ../shared/benchmarks/qags-dev.jsonl "
            "or a path argument); skipping."
        )
        return 0
    from driftgate.score.embedder import Embedder
    from driftgate.score.grounding import ground, grounding_texts

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    embedder = Embedder("all-MiniLM-L6-v2")
    started = time.perf_counter()
    texts = [t for r in rows for t in grounding_texts(r["answer"], r["context"], "chunked")]
    embedder.encode(texts)
    encode_s = time.perf_counter() - started

    methods = {"whole": [], "max": [], "chunked": []}
    penalties = (0.0, 0.05, 0.1, 0.2, 0.3)
    sensitivity = {p: [] for p in penalties}  # the novel-word penalty, facts rule kept
    variants = {  # (verbatim rule, aggregation) -> risks, at the default penalty
        (verbatim, how): [] for verbatim in (False, True) for how in ("lowest", "product")
    }
    grid = {(v, h, p): [] for v in (False, True) for h in ("lowest", "product") for p in penalties}
    labels = [bool(r["unfaithful"]) for r in rows]
    subsets = ["xsum" if "xsum" in r["id"] else "cnndm" for r in rows]
    started = time.perf_counter()
    for row in rows:
        whole = ground(row["answer"], row["context"], "whole", THRESHOLD, embedder)
        chunked = ground(row["answer"], row["context"], "chunked", THRESHOLD, embedder)
        cosines = [s.cosine for s in chunked.sentences]
        methods["whole"].append((-whole.score, whole.ratio < MIN_RATIO))
        methods["max"].append(
            (-min(cosines), sum(c >= THRESHOLD for c in cosines) / len(cosines) < MIN_RATIO)
        )
        methods["chunked"].append((1.0 - chunked.answer_support, chunked.ratio < MIN_RATIO))
        for verbatim, how, p in grid:
            grid[verbatim, how, p].append(_risk(chunked.sentences, verbatim, how, p))
        for p in penalties:
            sensitivity[p].append(grid[True, "product", p][-1])
        for verbatim, how in variants:
            variants[verbatim, how].append(grid[verbatim, how, 0.1][-1])
    score_s = time.perf_counter() - started

    faithful = labels.count(False)
    print(f"QAGS dev split: {len(rows)} answers ({sum(labels)} unfaithful, {faithful} faithful)")
    print(f"data: {path}")
    print(f"encode {len(set(texts))} texts: {encode_s:.1f}s; grounding 2 modes: {score_s:.1f}s\n")
    header = (
        f"{'method':9} {'AUC all':>8} {'CNN/DM':>8} {'XSum':>8}   "
        f"{'flagged':>7} {'precision':>9} {'recall':>7}  (at {THRESHOLD}/{MIN_RATIO})"
    )
    print(header)
    print("-" * len(header))
    for name, values in methods.items():
        risks = [v[0] for v in values]
        flags = [v[1] for v in values]
        per = {}
        for subset in ("cnndm", "xsum"):
            idx = [i for i, s in enumerate(subsets) if s == subset]
            per[subset] = auc([risks[i] for i in idx], [labels[i] for i in idx])
        flagged, precision, recall = precision_recall(flags, labels)
        print(
            f"{name:9} {auc(risks, labels):8.3f} {per['cnndm']:8.3f} {per['xsum']:8.3f}   "
            f"{flagged:7d} {precision:9.2f} {recall:7.2f}"
        )
    print("\nablation (penalty 0.10): AUC all / CNN/DM / XSum")
    for (verbatim, how), risks in variants.items():
        name = f"verbatim rule {'on ' if verbatim else 'off'}, {how} support"
        print(f"  {name:40} " + " / ".join(f"{a:.3f}" for a in _aucs(risks, labels, subsets)))
    print("\nsensitivity: AUC of chunked by novel-word penalty (numbers/names rule kept)")
    print("  " + "   ".join(f"{p:.2f}: {auc(sensitivity[p], labels):.3f}" for p in penalties))
    print("\n2-fold (rows split even/odd): best variant and penalty on one half, AUC on the other")
    halves = [list(range(0, len(rows), 2)), list(range(1, len(rows), 2))]

    def on(idx, key):
        return auc([grid[key][i] for i in idx], [labels[i] for i in idx])

    for tune, test in ((0, 1), (1, 0)):
        best = max(grid, key=lambda key: on(halves[tune], key))
        default = (True, "product", 0.1)
        print(
            f"  tuned on half {tune}: verbatim {'on' if best[0] else 'off'}, {best[1]}, "
            f"penalty {best[2]:.2f} -> AUC {on(halves[test], best):.3f} on half {test} "
            f"(driftgate default there: {on(halves[test], default):.3f})"
        )
    new, old = grid[True, "product", 0.1], grid[False, "lowest", 0.1]
    low, high, gain_low, gain_high = _bootstrap(new, old, labels)
    print(
        f"\nbootstrap (1,000 resamples of the 200 answers): chunked AUC 95% interval "
        f"[{low:.3f}, {high:.3f}]; gain over the previous rule (no verbatim rule, lowest "
        f"support) [{gain_low:+.3f}, {gain_high:+.3f}]"
    )
    print(
        "\nAUC 0.5 = chance. 'chunked' is driftgate's default grounding; every method is a "
        "proxy,\nnot a fact checker: read the per-sentence reasons before trusting a flag."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
