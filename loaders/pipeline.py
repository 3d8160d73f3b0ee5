"""The load pipeline every source goes through: stage → diff → guard → swap → run record.

Rows are streamed into unlogged staging tables, then one PostgreSQL transaction holds the
diff and the swap, so a failure at any point leaves the previous data untouched. Run records and rejected rows are written on a
second, autocommit connection, which also holds the advisory lock that keeps loads one at a
time: they stay visible whatever happens to the load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
import psycopg

from loaders import runs
from loaders.base import BadFile, Rejected
from loaders.target import Candidate, Target

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
    rows: Iterator[tuple[Target, Candidate | Rejected]]


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
    description: str = ""
    counts: Counts = field(default_factory=Counts)


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
    """Streams new and changed rows into one staging table per target, and the keys of every
    record into a second one; rejects duplicate keys.

    Each staging table has its own connection with one COPY open for the whole file, so
    PostgreSQL ingests rows while Python parses the next ones (a file interleaves targets:
    FINESS+ puts its groups before its structures). Staging tables are unlogged and dropped
    after the load; the advisory lock guarantees no other load uses them meanwhile.
    """

    def __init__(self, database_url: str, scopes: dict[Target, frozenset[str] | None]) -> None:
        self.first_line: dict[Target, dict[str, int]] = {t: {} for t in scopes}
        self.unchanged: dict[Target, int] = dict.fromkeys(scopes, 0)
        self.current = {t: _current_hashes(database_url, t, scope) for t, scope in scopes.items()}
        self.stack = ExitStack()
        self.rows = {}
        self.keys = {}
        drop_staging(database_url, list(scopes))
        for target in scopes:
            self.rows[target] = self._copy(
                database_url,
                f"stage_{target.table}",
                f"SELECT {', '.join(target.columns)} FROM {target.table} WITH NO DATA",
                target.columns,
            )
            self.keys[target] = self._copy(
                database_url,
                f"stage_keys_{target.table}",
                "SELECT ''::text AS id WITH NO DATA",
                ("id",),
            )

    def _copy(self, database_url: str, table: str, shape: str, columns: tuple[str, ...]):  # noqa: ANN202
        conn = self.stack.enter_context(psycopg.connect(database_url, autocommit=True))
        conn.execute(f"CREATE UNLOGGED TABLE {table} AS {shape}")
        cursor = self.stack.enter_context(conn.cursor())
        return self.stack.enter_context(
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
        )

    def stage(self, target: Target, candidate: Candidate) -> Rejected | None:
        key = candidate.key
        seen = self.first_line[target]
        if key in seen:
            return Rejected(candidate.line, f"duplicate id {key}, first seen at line {seen[key]}")
        seen[key] = candidate.line
        self.keys[target].write_row((key,))
        if self.current[target].get(key) == candidate.content_hash:
            self.unchanged[target] += 1
            return None
        values = candidate.build()
        values["content_hash"] = candidate.content_hash
        self.rows[target].write_row([_copy_value(values[c], c, target) for c in target.columns])
        return None

    def close(self) -> None:
        """End the COPYs (committing the staged rows); safe to call twice."""
        self.stack.close()


def _current_hashes(database_url: str, target: Target, scope: frozenset[str] | None) -> dict:
    """Content hash of every present record the snapshot covers (tombstones excluded, so a
    record coming back is always rewritten)."""
    clause, params = _scope_clause(target, scope)
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            f"SELECT id, content_hash FROM {target.table} t WHERE t.removed_at IS NULL AND {clause}",
            params,
        )
        return dict(rows)


def drop_staging(database_url: str, targets: list[Target]) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        for target in targets:
            conn.execute(f"DROP TABLE IF EXISTS stage_{target.table}, stage_keys_{target.table}")


def _index_staging(conn: psycopg.Connection, targets: list[Target]) -> None:
    """Index and analyse the staging tables, and refresh the target's statistics: after a
    TRUNCATE or a first load they are stale, and the planner would then join the snapshot
    against the table row by row."""
    for target in targets:
        conn.execute(f"ANALYZE {target.table}")
        for table in (f"stage_{target.table}", f"stage_keys_{target.table}"):
            conn.execute(f"CREATE INDEX ON {table} (id)")
            conn.execute(f"ANALYZE {table}")


def _scope_clause(target: Target, scope: frozenset[str] | None) -> tuple[str, dict]:
    if scope is None or target.scope_column is None:
        return "TRUE", {}
    return f"t.{target.scope_column} = ANY(%(scope)s)", {"scope": sorted(scope)}


def _diff_counts(
    conn: psycopg.Connection, target: Target, scope: frozenset[str] | None, unchanged: int
) -> tuple[Counts, int]:
    """Counts of the diff, and how many records of the scope are present now."""
    new, changed = conn.execute(
        f"""SELECT count(*) FILTER (WHERE t.id IS NULL), count(t.id)
            FROM stage_{target.table} s LEFT JOIN {target.table} t ON t.id = s.id"""
    ).fetchone()
    clause, params = _scope_clause(target, scope)
    present, gone = conn.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE NOT EXISTS
                (SELECT 1 FROM stage_keys_{target.table} k WHERE k.id = t.id))
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
) -> None:
    """Apply the diff: rewrite changed records, insert new ones, tombstone removed ones."""
    params = {
        "stamp": stamp,
        "stamp_text": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    columns = ", ".join(target.columns)
    values = ", ".join(_stamped(target, c, "s.") for c in target.columns)
    assignments = ", ".join(
        f"{c} = {_stamped(target, c, 's.')}" for c in target.columns if c != "id"
    )
    # Existing rows first; then the insert skips them by key. (A NOT EXISTS join against the
    # table being filled degrades to a scan per row when the table's statistics say empty.)
    conn.execute(
        f"""UPDATE {target.table} t SET {assignments}, removed_at = NULL, last_updated = %(stamp)s
            FROM stage_{target.table} s WHERE t.id = s.id""",
        params,
    )
    conn.execute(
        f"""INSERT INTO {target.table} ({columns}, last_updated)
            SELECT {values}, %(stamp)s FROM stage_{target.table} s
            ON CONFLICT (id) DO NOTHING""",
        params,
    )
    clause, scope_params = _scope_clause(target, scope)
    tombstone = f", {target.tombstone_sql}" if target.tombstone_sql else ""
    conn.execute(
        f"""UPDATE {target.table} t
            SET active = FALSE, removed_at = %(stamp)s, last_updated = %(stamp)s{tombstone}
            WHERE t.removed_at IS NULL AND {clause}
              AND NOT EXISTS (SELECT 1 FROM stage_keys_{target.table} k WHERE k.id = t.id)""",
        {**params, **scope_params},
    )


@contextmanager
def _indexes_rebuilt_if_empty(conn: psycopg.Connection, target: Target) -> Iterator[None]:
    """On a first load into an empty table, build the secondary indexes once after the
    insert rather than row by row: several times faster, and nobody reads an empty table."""
    if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {target.table})").fetchone()[0]:
        yield
        return
    definitions = conn.execute(
        """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = %s::regclass AND NOT x.indisprimary""",
        (target.table,),
    ).fetchall()
    for name, _ in definitions:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in definitions:
        conn.execute(definition)


def _stage_all(
    database_url: str,
    run_conn: psycopg.Connection,
    run_id: int,
    source_file: SourceFile,
    progress: Progress,
) -> tuple[int, dict[Target, int]]:
    """Stream every row into staging; returns the rejected count and unchanged per target."""
    stager = _Stager(database_url, source_file.scopes)
    try:
        rejected = _feed(stager, run_conn, run_id, source_file, progress)
    finally:
        stager.close()
    return rejected, stager.unchanged


def _feed(
    stager: _Stager,
    run_conn: psycopg.Connection,
    run_id: int,
    source_file: SourceFile,
    progress: Progress,
) -> int:
    pending: list[Rejected] = []
    staged = rejected = 0
    for target, item in source_file.rows:
        if isinstance(item, Candidate):
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
    result = LoadResult(run_id=run_id, description=source_file.description)
    try:
        result.counts.rejected, unchanged = _stage_all(
            database_url, run_conn, run_id, source_file, progress
        )
        _swap_all(database_url, source_file, unchanged, threshold, force, result, progress)
    finally:
        drop_staging(database_url, list(source_file.scopes))
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


def _swap_all(
    database_url: str,
    source_file: SourceFile,
    unchanged: dict[Target, int],
    threshold: float,
    force: bool,
    result: LoadResult,
    progress: Progress,
) -> None:
    """Diff every target, refuse abnormal removals, then apply all in one transaction."""
    with psycopg.connect(database_url) as conn:
        _index_staging(conn, list(source_file.scopes))
        stamp = conn.execute("SELECT date_trunc('milliseconds', now())").fetchone()[0]
        diffs = {
            t: _diff_counts(conn, t, scope, unchanged[t]) for t, scope in source_file.scopes.items()
        }
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
            with _indexes_rebuilt_if_empty(conn, target):
                _swap(conn, target, scope, stamp)
        conn.commit()
