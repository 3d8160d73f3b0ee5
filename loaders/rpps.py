"""The RPPS source: the public `PS_LibreAcces` extract → practitioners, roles, structures.

`annuaire load rpps PATH` takes the zip as downloaded, a folder of its files, or the activity
file alone; the `Extraction_Correspondance_MSSante` file adds mailboxes when it sits beside
them. The extract is a full snapshot: a person, activity or structure missing from it
becomes a tombstone. Lines are copied to PostgreSQL as they are, and mapped there
(loaders/rpps_sql.py): see that module for why.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg

from directory.practitioners import systems
from loaders import rpps_files, rpps_sql, runs
from loaders.base import BadFile
from loaders.finess import ORGANIZATIONS
from loaders.pipeline import SourceFile, StagingContext
from loaders.rpps_copy import copy_lines, raw_table
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
        document = t.document || jsonb_build_object('removed', %(stamp_text)s::text)"""


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
    stamped_resource="resource",
    # A removed practitioner keeps its identifiers and name, for delta clients.
    tombstone_sql=_tombstone("Practitioner", "name"),
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
        inspect.getsource(module) for module in (rpps_sql, systems, sys.modules[__name__])
    ).encode()
).hexdigest()

# Two lanes of work, run side by side on two connections so that PostgreSQL uses two cores:
# what leads to roles and structures, and what leads to practitioners.
ROLE_LANE = (
    ("activities", rpps_sql.ROLES),
    ("structures", rpps_sql.STRUCTURES),
    ("mailboxes at a structure", rpps_sql.ROLE_MAILBOXES),
)
PERSON_LANE = (
    ("professional exercises", rpps_sql.EXERCISES),
    ("persons", rpps_sql.PERSONS),
    ("qualifications of each person", rpps_sql.EXERCISE_GROUPS),
    ("savoir-faire", rpps_sql.SKILLS),
    ("diplomas and authorisations", rpps_sql.DIPLOMAS),
    ("mailboxes", rpps_sql.MAILBOXES),
)
BUILDS = {
    "roles": ((ROLES, rpps_sql.staged_roles), (ORGANIZATIONS, rpps_sql.staged_organizations)),
    "persons": ((PRACTITIONERS, rpps_sql.staged_practitioners),),
}

Step = Callable[[psycopg.Connection], int]


@contextmanager
def _timed(context: StagingContext, label: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    context.progress(f"  {label}: {time.monotonic() - started:.1f} s")


def _drop_work_tables(conn: psycopg.Connection) -> None:
    tables = [f"rpps_{name}" for name in rpps_sql.WORK_TABLES]
    tables += [raw_table(part.name) for part in rpps_files.PARTS]
    conn.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")


def _copy_part(conn: psycopg.Connection, file: PartFile, context: StagingContext) -> int:
    """Copy and parse one file; returns how many of its lines were rejected."""
    with _timed(context, f"copying {file.name}"):
        layout, unusable = copy_lines(conn, file)
    runs.record_rejections(context.run_conn, context.run_id, unusable)
    with _timed(context, f"splitting its lines into {len(layout.positions)} fields"):
        conn.execute(rpps_sql.parse(file.part, layout))
        conn.execute(f"ANALYZE rpps_{file.part.name}")
    refused = conn.execute(
        rpps_sql.rejections(file.part.name, file.name), {"run_id": context.run_id}
    ).rowcount
    conn.execute(f"DROP TABLE {raw_table(file.part.name)}")
    return len(unusable) + refused


def _connect(database_url: str) -> psycopg.Connection:
    conn = psycopg.connect(database_url, autocommit=True)
    # Sorts and groupings of millions of rows: in memory rather than spilled to disk.
    conn.execute("SET work_mem = '512MB'")
    return conn


def _side_by_side(database_url: str, lanes: list[list[Step]]) -> list[int]:
    """Run each lane's steps in order on its own connection, the lanes at the same time;
    returns the sum of each lane's step results."""

    def run(lane: list[Step]) -> int:
        with _connect(database_url) as conn:
            return sum(step(conn) for step in lane)

    with ThreadPoolExecutor(len(lanes)) as pool:
        return list(pool.map(run, lanes))


def _grouping(context: StagingContext, label: str, statement: str) -> Step:
    def step(conn: psycopg.Connection) -> int:
        with _timed(context, f"grouping {label}"):
            conn.execute(statement)
            # Fresh statistics, or the planner takes the new table for an empty one.
            conn.execute(f"ANALYZE {statement.split()[3]}")
        return 0

    return step


def _build(context: StagingContext, target: Target, statement: Callable, unchanged: dict) -> Step:
    def step(conn: psycopg.Connection) -> int:
        with _timed(context, f"building {target.table} records"):
            conn.execute(statement(target.columns, MAPPING_VERSION))
        unchanged[target] = conn.execute(
            f"SELECT (SELECT count(*) FROM stage_keys_{target.table})"
            f" - (SELECT count(*) FROM stage_{target.table})"
        ).fetchone()[0]
        return 0

    return step


def _copying(context: StagingContext, parts: dict[str, PartFile], names: list[str]) -> Step:
    def step(conn: psycopg.Connection) -> int:
        rejected = 0
        for name in names:
            if name in parts:
                rejected += _copy_part(conn, parts[name], context)
            else:
                conn.execute(rpps_sql.empty(name))
        return rejected

    return step


def _stage(parts: dict[str, PartFile], context: StagingContext) -> tuple[int, dict[Target, int]]:
    url = context.database_url
    with _connect(url) as conn:
        _drop_work_tables(conn)
        try:
            # The activity file is the big one: the three others are copied meanwhile.
            rejected = sum(
                _side_by_side(
                    url,
                    [
                        [_copying(context, parts, ["activity"])],
                        [_copying(context, parts, ["skill", "diploma", "mailbox"])],
                    ],
                )
            )
            valid = conn.execute("SELECT count(*) FROM rpps_activity WHERE reason IS NULL")
            if not valid.fetchone()[0]:
                raise BadFile(f"{parts['activity'].name}: no usable activity line")
            unchanged: dict[Target, int] = {}
            _side_by_side(
                url,
                [
                    [
                        *(_grouping(context, *step) for step in ROLE_LANE),
                        *(_build(context, t, s, unchanged) for t, s in BUILDS["roles"]),
                    ],
                    [
                        *(_grouping(context, *step) for step in PERSON_LANE),
                        *(_build(context, t, s, unchanged) for t, s in BUILDS["persons"]),
                    ],
                ],
            )
        finally:
            _drop_work_tables(conn)
    return rejected, unchanged


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
        stage=lambda context: _stage(parts, context),
    )
