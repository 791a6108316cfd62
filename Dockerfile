# The driftgate action's image: CPU-only torch, pinned requirements, the embedding model baked
# in, nothing downloaded at run time. Published to GHCR by .github/workflows/release.yml and
# built and tested locally by `make image` / `make image-test` (docs/image.md).
#
# Build arguments, for machines that cannot reach Docker Hub or PyTorch's index (the defaults
# are what users and the release workflow build):
#   BASE_IMAGE      a Debian bookworm image with python3.11 and venv (default python:3.11-slim)
#   TORCH_PIP_ARGS  where pip finds the CPU-only torch wheel (default PyTorch's CPU index)
#   PIP_CONFIG_FILE a pip configuration (indexes, CA bundle) mounted at build time, never copied
#   REQUESTS_CA_BUNDLE  that CA bundle, for the isolated build of driftgate itself
ARG BASE_IMAGE=python:3.11-slim

# ---- venv: CPU-only torch and the exact pins in /opt/venv, pruned in the layer that adds them.
FROM ${BASE_IMAGE} AS venv
ARG TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
ARG PIP_CONFIG_FILE=""
ENV PIP_NO_CACHE_DIR=1 \
    PIP_NO_COMPILE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PATH=/opt/venv/bin:$PATH
RUN python3 -m venv /opt/venv
COPY docker/prune-venv.sh /usr/local/bin/prune-venv
# torch first and alone (its dependencies are pinned in runtime.txt, installed next), so nothing
# can pull the CUDA build (~2 GB) and its big layer caches longest.
# hadolint ignore=SC2086,DL3013
RUN pip install --no-deps $TORCH_PIP_ARGS torch==2.13.0 && prune-venv
COPY requirements/runtime.txt docker/not-imported.txt /tmp/req/
# The exact pins but those the action never imports; `pip check` must then miss only those.
WORKDIR /tmp/req
RUN sed -n 's/^\([^#].*\)/^\1==/p' not-imported.txt > skip \
    && grep -v -i -f skip runtime.txt > install.txt \
    && pip install --no-deps -r install.txt \
    && { pip check > check.txt || true; } \
    && sed -n 's/^\([^#].*\)/requires \1,\nhas requirement \1/p' not-imported.txt > allowed \
    && echo 'No broken requirements' >> allowed \
    && { grep -v -i -F -f allowed check.txt > broken.txt || true; } \
    && if [ -s broken.txt ]; then cat broken.txt; exit 1; fi \
    && prune-venv
COPY docker/warm_up.py /tmp/warm_up.py
RUN python /tmp/warm_up.py

# ---- app: driftgate itself, apart, so a code change rebuilds only this small layer.
FROM venv AS app
ARG PIP_CONFIG_FILE=""
# pip runs the build back-end's install isolated from its configuration: a CA bundle has to
# reach it through requests' own variable (empty: the default certificates).
ARG REQUESTS_CA_BUNDLE=""
COPY pyproject.toml README.md /src/
COPY src/ /src/src/
RUN pip install --no-deps --prefix /opt/app /src \
    && python -m compileall -q --invalidation-mode checked-hash /opt/app/lib

# ---- runtime-venv: the venv without pip and setuptools (nothing installs at run time).
FROM venv AS runtime-venv
RUN pip uninstall -y -q pip setuptools

# ---- the image: the base, git, the venv, driftgate.
FROM ${BASE_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PATH=/opt/venv/bin:$PATH

# git: changed files, the baseline branch, safe.directory for the mounted workspace.
# apt's lists and package caches go in the same layer (~90 MB on a base without docker-clean).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.* ca-certificates=2* \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log

COPY --from=runtime-venv /opt/venv /opt/venv
COPY --from=app /opt/app/lib/ /opt/venv/lib/
COPY --from=app /opt/app/bin/driftgate /opt/venv/bin/driftgate
RUN driftgate --version

ENTRYPOINT ["driftgate", "action"]
