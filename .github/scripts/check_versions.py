"""Fail a release whose versions disagree: the tag, the package, the image and action.yml.

Usage: python .github/scripts/check_versions.py TAG [IMAGE]
  TAG    the pushed tag, vX.Y.Z
  IMAGE  the image repository the release publishes (ghcr.io/<owner>/driftgate)

Stdlib only (it runs before anything is installed). Each mismatch is an `::error::`
annotation naming the file to fix; the exit code is 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION_FILE = "src/driftgate/__init__.py"


def package_version(root: Path) -> str | None:
    text = (root / VERSION_FILE).read_text(encoding="utf-8")
    found = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return found.group(1) if found else None


def action_image(root: Path) -> str | None:
    text = (root / "action.yml").read_text(encoding="utf-8")
    found = re.search(r"^\s*image:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    return found.group(1) if found else None


def problems(root: Path, tag: str, image: str | None = None) -> list[str]:
    errors = []
    version = package_version(root)
    if version is None:
        errors.append(f'file={VERSION_FILE}::no __version__ = "X.Y.Z" line')
    elif tag != f"v{version}":
        errors.append(
            f"file={VERSION_FILE}::the package is version {version} but the tag is {tag}: "
            f'set __version__ = "{tag.removeprefix("v")}" or tag v{version}'
        )
    used = action_image(root)
    wanted = f"docker://{image}:{tag}" if image else None
    if used is None or not used.startswith("docker://"):
        errors.append(
            f"file=action.yml::runs.image is {used!r}: a release points at its published image "
            f"({wanted or f'docker://ghcr.io/<owner>/driftgate:{tag}'})"
        )
    elif wanted and used != wanted:
        errors.append(f"file=action.yml::runs.image is {used}: set it to {wanted}")
    elif not used.endswith(f":{tag}"):
        errors.append(f"file=action.yml::runs.image is {used}: its tag must be {tag}")
    return errors


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(ROOT, *argv)
    for problem in found:
        print(f"::error {problem}")
    if not found:
        print(f"versions agree: package, image and action.yml are all {argv[0]}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
