"""What the pipeline needs to know about a table it loads into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg


@dataclass(frozen=True)
class Target:
    """A table fed by full snapshots.

    Every target table has an `id` key and the lifecycle columns `content_hash`, `active`,
    `removed_at`, `last_updated`. `scope_column` limits what a snapshot covers (a file of legal
    entities says nothing about establishments). `tombstone_sql` is the SET clause applied to a
    record removed from the snapshot; it may use `t` (the row) and `%(stamp)s` (the load time).
    """

    table: str
    columns: tuple[str, ...]
    json_columns: frozenset[str] = frozenset()
    array_columns: frozenset[str] = frozenset()
    scope_column: str | None = None
    # A record of another scope that a snapshot of one scope also holds becomes that scope's
    # (RPPS takes over a practitioner that the ROR loaded before RPPS knew them): otherwise
    # each source would rewrite the other's record at its every load.
    claims_records: bool = False
    stamped_resource: str | None = None  # column whose meta.lastUpdated is the load time
    tombstone_sql: str = ""
    # Run once every target of the file is swapped in, in the same transaction, with the
    # load's time (which stamps each changed record's last_updated).
    after_swap: Callable[[psycopg.Connection, datetime], None] | None = None
    # Run after every load that wrote the table, a first load included, in its transaction,
    # with the time its records were stamped: keeps a table derived from this one in step.
    refresh_derived: Callable[[psycopg.Connection, datetime], None] | None = None
    # A timestamp column: a snapshot row never overwrites a record whose value there is later
    # (a bed count written through the API after the extract was made).
    keep_newer: str | None = None
    # Indexes a first load into the empty table keeps up to date during its COPY rather than
    # building after it, as it does every other (see pipeline._drop_secondary_indexes).
    indexes_kept_in_first_load: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """A parsed record offered to a target: its key, its content hash, and how to build the
    row of column values. The pipeline builds rows only for new or changed records, which
    makes a daily reload of a mostly unchanged snapshot cheap."""

    line: int
    key: str
    content_hash: str
    build: Callable[[], dict]


@dataclass(frozen=True)
class Kept:
    """A present record the snapshot keeps as it is though it does not hold it (a bed count
    written through the API after the extract was made): neither rewritten nor removed."""

    key: str
