"""Local sources: a fixed path, or the newest file of a folder by the timestamp in its name.

Publishers put the extraction time in the name (`…-20261102.json`, `…-stock-20260512-0340.csv`,
`…_202605120340.zip`); modification times are not to be trusted once files have been copied.
"""

from __future__ import annotations

import glob as globbing
import re
from datetime import datetime
from pathlib import Path

from loaders.base import BadFile

# A date (8 digits) possibly followed by a time (4 or 6 digits), or 12/14 digits in one run.
STAMP = re.compile(r"(?<!\d)(\d{8})(?:[-_T]?(\d{6}|\d{4}))?(?!\d)|(?<!\d)(\d{14}|\d{12})(?!\d)")


def name_stamp(name: str) -> str | None:
    """The timestamp in a file name as 14 digits (aaaammjjhhmmss), or None if it has none.

    The first group of digits that reads as a real date wins."""
    for match in STAMP.finditer(name):
        digits = match[3] or match[1] + (match[2] or "")
        digits = digits.ljust(14, "0")
        try:
            datetime.strptime(digits, "%Y%m%d%H%M%S")
        except ValueError:
            continue
        return digits
    return None


def newest_file(pattern: str) -> Path:
    """The file matching the glob `pattern` with the latest timestamp in its name.

    BadFile when none matches, or when none of those that match has a timestamp."""
    candidates = [Path(p) for p in globbing.glob(pattern) if Path(p).is_file()]
    if not candidates:
        raise BadFile(f"no file matches {pattern}")
    stamped = [(stamp, path.name, path) for path in candidates if (stamp := name_stamp(path.name))]
    if not stamped:
        raise BadFile(
            f"no file matching {pattern} has a timestamp (aaaammjj or aaaammjjhhmm) in its name"
        )
    return max(stamped)[2]


def local_file(path: Path | None, pattern: str | None) -> Path:
    """The file a local source designates now; BadFile when it is missing."""
    if pattern is not None:
        return newest_file(pattern)
    assert path is not None
    if not path.exists():
        raise BadFile(f"{path}: no such file")
    return path
