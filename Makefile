# The two set-up commands of the README. Both create .venv/ on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test lint bench clean image image-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch is installed first and pinned, so nothing can pull a CUDA build.
$(VENV)/.runtime: requirements/runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -r requirements/runtime.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

demo: $(VENV)/.runtime
	$(BIN)/python examples/demo.py
	$(BIN)/python examples/demo_pr.py

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/hadolint Dockerfile
	$(BIN)/actionlint

# The action's image, built with podman from the Dockerfile as localhost/driftgate:dev; the
# machine set-up (podman, runc, the local base image) is cached by .ci/image-setup. docs/image.md.
IMAGE ?= localhost/driftgate:dev

image:
	IMAGE=$(IMAGE) .ci/image-build

# The built image through the action's PR life cycle, run as GitHub's runner runs it.
image-test: image $(VENV)/.dev
	DRIFTGATE_IMAGE_TEST=1 DRIFTGATE_IMAGE=$(IMAGE) $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/image

clean:
	rm -rf $(VENV)
