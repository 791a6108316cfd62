"""Deployment report writer of the example pipeline.

It has a planted bug to show what a grounding failure looks like: it appends a
sentence with a time and a version that are not in the notes.
"""

import re


def report(notes: str) -> str:
    version = re.search(r"Version (\S+) was deployed", notes)
    when = re.search(r"at (\d\d:\d\d UTC)", notes)
    text = (
        f"Version {version.group(1)} was deployed to production at {when.group(1)}. "
        "Error rates stayed normal and no rollback was needed. "
        "A hotfix 4.2.2 followed at 16:45 UTC after a spike in checkout errors."
    )
    return text
