"""Stage 1: the suite file, validated and resolved into frozen case specs."""

from driftgate.config.load import (
    DEFAULT_CONFIG,
    CaseSpec,
    MissingVariable,
    SuiteSpec,
    load_suite,
)

__all__ = ["DEFAULT_CONFIG", "CaseSpec", "MissingVariable", "SuiteSpec", "load_suite"]
