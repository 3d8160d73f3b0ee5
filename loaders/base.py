"""What every source parser yields, and the errors that stop a load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
