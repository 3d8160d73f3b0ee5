"""Export jobs: the kick-off that cuts each type's rows into parts, the lookup, the cancel."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Engine,
    FromClause,
    Text,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from directory.export.models import EXPORTED, ExportJob
from directory.export.selection import Selection
from directory.search.keyset import gathered


@dataclass(frozen=True)
class Part:
    """One output file: the rows of a type whose id is in [first, upper)."""

    type: str
    number: int  # from 1, within its type
    first: str
    upper: str | None  # the next part's first id; None: the type's last part
    count: int  # rows it held at transactionTime


@dataclass(frozen=True)
class Job:
    id: str
    request: str
    transaction_time: datetime
    since: datetime | None  # a delta: only what changed from then, tombstones included
    expires_at: datetime
    parts: tuple[Part, ...]
    selection: Selection | None  # None: every record of the parts' types

    def condition(self, resource_type: str) -> ColumnElement | None:
        """What the job holds of the type, beyond its parts' id ranges; None: every record."""
        return None if self.selection is None else self.selection.condition(resource_type)

    def part(self, resource_type: str, number: int) -> Part | None:
        return next((p for p in self.parts if p.type == resource_type and p.number == number), None)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A repeatable-read transaction on a pooled connection (the read pool is in autocommit;
    the level goes back to it when the connection returns): one snapshot for every statement,
    which a server-side cursor also needs."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def changed_ids(model: Any, since: datetime, *conditions: ColumnElement) -> CTE:
    """The ids of the rows changed at or after `since` (tombstones included): a change
    stamped in the very millisecond of a previous export's transactionTime is repeated rather
    than missed. Gathered from the last-updated index before anything orders them by id: a
    delta is usually a small share of its table, which an id-ordered walk would read whole."""
    return gathered(select(model.id).where(model.last_updated >= since, *conditions))


def _bounds(conn: Connection, ids: FromClause, size: int) -> list[tuple[str, int]]:
    """(first id, rows) of each run of `size` ids of `ids` in id order."""
    numbered = select(
        ids.c.id, ((func.row_number().over(order_by=ids.c.id) - 1) // size).label("part")
    ).subquery()
    statement = (
        select(func.min(numbered.c.id), func.count())
        .group_by(numbered.c.part)
        .order_by(numbered.c.part)
    )
    return [(first, rows) for first, rows in conn.execute(statement)]


def _table_bounds(conn: Connection, model: Any, size: int) -> list[tuple[str, int]]:
    """(first id, rows) of each run of `size` rows of the table in id order, found by
    stepping `size` entries at a time along the primary key: numbering 2.2 M ids with a
    window function took 5 s, past the statement time limit, where the steps take one
    short statement each."""
    step = (
        select(model.id)
        .where(model.id >= bindparam("first"))
        .order_by(model.id)
        .offset(size)
        .limit(1)
    )
    firsts: list[str] = []
    first = conn.scalar(select(func.min(model.id)))
    while first is not None:
        firsts.append(first)
        first = conn.scalar(step, {"first": first})
    if not firsts:
        return []
    last = select(model.id).where(model.id >= firsts[-1]).subquery()
    rest = conn.scalar(select(func.count()).select_from(last)) or 0
    return [(first, size) for first in firsts[:-1]] + [(firsts[-1], rest)]


def _tombstones_by_part(conn: Connection, model: Any, firsts: list[str]) -> dict[int, int]:
    """How many tombstones fall in each part (numbered from 1) whose first ids are `firsts`,
    read from the tombstone index alone; width_bucket compares as the id index does."""
    bucket = func.width_bucket(model.id, bindparam("firsts", firsts, type_=ARRAY(Text)))
    statement = select(bucket, func.count()).where(model.removed_at.is_not(None)).group_by(bucket)
    return {bucket: count for bucket, count in conn.execute(statement)}


def plan_parts(
    conn: Connection,
    resource_type: str,
    since: datetime | None,
    size: int,
    condition: ColumnElement | None = None,
) -> list[Part]:
    """The parts of at most `size` resources that a type's export is cut into.

    A delta numbers the ids changed since `since`, a selection (`condition`) the present ids
    it holds. A full export numbers every id, the primary key alone, then counts out the
    tombstones, which it does not serve: its parts may hold fewer than `size` resources, and
    one that holds none is dropped."""
    model = EXPORTED[resource_type]
    held = () if condition is None else (condition,)
    if since is not None:
        counted = _bounds(conn, changed_ids(model, since, *held), size)
    elif condition is not None:
        present = select(model.id).where(model.removed_at.is_(None), condition)
        counted = _bounds(conn, gathered(present), size)
    else:
        bounds = _table_bounds(conn, model, size)
        removed = _tombstones_by_part(conn, model, [first for first, _ in bounds])
        counted = [(first, rows - removed.get(n, 0)) for n, (first, rows) in enumerate(bounds, 1)]
    kept = [(first, count) for first, count in counted if count]
    return [  # a part ends where the next one starts: kept[n] is the next of part n
        Part(resource_type, n, first, kept[n][0] if n < len(kept) else None, count)
        for n, (first, count) in enumerate(kept, 1)
    ]


# The start of the oldest transaction open on this database, or now: a load's swap stamps
# its rows with its start time and may commit minutes later. To the millisecond, as the
# manifest gives it and the loads stamp.
_TRANSACTION_TIME = text(
    "SELECT date_trunc('milliseconds', least(now(), min(xact_start))) FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_type = 'client backend'"
)


def create_job(
    conn: Connection,
    request: str,
    selection: Selection,
    since: datetime | None,
    part_size: int,
    lifetime: timedelta,
) -> Job:
    """Plan and record an export of `selection` (on a `snapshot` connection, so that every
    type is cut as of transactionTime), forgetting the jobs that have expired."""
    # transactionTime is the next delta's _since: a change a file could miss, still
    # uncommitted now, must be stamped after it.
    transaction_time = conn.scalar(_TRANSACTION_TIME)
    conn.execute(delete(ExportJob).where(ExportJob.expires_at <= func.now()))
    parts = [
        part
        for t in selection.exported()
        for part in plan_parts(conn, t, since, part_size, selection.condition(t))
    ]
    expires_at = conn.scalar(select(func.now() + lifetime))
    job = Job(
        secrets.token_hex(16), request, transaction_time, since, expires_at, tuple(parts), selection
    )
    conn.execute(
        insert(ExportJob).values(
            id=job.id,
            request=request,
            transaction_time=transaction_time,
            since=since,
            expires_at=job.expires_at,
            parts=[asdict(p) for p in parts],
            selection=selection.to_json(),
        )
    )
    return job


def find_job(conn: Connection, job_id: str) -> Job | None:
    """The job of that id, unless unknown, cancelled or expired."""
    row = conn.execute(
        select(ExportJob).where(ExportJob.id == job_id, ExportJob.expires_at > func.now())
    ).one_or_none()
    if row is None:
        return None
    parts = tuple(Part(**p) for p in row.parts)
    selection = None if row.selection is None else Selection.from_json(row.selection)
    return Job(
        row.id, row.request, row.transaction_time, row.since, row.expires_at, parts, selection
    )


def forget_job(conn: Connection, job_id: str) -> bool:
    """Cancel a job; False when there was none (unknown or expired)."""
    result = conn.execute(
        delete(ExportJob).where(ExportJob.id == job_id, ExportJob.expires_at > func.now())
    )
    return result.rowcount > 0
