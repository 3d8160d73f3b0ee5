"""Bed availability writes: add, replace or delete capacity indicators of one location, in one
transaction, with optimistic concurrency (If-Match against `version_id`) and an audit trail.

A write locks the location row (SELECT … FOR UPDATE), so that writers of one location queue
instead of losing each other's updates; then it reads the location's indicators, works out
every change in memory (404, 400 before anything is written), touches the location row (its
trigger bumps `version_id`, the ETag), writes the indicator rows and one history row per
operation: four statements and one per operation, whatever the number of indicators.

Codes are checked before the transaction starts, against the ROR value sets J187–J195 when
the terminology has them loaded (any code is accepted for a value set not loaded), so that the
location row stays locked only for the writes themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import orjson
from sqlalchemy import Connection, text

from directory.errors import DirectoryError
from directory.offers.capacity import Displays, Indicator, capacity_extension
from directory.offers.resources import LiveState, served
from directory.offers.systems import (
    DIMENSIONS,
    SOURCE_TYPE,
    SUPPORTED_CAPACITY,
    Dimension,
    capacity_key,
)
from terminology.context import Context
from terminology.operations.validate import Coded, validate_in_value_set
from terminology.parameters import OperationInput
from terminology.store import StoredResources

# The FHIRPath of a location's capacity indicators: where the ROR points its 404s and 400s.
CAPACITY_PATH = f"Location.extension.where(url='{SUPPORTED_CAPACITY}')"
Kind = Literal["add", "replace", "delete"]
# A dimension that has a meaning only for some capacity statuses (J188): the gender is that of
# available beds ("genreCapaciteDispo"), a closing type that of closed beds, extra-bed and
# crisis types those of supplementary beds. The ROR's list of valid indicators is not public;
# these are the rules the definitions of the attributes imply.
ONLY_WITH_STATUS: dict[str, frozenset[str]] = {
    "gender": frozenset({"02"}),
    "closing_type": frozenset({"05"}),
    "additional_bed_type": frozenset({"06"}),
    "crisis_type": frozenset({"06"}),
}


class WriteError(DirectoryError):
    """A refused write; `expression` is the FHIRPath of the faulty part, for OperationOutcome."""

    expression: tuple[str, ...] = ()

    def __init__(self, message: str, expression: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        if expression is not None:
            self.expression = expression


class BadPatch(WriteError):
    status = 400
    fhir_code = "invalid"
    title = "Invalid patch"


class InvalidIndicator(WriteError):
    """A code outside its value set, or dimensions that make no valid indicator."""

    status = 400
    fhir_code = "business-rule"
    title = "Invalid indicator"
    expression = (CAPACITY_PATH,)


class LocationNotFound(WriteError):
    status = 404
    fhir_code = "not-found"
    title = "Not found"
    expression = ("Location",)


class IndicatorNotFound(WriteError):
    """The ROR protocol's signal to send `add` after a `replace`."""

    status = 404
    fhir_code = "not-found"
    title = "Not found"
    expression = (CAPACITY_PATH,)


class MultipleMatches(WriteError):
    status = 412
    fhir_code = "multiple-matches"
    title = "Several locations match"
    expression = ("Location",)


class VersionConflict(WriteError):
    status = 412
    fhir_code = "conflict"
    title = "Version conflict"


@dataclass(frozen=True)
class Operation:
    """One operation of a patch. `criteria` are the dimension codes the path selects the
    indicator by (column -> code; a dimension the path does not name matches any code);
    `indicator` is the new value of an add or a replace."""

    kind: Kind
    criteria: dict[str, str] = field(default_factory=dict)
    indicator: Indicator | None = None


@dataclass(frozen=True)
class Target:
    """The location written: by id, or by identifier (the type-26 sync identifier
    "<idNatSt>/<sync id>", or the type-25 one, as the ROR accepts both), with an optional
    identifier system."""

    location_id: str | None = None
    identifier: str | None = None
    system: str | None = None

    def __str__(self) -> str:
        if self.location_id is not None:
            return f"Location/{self.location_id}"
        shown = f"{self.system}|{self.identifier}" if self.system else self.identifier
        return f"Location?identifier={shown}"


