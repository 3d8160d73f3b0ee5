"""The FINESS source: recognises each FINESS file and feeds its records to the pipeline.

`annuaire load finess PATH` accepts, plain, gzipped or zipped:
- the FINESS+ structures flux (legal entities, establishments, groups),
- the FINESS+ activities flux,
- the legacy etalab extracts cs1100501 (legal entities), cs1100502 and cs1100507
  (establishments, with coordinates for 507).
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import orjson

from directory.organizations import document, fhir, identifiers, nomenclature, rows
from directory.organizations.rows import COLUMNS, organization_row
from loaders import finess_activities, finess_etalab, finess_plus
from loaders.base import BadFile, Rejected, Row
from loaders.pipeline import SourceFile
from loaders.sources import open_binary
from loaders.target import Candidate, Target

ORGANIZATIONS = Target(
    table="organization",
    columns=COLUMNS,
    json_columns=frozenset({"resource", "document"}),
    array_columns=frozenset(
        {"names", "identifier_tokens", "identifier_type_tokens", "type_tokens"}
    ),
    scope_column="kind",
    stamped_resource="resource",
    # 8 mostly distinct identifier tokens a structure: kept up to date during a first load's
    # COPY, the first FINESS load takes 59 s instead of 62 s (BENCHMARKS.md).
    indexes_kept_in_first_load=frozenset({"organization_identifier_idx"}),
    # A removed structure keeps its id, identifiers and name, as the Annuaire Santé publishes
    # deletions to delta clients.
    tombstone_sql="""resource = jsonb_build_object(
            'resourceType', 'Organization', 'id', t.id,
            'meta', jsonb_build_object('lastUpdated', %(stamp_text)s::text,
                                       'profile', t.resource->'meta'->'profile'),
            'identifier', t.resource->'identifier', 'active', false, 'name', t.resource->'name'),
        document = t.document || jsonb_build_object('open', false, 'removed', %(stamp_text)s::text)""",
)
GROUPS = Target(
    table="finess_group",
    columns=("id", "kind", "name", "type_code", "document", "member_ids", "content_hash", "active"),
    json_columns=frozenset({"document"}),
    array_columns=frozenset({"member_ids"}),
)
ACTIVITIES = Target(
    table="finess_activity",
    columns=("id", "kind", "ej_finess", "eg_finess", "code", "document", "content_hash", "active"),
    json_columns=frozenset({"document"}),
)
SNIFF_BYTES = 1 << 16
# Part of every content hash: when the code that maps records to rows changes, every record
# counts as changed on the next load and gets its representations rebuilt.
MAPPING_VERSION = hashlib.sha1(
    "".join(
        inspect.getsource(module)
        for module in (document, fhir, identifiers, nomenclature, rows, finess_activities,
                       sys.modules[__name__])
    ).encode()
).digest()  # fmt: skip


def _group_row(group: finess_plus.GroupRecord) -> dict:
    document = {
        "id": group.group_id,
        "kind": group.kind,
        "name": group.name,
        "type_code": group.type_code,
        "external_id": group.external_id,
        "active": group.source_status == "A",
        "members": group.members,
    }
    members = [f"pm:{m['pm_id']}" if "pm_id" in m else f"ege:{m['ege_id']}" for m in group.members]
    return {
        "id": group.group_id,
        "kind": group.kind,
        "name": group.name,
        "type_code": group.type_code,
        "document": document,
        "member_ids": members,
        "active": document["active"],
    }


def _activity_row(activity: finess_activities.ActivityRecord) -> dict:
    document = finess_activities.activity_document(activity)
    return {
        "id": f"{activity.kind}:{activity.activity_id}",
        "kind": activity.kind,
        "ej_finess": activity.ej_finess,
        "eg_finess": activity.eg_finess,
        "code": activity.code,
        "document": document,
        "active": activity.status != "3",
    }


Route = Callable[[object], tuple[Target, str, Callable[[object], dict]]]


def _routed(
    items: Iterator[Row | Rejected], route: Route, rejections: Target
) -> Iterator[tuple[Target, Candidate | Rejected]]:
    """Parsed records → candidates for their target, with the key and content hash."""
    for item in items:
        if isinstance(item, Rejected):
            yield rejections, item
            continue
        target, key, build = route(item.record)
        digest = hashlib.sha1(MAPPING_VERSION + orjson.dumps(item.record)).hexdigest()
        yield target, Candidate(item.line, key, digest, partial(build, item.record))


def _structure(record: object) -> tuple[Target, str, Callable[[object], dict]]:
    if isinstance(record, finess_plus.GroupRecord):
        return GROUPS, record.group_id, _group_row
    return ORGANIZATIONS, record.finess, organization_row


def _activity(record: object) -> tuple[Target, str, Callable[[object], dict]]:
    return ACTIVITIES, f"{record.kind}:{record.activity_id}", _activity_row


def _sniff(path: Path) -> bytes:
    with open_binary(path) as stream:
        return stream.read(SNIFF_BYTES)


def open_finess(path: Path) -> SourceFile:
    """Recognise a FINESS file by its content; BadFile when it is none of the known kinds."""
    head = _sniff(path).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise BadFile(f"{path.name}: the file is empty")
    if head.startswith(b"finess;etalab"):
        kinds = finess_etalab.etalab_kinds(path)
        label = "legal entities" if kinds == {"EJ"} else "establishments"
        return SourceFile(
            f"etalab extract of {label}",
            {ORGANIZATIONS: frozenset(kinds)},
            _routed(finess_etalab.parse_etalab(path), _structure, ORGANIZATIONS),
        )
    if head.startswith(b"{"):
        if b'"activitesAutorisees"' in head or b'"activitesExercees"' in head:
            return SourceFile(
                "FINESS+ activities",
                {ACTIVITIES: None},
                _routed(finess_activities.parse_activities(path), _activity, ACTIVITIES),
            )
        return SourceFile(
            "FINESS+ structures",
            {ORGANIZATIONS: frozenset({"EJ", "EG"}), GROUPS: None},
            _routed(finess_plus.parse_structures(path), _structure, ORGANIZATIONS),
        )
    first_line = head.split(b"\n", 1)[0][:60].decode("utf-8", "replace")
    raise BadFile(
        f"{path.name}: not a FINESS file (first line {first_line!r} is neither an etalab "
        "manifest 'finess;etalab;…' nor FINESS+ JSON)"
    )
