"""driftgate: LLM evals as integration tests.

The data flows config → select → generate → score → compare → report; each stage is a
subpackage of the same name, `pipeline` strings them together and `cli` / `action` are
the two edges that read arguments and the environment.
"""

__version__ = "0.1.0"
