"""The load pipeline every source goes through: stage → diff → guard → swap → run record.

One PostgreSQL transaction holds the staging tables, the diff and the swap, so a failure at
any point leaves the previous data untouched. Run records and rejected rows are written on a
second, autocommit connection, which also holds the advisory lock that keeps loads one at a
time: they stay visible whatever happens to the load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
import psycopg

from loaders import runs
from loaders.base import BadFile, Rejected, Row
from loaders.target import Target

LOAD_LOCK = 7240002
REJECTION_BATCH = 1000
PROGRESS_EVERY = 25_000


class LoadBusy(Exception):
    """Another load holds the lock."""


class LoadRefused(Exception):
    """The snapshot would remove too many records; --force overrides."""


@dataclass
class SourceFile:
    """A source file opened by a source module: what it feeds and its rows, streamed."""

    description: str
    scopes: dict[Target, frozenset[str] | None]
    rows: Iterator[tuple[Target, Row | Rejected]]


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejected: int = 0

    def add(self, other: Counts) -> None:
        for name in ("new", "changed", "unchanged", "deactivated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class LoadResult:
    run_id: int
    status: str
    description: str = ""
    counts: Counts = field(default_factory=Counts)
    changed_ids: dict[str, list[str]] = field(default_factory=dict)


Progress = Callable[[str], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_value(value: object, column: str, target: Target) -> object:
    if value is None:
        return None
    if column in target.json_columns:
        return orjson.dumps(value).decode()
    return value


class _Stager:
    """COPYs rows into one temporary table per target, in batches, rejecting duplicate keys.

    A connection runs one COPY at a time and a file interleaves targets (FINESS+ puts its
    groups before its structures), so rows wait in a small buffer per target.
    """

    BATCH = 5000

    def __init__(self, conn: psycopg.Connection, targets: list[Target]) -> None:
        self.conn = conn
        self.first_line: dict[Target, dict[str, int]] = {t: {} for t in targets}
        self.buffers: dict[Target, list[list[object]]] = {t: [] for t in targets}
        for target in targets:
            conn.execute(
                f"CREATE TEMP TABLE stage_{target.table} ON COMMIT DROP AS "
                f"SELECT {', '.join(target.columns)} FROM {target.table} WITH NO DATA"
            )

    def stage(self, target: Target, row: Row) -> Rejected | None:
        values = row.record
        key = values["id"]
        seen = self.first_line[target]
        if key in seen:
            return Rejected(row.line, f"duplicate id {key}, first seen at line {seen[key]}")
        seen[key] = row.line
        buffer = self.buffers[target]
        buffer.append([_copy_value(values[c], c, target) for c in target.columns])
        if len(buffer) >= self.BATCH:
            self._flush(target)
        return None

    def _flush(self, target: Target) -> None:
        buffer = self.buffers[target]
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY stage_{target.table} ({', '.join(target.columns)}) FROM STDIN") as copy,
        ):
            for values in buffer:
                copy.write_row(values)
        buffer.clear()

    def finish(self) -> None:
        for target in self.buffers:
            self._flush(target)
            self.conn.execute(f"CREATE INDEX ON stage_{target.table} (id)")
            self.conn.execute(f"ANALYZE stage_{target.table}")


def _scope_clause(target: Target, scope: frozenset[str] | None) -> tuple[str, dict]:
    if scope is None or target.scope_column is None:
        return "TRUE", {}
    return f"t.{target.scope_column} = ANY(%(scope)s)", {"scope": sorted(scope)}


def _diff_counts(
    conn: psycopg.Connection, target: Target, scope: frozenset[str] | None
) -> tuple[Counts, int]:
    """Counts of the diff, and how many records of the scope are present now."""
    new, changed, unchanged = conn.execute(
        f"""SELECT count(*) FILTER (WHERE t.id IS NULL),
                   count(*) FILTER (WHERE t.id IS NOT NULL
                       AND (t.content_hash <> s.content_hash OR t.removed_at IS NOT NULL)),
                   count(*) FILTER (WHERE t.content_hash = s.content_hash AND t.removed_at IS NULL)
            FROM stage_{target.table} s LEFT JOIN {target.table} t ON t.id = s.id"""
    ).fetchone()
    clause, params = _scope_clause(target, scope)
    present, gone = conn.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE NOT EXISTS
                (SELECT 1 FROM stage_{target.table} s WHERE s.id = t.id))
            FROM {target.table} t WHERE t.removed_at IS NULL AND {clause}""",
        params,
    ).fetchone()
    return Counts(new=new, changed=changed, unchanged=unchanged, deactivated=gone), present


def _stamped(target: Target, column: str, prefix: str) -> str:
    if column == target.stamped_resource:
        return (
            f"jsonb_set({prefix}{column}, '{{meta,lastUpdated}}', to_jsonb(%(stamp_text)s::text))"
        )
    return f"{prefix}{column}"


