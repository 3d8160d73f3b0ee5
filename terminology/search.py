"""Every read of stored CodeSystems, ValueSets and ConceptMaps: one query object and its FHIR
search parameters, one search function, reads by id and version, the stored code systems.

The FHIR API calls these; no endpoint writes its own SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

import orjson
from sqlalchemy import ColumnElement, Connection, Text, case, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, array

from directory.errors import InvalidParameter
from directory.search.paging import (
    Cursor,
    Page,
    TotalMode,
    decode_cursor,
    encode_cursor,
    fingerprint,
    page_total,
)
from directory.search.params import SearchParam, TextFilter, parse_text, split_or
from directory.search.tags import SUBSETTED
from directory.search.text import normalize, normalized_sql
from terminology import canonical
from terminology.models import TerminologyResource as Resource
from terminology.store import whole_resource
from terminology.versions import preferred, version_key

RESOURCE_TYPES = ("CodeSystem", "ValueSet", "ConceptMap")
_OID = re.compile(r"^(?:urn:oid:)?([0-2](?:\.\d+)+)$")
_INSTANT = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'


@dataclass(frozen=True)
class TerminologyQuery:
    """One search over one resource type. Each tuple entry is an AND; the values inside are ORs."""

    resource_type: str
    ids: tuple[tuple[str, ...], ...] = ()
    urls: tuple[tuple[tuple[str, str | None], ...], ...] = ()  # (url, version or None)
    versions: tuple[tuple[str, ...], ...] = ()
    names: tuple[TextFilter, ...] = ()
    titles: tuple[TextFilter, ...] = ()
    statuses: tuple[tuple[str, ...], ...] = ()
    identifiers: tuple[tuple[str, ...], ...] = ()
    references: tuple[tuple[str, ...], ...] = ()  # code system canonicals a ValueSet includes
    with_concepts: bool = False  # put a CodeSystem's concepts back (one more query per hit)
    count: int = 50
    # The table holds thousands of rows, not millions: `estimate` counts them exactly too.
    total: TotalMode = "accurate"


@dataclass(frozen=True)
class Hit:
    id: str  # the FHIR id; several versions of a resource share it
    payload: str  # the FHIR resource as JSON text


class Versioned(Protocol):
    version: str
    active: bool


V = TypeVar("V", bound=Versioned)


def default_version(candidates: list[V]) -> V:
    """The version meant when none is given: the latest active (not retired) one, else the
    latest, so that a resource whose versions are all retired can still be read."""
    return preferred(candidates, lambda c: c.version, lambda c: c.active)  # type: ignore[return-value]


def _append(field: str, convert: Callable[[str, str], object]):  # noqa: ANN202
    """A parameter adding one AND term, `convert(value, modifier)`, to a field of the query."""

    def apply(q: TerminologyQuery, value: str, modifier: str) -> TerminologyQuery:
        return replace(q, **{field: (*getattr(q, field), convert(value, modifier))})

    return apply


def _alternatives(value: str, _modifier: str) -> tuple[str, ...]:
    return split_or(value)


def _canonicals(value: str, _modifier: str) -> tuple[tuple[str, str | None], ...]:
    """`url` or `url|version` alternatives."""
    found = []
    for item in split_or(value):
        url, bar, version = item.partition("|")
        if not url or (bar and not version):
            raise InvalidParameter(f"url: {item!r} is not a canonical url or url|version")
        found.append((url, version or None))
    return tuple(found)


TEXT_MODIFIERS = ("contains", "exact")
COMMON_PARAMS: tuple[SearchParam[TerminologyQuery], ...] = (
    SearchParam("_id", "token", "The resource id (all its versions)", _append("ids", _alternatives)),
    SearchParam(
        "url", "uri",
        "Canonical url, or one of its aliases (legacy mos.esante.gouv.fr ↔ smt.esante.gouv.fr; "
        "https for a resource stored under http); url|version also accepted",
        _append("urls", _canonicals),
    ),
    SearchParam("version", "token", "Business version, exact", _append("versions", _alternatives)),
    SearchParam(
        "name", "string",
        "Computer name: accent- and case-insensitive starts-with; :contains; :exact",
        _append("names", parse_text), TEXT_MODIFIERS,
    ),
    SearchParam(
        "title", "string", "Human title: as name", _append("titles", parse_text), TEXT_MODIFIERS
    ),
    SearchParam("status", "token", "draft, active, retired or unknown", _append("statuses", _alternatives)),
    SearchParam(
        "identifier", "token",
        "value, system|value or |value (no system); an OID matches as urn:oid:<oid> or bare",
        _append("identifiers", _alternatives),
    ),
)  # fmt: skip
REFERENCE_PARAM = SearchParam(
    "reference", "uri",
    "Value sets whose compose includes this code system canonical (or one of its aliases)",
    _append("references", _alternatives),
)  # fmt: skip
SEARCH_PARAMS: dict[str, dict[str, SearchParam[TerminologyQuery]]] = {
    resource_type: {
        p.name: p
        for p in (*COMMON_PARAMS, *((REFERENCE_PARAM,) if resource_type == "ValueSet" else ()))
    }
    for resource_type in RESOURCE_TYPES
}


def _text_array(values: Iterable[str]) -> ColumnElement:
    return cast(array(list(values)), ARRAY(Text))


def _jsonb(value: object) -> ColumnElement:
    return cast(literal(orjson.dumps(value).decode()), JSONB)


def _canonical_clause(url: str, version: str | None) -> ColumnElement[bool]:
    matches = or_(Resource.url == url, Resource.aliases.op("@>")(_text_array([url])))
    return matches & (Resource.version == version) if version is not None else matches


def _text_clause(column: ColumnElement, flt: TextFilter) -> ColumnElement[bool]:
    if flt.mode == "exact":
        return column.in_(flt.values)
    terms = [normalize(v) for v in flt.values]
    norm = normalized_sql(column)
    if flt.mode == "contains":
        return or_(*(norm.contains(t, autoescape=True) for t in terms))
    return or_(*(norm.startswith(t, autoescape=True) for t in terms))


def _identifier_clause(values: tuple[str, ...]) -> ColumnElement[bool]:
    # The legacy NOS export gives the OID without a system, the SMT with urn:ietf:rfc:3986: the
    # oid column finds both from a bare OID or urn:oid:<oid>.
    oids = [m[1] for v in values if (m := _OID.match(v))]
    tokens = Resource.identifiers.op("&&")(_text_array(values))
    return or_(tokens, Resource.oid.in_(oids)) if oids else tokens


def _code_system_urls(url: str) -> tuple[str, ...]:
    """A code system canonical and the aliases a code system stored under it answers to."""
    return (url, *canonical.aliases("CodeSystem", url, canonical.fhir_id_for({"url": url})))


def _reference_clause(values: tuple[str, ...]) -> ColumnElement[bool]:
    includes: list[dict] = []
    for value in values:
        url, _, version = value.partition("|")
        pinned = {"version": version} if version else {}
        includes += [{"system": system, **pinned} for system in _code_system_urls(url)]
    compose = Resource.resource.op("@>")
    return or_(*(compose(_jsonb({"compose": {"include": [i]}})) for i in includes))


def _filters(q: TerminologyQuery) -> list[ColumnElement[bool]]:
    r = Resource
    clauses: list[ColumnElement[bool]] = [
        r.resource_type == q.resource_type,
        r.removed_at.is_(None),
    ]
    clauses += [r.fhir_id.in_(ids) for ids in q.ids]
    clauses += [or_(*(_canonical_clause(u, v) for u, v in urls)) for urls in q.urls]
    clauses += [r.version.in_(versions) for versions in q.versions]
    clauses += [_text_clause(r.name, f) for f in q.names]
    clauses += [_text_clause(r.title, f) for f in q.titles]
    clauses += [r.status.in_(statuses) for statuses in q.statuses]
    clauses += [_identifier_clause(values) for values in q.identifiers]
    clauses += [_reference_clause(values) for values in q.references]
    return clauses


def _served(concepts_left_out: bool) -> ColumnElement:
    """The stored resource as served: meta.versionId is the business version (what
    `_history/<vid>` takes), meta.lastUpdated the last load that changed it; a CodeSystem whose
    concepts are left out is tagged SUBSETTED, so that nobody reads it as having none."""
    r = Resource
    meta = func.coalesce(r.resource["meta"], _jsonb({})).op("||")(
        func.jsonb_strip_nulls(
            func.jsonb_build_object(
                "versionId", func.nullif(r.version, ""),
                "lastUpdated", func.to_char(func.timezone("UTC", r.last_updated), _INSTANT),
            )
        )
    )  # fmt: skip
    if concepts_left_out:
        tags = func.coalesce(r.resource["meta"]["tag"], _jsonb([])).op("||")(_jsonb([SUBSETTED]))
        tagged = func.jsonb_build_object("tag", tags)
        meta = meta.op("||")(case((r.concept_count > 0, tagged), else_=_jsonb({})))
    return r.resource.op("||")(func.jsonb_build_object("meta", meta))


def _payload_column(with_concepts: bool) -> ColumnElement:
    served = _served(concepts_left_out=not with_concepts)
    # Without concepts the JSON text goes out as PostgreSQL wrote it, never parsed here.
    return (served if with_concepts else cast(served, Text)).label("payload")


def _payload(conn: Connection, row_id: str, value: str | dict) -> str:
    """JSON text of a payload column: as it came, or with the concepts put back."""
    if isinstance(value, str):
        return value
    return orjson.dumps(whole_resource(conn, row_id, value)).decode()


def _with_concepts(resource_type: str, wanted: bool) -> bool:
    return wanted and resource_type == "CodeSystem"  # the others are stored whole


def search(conn: Connection, q: TerminologyQuery, cursor_token: str | None = None) -> Page:
    """One page of resources matching `q`, ordered by type|url|version, resumable by cursor.

    Every version matches unless `version` narrows it: the caller picks, as on Ontoserver.
    """
    print_ = fingerprint(replace(q, total="accurate"))
    cursor = decode_cursor(cursor_token, print_) if cursor_token else None
    if cursor and (len(cursor.after) != 1 or not isinstance(cursor.after[0], str)):
        raise InvalidParameter("the paging cursor is not valid")
    filters = _filters(q)
    # The page is chosen on the primary key first; only its rows then build their JSON.
    keys = select(Resource.id).where(*filters)
    if cursor:
        keys = keys.where(Resource.id > cursor.after[0])
    page = keys.order_by(Resource.id).limit(q.count + 1).subquery()
    payload = _payload_column(_with_concepts(q.resource_type, q.with_concepts))
    stmt = (
        select(Resource.id, Resource.fhir_id, payload)
        .join(page, page.c.id == Resource.id)
        .order_by(Resource.id)
    )
    rows = conn.execute(stmt).all() if q.count else []

    # The resource table is small: every mode counts exactly.
    total = page_total(
        "accurate" if q.total != "none" else "none",
        cursor,
        len(rows),
        q.count,
        lambda: conn.scalar(select(func.count()).select_from(Resource).where(*filters)),
    )

    next_token = None
    if len(rows) > q.count:
        rows = rows[: q.count]
        next_token = encode_cursor(Cursor((rows[-1].id,), total, print_))
    hits = [Hit(r.fhir_id, _payload(conn, r.id, r.payload)) for r in rows]
    return Page(rows=hits, next_cursor=next_token, total=total)


def read(
    conn: Connection,
    resource_type: str,
    fhir_id: str,
    version: str | None = None,
    with_concepts: bool = True,
) -> str | None:
    """The resource at `fhir_id`: the given version, else the `default_version`."""
    r = Resource
    stmt = select(r.id, r.version, r.active).where(
        r.resource_type == resource_type, r.fhir_id == fhir_id, r.removed_at.is_(None)
    )
    if version is not None:
        stmt = stmt.where(r.version == version)
    candidates = conn.execute(stmt.order_by(r.id)).all()
    if not candidates:
        return None
    chosen = candidates[0] if version is not None else default_version(candidates)
    payload = _payload_column(_with_concepts(resource_type, with_concepts))
    value = conn.execute(select(payload).where(r.id == chosen.id)).scalar_one()
    return _payload(conn, chosen.id, value)


@dataclass(frozen=True)
class StoredVersion:
    version: str
    active: bool


@dataclass(frozen=True)
class StoredCodeSystem:
    uri: str
    versions: tuple[str, ...]  # oldest first
    default: str  # the version meant when none is given


def code_systems(conn: Connection) -> list[StoredCodeSystem]:
    """Every canonical a stored code system answers to (its url and its aliases), with versions."""
    r = Resource
    by_uri: dict[str, dict[str, bool]] = {}
    for url, aliases, version, active in conn.execute(
        select(r.url, r.aliases, r.version, r.active).where(
            r.resource_type == "CodeSystem", r.removed_at.is_(None)
        )
    ):
        for uri in (url, *aliases):
            versions = by_uri.setdefault(uri, {})
            versions[version] = versions.get(version, False) or active
    return [
        StoredCodeSystem(
            uri=uri,
            versions=tuple(sorted(versions, key=version_key)),
            default=default_version([StoredVersion(v, a) for v, a in versions.items()]).version,
        )
        for uri, versions in sorted(by_uri.items())
    ]
