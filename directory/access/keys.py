"""API keys of the writers of bed availability: created with a random secret shown once,
stored as its SHA-256 digest only, verified on every write, revocable, listed without secret.

A key names the establishments (FINESS numbers) whose locations it may write and its scopes.
Revocation takes effect on the next request: verification reads the table every time (one
lookup by the unique digest), never a cache.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

CAPACITY_WRITE = "capacity:write"
SCOPES = frozenset({CAPACITY_WRITE})
KEY_PREFIX = "ann_"  # tells our keys apart in logs and in secret scanners
FINESS_NUMBER = re.compile(r"\d[0-9AB]\d{7}")  # 2A/2B: Corsica
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
# last_used_at is written at most this often per key: with 8 writers sharing a key, a write on
# every request would queue them all on that one row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class KeyProblem(ValueError):
    """A key cannot be created, revoked or used; the message says why in one line."""


class KeyRefused(KeyProblem):
    """A presented key that grants nothing: 'unknown' or 'revoked' (then `name` is known)."""

    def __init__(self, reason: str, name: str | None = None) -> None:
        super().__init__(reason)
        self.name = name


@dataclass(frozen=True)
class Grant:
    """What a verified key may do."""

    name: str
    scopes: frozenset[str]
    finess: frozenset[str]


@dataclass(frozen=True)
class KeyInfo:
    """A key as `keys list` shows it: everything but the secret."""

    name: str
    scopes: tuple[str, ...]
    finess: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(conn: Connection, name: str, scopes: list[str], finess: list[str]) -> str:
    """Store a new key and return it: the only time it is ever seen."""
    if not NAME.fullmatch(name):
        raise KeyProblem(f"name {name!r}: letters, digits, '.', '_', '@' or '-', at most 100")
    unknown = sorted(set(scopes) - SCOPES)
    if unknown or not scopes:
        raise KeyProblem(
            f"scope {', '.join(unknown) or '(none)'}: expected {', '.join(sorted(SCOPES))}"
        )
    bad = [number for number in finess if not FINESS_NUMBER.fullmatch(number)]
    if bad or not finess:
        raise KeyProblem(
            f"FINESS {', '.join(bad) or '(none)'}: expected establishment numbers of 9 characters"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    created = conn.execute(
        text(
            "INSERT INTO api_key (name, key_hash, scopes, finess) "
            "VALUES (:name, :hash, :scopes, :finess) ON CONFLICT (name) DO NOTHING RETURNING id"
        ),
        {
            "name": name,
            "hash": digest(key),
            "scopes": sorted(set(scopes)),
            "finess": sorted(set(finess)),
        },
    ).first()
    if created is None:
        raise KeyProblem(f"a key named {name!r} exists already")
    return key


def verify(conn: Connection, key: str) -> Grant:
    """The grant of a presented key; KeyRefused otherwise."""
    row = conn.execute(
        text(
            "SELECT id, name, scopes, finess, revoked_at, last_used_at, now() AS now "
            "FROM api_key WHERE key_hash = :hash"
        ),
        {"hash": digest(key)},
    ).first()
    if row is None:
        raise KeyRefused("unknown")
    if row.revoked_at is not None:
        raise KeyRefused("revoked", row.name)
    if row.last_used_at is None or row.now - row.last_used_at >= LAST_USED_RESOLUTION:
        conn.execute(text("UPDATE api_key SET last_used_at = now() WHERE id = :id"), {"id": row.id})
    return Grant(row.name, frozenset(row.scopes), frozenset(row.finess))


def revoke(conn: Connection, name: str) -> None:
    """Revoke the key named `name` (KeyProblem if there is none, or it is revoked already)."""
    row = conn.execute(
        text(
            "UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE name = :name "
            "RETURNING revoked_at = now() AS now_revoked"
        ),
        {"name": name},
    ).first()
    if row is None:
        raise KeyProblem(f"no key named {name!r}")
    if not row.now_revoked:
        raise KeyProblem(f"the key {name!r} is revoked already")


def list_keys(conn: Connection) -> list[KeyInfo]:
    rows = conn.execute(
        text(
            "SELECT name, scopes, finess, created_at, revoked_at, last_used_at "
            "FROM api_key ORDER BY name"
        )
    )
    return [
        KeyInfo(
            r.name, tuple(r.scopes), tuple(r.finess), r.created_at, r.revoked_at, r.last_used_at
        )
        for r in rows
    ]