@dataclass(frozen=True)
class Locked:
    """The location row as locked for the write."""

    id: str
    finess: str | None
    version_id: int


@dataclass(frozen=True)
class Written:
    """The location after a write: its new version and resource (with its indicators)."""

    location_id: str
    version_id: int
    last_updated: datetime
    resource: dict


CodeCheck = Callable[[Dimension, str], bool]


def value_set_check(stored: StoredResources) -> CodeCheck:
    """Whether a code is in its dimension's ROR value set, by the terminology's own
    $validate-code; True for any code of a value set that is not loaded."""
    stored.refresh()
    context = Context(stored, [])
    no_options = OperationInput([])

    def check(dimension: Dimension, code: str) -> bool:
        value_set = context.value_set(dimension.value_set)
        if value_set is None:
            return True
        coded = Coded(dimension.system, code, None, None, "")
        return validate_in_value_set(value_set, coded, context, no_options, None).result

    return check


def _at(dimension: Dimension) -> tuple[str, ...]:
    return (f"Location.extension('{SUPPORTED_CAPACITY}').extension('{dimension.url}')",)


def _describe(codes: dict[str, str]) -> str:
    """The dimensions as the ROR lists them in its 400s: "capacityStatus: 02 / …"."""
    return " / ".join(f"{d.url}: {codes.get(d.column) or 'null'}" for d in DIMENSIONS)


def check_operation(operation: Operation, check: CodeCheck) -> None:
    """Refuse (400) an operation with a code outside its value set, a value that does not
    match its path, or dimensions that make no valid indicator."""
    coded: list[tuple[Dimension, str]] = [
        (d, operation.criteria[d.column]) for d in DIMENSIONS if operation.criteria.get(d.column)
    ]
    indicator = operation.indicator
    if indicator is not None:
        coded += [(d, indicator.codes[d.column]) for d in DIMENSIONS if indicator.codes[d.column]]
        if indicator.source_type:
            coded.append((SOURCE_TYPE, indicator.source_type))
    for dimension, code in dict.fromkeys(coded):
        if not check(dimension, code):
            raise InvalidIndicator(
                f"{dimension.url}: the code '{code}' is not in the value set {dimension.value_set}",
                _at(dimension),
            )
    if indicator is None:
        return
    differing = [
        d.url
        for d in DIMENSIONS
        if operation.criteria.get(d.column, indicator.codes[d.column]) != indicator.codes[d.column]
    ]
    if differing:
        raise InvalidIndicator(
            f"the value does not match the indicator its path selects ({', '.join(differing)}); "
            f"path: {_describe(operation.criteria)}; value: {_describe(indicator.codes)}"
        )
    status = indicator.codes["status"]
    for column, statuses in ONLY_WITH_STATUS.items():
        if indicator.codes[column] and status not in statuses:
            raise InvalidIndicator(
                "the values of the new indicator do not make a valid indicator: "
                f"{_describe(indicator.codes)}"
            )


# The identifier of a conditional patch is, by ROR convention, the sync identifier (type 26):
# its B-tree answers at once. The type-25 identifier, or one given with its system, is found
# among the identifier tokens; their GIN index is read only when the sync identifier matches
# nothing, since its pending list (every location write adds to it) costs a few ms to read.
_BY_SYNC_IDENTIFIER = text(
    "SELECT id, finess, version_id FROM location "
    "WHERE sync_identifier = :value AND removed_at IS NULL FOR UPDATE"
)
_BY_IDENTIFIER_TOKEN = text(
    "SELECT id, finess, version_id FROM location "
    "WHERE identifier_tokens @> ARRAY[:token] AND removed_at IS NULL FOR UPDATE"
)


