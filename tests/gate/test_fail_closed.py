"""Fail closed: a non-finite score, a poisoned cache entry or a required judge that errors
never ends in a pass."""

from __future__ import annotations

import base64
import json
import textwrap

import numpy as np
import pytest

from driftgate.cache import Cache, embedding_key, embedding_model_id, encode_through_cache
from driftgate.cli import main
from driftgate.config.load import load_suite
from driftgate.generate import Generation
from driftgate.score.embedder import Embedder
from driftgate.score.reduce import case_result
from driftgate.score.scoring import score_sample


def nan_embedder(*texts: str) -> Embedder:
    embedder = Embedder("all-MiniLM-L6-v2", model=object())  # never asked to encode
    embedder.preload({t: np.full(4, np.nan) for t in texts})
    return embedder


def one_case(tmp_path, **extra):
    case = {"name": "c", "expected": "Route to Billing.", "critical": True, **extra}
    path = tmp_path / "llm-evals.yaml"
    path.write_text(json.dumps({"eval_suite": {"name": "s", "cases": [case]}}))
    return load_suite(path, root=tmp_path).cases[0]


def test_a_nan_similarity_is_an_error_not_a_pass(tmp_path):
    case = one_case(tmp_path)
    output = "Something unrelated."
    sample = score_sample(case, 0, Generation(output=output), nan_embedder(case.expected, output))
    assert sample.status == "error"
    assert "similarity is not a finite number (nan)" in sample.error
    assert case_result(case, [sample]).status == "error"


def test_a_nan_cached_vector_is_a_miss(tmp_path):
    cache = Cache(tmp_path / "cache")
    model = embedding_model_id("all-MiniLM-L6-v2")
    poisoned = base64.b64encode(np.full(4, np.nan, dtype="<f8").tobytes()).decode()
    cache.put("embeddings", embedding_key(model, "text"), {"f8": poisoned})
    inf = base64.b64encode(np.array([1.0, np.inf], dtype="<f8").tobytes()).decode()
    cache.put("embeddings", embedding_key(model, "other"), {"f8": inf})
    assert cache.get_vectors(model, ["text", "other"]) == {}
    stats = cache.stats("embeddings")
    assert (stats.lookups, stats.hits) == (2, 0)


def test_a_cached_vector_that_is_not_a_unit_vector_is_a_miss(tmp_path):
    """Found: a finite vector of norm 2 gave `sim 4.00/0.80` (a cosine past 1), passing."""
    cache = Cache(tmp_path / "cache")
    model = embedding_model_id("all-MiniLM-L6-v2")
    for text, vector in (("long", [2.0, 0.0]), ("zero", [0.0, 0.0]), ("unit", [0.6, 0.8])):
        data = base64.b64encode(np.array(vector, dtype="<f8").tobytes()).decode()
        cache.put("embeddings", embedding_key(model, text), {"f8": data})
    assert list(cache.get_vectors(model, ["long", "zero", "unit"])) == ["unit"]


@pytest.mark.slow
def test_poisoned_vectors_of_another_norm_or_length_are_recomputed(tmp_path, embedder):
    """A scaled vector can't lift a failing case over its threshold, and a vector of another
    length (found: np.dot shape error, an internal error) is recomputed."""
    case = one_case(tmp_path)
    output = "The weather is nice today."
    cache = Cache(tmp_path / "cache")
    model = embedding_model_id(embedder.model_name)
    encode_through_cache(embedder, [case.expected, output], cache)
    honest = score_sample(case, 0, Generation(output=output), embedder).similarity
    assert honest < case.min_similarity
    for text, vector in ((case.expected, np.ones(384) / 384**0.5 * 9), (output, np.ones(4) / 2)):
        data = base64.b64encode(np.asarray(vector, dtype="<f8").tobytes()).decode()
        cache.put("embeddings", embedding_key(model, text), {"f8": data})
    fresh = Embedder(embedder.model_name, model=embedder.model)
    encode_through_cache(fresh, [case.expected, output], cache)
    sample = score_sample(case, 0, Generation(output=output), fresh)
    assert sample.status == "failed" and sample.similarity == honest
    again = Embedder(embedder.model_name, model=embedder.model)
    encode_through_cache(again, [output], cache)  # only the 4-long vector was cached: fixed
    assert again.vector(output).size == 384 and again.encoded == 0


@pytest.mark.slow
def test_poisoned_cache_cannot_pass_a_failing_critical_case(tmp_path, embedder):
    """The reported path: a NaN vector in the cache made `similarity < threshold` false."""
    case = one_case(tmp_path)
    output = "The weather is nice today."
    cache = Cache(tmp_path / "cache")
    model = embedding_model_id(embedder.model_name)
    poisoned = base64.b64encode(np.full(384, np.nan, dtype="<f8").tobytes()).decode()
    cache.put("embeddings", embedding_key(model, output), {"f8": poisoned})
    encode_through_cache(embedder, [case.expected, output], cache)
    sample = score_sample(case, 0, Generation(output=output), embedder)
    assert sample.status == "failed" and sample.similarity < case.min_similarity
    assert embedder.encoded >= 1  # the poisoned entry was re-computed, not used
    # and the repaired vector is what the cache holds now
    assert np.isfinite(cache.get_vectors(model, [output])[output]).all()


@pytest.mark.slow
def test_required_judge_without_a_key_fails_the_gate(tmp_path, monkeypatch, capsys):
    """Reported: `0 passed · 1 errors · pass@1 1.00 · verdict: PASS`, exit 0."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    suite = """
    eval_suite:
      name: judged
      target: {type: outputs, path: outputs.jsonl}
      judge: {required: true, policy: all}
      cases:
        - name: answer
          expected: "Route to Billing."
    """
    (tmp_path / "llm-evals.yaml").write_text(textwrap.dedent(suite).lstrip())
    line = json.dumps({"case": "answer", "output": "Route to Billing."})
    (tmp_path / "outputs.jsonl").write_text(line + "\n")
    code = main(
        [
            "run",
            "-c",
            str(tmp_path / "llm-evals.yaml"),
            "--all",
            "--no-cache",
            "--baseline-branch",
            "",
            "--output-json",
            str(tmp_path / "results.json"),
            "-q",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1, out
    summary = json.loads((tmp_path / "results.json").read_text())["summary"]
    assert summary["errors"] == 1 and summary["pass_at_1"] == 0.0
    assert summary["verdict"] == "fail"
    assert "verdict: FAIL" in out
