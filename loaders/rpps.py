"""The RPPS source: the public `PS_LibreAcces` extract → practitioners, roles, structures.

`annuaire load rpps PATH` takes the zip as downloaded, a folder of its files, or the activity
file alone; the `Extraction_Correspondance_MSSante` file adds mailboxes when it sits beside
them. The extract is a full snapshot: a person, activity or structure missing from it
becomes a tombstone. Each file is copied to PostgreSQL, one text column per field
(loaders/rpps_copy.py), and mapped there (loaders/rpps_sql.py): see that module for why.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg.pq import TransactionStatus

from directory.practitioners import systems
from loaders import rpps_files, rpps_json, rpps_sql, runs
from loaders.base import BadFile, Rejected
from loaders.finess import ORGANIZATIONS
from loaders.pipeline import (
    SourceFile,
    StagingContext,
    build_first_load_indexes,
    indexes_built_after,
)
from loaders.rpps_copy import copy_lines, lines_table
from loaders.rpps_files import PartFile, find_parts
from loaders.target import Target


def _tombstone(resource_type: str, *kept: str) -> str:
    """The SET clause of a removed record: its resource shrinks to its id, profiles,
    identifiers and the `kept` elements, inactive; its document says when it left."""
    elements = "".join(f", '{name}', t.resource->'{name}'" for name in kept)
    return f"""resource = json_build_object(
            'resourceType', '{resource_type}', 'id', t.id,
            'meta', json_build_object('lastUpdated', %(stamp_text)s::text,
                                      'profile', t.resource->'meta'->'profile'),
            'identifier', t.resource->'identifier', 'active', false{elements}),
        document = (t.document::jsonb || jsonb_build_object('removed', %(stamp_text)s::text))::json"""


def refresh_names(conn: psycopg.Connection, stamp: datetime) -> None:
    """Bring practitioner_name (migration 0015) in step with the practitioners a load wrote,
    stamped `stamp`, and those it purged. When it wrote most of them (a first load), the
    table is refilled and its index built once, rather than row by row."""
    written = conn.execute(
        "SELECT count(*) FROM practitioner WHERE last_updated >= %s", (stamp,)
    ).fetchone()[0]
    if written * 2 > conn.execute("SELECT count(*) FROM practitioner_name").fetchone()[0]:
        conn.execute("TRUNCATE practitioner_name")
        with indexes_built_after(conn, "practitioner_name"):
            conn.execute("INSERT INTO practitioner_name SELECT id, name_norm FROM practitioner")
        return
    conn.execute(
        """INSERT INTO practitioner_name (id, name_norm)
           SELECT id, name_norm FROM practitioner WHERE last_updated >= %s
           ON CONFLICT (id) DO UPDATE SET name_norm = EXCLUDED.name_norm
           WHERE practitioner_name.name_norm <> EXCLUDED.name_norm""",
        (stamp,),
    )
    conn.execute(
        """DELETE FROM practitioner_name n
           WHERE NOT EXISTS (SELECT 1 FROM practitioner p WHERE p.id = n.id)"""
    )


RPPS_SCOPE = frozenset({"rpps"})  # the `source` of the practitioners and roles it loads
PRACTITIONERS = Target(
    table="practitioner",
    columns=(
        "id",
        "id_type",
        "identifier",
        "family",
        "given",
        "family_norm",
        "given_norm",
        "name_norm",
        "identifier_tokens",
        "identifier_type_tokens",
        "qualification_tokens",
        "mailbox_tokens",
        "resource",
        "document",
        "content_hash",
        "active",
    ),  # fmt: skip
    scope_column="source",  # ROR adds the practitioners RPPS does not know
    claims_records=True,
    stamped_resource="resource",
    # A removed practitioner keeps its identifiers and name, for delta clients.
    tombstone_sql=_tombstone("Practitioner", "name"),
    refresh_derived=refresh_names,
)
ROLES = Target(
    table="practitioner_role",
    columns=(
        "id",
        "practitioner_id",
        "organization_id",
        "profession_code",
        "mode_code",
        "postal_code",
        "commune_insee",
        "department",
        "city_norm",
        "identifier_tokens",
        "role_tokens",
        "organization_tokens",
        "mailbox_tokens",
        "resource",
        "document",
        "content_hash",
        "active",
    ),  # fmt: skip
    scope_column="source",  # ROR adds its roles of offers
    stamped_resource="resource",
    tombstone_sql=_tombstone("PractitionerRole", "practitioner", "organization"),
)
# Part of every content hash: a change of the mapping rewrites every record on the next load.
MAPPING_VERSION = hashlib.sha1(
    "".join(
        inspect.getsource(module)
        for module in (rpps_sql, rpps_json, systems, sys.modules[__name__])
    ).encode()
).hexdigest()

Step = Callable[[psycopg.Connection], None]


@contextmanager
def _timed(context: StagingContext, label: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    context.progress(f"  {label}: {time.monotonic() - started:.1f} s")


def _drop_work_tables(conn: psycopg.Connection) -> None:
    """Drop the work tables and views of a load, whatever an interrupted one left."""
    names = [f"rpps_{name}" for name in rpps_sql.WORK_TABLES]
    names += [f"rpps_{part.name}" for part in rpps_files.PARTS]
    names += [lines_table(part.name) for part in rpps_files.PARTS]
    found = conn.execute(
        "SELECT relname, relkind FROM pg_class WHERE relname = ANY(%s) AND pg_table_is_visible(oid)",
        (names,),
    ).fetchall()
    for name, kind in found:
        conn.execute(f"DROP {'VIEW' if kind == 'v' else 'TABLE'} IF EXISTS {name} CASCADE")


def _connect(database_url: str) -> psycopg.Connection:
    conn = psycopg.connect(database_url, autocommit=True)
    _tune(conn, "")
    return conn


def _tune(conn: psycopg.Connection, scope: str) -> None:
    """Sorts and groupings of millions of rows in memory rather than spilled to disk; no
    JIT, whose compilation of the large JSON expressions costs more than it saves. `scope`
    is "LOCAL" for a transaction."""
    conn.execute(f"SET {scope} work_mem = '512MB'")
    conn.execute(f"SET {scope} jit = off")


@dataclass(frozen=True)
class _Task:
    name: str
    needs: tuple[str, ...]  # the tasks it reads the results of
    run: Step


def _side_by_side(database_url: str, tasks: list[_Task], workers: int = 2) -> None:
    """Run `tasks` on `workers` connections at the same time, so that PostgreSQL uses every
    core: each worker takes the first task, in list order, whose needs are done. The first
    failure stops the workers and is raised."""
    done: set[str] = set()
    pending = list(tasks)
    failed: list[BaseException] = []
    changes = threading.Condition()

    def next_task() -> _Task | None:
        with changes:
            while pending and not failed:
                ready = next((t for t in pending if done.issuperset(t.needs)), None)
                if ready:
                    pending.remove(ready)
                    return ready
                changes.wait()
            return None

    def work() -> None:
        with _connect(database_url) as conn:
            while task := next_task():
                try:
                    task.run(conn)
                except BaseException as exc:
                    with changes:
                        failed.append(exc)
                        changes.notify_all()
                    return
                with changes:
                    done.add(task.name)
                    changes.notify_all()

    with ThreadPoolExecutor(workers) as pool:
        for _ in range(workers):
            pool.submit(work)
    if failed:
        raise failed[0]


class _Staging:
    """The staging of one extract: copies, groupings and builds, run side by side on two
    connections as soon as what they read is there (loaders/rpps_sql.py has the SQL).

    A first load (empty table) inserts its records into the table itself, through the swap
    transaction: roles and structures straight from the work tables, practitioners from a
    table built meanwhile on the other connection (one connection inserts at a time)."""

    def __init__(self, parts: dict[str, PartFile], context: StagingContext) -> None:
        self.parts = parts
        self.context = context
        self.rejected: dict[str, int] = {}  # by part
        self.plain: dict[str, bool] = {}  # by part: no field needs escaping in JSON
        self.unchanged: dict[Target, int] = {}

    def run(self) -> tuple[int, dict[Target, int]]:
        context = self.context
        if context.conn and context.first_loads:
            _tune(context.conn, "LOCAL")
        with _connect(context.database_url) as conn:
            _drop_work_tables(conn)
            try:
                _side_by_side(context.database_url, self._tasks())
            finally:
                cleaner = self._cleaner(conn)
                if cleaner is not None:
                    _drop_work_tables(cleaner)
        return sum(self.rejected.values()), self.unchanged

    def _cleaner(self, conn: psycopg.Connection) -> psycopg.Connection | None:
        """The connection that can drop the work tables: the swap transaction once it has
        read them for a first load (it holds them until it ends), else `conn`. A failed
        swap transaction leaves them to the next load, which drops them first."""
        swap = self.context.conn
        if not self.context.first_loads or swap is None:
            return conn
        return swap if swap.info.transaction_status == TransactionStatus.INTRANS else None

    def _tasks(self) -> list[_Task]:
        """Every task, the longest chains first: the activity file is the big one."""
        plain = self.plain
        # An organization table being filled is locked by the swap transaction, and empty.
        finess_loaded = ORGANIZATIONS not in self.context.first_loads
        return [
            *(self._copy(name) for name in ("activity", "diploma", "mailbox", "skill")),
            self._group("exercises", ("activity",), lambda: rpps_sql.EXERCISES),
            self._group(
                "roles",
                ("activity",),
                lambda: rpps_sql.ROLES,
                ("id", "idnps", "national_structure_id", "organization_id"),
            ),
            self._group("diplomas", ("diploma",), lambda: rpps_sql.diplomas(plain["diploma"])),
            self._group("persons", ("exercises",), lambda: rpps_sql.PERSONS),
            self._group(
                "qualifications",
                ("exercises",),
                lambda: rpps_sql.exercise_groups(plain["activity"]),
            ),
            self._group("mailboxes", ("mailbox",), lambda: rpps_sql.mailboxes(plain["mailbox"])),
            self._group(
                "mailboxes at a structure",
                ("mailbox",),
                lambda: rpps_sql.role_mailboxes(plain["mailbox"]),
                ("idnps", "structure"),
            ),
            self._group(
                "savoir-faire",
                ("skill", "activity"),
                lambda: rpps_sql.skills(plain["skill"] and plain["activity"]),
            ),
            self._group(
                "structures",
                ("roles",),
                lambda: rpps_sql.structures(finess_loaded),
                ("organization_id",),
            ),
            self._build(
                ROLES,
                ("roles", "mailboxes at a structure"),
                lambda stamp: rpps_sql.roles(stamp, plain["activity"]),
                direct=True,
            ),
            self._build(
                PRACTITIONERS,
                ("persons", "qualifications", "savoir-faire", "diplomas", "mailboxes"),
                lambda stamp: rpps_sql.practitioners(stamp, plain["activity"]),
                direct=False,
            ),
            self._build(
                ORGANIZATIONS,
                ("structures",),
                lambda stamp: rpps_sql.organizations(stamp, plain["activity"]),
                direct=True,
            ),
        ]

    def _copy(self, name: str) -> _Task:
        def run(conn: psycopg.Connection) -> None:
            if name not in self.parts:
                conn.execute(rpps_sql.empty(name))
                self.plain[name] = True
                return
            file = self.parts[name]
            with _timed(self.context, f"copying {file.name}"):
                layout, unusable, self.plain[name] = copy_lines(conn, file, self._record)
                conn.execute(rpps_sql.view(file.part, layout))
                conn.execute(rpps_sql.statistics(file.part, layout))
            statement = rpps_sql.rejections(file.part, layout, file.name, self.context.run_id)
            self.rejected[name] = unusable + conn.execute(statement).rowcount
            if name == "activity":
                valid = conn.execute("SELECT count(*) FROM rpps_activity WHERE reason IS NULL")
                if not valid.fetchone()[0]:
                    raise BadFile(f"{file.name}: no usable activity line")

        return _Task(name, (), run)

    def _record(self, rejected: list[Rejected]) -> None:
        runs.record_rejections(self.context.run_conn, self.context.run_id, rejected)

    def _group(
        self,
        label: str,
        needs: tuple[str, ...],
        statement: Callable[[], str],
        keys: tuple[str, ...] = ("idnps",),
    ) -> _Task:
        """A grouping into a work table; `keys` are the columns later statements join on."""

        def run(conn: psycopg.Connection) -> None:
            with _timed(self.context, f"grouping {label}"):
                sql = statement()
                conn.execute(sql)
                # Fresh statistics, or the planner takes the new table for an empty one.
                conn.execute(f"ANALYZE {sql.split()[3]} ({', '.join(keys)})")

        return _Task(label, needs, run)

    def _build(
        self,
        target: Target,
        needs: tuple[str, ...],
        build: Callable[[str | None], rpps_sql.Build],
        direct: bool,
    ) -> _Task:
        """Build the records of `target`: on a first load, all of them, into the table
        (`direct`ly, or through a work table built on this connection); else those whose
        inputs changed, into its staging table."""
        table, columns = target.table, target.columns

        def run(conn: psycopg.Connection) -> None:
            first = self.context.first_loads.get(target)
            swap = self.context.conn
            with _timed(self.context, f"building {table} records"):
                if first is None or swap is None:
                    records = build(None)
                    create, digest = rpps_sql.changed(table, records, MAPPING_VERSION)
                    conn.execute(create)
                    changed = conn.execute(digest).rowcount
                    conn.execute(rpps_sql.staged(table, records, columns, MAPPING_VERSION))
                    keys = conn.execute(f"SELECT count(*) FROM stage_keys_{table}").fetchone()
                    self.unchanged[target] = keys[0] - changed
                    return
                selected = rpps_sql.records(build(first.stamp_text), columns, MAPPING_VERSION)
                if not direct:
                    conn.execute(f"CREATE UNLOGGED TABLE rpps_built_{table} AS {selected}")
                    selected = f"SELECT * FROM rpps_built_{table}"
                stamp = first.stamp.isoformat()
                first.copied = swap.execute(
                    rpps_sql.first_load(table, columns, selected, stamp)
                ).rowcount
                if direct:
                    # Now rather than in the swap's end, while the other connection builds.
                    build_first_load_indexes(swap, first)

        return _Task(f"{table} records", needs, run)


def open_rpps(path: Path) -> SourceFile:
    """Recognise an RPPS extract; BadFile when no activity file is found."""
    parts = find_parts(path)
    names = ", ".join(file.name for file in parts.values())
    return SourceFile(
        f"RPPS extract: {names}",
        {
            PRACTITIONERS: RPPS_SCOPE,
            ROLES: RPPS_SCOPE,
            ORGANIZATIONS: frozenset({"RS"}),
        },
        stage=lambda context: _Staging(parts, context).run(),
    )
