"""The load pipeline every source goes through: stage → diff → guard → swap → run record.

Rows are streamed into unlogged staging tables, then one PostgreSQL transaction holds the
diff and the swap, so a failure at any point leaves the previous data untouched. A first load
into an empty table skips staging: its rows are copied straight into the table, inside that
same transaction. Run records and rejected rows are written on a second, autocommit
connection, which also holds the advisory lock that keeps loads one at a time: they stay
visible whatever happens to the load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path

import orjson
import psycopg

from loaders import runs
from loaders.base import BadFile, Rejected
from loaders.target import Candidate, Kept, Target

LOAD_LOCK = 7240002
REJECTION_BATCH = 1000
PROGRESS_EVERY = 25_000
DEFAULT_HISTORY_DAYS = 365

Progress = Callable[[str], None]


class LoadBusy(Exception):
    """Another load holds the lock."""


class LoadRefused(Exception):
    """The snapshot would remove too many records; --force overrides."""


@dataclass
class StagingContext:
    """What a source that stages itself gets: the database, where rejections go, and its
    first loads: the targets whose table was empty, which it fills through `conn` (the swap
    transaction) rather than staging, counting the rows in their `copied`."""

    database_url: str
    run_conn: psycopg.Connection
    run_id: int
    progress: Progress
    conn: psycopg.Connection | None = None
    first_loads: dict[Target, FirstLoad] = field(default_factory=dict)


@dataclass
class SourceFile:
    """A source file opened by a source module: what it feeds and its rows, streamed.

    A source too big to map row by row in Python (RPPS: 2.2 M activities) gives `stage`
    instead of `rows`: it fills the staging tables itself, set-based in SQL, with every key
    in stage_keys_<table> and the new or changed rows in stage_<table>, and returns its
    rejected count and the unchanged count per staged target. Diff, guards and swap are the
    same. A target whose table is empty is a first load: its rows go straight into it.
    """

    description: str
    scopes: dict[Target, frozenset[str] | None]
    rows: Iterator[tuple[Target, Candidate | Rejected]] = field(default_factory=lambda: iter(()))
    stage: Callable[[StagingContext], tuple[int, dict[Target, int]]] | None = None
    # Rows that can only be mapped with the database at hand (ROR: which establishments
    # FINESS holds), read once the load has begun instead of `rows`.
    read_rows: (
        Callable[[StagingContext], Iterator[tuple[Target, Candidate | Rejected | Kept]]] | None
    ) = None


@dataclass(frozen=True)
class Guards:
    """What protects the data from an abnormal snapshot, and how long removals are kept."""

    force: bool
    threshold: float  # share of present records a snapshot may remove
    history_days: int  # tombstones older than this are purged
    min_rows: int = 0  # fewer records in a snapshot means a truncated or wrong file


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


def file_sha256(path: Path) -> str:
    """The file's digest; for a folder (RPPS extract unzipped), that of its files' names and
    contents in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.encode() + b"\0")
        with file.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


def _text_array(values: list[str | None]) -> str:
    """A text[] literal. psycopg's list dumper is pure Python and runs regular expressions on
    every element: for organizations it cost more than building the row."""
    if not values:
        return "{}"
    if None not in values:
        joined = '","'.join(values)
        # Nearly always nothing to escape: no backslash, no quote but the separators'.
        if "\\" not in joined and joined.count('"') == 2 * len(values) - 2:
            return '{"' + joined + '"}'
    quoted = (
        "NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for v in values
    )
    return "{" + ",".join(quoted) + "}"


class _CopyRow:
    """A built row's values in COPY column order, JSON as text and arrays as literals."""

    def __init__(self, target: Target, columns: tuple[str, ...]) -> None:
        self.values = itemgetter(*columns)  # one C call rather than a Python loop per column
        self.encoders = [
            (i, _json_text if column in target.json_columns else _text_array)
            for i, column in enumerate(columns)
            if column in target.json_columns or column in target.array_columns
        ]

    def __call__(self, values: dict) -> list:
        row = list(self.values(values))
        for i, encode in self.encoders:
            if row[i] is not None:
                row[i] = encode(row[i])
        return row