def _lock_by_identifier(conn: Connection, target: Target) -> list:
    if not target.system:
        rows = conn.execute(_BY_SYNC_IDENTIFIER, {"value": target.identifier}).all()
        if rows:
            return rows
    token = f"{target.system}|{target.identifier}" if target.system else target.identifier
    return conn.execute(_BY_IDENTIFIER_TOKEN, {"token": token}).all()


def _lock(conn: Connection, target: Target) -> Locked:
    if target.location_id is not None:
        rows = conn.execute(
            text(
                "SELECT id, finess, version_id, removed_at FROM location WHERE id = :id FOR UPDATE"
            ),
            {"id": target.location_id},
        ).all()
        if not rows:
            raise LocationNotFound(f"{target} is not known")
        if rows[0].removed_at is not None:
            raise LocationNotFound(f"{target} was removed from the ROR")
    else:
        rows = _lock_by_identifier(conn, target)
        if not rows:
            raise LocationNotFound(
                f"no Location has the synchronisation or functional identifier "
                f"'{target.identifier}'"
            )
        if len(rows) > 1:
            raise MultipleMatches(
                f"La Location recherchée n'est pas unique, il y a '{len(rows)}' résultats "
                f"(identifier '{target.identifier}')"
            )
    row = rows[0]
    return Locked(row.id, row.finess, row.version_id)


def _check_version(locked: Locked, if_match: str | None) -> None:
    """If-Match: W/"3", "3" or 3 must name the current version (or be *)."""
    if if_match is None or if_match.strip() == "*":
        return
    wanted = if_match.strip().removeprefix("W/").strip('"')
    if wanted != str(locked.version_id):
        raise VersionConflict(
            f"Location/{locked.id} is at version {locked.version_id}, not {wanted}: "
            "read it again, then retry"
        )


@dataclass
class _Change:
    operation: Operation
    before: dict | None  # the location_capacity row before, active ones only
    after: dict | None  # the row after; None for a delete


def _matches(row: dict, criteria: dict[str, str]) -> bool:
    return all(row[column] == code for column, code in criteria.items())


def _plan(location_id: str, rows: dict[str, dict], operation: Operation) -> _Change:
    """The change one operation makes to the indicators `rows` (id -> row, active or not),
    which it updates; an IndicatorNotFound or InvalidIndicator when it can make none."""
    indicator = operation.indicator
    if operation.kind == "delete":
        found = [r for r in rows.values() if r["active"] and _matches(r, operation.criteria)]
        if not found:
            raise IndicatorNotFound(
                f"no indicator of the location matches the path: {_describe(operation.criteria)}"
            )
        if len(found) > 1:
            raise InvalidIndicator(
                f"the path selects {len(found)} indicators: name every dimension that tells "
                f"them apart ({_describe(operation.criteria)})"
            )
        before = found[0]
        rows[before["id"]] = {**before, "active": False}
        return _Change(operation, before, None)
    assert indicator is not None  # add and replace carry one (the body parser sees to it)
    key = capacity_key(location_id, indicator.codes)
    before = rows.get(key) if rows.get(key, {}).get("active") else None
    if operation.kind == "replace" and before is None:
        raise IndicatorNotFound(
            "Les données fournies ne permettent pas de déterminer l'indicateur à mettre à jour: "
            f"aucun indicateur présent ne correspond ({_describe(indicator.codes)})"
        )
    # An add of an indicator present replaces it: after a replace answered 404, two writers
    # may both add, and the second must not fail.
    after = {**indicator.row(location_id), "active": True}
    if after["updated_at"] is None:
        after["updated_at"] = datetime.now(UTC)
    rows[key] = after
    return _Change(operation, before, after)


def _extension(row: dict | None) -> dict | None:
    return capacity_extension(row) if row else None


def _digest(extension: dict | None) -> str:
    """content_hash of a row written here: never equal to a load's hash, so that the next
    load compares it (and keeps it when its update date is later)."""
    return "api:" + hashlib.md5(orjson.dumps(extension), usedforsecurity=False).hexdigest()


