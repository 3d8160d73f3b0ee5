"""The run records of configured sources: locks, what ran when, and each source's standing.

Run records live in `load_run` (loaders/runs.py writes and lists them); this module holds
what the scheduler asks of them. Every function takes an autocommit psycopg connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Connection

from loaders.scheduling.config import SourceConfig

SOURCE_LOCK = 7240003  # advisory lock namespace: one per source name, held for a whole run
CONFIRMED = ("succeeded", "unchanged")  # runs after which the data matches the source
BY_HAND = "load"  # trigger of `annuaire load PATH`, which takes no source lock


def try_source_lock(conn: Connection, name: str) -> bool:
    """Take the lock of source `name` for the life of `conn`'s session; False if another
    session holds it. A PostgreSQL advisory lock: it works across processes and machines,
    and goes away with a process that dies."""
    row = conn.execute(
        "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (SOURCE_LOCK, name)
    ).fetchone()
    return bool(row and row[0])


def release_source_lock(conn: Connection, name: str) -> None:
    """Release it explicitly: a closed connection's locks go only when its server process
    has ended, which may be after the next run has tried to take them."""
    conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (SOURCE_LOCK, name))


@contextmanager
def source_lock(conn: Connection, name: str) -> Iterator[bool]:
    """Holds the lock of `name` for the block if free; yields whether it was taken."""
    if not try_source_lock(conn, name):
        yield False
        return
    try:
        yield True
    finally:
        release_source_lock(conn, name)


def ran_since(conn: Connection, name: str, fire_time: datetime) -> bool:
    """Whether a run of `name` was started for `fire_time` or at or after it."""
    row = conn.execute(
        """SELECT EXISTS (SELECT 1 FROM load_run WHERE source = %(name)s AND trigger <> %(by_hand)s
                AND (scheduled_for >= %(fire)s OR started_at >= %(fire)s))""",
        {"name": name, "fire": fire_time, "by_hand": BY_HAND},
    ).fetchone()
    return bool(row and row[0])


def last_started(conn: Connection, name: str) -> datetime | None:
    row = conn.execute(
        "SELECT max(started_at) FROM load_run WHERE source = %s AND trigger <> %s",
        (name, BY_HAND),
    ).fetchone()
    return row[0] if row else None


def mark_interrupted(conn: Connection, name: str) -> None:
    """Runs of `name` left 'running' by a process that died. Only call it holding the
    source's lock: then no other run of it is going on."""
    conn.execute(
        """UPDATE load_run SET status = 'failed', finished_at = now(),
                message = 'interrupted: the process running it stopped'
            WHERE source = %s AND status = 'running' AND trigger <> %s""",
        (name, BY_HAND),
    )


def start_run(
    conn: Connection,
    source: SourceConfig,
    trigger: str,
    scheduled_for: datetime | None = None,
    **fields: Any,
) -> int:
    values = {
        "source": source.name,
        "kind": source.kind,
        "trigger": trigger,
        "location": source.public_location,
        "scheduled_for": scheduled_for,
        "file_name": "",
        **fields,
    }
    names = ", ".join(values)
    row = conn.execute(
        f"INSERT INTO load_run ({names}, status) "
        f"VALUES ({', '.join(f'%({n})s' for n in values)}, 'running') RETURNING id",
        values,
    ).fetchone()
    assert row is not None
    return row[0]


def fail_if_running(conn: Connection, run_id: int, message: str) -> None:
    """Mark the run failed, unless the pipeline already gave it its outcome."""
    conn.execute(
        """UPDATE load_run SET status = 'failed', message = %s, finished_at = now()
            WHERE id = %s AND status = 'running'""",
        (message, run_id),
    )


def baseline(conn: Connection, name: str) -> dict | None:
    """The latest run of `name` after which the data matched the source: its digest and
    the validators to send back to the server."""
    cur = conn.execute(
        """SELECT id, sha256, etag, last_modified, location, file_name FROM load_run
            WHERE source = %s AND status = ANY(%s) AND sha256 IS NOT NULL
            ORDER BY id DESC LIMIT 1""",
        (name, list(CONFIRMED)),
    )
    row = cur.fetchone()
    return dict(zip([d.name for d in cur.description or ()], row, strict=True)) if row else None


def superseded_files(conn: Connection, name: str, latest_id: int) -> list[str]:
    """Forget the files kept for refused runs of `name` older than `latest_id`, which can
    no longer be approved; returns their paths, for the caller to delete."""
    rows = conn.execute(
        """UPDATE load_run r SET file_path = NULL
            FROM (SELECT id, file_path FROM load_run
                  WHERE source = %s AND id < %s AND file_path IS NOT NULL) kept
            WHERE r.id = kept.id RETURNING kept.file_path""",
        (name, latest_id),
    ).fetchall()
    return [row[0] for row in rows]


def newer_confirmed(conn: Connection, name: str, run_id: int) -> int | None:
    """The id of a run of `name` after `run_id` that loaded the source, if any."""
    row = conn.execute(
        "SELECT max(id) FROM load_run WHERE source = %s AND id > %s AND status = 'succeeded'",
        (name, run_id),
    ).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class Standing:
    """Where a source stands, from its run records."""

    last_success: dict | None  # {id, at}: the latest run that loaded or found it unchanged
    last_failure: dict | None  # {id, at, message}: the latest failed or refused run
    consecutive_failures: int  # failed or refused runs since the last success
    awaiting_approval: int | None  # the refused run that `annuaire runs approve` would load
    running: int | None  # a run going on now


def standing(conn: Connection, name: str) -> Standing:
    row = conn.execute(
        """WITH runs AS (SELECT * FROM load_run WHERE source = %(name)s AND trigger <> %(by_hand)s),
             success AS (SELECT id, coalesce(finished_at, started_at) AS at FROM runs
                         WHERE status = ANY(%(confirmed)s) ORDER BY id DESC LIMIT 1),
             failure AS (SELECT id, coalesce(finished_at, started_at) AS at, message FROM runs
                         WHERE status IN ('failed', 'refused') ORDER BY id DESC LIMIT 1)
        SELECT (SELECT to_jsonb(success) FROM success),
               (SELECT to_jsonb(failure) FROM failure),
               (SELECT count(*) FROM runs WHERE status IN ('failed', 'refused')
                   AND id > coalesce((SELECT id FROM success), 0)),
               (SELECT max(id) FROM runs WHERE status = 'refused' AND file_path IS NOT NULL
                   AND id > coalesce((SELECT id FROM success), 0)
                   AND NOT EXISTS (SELECT 1 FROM load_run a
                                   WHERE a.approves = runs.id AND a.status = 'succeeded')),
               (SELECT max(id) FROM runs WHERE status = 'running')""",
        {"name": name, "confirmed": list(CONFIRMED), "by_hand": BY_HAND},
    ).fetchone()
    assert row is not None
    success, failure, failures, awaiting, running = row
    return Standing(_stamped(success), _stamped(failure), failures, awaiting, running)


def _stamped(value: dict | None) -> dict | None:
    """A run summary read back from jsonb, its time as a datetime again."""
    if value is None:
        return None
    return {**value, "at": datetime.fromisoformat(value["at"])}