# meta.lastUpdated of a staged resource until the swap writes its time in: a text
# replacement, where setting it in the JSON parsed into jsonb made inserting the 641 k RPPS
# structures take 88 s instead of 78. No JSON string holds its quotes unescaped, so it
# cannot be data.
UNSTAMPED = "(stamped at swap)"


def _stamp_text(stamp: datetime) -> str:
    """The load time as `meta.lastUpdated` writes it."""
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class FirstLoad:
    """A target whose table was empty when the load began: its rows are copied straight into
    the table, in the swap transaction, rather than staged then inserted (a second write of
    every row), with most of its indexes dropped until the copy ends. The table stays locked
    until the commit: nobody reads an empty table, and readers never see a partial one."""

    target: Target
    indexes: list[str]  # definitions of the dropped indexes, built again after the copy
    stamp: datetime  # the swap transaction's time, which the swap stamps every record with
    stamp_text: str = field(init=False)
    copied: int = 0

    def __post_init__(self) -> None:
        self.stamp_text = _stamp_text(self.stamp)


class _Stager:
    """Streams new and changed rows into one staging table per target, and the keys of every
    record into a second one; rejects duplicate keys.

    Each staging table has its own connection with one COPY open for the whole file, so
    PostgreSQL ingests rows while Python parses the next ones (a file interleaves targets:
    FINESS+ puts its groups before its structures). Staging tables are unlogged and dropped
    after the load; the advisory lock guarantees no other load uses them meanwhile. A first
    load's target is copied into on the swap connection `conn` instead.
    """

    def __init__(
        self,
        database_url: str,
        conn: psycopg.Connection,
        scopes: dict[Target, frozenset[str] | None],
    ) -> None:
        self.first_line: dict[Target, dict[str, int]] = {t: {} for t in scopes}
        self.unchanged: dict[Target, int] = dict.fromkeys(scopes, 0)
        self.current = {t: _current_hashes(database_url, t, scope) for t, scope in scopes.items()}
        self.stack = ExitStack()
        self.rows = {}
        self.keys = {}
        self.copy_rows = {t: _CopyRow(t, t.columns) for t in scopes}
        drop_staging(database_url, list(scopes))
        first_loads = _begin_first_loads(conn, [t for t in scopes if not self.current[t]], 1)
        self.first_load = first_loads[0] if first_loads else None
        for target in scopes:
            if self.first_load and target is self.first_load.target:
                columns = (*target.columns, "last_updated")
                self.copy_rows[target] = _CopyRow(target, columns)
                self.rows[target] = self._copy(conn, target.table, columns, freeze=True)
                continue
            rows_conn = self.stack.enter_context(psycopg.connect(database_url, autocommit=True))
            keys_conn = self.stack.enter_context(psycopg.connect(database_url, autocommit=True))
            create_staging(rows_conn, target, keys_conn)
            self.rows[target] = self._copy(rows_conn, f"stage_{target.table}", target.columns)
            self.keys[target] = self._copy(keys_conn, f"stage_keys_{target.table}", ("id",))

    def _copy(  # noqa: ANN202
        self, conn: psycopg.Connection, table: str, columns: tuple[str, ...], freeze: bool = False
    ):
        options = " WITH (FREEZE)" if freeze else ""
        cursor = self.stack.enter_context(conn.cursor())
        return self.stack.enter_context(
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN{options}")
        )

    def keep(self, target: Target, kept: Kept) -> None:
        if self.first_load and target is self.first_load.target:
            return  # an empty table has nothing to keep
        if kept.key not in self.first_line[target]:
            self.first_line[target][kept.key] = 0
            self.keys[target].write_row((kept.key,))

    def stage(self, target: Target, candidate: Candidate) -> Rejected | None:
        key = candidate.key
        seen = self.first_line[target]
        if key in seen:
            return Rejected(candidate.line, f"duplicate id {key}, first seen at line {seen[key]}")
        seen[key] = candidate.line
        first = self.first_load
        if first and target is first.target:
            # Stamped here as the swap stamps the records it writes.
            values = candidate.build()
            values["content_hash"] = candidate.content_hash
            values["last_updated"] = first.stamp
            if target.stamped_resource:
                values[target.stamped_resource]["meta"]["lastUpdated"] = first.stamp_text
            self.rows[target].write_row(self.copy_rows[target](values))
            first.copied += 1
            return None
        self.keys[target].write_row((key,))
        if self.current[target].get(key) == candidate.content_hash:
            self.unchanged[target] += 1
            return None
        values = candidate.build()
        values["content_hash"] = candidate.content_hash
        if target.stamped_resource:
            values[target.stamped_resource]["meta"]["lastUpdated"] = UNSTAMPED
        self.rows[target].write_row(self.copy_rows[target](values))
        return None

    def close(self) -> None:
        """End the COPYs (committing the staged rows); safe to call twice."""
        self.stack.close()


