"""How well does grounding flag unfaithful answers? Prints AUC and precision/recall.

Data: QAGS (Wang et al., ACL 2020): news articles, model-written summaries and three crowd
workers' per-sentence votes; an answer is unfaithful when some sentence lacks a majority
"supported". Read from ../shared/benchmarks/qags-dev.jsonl (never copied into this repo;
no licence is stated); pass another path as the first argument. Without it: skip.

Compared, on the same embeddings (all-MiniLM-L6-v2):
  whole    each output sentence vs the whole-context embedding (the write-ups' proxy)
  max      each sentence vs its best context unit (sentence or whole), plain cosine
  chunked  driftgate's default: max, minus 0.10 per novel content word, and any number
           or name absent from the context fails the sentence (score/claims.py)
AUC ranks answers by risk = max over sentences of ([number/name missing] - support), i.e.
the lowest support, with a missing fact outranking any cosine. Precision/recall use the
default thresholds: a sentence is grounded at support >= 0.78, and an answer is flagged
when fewer than 85% of its sentences are.

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
        risk = max(float(bool(s.missing)) - s.support for s in chunked.sentences)
        methods["chunked"].append((risk, chunked.ratio < MIN_RATIO))
        for p in penalties:
            sensitivity[p].append(
                max(
                    float(bool(s.missing)) - (s.cosine - p * len(s.novel_words))
                    for s in chunked.sentences
                )
            )
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
    print("\nsensitivity: AUC of chunked by novel-word penalty (numbers/names rule kept)")
    print("  " + "   ".join(f"{p:.2f}: {auc(sensitivity[p], labels):.3f}" for p in penalties))
    print(
        "\nAUC 0.5 = chance. 'chunked' is driftgate's default grounding; every method is a "
        "proxy,\nnot a fact checker: read the per-sentence reasons before trusting a flag."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
