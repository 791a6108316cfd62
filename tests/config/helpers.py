"""Helpers shared by the suite-file tests."""

from __future__ import annotations

import pytest

from driftgate.config import load_suite
from driftgate.errors import ConfigError


def load_errors(path) -> list[str]:
    """The messages of the ConfigError that loading `path` must raise, in order."""
    with pytest.raises(ConfigError) as caught:
        load_suite(path)
    return [str(issue) for issue in caught.value.issues]
