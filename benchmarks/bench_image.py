"""The action's image size: total, per layer, per installed package, and what users pull.

    python benchmarks/bench_image.py [IMAGE ...]     (default localhost/driftgate:dev)

Uncompressed sizes come from `podman image inspect` and `podman history`; the pull size is the
sum of the gzip-compressed layers that `podman save --compress --format docker-dir` writes, which
is what a registry serves. Several images print side by side with ratios to the first.
The largest packages inside the image's virtualenv are listed too (du in a container).
Figures and the before/after comparison are in docs/image.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

MB = 1_000_000
GOAL_MB = 1300
BEFORE_MB = 2010  # the Dockerfile before issue 14 (probe, docs/image.md)
RUN = [
    "podman",
    "run",
    "--rm",
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=1024:20000",
    "--ulimit",
    "nproc=4096:4096",
    "--network",
    "none",
]


def podman(*args: str) -> str:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=True).stdout


def image_size(image: str) -> int:
    return int(json.loads(podman("image", "inspect", image))[0]["Size"])


def layers(image: str) -> list[tuple[int, str]]:
    """(bytes, instruction) of each layer that adds bytes, oldest first."""
    history = json.loads(podman("history", "--format", "json", "--no-trunc", image))
    rows = []
    for entry in reversed(history):
        size = int(entry.get("size") or 0)
        if size:
            created = " ".join(str(entry.get("CreatedBy") or entry.get("createdBy") or "").split())
            created = created.replace("/bin/sh -c ", "").replace("#(nop) ", "")
            rows.append((size, created[:70]))
    return rows


def pull_size(image: str) -> int:
    """Bytes of the gzip-compressed layers, as a registry stores and serves them."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "image"
        podman("save", "--quiet", "--compress", "--format", "docker-dir", "-o", str(out), image)
        manifest = json.loads((out / "manifest.json").read_text())
        return sum(int(layer["size"]) for layer in manifest["layers"])


def packages(image: str, top: int = 12) -> list[tuple[int, str]]:
    script = (
        "cd /opt/venv/lib/python3.11/site-packages && du -s --block-size=1 * | sort -rn | "
        f"head -{top}"
    )
    done = subprocess.run(
        [*RUN, "--entrypoint", "sh", image, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stdout.splitlines():
        size, name = line.split("\t")
        rows.append((int(size), name))
    return rows


def main(images: list[str]) -> None:
    figures = []
    for image in images:
        figures.append((image, image_size(image), pull_size(image)))
    print(f"{'image':40} {'size MB':>9} {'pull MB':>9} {'vs first':>9}")
    for image, size, pull in figures:
        print(f"{image:40} {size / MB:9.0f} {pull / MB:9.0f} {size / figures[0][1]:9.2f}x")
    image, size, pull = figures[-1]
    print(
        f"\n{image}: {size / MB:.0f} MB uncompressed (goal <= {GOAL_MB} MB, before {BEFORE_MB} MB: "
        f"{size / MB / BEFORE_MB:.2f}x), {pull / MB:.0f} MB pulled (gzip), "
        f"{'goal met' if size / MB <= GOAL_MB else 'OVER THE GOAL'}"
    )
    print(f"\nlayers of {image} (oldest first):")
    print(f"{'MB':>8}  instruction")
    for size, created in layers(image):
        print(f"{size / MB:8.1f}  {created}")
    print(f"\nlargest packages in {image}'s /opt/venv:")
    for size, name in packages(image):
        print(f"{size / MB:8.1f}  {name}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["localhost/driftgate:dev"])
