"""A Location as served: its stored resource (as loaded, without capacity) completed with what
changes between loads, read live: its active capacity indicators, its version (meta.versionId,
the ETag) and its last change (meta.lastUpdated). Nothing of it is cached, so that a capacity
write shows in the very next read or search.

The version, the last change and the indicators come from one statement, hence from one
snapshot: a served version number always matches the capacity served with it. A read by id
takes the stored resource from that statement too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

import orjson
from sqlalchemy import ColumnElement, Connection, Select, Text, bindparam, cast, select

from directory.offers.capacity import Displays, capacity_extension
from directory.offers.models import Location, LocationCapacity
from directory.offers.systems import DIMENSIONS
from directory.search.keyset import Hit, payloads

AnyHit = TypeVar("AnyHit")  # a frozen dataclass with `id` and `payload`: a search hit
CAPACITY_COLUMNS = tuple(
    getattr(LocationCapacity, name)
    for name in (
        "id",
        "nb",
        "updated_at",
        *(d.column for d in DIMENSIONS),
        "source_type",
        "comment",
    )
)


@dataclass(frozen=True)
class LiveState:
    """What a location's stored resource lacks: version, last change, active indicators."""

    version_id: int
    last_updated: datetime
    capacity: tuple[dict, ...]  # location_capacity rows (column → value), by indicator id


@dataclass(frozen=True)
class StoredLocation:
    """One location as a read answers it: the served resource and its HTTP metadata."""

    resource: dict
    version_id: int
    last_updated: datetime
    removed: bool  # a tombstone: gone from the ROR snapshot


def instant(moment: datetime) -> str:
    """A FHIR instant as the loads write meta.lastUpdated (milliseconds, UTC as Z)."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_CAPACITY_KEYS = tuple(c.key for c in CAPACITY_COLUMNS)
_ACTIVE_CAPACITY = (LocationCapacity.location_id == Location.id) & LocationCapacity.active
_LIVE = (
    select(Location.id, Location.version_id, Location.last_updated, *CAPACITY_COLUMNS)
    .outerjoin(LocationCapacity, _ACTIVE_CAPACITY)
    .where(Location.id.in_(bindparam("ids", expanding=True)))
    .order_by(Location.id, LocationCapacity.id)
)


def live_state(rows: list) -> LiveState:
    """The live state from the rows of one location: (version, last change, *indicator
    columns), one row per active indicator, or one row of None indicator columns."""
    capacity = tuple(
        dict(zip(_CAPACITY_KEYS, row[2:], strict=True)) for row in rows if row[2] is not None
    )
    return LiveState(rows[0][0], rows[0][1], capacity)


def live_states(conn: Connection, ids: list[str]) -> dict[str, LiveState]:
    """The live state of each known location among `ids` (tombstones included)."""
    if not ids:
        return {}
    grouped: dict[str, list] = {}
    # fetched at once: a page's 250 indicators one by one cost 0.6 ms of cursor calls.
    for row in conn.execute(_LIVE, {"ids": ids}).all():
        grouped.setdefault(row[0], []).append(row[1:])
    return {key: live_state(rows) for key, rows in grouped.items()}


def served(resource: dict, state: LiveState, displays: Displays | None = None) -> dict:
    """The stored resource with its live capacity extensions (their codings labelled by
    `displays`, see capacity.capacity_displays), version and last change."""
    meta = {
        **resource.get("meta", {}),
        "versionId": str(state.version_id),
        "lastUpdated": instant(state.last_updated),
    }
    indicators = (capacity_extension(row, displays) for row in state.capacity)
    extensions = [*resource.get("extension", ()), *indicators]
    return {**resource, "meta": meta, **({"extension": extensions} if extensions else {})}


def stored_with_live_rows(condition: ColumnElement[bool]) -> Select:
    """The locations meeting `condition` with all a served resource needs, in one statement
    (one snapshot): (id, stored resource, removal time, *live state columns), one row per
    active indicator (one row of None indicator columns for none), by location then indicator.
    """
    return (
        select(
            Location.id,
            cast(Location.resource, Text),
            Location.removed_at,
            Location.version_id,
            Location.last_updated,
            *CAPACITY_COLUMNS,
        )
        .outerjoin(LocationCapacity, _ACTIVE_CAPACITY)
        .where(condition)
        .order_by(Location.id, LocationCapacity.id)
    )


# Built once: a read by id is the hottest path, one round trip.
_READ = stored_with_live_rows(Location.id == bindparam("id"))


def read_location(
    conn: Connection, location_id: str, displays: Displays | None = None
) -> StoredLocation | None:
    """One location as a read serves it, tombstones included (the caller answers 410)."""
    rows = conn.execute(_READ, {"id": location_id}).all()
    if not rows:
        return None
    stored, removed_at = rows[0][1], rows[0][2]
    state = live_state([row[3:] for row in rows])
    return StoredLocation(
        served(orjson.loads(stored), state, displays),
        state.version_id,
        state.last_updated,
        removed_at is not None,
    )


def live_hits(
    conn: Connection, hits: list[AnyHit], displays: Displays | None = None
) -> list[AnyHit]:
    """Search or include hits of locations (stored payloads) turned into served resources,
    keeping their other attributes (such as a near search's distance)."""
    states = live_states(conn, [h.id for h in hits])
    return [
        replace(
            h,
            payload=orjson.dumps(served(orjson.loads(h.payload), states[h.id], displays)).decode(),
        )
        for h in hits
        if h.id in states
    ]


def location_hits(conn: Connection, ids: list[str], displays: Displays | None = None) -> list[Hit]:
    """Served resources of the locations among `ids`, by id, as search hits (_include)."""
    if not ids:
        return []
    return live_hits(conn, payloads(conn, Location, Location.id.in_(ids)), displays)