_UPSERT = text(
    """
    INSERT INTO location_capacity (id, location_id, capacity_type, status, temporality, gender,
        closing_type, additional_bed_type, crisis_type, temporary_assignment, nb, updated_at,
        source_type, comment, written_by, content_hash, active, removed_at, last_updated)
    VALUES (:id, :location_id, :capacity_type, :status, :temporality, :gender, :closing_type,
        :additional_bed_type, :crisis_type, :temporary_assignment, :nb, :updated_at,
        :source_type, :comment, :written_by, :content_hash, true, NULL, :stamp)
    ON CONFLICT (id) DO UPDATE SET nb = EXCLUDED.nb, updated_at = EXCLUDED.updated_at,
        source_type = EXCLUDED.source_type, comment = EXCLUDED.comment,
        written_by = EXCLUDED.written_by, content_hash = EXCLUDED.content_hash,
        active = true, removed_at = NULL, last_updated = EXCLUDED.last_updated
    """
)
# A deleted indicator is a tombstone, dated now, so that a later load of an older extract
# (its rows no later than this date) does not bring it back.
_TOMBSTONE = text(
    """
    UPDATE location_capacity SET active = false, removed_at = :stamp, last_updated = :stamp,
        updated_at = :stamp, written_by = :written_by, content_hash = :content_hash
    WHERE id = :id
    """
)
_HISTORY = text(
    """
    INSERT INTO location_history (location_id, version_id, at, actor, operation, before, after,
        resource)
    VALUES (:location_id, :version_id, :at, :actor, :operation, CAST(:before AS jsonb),
        CAST(:after AS jsonb), CAST(:resource AS jsonb))
    """
)


def apply_patch(
    conn: Connection,
    target: Target,
    operations: list[Operation],
    actor: str,
    if_match: str | None = None,
    authorize: Callable[[Locked], None] = lambda _locked: None,
    displays: Displays | None = None,
) -> Written:
    """Apply checked `operations` (see check_operation) to the target location in the
    transaction of `conn`, as `actor` (an API key's name); `authorize` may refuse the locked
    location (raising) before anything is compared or written; the location written is
    served with its capacity codings labelled by `displays`."""
    locked = _lock(conn, target)
    authorize(locked)
    _check_version(locked, if_match)
    # A statement of its own, after the lock: in READ COMMITTED it sees what the writer we
    # waited for committed (a join in the locking statement would read the older snapshot).
    rows = {
        r["id"]: dict(r)
        for r in conn.execute(
            text("SELECT * FROM location_capacity WHERE location_id = :id"), {"id": locked.id}
        ).mappings()
    }
    changes = [_plan(locked.id, rows, operation) for operation in operations]
    touched = conn.execute(
        text(
            "UPDATE location SET last_updated = clock_timestamp() WHERE id = :id "
            "RETURNING version_id, last_updated, resource"
        ),
        {"id": locked.id},
    ).one()
    stamp = touched.last_updated
    active = tuple(row for _key, row in sorted(rows.items()) if row["active"])
    resource = served(touched.resource, LiveState(touched.version_id, stamp, active), displays)
    for change in changes:
        after = _extension(change.after)
        common = {"written_by": actor, "content_hash": _digest(after), "stamp": stamp}
        if change.after is None:
            conn.execute(_TOMBSTONE, {"id": change.before["id"], **common})  # type: ignore[index]
        else:
            conn.execute(_UPSERT, {**change.after, **common})
    conn.execute(
        _HISTORY,
        [
            {
                "location_id": locked.id,
                "version_id": touched.version_id,
                "at": stamp,
                "actor": actor,
                "operation": change.operation.kind,
                "before": _json(_extension(change.before)),
                "after": _json(_extension(change.after)),
                "resource": _json(resource),
            }
            for change in changes
        ],
    )
    return Written(locked.id, touched.version_id, stamp, resource)


def _json(value: dict | None) -> str | None:
    return None if value is None else orjson.dumps(value).decode()