def _swap(
    conn: psycopg.Connection, target: Target, scope: frozenset[str] | None, stamp: datetime
) -> list[str]:
    """Apply the diff; returns the ids whose representation changed (new, changed, removed)."""
    params = {
        "stamp": stamp,
        "stamp_text": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    columns = ", ".join(target.columns)
    values = ", ".join(_stamped(target, c, "s.") for c in target.columns)
    inserted = conn.execute(
        f"""INSERT INTO {target.table} ({columns}, last_updated)
            SELECT {values}, %(stamp)s FROM stage_{target.table} s
            WHERE NOT EXISTS (SELECT 1 FROM {target.table} t WHERE t.id = s.id)
            RETURNING id""",
        params,
    ).fetchall()
    assignments = ", ".join(
        f"{c} = {_stamped(target, c, 's.')}" for c in target.columns if c != "id"
    )
    updated = conn.execute(
        f"""UPDATE {target.table} t SET {assignments}, removed_at = NULL, last_updated = %(stamp)s
            FROM stage_{target.table} s
            WHERE t.id = s.id AND (t.content_hash <> s.content_hash OR t.removed_at IS NOT NULL)
            RETURNING t.id""",
        params,
    ).fetchall()
    clause, scope_params = _scope_clause(target, scope)
    tombstone = f", {target.tombstone_sql}" if target.tombstone_sql else ""
    removed = conn.execute(
        f"""UPDATE {target.table} t
            SET active = FALSE, removed_at = %(stamp)s, last_updated = %(stamp)s{tombstone}
            WHERE t.removed_at IS NULL AND {clause}
              AND NOT EXISTS (SELECT 1 FROM stage_{target.table} s WHERE s.id = t.id)
            RETURNING t.id""",
        {**params, **scope_params},
    ).fetchall()
    return [r[0] for r in (*inserted, *updated, *removed)]


def _stage_all(
    conn: psycopg.Connection,
    run_conn: psycopg.Connection,
    run_id: int,
    source_file: SourceFile,
    progress: Progress,
) -> int:
    """Stream every row into staging; returns the number of rejected rows."""
    stager = _Stager(conn, list(source_file.scopes))
    pending: list[Rejected] = []
    staged = rejected = 0
    for target, item in source_file.rows:
        if isinstance(item, Row):
            problem = stager.stage(target, item)
            if problem is None:
                staged += 1
                if staged % PROGRESS_EVERY == 0:
                    progress(f"  {staged:,} records staged, {rejected:,} rejected")
                continue
            item = problem
        pending.append(item)
        rejected += 1
        if len(pending) >= REJECTION_BATCH:
            runs.record_rejections(run_conn, run_id, pending)
            pending.clear()
    runs.record_rejections(run_conn, run_id, pending)
    stager.finish()
    if staged == 0 and rejected == 0:
        raise BadFile("the file holds no records")
    progress(f"  {staged:,} records staged, {rejected:,} rejected")
    return rejected


def run_load(
    database_url: str,
    source: str,
    path: Path,
    opener: Callable[[Path], SourceFile],
    *,
    force: bool = False,
    threshold: float = 0.05,
    progress: Progress = lambda _message: None,
) -> LoadResult:
    """Load one file of `source` as a full snapshot of what it covers.

    Raises LoadBusy, BadFile (run marked failed) or LoadRefused (run marked refused).
    """
    with psycopg.connect(database_url, autocommit=True) as run_conn:
        if not run_conn.execute("SELECT pg_try_advisory_lock(%s)", (LOAD_LOCK,)).fetchone()[0]:
            raise LoadBusy("another load is running; try again when it has finished")
        run_id = runs.start_run(run_conn, source, path.name)
        try:
            result = _load(database_url, run_conn, run_id, path, opener, force, threshold, progress)
        except LoadRefused as exc:
            runs.update_run(run_conn, run_id, status="refused", message=str(exc), finished=True)
            raise
        except Exception as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            runs.update_run(run_conn, run_id, status="failed", message=message, finished=True)
            raise
        return result


def _load(
    database_url: str,
    run_conn: psycopg.Connection,
    run_id: int,
    path: Path,
    opener: Callable[[Path], SourceFile],
    force: bool,
    threshold: float,
    progress: Progress,
) -> LoadResult:
    if not path.is_file():
        raise BadFile(f"{path}: no such file")
    runs.update_run(run_conn, run_id, sha256=file_sha256(path))
    source_file = opener(path)
    progress(f"loading {path.name} ({source_file.description})")
    result = LoadResult(run_id=run_id, status="succeeded", description=source_file.description)
    with psycopg.connect(database_url) as conn:
        result.counts.rejected = _stage_all(conn, run_conn, run_id, source_file, progress)
        stamp = conn.execute("SELECT date_trunc('milliseconds', now())").fetchone()[0]
        diffs = {t: _diff_counts(conn, t, scope) for t, scope in source_file.scopes.items()}
        for target, (counts, present) in diffs.items():
            if present and counts.deactivated / present > threshold and not force:
                raise LoadRefused(
                    f"this snapshot would remove {counts.deactivated:,} of {present:,} "
                    f"{target.table} records ({counts.deactivated / present:.1%} > "
                    f"{threshold:.0%}); check the file, or load it with --force"
                )
            result.counts.add(counts)
        progress("  swapping in the new snapshot")
        for target, scope in source_file.scopes.items():
            result.changed_ids[target.table] = _swap(conn, target, scope, stamp)
        conn.commit()
    runs.update_run(
        run_conn,
        run_id,
        status="succeeded",
        finished=True,
        new=result.counts.new,
        changed=result.counts.changed,
        unchanged=result.counts.unchanged,
        deactivated=result.counts.deactivated,
        rejected=result.counts.rejected,
    )
    return result
