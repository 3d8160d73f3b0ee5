"""Every read of FINESS structures: one query object, one search function, reads by id.

FHIR search, the JSON API and extracts all call these; no endpoint writes its own SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Select,
    Text,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
)

from directory.organizations.models import FinessActivity, FinessGroup, Organization
from directory.search.keyset import (
    PageRequest,
    gathered,
    identifier_lookup,
    identifier_page,
    planned_rows,
)
from directory.search.paging import (
    Cursor,
    Page,
    TotalMode,
    decode_cursor,
    encode_cursor,
    fingerprint,
    page_total,
)
from directory.search.params import DateBound, Near, TextFilter
from directory.search.text import normalize, prefix_match
from directory.search.tokens import any_token, names_records, text_array

# "spread" (the default) is the order of a hash of the id: stable for paging, and no kind of
# structure clusters in it, so a search for a word frequent among one kind finds its first page
# within a few hundred rows of any walk. In id order, every RPPS structure comes after every
# FINESS number, and `name=cabin` walked 280 k FINESS rows before its first match.
Sort = Literal["spread", "id", "distance", "last_updated"]
Representation = Literal["resource", "document"]


# Searches are built on the table's Core columns, not the ORM attributes: a statement free of
# ORM entities skips the ORM's compile step, about 0.1 ms of a 1 ms search in Python.
_TABLE = Organization.__table__


@dataclass(frozen=True)
class OrganizationQuery:
    """One search over structures. Each tuple entry is an AND; the strings inside it are ORs."""

    ids: tuple[tuple[str, ...], ...] = ()
    identifiers: tuple[tuple[str, ...], ...] = ()
    identifier_types: tuple[tuple[str, ...], ...] = ()
    types: tuple[tuple[str, ...], ...] = ()
    names: tuple[TextFilter, ...] = ()
    addresses: tuple[TextFilter, ...] = ()
    cities: tuple[TextFilter, ...] = ()
    communes: tuple[str, ...] = ()  # INSEE commune codes
    postal_codes: tuple[tuple[str, ...], ...] = ()
    parents: tuple[tuple[str, ...], ...] = ()
    departments: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # EJ, EG (FINESS), RS (RPPS structures FINESS does not know)
    active: bool | None = None
    last_updated: tuple[DateBound, ...] = ()
    near: Near | None = None
    sort: Sort = "spread"
    count: int = 50
    total: TotalMode = "accurate"
    representation: Representation = "resource"


@dataclass(frozen=True)
class Hit:
    id: str
    payload: str  # the stored JSON text of the representation
    parent_id: str | None
    distance_km: float | None


def _earth_point() -> ColumnElement:
    return func.ll_to_earth(_TABLE.c.latitude, _TABLE.c.longitude)


def _distance(near: Near) -> ColumnElement:
    return func.earth_distance(func.ll_to_earth(near.latitude, near.longitude), _earth_point())


def _text_clause(flt: TextFilter, tsv: ColumnElement, norm: ColumnElement, exact) -> ColumnElement:  # noqa: ANN001
    alternatives = []
    for value in flt.values:
        if flt.mode == "exact":
            alternatives.append(exact(value))
        elif flt.mode == "contains":
            alternatives.append(norm.contains(normalize(value), autoescape=True))
        else:
            match = prefix_match(tsv, value)
            if match is not None:
                alternatives.append(match)
    return or_(*alternatives) if alternatives else literal(True)


def _chord(near: Near) -> ColumnElement:
    """Straight-line distance through the Earth: ordered like the great-circle distance, and
    served nearest-first by the GiST index (KNN), so a page never sorts every match."""
    center = func.ll_to_earth(near.latitude, near.longitude)
    return _earth_point().op("<->", return_type=Double)(center)


def organization_filters(q: OrganizationQuery) -> list[ColumnElement]:
    o = _TABLE.c
    clauses: list[ColumnElement] = []
    clauses += [o.id.in_(ids) for ids in q.ids]
    clauses += [any_token(o.identifier_tokens, v) for v in q.identifiers]
    clauses += [any_token(o.identifier_type_tokens, v) for v in q.identifier_types]
    clauses += [any_token(o.type_tokens, v) for v in q.types]
    clauses += [
        _text_clause(f, o.name_tsv, o.name_norm, lambda v: o.names.op("@>")(text_array([v])))
        for f in q.names
    ]
    clauses += [
        _text_clause(f, o.address_tsv, o.address_norm, lambda v: o.address_norm == normalize(v))
        for f in q.addresses
    ]
    for flt in q.cities:
        clauses.append(
            or_(
                *(
                    o.city_norm == normalize(v)
                    if flt.mode == "exact"
                    else o.city_norm.contains(normalize(v), autoescape=True)
                    if flt.mode == "contains"
                    else o.city_norm.startswith(normalize(v), autoescape=True)
                    for v in flt.values
                )
            )
        )
    clauses += [
        or_(*(o.postal_code.startswith(v, autoescape=True) for v in codes))
        for codes in q.postal_codes
    ]
    clauses += [o.parent_id.in_(parents) for parents in q.parents]
    if q.communes:
        clauses.append(o.commune_insee.in_(q.communes))
    if q.departments:
        clauses.append(o.department.in_(q.departments))
    if q.categories:
        clauses.append(o.category_code.in_(q.categories))
    if q.kinds:
        clauses.append(o.kind.in_(q.kinds))
    if q.active is not None:
        clauses.append(o.active.is_(q.active))
    for bound in q.last_updated:
        clauses.append(
            o.last_updated >= bound.value if bound.op == "ge" else o.last_updated < bound.value
        )
    if q.near:
        meters = q.near.km * 1000
        center = func.ll_to_earth(q.near.latitude, q.near.longitude)
        clauses.append(o.latitude.is_not(None))
        clauses.append(func.earth_box(center, meters).op("@>")(_earth_point()))
        clauses.append(_distance(q.near) <= meters)
    return clauses


_LINKS = (Organization.parent_id,)


def _spread() -> ColumnElement:
    return func.hashtext(_TABLE.c.id)


def _sort_keys(q: OrganizationQuery) -> list[str]:
    """The names of the key columns that order a page (see `search`'s `keys`)."""
    if q.sort == "distance" and q.near:
        return ["chord", "id"]
    if q.sort == "last_updated":
        return ["last_updated", "id"]
    if q.sort == "spread":
        return ["spread", "id"]
    return ["id"]


def _cursor_values(q: OrganizationQuery, hit_row) -> tuple:  # noqa: ANN001
    values = tuple(getattr(hit_row, key) for key in _sort_keys(q))
    if q.sort == "last_updated":
        return (values[0].isoformat(), *values[1:])
    return values


def search(conn: Connection, q: OrganizationQuery, cursor_token: str | None = None) -> Page:
    """One page of structures matching `q`, in the order of `q.sort`, resumable by cursor."""
    tokens = identifier_lookup(q, cursor_token)
    if tokens:  # a lookup by FINESS number, SIRET…: in id order, all in one page
        request = PageRequest("id", q.count, q.total, q.representation, "")
        found = identifier_page(conn, Organization, tokens, request, _LINKS)
        if found:
            hits = [Hit(h.id, h.payload, h.links[0], None) for h in found.rows]
            return Page(rows=hits, next_cursor=None, total=found.total)
    print_ = fingerprint(replace(q, total="accurate"))
    cursor = decode_cursor(cursor_token, print_) if cursor_token else None
    filters = organization_filters(q)
    # The page is chosen on its sort keys alone (the spread order's index carries them and
    # the name's search vector: an index-only walk); only its rows then read the rest, so a
    # search matching thousands of rows does not detoast thousands of documents.
    key_columns = {
        "id": _TABLE.c.id,
        "last_updated": _TABLE.c.last_updated,
        "chord": _chord(q.near) if q.near else literal(None),
        "spread": _spread(),
    }
    sort_keys = _sort_keys(q)
    sort_columns = [key_columns[key] for key in sort_keys]
    keys = select(*(key_columns[key].label(key) for key in sort_keys)).where(*filters)
    if cursor:
        after = list(cursor.after)
        if q.sort == "last_updated":
            after[0] = datetime.fromisoformat(after[0])
        keys = keys.where(tuple_(*sort_columns) > tuple_(*after))
    if names_records(q.identifiers):  # see keyset_page's `few`
        matched = gathered(keys)
        keys, sort_columns = select(matched), [matched.c[key] for key in sort_keys]
    page = keys.order_by(*sort_columns).limit(q.count + 1).subquery()
    payload = _TABLE.c.resource if q.representation == "resource" else _TABLE.c.document
    stmt = (
        select(
            page,
            _TABLE.c.parent_id,
            (_distance(q.near) if q.near else literal(None)).label("distance_m"),
            cast(payload, Text).label("payload"),
        )
        .join(_TABLE, _TABLE.c.id == page.c.id)
        .order_by(*(page.c[key] for key in sort_keys))
    )
    rows = conn.execute(stmt).all() if q.count else []

    # Built only when the total mode asks for a count: most pages need none.
    def counted() -> Select:
        return select(func.count()).select_from(_TABLE).where(*filters)

    total = page_total(
        q.total,
        cursor,
        len(rows),
        q.count,
        lambda: conn.scalar(counted()) or 0,
        lambda: planned_rows(conn, counted().with_only_columns(_TABLE.c.id)),
    )

    next_token = None
    if len(rows) > q.count:
        rows = rows[: q.count]
        next_token = encode_cursor(Cursor(_cursor_values(q, rows[-1]), total, print_))
    hits = [
        Hit(r.id, r.payload, r.parent_id, None if r.distance_m is None else r.distance_m / 1000)
        for r in rows
    ]
    return Page(rows=hits, next_cursor=next_token, total=total)


# Built once: a read by id is the hottest path, and building the statement per call costs as
# much as running it.
_PAYLOAD_BY_ID = {
    name: select(cast(column, Text)).where(Organization.id == bindparam("id"))
    for name, column in (("resource", Organization.resource), ("document", Organization.document))
}


def get_payload(
    conn: Connection, organization_id: str, representation: Representation = "resource"
) -> str | None:
    """The stored representation of one structure by FINESS number (tombstones included)."""
    statement = _PAYLOAD_BY_ID[representation]
    return conn.execute(statement, {"id": organization_id}).scalar_one_or_none()


def _resources(conn: Connection, condition: ColumnElement) -> list[Hit]:
    rows = conn.execute(
        select(Organization.id, cast(Organization.resource, Text), Organization.parent_id)
        .where(condition)
        .order_by(Organization.id)
    ).all()
    return [Hit(i, p, parent, None) for i, p, parent in rows]


def get_resources(conn: Connection, ids: list[str]) -> list[Hit]:
    """FHIR resources of the given ids (for _include)."""
    return _resources(conn, Organization.id.in_(ids)) if ids else []


def children_resources(conn: Connection, parent_ids: list[str]) -> list[Hit]:
    """FHIR resources of the structures that are partOf the given ones (for _revinclude)."""
    return _resources(conn, Organization.parent_id.in_(parent_ids)) if parent_ids else []


def links(conn: Connection, organization_id: str) -> dict:
    """What a structure is linked to: its establishments, its groups, its activities."""
    o = Organization
    row = conn.execute(select(o.kind, o.technical_id).where(o.id == organization_id)).one_or_none()
    if row is None:
        return {}
    kind, technical_id = row
    result: dict = {}
    if kind == "EJ":
        result["establishments"] = [
            {"finess": i, "name": n, "open": a}
            for i, n, a in conn.execute(
                select(o.id, o.name, o.active).where(o.parent_id == organization_id).order_by(o.id)
            )
        ]
    if technical_id:
        member = f"{'pm' if kind == 'EJ' else 'ege'}:{technical_id}"
        result["groups"] = [
            {"id": g.id, "kind": g.kind, "name": g.name, "type_code": g.type_code}
            for g in conn.execute(
                select(
                    FinessGroup.id, FinessGroup.kind, FinessGroup.name, FinessGroup.type_code
                ).where(FinessGroup.member_ids.op("@>")(text_array([member])))
            )
        ]
    column = FinessActivity.ej_finess if kind == "EJ" else FinessActivity.eg_finess
    result["activities"] = list(
        conn.execute(
            select(FinessActivity.document)
            .where(column == organization_id, FinessActivity.removed_at.is_(None))
            .order_by(FinessActivity.id)
            .limit(500)
        ).scalars()
    )
    return result
