"""Stage 3: produce each selected case's output(s) from the system under test."""

from driftgate.generate.base import Generation, TargetError
from driftgate.generate.runner import generate_all, make_target

__all__ = ["Generation", "TargetError", "generate_all", "make_target"]