def _begin_first_loads(
    conn: psycopg.Connection, targets: list[Target], limit: int | None = None
) -> list[FirstLoad]:
    """Start the swap transaction on the targets whose table is empty, up to `limit`.

    Rows copied from Python go into one of them only (one COPY per connection): the first
    empty one in the file's scopes (FINESS+ structures list organizations before groups).
    Without any, the transaction is left to begin at the swap, whose start time stamps the
    records."""
    first_loads: list[FirstLoad] = []
    for target in targets:
        if len(first_loads) == limit:
            break
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {target.table})").fetchone()[0]:
            continue  # tombstones, or records out of this file's scope
        indexes = _drop_secondary_indexes(conn, target.table, target.indexes_kept_in_first_load)
        # Truncating the (empty) table in this transaction lets COPY write its rows frozen,
        # so the first vacuum and the first reads do not rewrite every page.
        conn.execute(f"TRUNCATE {target.table}")
        stamp = conn.execute("SELECT date_trunc('milliseconds', now())").fetchone()[0]
        first_loads.append(FirstLoad(target, indexes, stamp))
    if not first_loads:
        conn.rollback()
    return first_loads


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


def create_staging(
    conn: psycopg.Connection, target: Target, keys_conn: psycopg.Connection | None = None
) -> None:
    """The unlogged staging tables of `target`: stage_<table> for new and changed rows (the
    table's shape) and stage_keys_<table> for every key of the snapshot."""
    conn.execute(
        f"CREATE UNLOGGED TABLE stage_{target.table} AS "
        f"SELECT {', '.join(target.columns)} FROM {target.table} WITH NO DATA"
    )
    (keys_conn or conn).execute(
        f"CREATE UNLOGGED TABLE stage_keys_{target.table} AS SELECT ''::text AS id WITH NO DATA"
    )


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
    # Two statements: the anti-join of the second hashes the keys once, where a NOT EXISTS
    # inside an aggregate probed them once per row. Both may read only an index of the
    # live ids (practitioner_live_idx).
    present = conn.execute(f"SELECT count(*) FROM ({_live(target, clause)}) l", params)
    present = present.fetchone()[0]
    gone = conn.execute(f"SELECT count(*) FROM ({_absent(target, clause)}) a", params)
    deactivated = gone.fetchone()[0]
    return Counts(new=new, changed=changed, unchanged=unchanged, deactivated=deactivated), present


def _live(target: Target, clause: str) -> str:
    """The ids of the target's live records in the scope `clause`."""
    return f"SELECT t.id FROM {target.table} t WHERE t.removed_at IS NULL AND {clause}"


def _absent(target: Target, clause: str) -> str:
    """The live ids the snapshot does not hold: the records the load removes."""
    keys = f"stage_keys_{target.table}"
    return f"{_live(target, clause)} AND NOT EXISTS (SELECT 1 FROM {keys} k WHERE k.id = t.id)"


