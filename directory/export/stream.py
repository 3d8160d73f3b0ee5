"""One part of an export as NDJSON: its rows in id order, read with a server-side cursor.

Each line is the resource as stored, its JSON text passed through untouched, except a
Location's, which is stored without what changes between loads and is served as a read
serves it (live capacity, version, last change; directory.offers.resources).

A part holds the rows of its id range as they are when it is downloaded: a row changed after
transactionTime comes in its newest version (Bulk Data's SHOULD NOT include them is relaxed,
its SHALL include every resource as of transactionTime is kept), and a record removed from
transactionTime on comes as its tombstone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Engine, Select, Text, cast, or_, select

from directory.export.jobs import Job, Part, changed_ids, snapshot
from directory.export.models import EXPORTED
from directory.offers.capacity import Displays
from directory.offers.resources import live_hits
from directory.search.keyset import Hit

BATCH = 1000  # rows per fetch from the cursor: a few MB of JSON at most

# Types whose stored resource is not the served one, and what completes it (with the labels
# of its codes).
SERVED: dict[str, Callable[[Connection, list[Hit], Displays], list[Hit]]] = {"Location": live_hits}


def _rows(model: Any, job: Job, part: Part) -> Select:
    """The part's rows (id, stored JSON text) in id order."""
    in_part = [model.id >= part.first]
    if part.upper is not None:
        in_part.append(model.id < part.upper)
    if (held := job.condition(part.type)) is not None:
        in_part.append(held)
    payload = cast(model.resource, Text)
    if job.since is not None:
        # The changed ids sorted alone, then each row read by its key: a join would rather
        # scan the whole table and sort the JSON of a large delta on disk.
        changed = changed_ids(model, job.since, *in_part)
        ordered = select(changed.c.id).order_by(changed.c.id).subquery()
        stored = select(payload).where(model.id == ordered.c.id).scalar_subquery()
        return select(ordered.c.id, stored.label("payload")).order_by(ordered.c.id)
    present = or_(model.removed_at.is_(None), model.removed_at >= job.transaction_time)
    return select(model.id, payload.label("payload")).where(*in_part, present).order_by(model.id)


def ndjson(engine: Engine, job: Job, part: Part, displays: Displays) -> Iterator[bytes]:
    """The part's resources, one per line, a batch of lines per chunk (memory stays bounded
    whatever the part's size); a Location's capacity codings labelled by `displays`."""
    model = EXPORTED[part.type]
    serve = SERVED.get(part.type)
    with snapshot(engine) as conn:
        rows = conn.execute(
            _rows(model, job, part),
            execution_options={"stream_results": True, "yield_per": BATCH},
        )
        for batch in rows.partitions():
            # No payload: a delta's row purged since the kick-off (an old tombstone).
            hits = [Hit(row.id, row.payload) for row in batch if row.payload is not None]
            if serve is not None:
                hits = serve(conn, hits, displays)
            yield "".join(f"{hit.payload}\n" for hit in hits).encode()
