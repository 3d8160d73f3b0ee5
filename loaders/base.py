"""What every source parser yields, and the errors that stop a load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

RAW_LIMIT = 2000  # characters of a rejected object kept for the load report


class BadFile(Exception):
    """The file is structurally unusable (wrong format, truncated, empty…): the load aborts.

    The message is one line, fit for a terminal.
    """


@dataclass(frozen=True)
class Row:
    """A parsed record at `line` of the file (for JSON: its 1-based position in the stream)."""

    line: int
    record: Any


@dataclass(frozen=True)
class Rejected:
    """A row refused by validation; the load keeps going and records it."""

    line: int
    reason: str
    raw: str = ""


def raw(value: Any) -> str:
    """A rejected object as JSON (else its repr) for the load report, cut at RAW_LIMIT."""
    try:
        return orjson.dumps(value).decode()[:RAW_LIMIT]
    except TypeError:
        return repr(value)[:RAW_LIMIT]
