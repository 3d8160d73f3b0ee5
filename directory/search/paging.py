"""Keyset paging: a page of rows, and the opaque cursor that resumes after its last row."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from directory.errors import InvalidParameter


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
