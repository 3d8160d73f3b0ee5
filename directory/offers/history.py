"""Reads of what bed-availability writes left: a location's current indicators with who wrote
them, the audit trail of its writes, and the versions those writes made (FHIR _history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from directory.offers.systems import DIMENSIONS


@dataclass(frozen=True)
class LocationState:
    id: str
    version_id: int
    last_updated: datetime
    active: bool


def location_state(conn: Connection, location_id: str) -> LocationState | None:
    row = conn.execute(
        text("SELECT id, version_id, last_updated, active FROM location WHERE id = :id"),
        {"id": location_id},
    ).first()
    return LocationState(row.id, row.version_id, row.last_updated, row.active) if row else None


_DIMENSION_COLUMNS = ", ".join(d.column for d in DIMENSIONS)


def current_capacity(conn: Connection, location_id: str) -> list[dict]:
    """The active indicators of a location, each with its codes (None for an absent
    dimension), count, update date, source, comment, writer (None: a load) and write time."""
    rows = conn.execute(
        text(
            f"SELECT {_DIMENSION_COLUMNS}, nb, updated_at, source_type, comment, written_by, "
            "last_updated FROM location_capacity WHERE location_id = :id AND active ORDER BY id"
        ),
        {"id": location_id},
    ).mappings()
    return [
        {
            **{d.column: row[d.column] or None for d in DIMENSIONS},
            "nb": row["nb"],
            "updated_at": row["updated_at"],
            "source_type": row["source_type"],
            "comment": row["comment"],
            "written_by": row["written_by"],
            "written_at": row["last_updated"],
        }
        for row in rows
    ]


def audit_trail(
    conn: Connection, location_id: str, limit: int, before: int | None = None
) -> list[dict]:
    """The writes of a location, newest first: id, version, when, who, operation, and the
    indicator before and after (as extensions; None where there was none)."""
    rows = conn.execute(
        text(
            "SELECT id, version_id, at, actor, operation, before, after FROM location_history "
            "WHERE location_id = :id AND (CAST(:before AS bigint) IS NULL OR id < :before) "
            "ORDER BY id DESC LIMIT :limit"
        ),
        {"id": location_id, "before": before, "limit": limit},
    ).mappings()
    return [dict(row) for row in rows]


@dataclass(frozen=True)
class Version:
    version_id: int
    at: datetime
    actor: str
    resource: dict


_VERSIONS = """
    SELECT DISTINCT ON (version_id) version_id, at, actor, resource FROM location_history
    WHERE location_id = :id {condition}
    ORDER BY version_id DESC, id DESC
"""


def versions(
    conn: Connection, location_id: str, limit: int, before: int | None = None
) -> list[Version]:
    """The versions writes made, newest first (a write of several operations is one
    version: the resource after all of them)."""
    rows = conn.execute(
        text(
            _VERSIONS.format(
                condition="AND (CAST(:before AS integer) IS NULL OR version_id < :before)"
            )
            + " LIMIT :limit"
        ),
        {"id": location_id, "before": before, "limit": limit},
    )
    return [Version(r.version_id, r.at, r.actor, _resource(r.resource)) for r in rows]


def version(conn: Connection, location_id: str, version_id: int) -> Version | None:
    row = conn.execute(
        text(_VERSIONS.format(condition="AND version_id = :version")),
        {"id": location_id, "version": version_id},
    ).first()
    return Version(row.version_id, row.at, row.actor, _resource(row.resource)) if row else None


def _resource(stored: dict) -> dict:
    """The resource with resourceType first again (jsonb keeps keys in its own order)."""
    return {"resourceType": stored.get("resourceType"), **stored}
