"""Issue 2 benchmark: driftgate's batched scoring vs the naive loop vs one bare encode.

Prints figures (run: `.venv/bin/python benchmarks/bench_scoring.py [N]`); not a test.
1. driftgate scoring vs the straightforward implementation that encodes each pair
   separately and re-encodes the context for every output sentence (same scores);
2. driftgate scoring vs one bare `model.encode` over the same unique texts (the floor);
3. peak memory (RSS high-water mark of this process, and Python allocations of the
   scoring step measured with tracemalloc).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

import yaml  # noqa: E402
from _synthetic import synthetic_cases  # noqa: E402

from driftgate.config import load_suite  # noqa: E402
from driftgate.generate import Generation  # noqa: E402
from driftgate.pipeline import score_cases  # noqa: E402
from driftgate.score.embedder import Embedder, load_model  # noqa: E402
from driftgate.score.scoring import texts_to_embed  # noqa: E402
from driftgate.score.sentences import split_sentences  # noqa: E402


def naive_scores(model, cases: list[dict]) -> dict[str, tuple[float, list[float]]]:
    """Encode each pair on its own and the context again for every output sentence.

    Returns the similarity and each sentence's best cosine (before driftgate's fact and
    wording checks, which are text rules that cost no encoding)."""
    from sentence_transformers import util

    scores = {}
    for case in cases:
        pair = model.encode([case["expected"], case["output"]], show_progress_bar=False)
        similarity = float(util.cos_sim(pair[0], pair[1])[0][0])
        cosines = []
        for sentence in split_sentences(case["output"]):
            units = [*split_sentences(case["context"]), case["context"]]
            vectors = model.encode([sentence, *units], show_progress_bar=False)
            cosines.append(float(util.cos_sim(vectors[0:1], vectors[1:]).max()))
        scores[case["name"]] = (similarity, cosines)
    return scores


REPEATS = 3


def main(n: int) -> None:
    cases = synthetic_cases(n)
    folder = Path(tempfile.mkdtemp())
    suite_data = {
        "eval_suite": {
            "name": "bench",
            "cases": [
                {
                    "name": c["name"],
                    "expected": c["expected"],
                    "context": c["context"],
                    "check_grounding": True,
                }
                for c in cases
            ],
        }
    }
    (folder / "llm-evals.yaml").write_text(yaml.safe_dump(suite_data))
    suite = load_suite(folder / "llm-evals.yaml")
    generations = {(c["name"], 0): Generation(output=c["output"]) for c in cases}

    model = load_model("all-MiniLM-L6-v2")
    model.encode(["warm up the model"], show_progress_bar=False)

    unique = list(
        dict.fromkeys(
            t for case in suite.cases for t in texts_to_embed(case, [generations[(case.name, 0)]])
        )
    )
    # Interleaved repeats, best of each: the machine is shared, so single timings are noisy.
    ours_times, floor_times = [], []
    for _ in range(REPEATS):
        split_sentences.cache_clear()
        start = time.perf_counter()
        embedder = Embedder("all-MiniLM-L6-v2", model=model)
        results = score_cases(suite, list(suite.cases), generations, embedder)
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.encode(unique, batch_size=64, show_progress_bar=False)
        floor_times.append(time.perf_counter() - start)
    ours, floor = min(ours_times), min(floor_times)

    split_sentences.cache_clear()
    tracemalloc.start()
    score_cases(suite, list(suite.cases), generations, Embedder("all-MiniLM-L6-v2", model=model))
    _, peak_py = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    split_sentences.cache_clear()
    start = time.perf_counter()
    naive = naive_scores(model, cases)
    naive_time = time.perf_counter() - start

    worst = 0.0
    for r in results:
        similarity, cosines = naive[r.name]
        worst = max(worst, abs(r.similarity - similarity))
        pairs = zip(r.sentences, cosines, strict=True)
        worst = max(worst, *(abs(s.cosine - c) for s, c in pairs))
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cases: {n}, unique texts embedded: {embedder.encoded} (floor encodes {len(unique)})")
    print(
        f"driftgate scoring        {ours:7.2f} s   (best of {REPEATS}, interleaved with the floor)"
    )
    print(
        f"bare model.encode floor  {floor:7.2f} s   ratio driftgate/floor = {ours / floor:.2f}x"
        f" (goal <= 1.15x)"
    )
    print(
        f"naive per-pair scoring   {naive_time:7.2f} s   naive/driftgate = "
        f"{naive_time / ours:.1f}x slower"
    )
    print(f"max score difference vs naive: {worst:.2e}")
    print(
        f"peak RSS {peak_rss:.0f} MiB; peak Python allocations while scoring "
        f"{peak_py / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
