"""Choosing among versions of one canonical URL."""

from __future__ import annotations

import re

_PARTS = re.compile(r"\d+|[^\W\d_]+")  # runs of digits or of letters; punctuation separates


def version_key(version: str | None) -> tuple:
    """Sort key putting the latest version last: numeric parts compare as numbers, so
    semver (1.10.0 > 1.9.0), CCAM's v83.00 > v9.00, dates and the SMT's 14-digit stamps all
    order naturally."""
    if not version:
        return ((),)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in _PARTS.findall(version))


def split_canonical(reference: str) -> tuple[str, str | None]:
    """`url|version` → (url, version)."""
    url, _, version = reference.partition("|")
    return url, version or None


def version_matches(wanted: str | None, actual: str | None) -> bool:
    """Whether `actual` satisfies `wanted`; a trailing `x` or `*` segment is a wildcard."""
    if not wanted:
        return True
    if actual is None:
        return False
    if wanted == actual:
        return True
    parts = wanted.split(".")
    if parts[-1] in {"x", "*"}:
        return actual.split(".")[: len(parts) - 1] == parts[:-1]
    return False


def latest(candidates: list, version_of) -> object | None:  # noqa: ANN001
    return max(candidates, key=lambda c: version_key(version_of(c)), default=None)


def preferred(candidates: list, version_of, usable) -> object | None:  # noqa: ANN001
    """The version meant when none is given: the latest usable (not retired) one, else the
    latest, so that a resource whose versions are all retired still resolves."""
    return latest([c for c in candidates if usable(c)] or candidates, version_of)