def _stamped(target: Target, column: str, prefix: str) -> str:
    """The SQL of a staged column's value, its resource stamped with the swap's time: every
    stager writes UNSTAMPED in its place, in compact JSON text (json columns keep it as
    written)."""
    value = f"{prefix}{column}"
    if column != target.stamped_resource:
        return value
    placeholder = f'"lastUpdated":"{UNSTAMPED}"'
    return f"""replace({value}::text, '{placeholder}',
                   '"lastUpdated":' || to_json(%(stamp_text)s::text)::text)::json"""


def _swap(
    conn: psycopg.Connection, target: Target, scope: frozenset[str] | None, stamp: datetime
) -> None:
    """Apply the diff: rewrite changed records, insert new ones, tombstone removed ones."""
    params = {
        "stamp": stamp,
        "stamp_text": _stamp_text(stamp),
    }
    columns = ", ".join(target.columns)
    values = ", ".join(_stamped(target, c, "s.") for c in target.columns)
    assignments = ", ".join(
        f"{c} = {_stamped(target, c, 's.')}" for c in target.columns if c != "id"
    )
    claims = target.claims_records and target.scope_column not in target.columns
    if claims and scope is not None and len(scope) == 1:
        assignments += f", {target.scope_column} = %(claimed)s"
        params["claimed"] = next(iter(scope))
    # Existing rows first; then the insert skips them by key. (A NOT EXISTS join against the
    # table being filled degrades to a scan per row when the table's statistics say empty.)
    newer = (
        f" AND (t.{target.keep_newer} IS NULL OR s.{target.keep_newer} >= t.{target.keep_newer})"
        if target.keep_newer
        else ""
    )
    conn.execute(
        f"""UPDATE {target.table} t SET {assignments}, removed_at = NULL, last_updated = %(stamp)s
            FROM stage_{target.table} s WHERE t.id = s.id{newer}""",
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
        # The removed ids first, as _diff_counts finds them (from an index of the live ids
        # where the table has one), then their rows. Materialized: within an UPDATE, a scan
        # of the same table joined in must return its rows' addresses, so it would read
        # every live row (4.9 s for the roles, 1.4 s from the index).
        f"""WITH gone AS MATERIALIZED ({_absent(target, clause)})
            UPDATE {target.table} t
            SET active = FALSE, removed_at = %(stamp)s, last_updated = %(stamp)s{tombstone}
            FROM gone WHERE t.id = gone.id""",
        {**params, **scope_params},
    )


@contextmanager
def _indexes_rebuilt_if_empty(conn: psycopg.Connection, target: Target) -> Iterator[None]:
    """On a first load into an empty table, build the secondary indexes once after the
    insert rather than row by row: several times faster, and nobody reads an empty table."""
    if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {target.table})").fetchone()[0]:
        yield
        return
    with indexes_built_after(conn, target.table, target.indexes_kept_in_first_load):
        yield


@contextmanager
def indexes_built_after(
    conn: psycopg.Connection, table: str, kept: frozenset[str] = frozenset()
) -> Iterator[None]:
    """Drop the secondary indexes of `table` (see _drop_secondary_indexes) while the block
    fills it, and build them once it is done."""
    definitions = _drop_secondary_indexes(conn, table, kept)
    yield
    _build_indexes(conn, definitions)


def _drop_secondary_indexes(
    conn: psycopg.Connection, table: str, kept: frozenset[str] = frozenset()
) -> list[str]:
    """Drop the table's indexes but its primary key, its GiST ones and those `kept` (a
    target keeps `Target.indexes_kept_in_first_load`); returns their definitions.

    B-tree and GIN indexes build from sorted entries, far faster than row by row. But the COPY
    of a first load waits on Python to parse the next rows, and an index maintained during it
    costs the server time it would otherwise spend waiting: a GiST index whose operator class
    cannot sort (cube's, for geo search) builds row by row anyway, and a GIN index of mostly
    distinct keys (identifier tokens: 5 s to build after a FINESS first load, in the swap
    transaction) is cheaper to keep (`Target.indexes_kept_in_first_load`)."""
    definitions = conn.execute(
        """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_am am ON am.oid = i.relam
           WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND am.amname <> 'gist'
             AND i.relname <> ALL(%s)""",
        (table, list(kept)),
    ).fetchall()
    for name, _ in definitions:
        conn.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in definitions]


