"""hypothesis writes its caches outside the work tree (the tests keep no example database)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "driftgate-hypothesis")
