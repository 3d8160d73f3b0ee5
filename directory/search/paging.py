"""Keyset paging: a page of rows, and the opaque cursor that resumes after its last row."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from directory.errors import InvalidParameter

# "free", the default without _total: the total when it costs nothing (the first page holds
# every match), else none. Counting tens of thousands of matches costs more than the page
# itself; clients that need the number ask for _total=accurate (or estimate).
TotalMode = Literal["accurate", "estimate", "free", "none"]


def page_total(
    mode: TotalMode,
    cursor: Cursor | None,
    first_page_rows: int,
    page_size: int,
    count: Callable[[], int],
    estimate: Callable[[], int] | None = None,
) -> int | None:
    """The Bundle total of a search. `first_page_rows` is how many rows the first page
    fetched (page_size + 1 at most): when they all fit, they are the total, no count needed."""
    if mode == "none":
        return None
    if cursor is not None:
        return cursor.total
    if page_size and first_page_rows <= page_size:
        return first_page_rows
    if mode == "free":
        return None
    if mode == "estimate" and estimate is not None:
        return estimate()
    return count()


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the sort key of the last row, and the total if known."""

    after: tuple[Any, ...]
    total: int | None
    fingerprint: str


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    total: int | None
    included: list[Any] = field(default_factory=list)


def fingerprint(query: object) -> str:
    """A short digest of a query, so a cursor cannot be replayed on another search."""
    return hashlib.blake2s(repr(query).encode(), digest_size=6).hexdigest()


def encode_cursor(cursor: Cursor) -> str:
    raw = orjson.dumps([list(cursor.after), cursor.total, cursor.fingerprint])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, expected_fingerprint: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        after, total, print_ = orjson.loads(raw)
        cursor = Cursor(tuple(after), total, print_)
    except (ValueError, TypeError) as exc:
        raise InvalidParameter("the paging cursor is not valid") from exc
    if cursor.fingerprint != expected_fingerprint:
        raise InvalidParameter("the paging cursor belongs to another search")
    return cursor
