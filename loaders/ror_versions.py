"""The versions a ROR load makes of locations, in their audit history.

Every change of a location row is a new version (its ETag): a bed write through the API
records its own history row; a load that rewrites or removes a location records one here, so
that `GET /fhir/Location/<id>/_history` lists every version, whoever made it. A first version
(the location as first loaded) has no history row: it is the location itself until it changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import groupby

import orjson
import psycopg
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from directory.offers.models import Location
from directory.offers.resources import live_state, served, stored_with_live_rows

ACTOR = "ror load"  # who made a load's versions (its run is the one of that time: annuaire runs)
BATCH = 1000

# The locations a load stamped, but for a first version.
_CHANGED = stored_with_live_rows(
    (Location.last_updated == bindparam("stamp")) & (Location.version_id > 1)
).compile(dialect=psycopg_dialect())
_INSERT = """
    INSERT INTO location_history (location_id, version_id, at, actor, operation, resource)
    VALUES (%s, %s, %s, %s, 'load', %s::jsonb)
"""


def record_load_versions(conn: psycopg.Connection, stamp: datetime) -> None:
    """One history row per location the load changed, holding the location as served at
    its new version (its indicators as they stand after the load)."""
    with conn.cursor(name="ror_load_versions") as changed:
        changed.execute(str(_CHANGED), {**_CHANGED.params, "stamp": stamp})
        batch: list[tuple] = []
        for row in _versions(changed, stamp):
            batch.append(row)
            if len(batch) == BATCH:
                conn.cursor().executemany(_INSERT, batch)
                batch.clear()
        if batch:
            conn.cursor().executemany(_INSERT, batch)


def _versions(rows: psycopg.Cursor, stamp: datetime) -> Iterator[tuple]:
    for location_id, group in groupby(rows, key=lambda row: row[0]):
        grouped = list(group)
        state = live_state([row[3:] for row in grouped])
        resource = served(orjson.loads(grouped[0][1]), state)
        yield location_id, state.version_id, stamp, ACTOR, orjson.dumps(resource).decode()