def build_first_load_indexes(conn: psycopg.Connection, first: FirstLoad) -> None:
    """Build the indexes a first load dropped, once its rows are all in; a stager that is
    done with a table before the others may call it early."""
    _build_indexes(conn, first.indexes)
    first.indexes = []


def _build_indexes(conn: psycopg.Connection, definitions: list[str]) -> None:
    conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for definition in definitions:
        conn.execute(definition)


def _stage_all(
    database_url: str,
    conn: psycopg.Connection,
    run_conn: psycopg.Connection,
    run_id: int,
    source_file: SourceFile,
    progress: Progress,
) -> tuple[int, dict[Target, int], list[FirstLoad]]:
    """Stream every row into staging, or into the table of a first load on the swap
    connection `conn`; returns the rejected count, unchanged per target and the first loads."""
    context = StagingContext(database_url, run_conn, run_id, progress)
    if source_file.stage is not None:
        drop_staging(database_url, list(source_file.scopes))
        first_loads = _begin_first_loads(conn, list(source_file.scopes))
        context.conn, context.first_loads = conn, {f.target: f for f in first_loads}
        with psycopg.connect(database_url, autocommit=True) as staging:
            for target in source_file.scopes:
                if target not in context.first_loads:
                    create_staging(staging, target)
        rejected, unchanged = source_file.stage(context)
        return rejected, unchanged, first_loads
    rows = source_file.read_rows(context) if source_file.read_rows else source_file.rows
    stager = _Stager(database_url, conn, source_file.scopes)
    try:
        rejected = _feed(stager, run_conn, run_id, rows, progress)
    finally:
        stager.close()
    return rejected, stager.unchanged, [stager.first_load] if stager.first_load else []


def _feed(
    stager: _Stager,
    run_conn: psycopg.Connection,
    run_id: int,
    rows: Iterator[tuple[Target, Candidate | Rejected | Kept]],
    progress: Progress,
) -> int:
    pending: list[Rejected] = []
    staged = rejected = 0
    for target, item in rows:
        if isinstance(item, Kept):
            stager.keep(target, item)
            continue
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
    history_days: int = DEFAULT_HISTORY_DAYS,
    min_rows: int = 0,
    progress: Progress = lambda _message: None,
    run_id: int | None = None,
) -> LoadResult:
    """Load one file of `source` as a full snapshot of what it covers.

    `run_id` carries on a run already recorded (the scheduler records its runs before
    fetching the file); by default a new run is started. Raises LoadBusy (run untouched),
    BadFile (run marked failed) or LoadRefused (run marked refused). Tombstones older than
    `history_days` are purged. Unless `force`, a snapshot that would remove more than
    `threshold` of the present records, or that holds fewer than `min_rows`, is refused.
    """
    with psycopg.connect(database_url, autocommit=True) as run_conn:
        if not run_conn.execute("SELECT pg_try_advisory_lock(%s)", (LOAD_LOCK,)).fetchone()[0]:
            raise LoadBusy("another load is running; try again when it has finished")
        if run_id is None:
            run_id = runs.start_run(run_conn, source, path.name)
        guards = Guards(force, threshold, history_days, min_rows)
        try:
            return _load(database_url, run_conn, run_id, path, opener, guards, progress)
        except LoadRefused as exc:
            runs.update_run(run_conn, run_id, status="refused", message=str(exc), finished=True)
            raise
        except Exception as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            runs.update_run(run_conn, run_id, status="failed", message=message, finished=True)
            raise
        finally:
            # Released now rather than when the server notices the session has ended: the
            # next load may ask for the lock at once.
            run_conn.execute("SELECT pg_advisory_unlock(%s)", (LOAD_LOCK,))


