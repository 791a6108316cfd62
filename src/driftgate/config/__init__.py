"""Stage 1: the suite file, validated and resolved into frozen case specs."""

from driftgate.config.load import (
    DEFAULT_CONFIG,
    CaseSpec,
    SuiteSpec,
    load_suite,
)
from driftgate.config.template import MissingVariable

__all__ = ["DEFAULT_CONFIG", "CaseSpec", "MissingVariable", "SuiteSpec", "load_suite"]