def _load(
    database_url: str,
    run_conn: psycopg.Connection,
    run_id: int,
    path: Path,
    opener: Callable[[Path], SourceFile],
    guards: Guards,
    progress: Progress,
) -> LoadResult:
    if not path.exists():
        raise BadFile(f"{path}: no such file or folder")
    runs.update_run(run_conn, run_id, sha256=file_sha256(path))
    source_file = opener(path)
    progress(f"loading {path.name} ({source_file.description})")
    result = LoadResult(run_id=run_id, description=source_file.description)
    try:
        # The swap transaction; a failure anywhere rolls it back, a first load's copy included.
        with psycopg.connect(database_url) as conn:
            result.counts.rejected, unchanged, first_loads = _stage_all(
                database_url, conn, run_conn, run_id, source_file, progress
            )
            _swap_all(conn, source_file, unchanged, first_loads, guards, result, progress)
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
    conn: psycopg.Connection,
    source_file: SourceFile,
    unchanged: dict[Target, int],
    first_loads: list[FirstLoad],
    guards: Guards,
    result: LoadResult,
    progress: Progress,
) -> None:
    """Diff every staged target, refuse abnormal removals, then apply all and commit."""
    loaded = {first.target for first in first_loads}
    staged = {t: s for t, s in source_file.scopes.items() if t not in loaded}
    _index_staging(conn, list(staged))
    stamp = conn.execute("SELECT date_trunc('milliseconds', now())").fetchone()[0]
    diffs = {t: _diff_counts(conn, t, scope, unchanged[t]) for t, scope in staged.items()}
    for target, (counts, present) in diffs.items():
        if present and counts.deactivated / present > guards.threshold and not guards.force:
            raise LoadRefused(
                f"this snapshot would remove {counts.deactivated:,} of {present:,} "
                f"{target.table} records ({counts.deactivated / present:.1%} > "
                f"{guards.threshold:.0%}); check the file, or load it with --force"
            )
        result.counts.add(counts)
    for first in first_loads:
        result.counts.new += first.copied
    _refuse_if_too_few(result.counts, guards)
    progress("  swapping in the new snapshot")
    for first in first_loads:
        build_first_load_indexes(conn, first)
    for target, scope in staged.items():
        with _indexes_rebuilt_if_empty(conn, target):
            _swap(conn, target, scope, stamp)
    for target in staged:  # a first load's table held no tombstones
        _purge_history(conn, target, stamp, guards.history_days)
    for target in staged:
        if target.after_swap:
            target.after_swap(conn, stamp)
    stamps = {first.target: first.stamp for first in first_loads} | dict.fromkeys(staged, stamp)
    for target, written in stamps.items():
        if target.refresh_derived:
            target.refresh_derived(conn, written)
    conn.commit()
    _merge_pending_index_entries(conn, list(staged))


def _merge_pending_index_entries(conn: psycopg.Connection, targets: list[Target]) -> None:
    """GIN indexes queue the entries of changed rows in a pending list that every search
    reads through until a vacuum merges it, and a reload changing 1 % of the records does
    not bring autovacuum: after one RPPS reload an identifier lookup read 360 pages of the
    list (2.2 ms instead of 0.07). Merged once the new data is committed."""
    for target in targets:
        conn.execute(
            """SELECT gin_clean_pending_list(x.indexrelid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
               WHERE x.indrelid = %s::regclass AND am.amname = 'gin'""",
            (target.table,),
        )
    conn.commit()


def _refuse_if_too_few(counts: Counts, guards: Guards) -> None:
    """A source's floor catches what the removal guard cannot: a truncated first load, or a
    shrunken file whose records are mostly new ids."""
    held = counts.new + counts.changed + counts.unchanged
    if held < guards.min_rows and not guards.force:
        raise LoadRefused(
            f"this snapshot holds {held:,} records, fewer than the {guards.min_rows:,} its "
            "source requires (min_rows); check the file, or load it with --force"
        )


def _purge_history(
    conn: psycopg.Connection, target: Target, stamp: datetime, history_days: int
) -> None:
    """Forget tombstones older than the history delta clients are promised."""
    conn.execute(
        f"DELETE FROM {target.table} WHERE removed_at < %s - make_interval(days => %s)",
        (stamp, history_days),
    )
