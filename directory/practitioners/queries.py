"""Searches and reads of practitioners and roles: the one query layer of FHIR and /api/v1."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from directory.organizations.models import Organization
from directory.practitioners.models import Practitioner, PractitionerName, PractitionerRole
from directory.search.keyset import (
    Hit,
    KeysetSort,
    PageRequest,
    Representation,
    identifier_lookup,
    identifier_page,
    keyset_page,
)
from directory.search.keyset import payloads as _payloads
from directory.search.paging import Page, TotalMode, fingerprint
from directory.search.params import DateBound, Near, TextFilter
from directory.search.text import normalize, prefix_match
from directory.search.tokens import any_token, names_records


@dataclass(frozen=True)
class RoleQuery:
    """A search over roles. Each tuple entry is an AND; the strings inside it are ORs."""

    ids: tuple[tuple[str, ...], ...] = ()
    identifiers: tuple[tuple[str, ...], ...] = ()
    practitioners: tuple[tuple[str, ...], ...] = ()
    organizations: tuple[tuple[str, ...], ...] = ()
    organization_identifiers: tuple[tuple[str, ...], ...] = ()
    roles: tuple[tuple[str, ...], ...] = ()
    mailboxes: tuple[TextFilter, ...] = ()
    professions: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    postal_codes: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()  # prefixes of the normalised city name
    near: Near | None = None
    active: bool | None = None
    last_updated: tuple[DateBound, ...] = ()
    sort: KeysetSort = "id"
    count: int = 50
    total: TotalMode = "free"
    representation: Representation = "resource"


@dataclass(frozen=True)
class PractitionerQuery:
    ids: tuple[tuple[str, ...], ...] = ()
    identifiers: tuple[tuple[str, ...], ...] = ()
    identifier_types: tuple[tuple[str, ...], ...] = ()
    families: tuple[TextFilter, ...] = ()
    givens: tuple[TextFilter, ...] = ()
    names: tuple[TextFilter, ...] = ()
    qualifications: tuple[tuple[str, ...], ...] = ()
    mailboxes: tuple[TextFilter, ...] = ()
    active: bool | None = None
    last_updated: tuple[DateBound, ...] = ()
    roles: RoleQuery | None = None  # at least one role must match (JSON API search)
    sort: KeysetSort = "id"
    count: int = 50
    total: TotalMode = "free"
    representation: Representation = "resource"


def _common(model, ids, active, last_updated) -> list[ColumnElement]:  # noqa: ANN001
    clauses: list[ColumnElement] = [model.id.in_(alternatives) for alternatives in ids]
    if active is not None:
        clauses.append(model.active.is_(active))
    for bound in last_updated:
        column = model.last_updated
        clauses.append(column >= bound.value if bound.op == "ge" else column < bound.value)
    return clauses


def _mailbox(column: ColumnElement, flt: TextFilter) -> ColumnElement:
    """mailbox-mss: exact address by default (case-insensitive); :contains anywhere."""
    if flt.mode == "contains":
        return or_(
            *(
                func.array_to_string(column, " ").contains(v.lower(), autoescape=True)
                for v in flt.values
            )
        )
    return any_token(column, tuple(v.lower() for v in flt.values))


def _name_part(norm: ColumnElement, raw: ColumnElement, flt: TextFilter) -> ColumnElement:
    """family / given: a prefix of the whole part by default, :contains anywhere in it (the
    whole name then holds it too: see _names_walked), :exact the part as written."""
    alternatives = []
    for value in flt.values:
        if flt.mode == "exact":
            alternatives.append(raw == value)
        elif flt.mode == "contains":
            alternatives.append(norm.contains(normalize(value), autoescape=True))
        else:
            alternatives.append(norm.startswith(normalize(value), autoescape=True))
    return or_(*alternatives)


# Most names a `:contains` search gathers from practitioner_name. Gathering costs about 2 µs
# a match; walking the practitioners in id order until the page is full reads about 51 ×
# 1.9 M / matches rows: they break even near 10,000 matches (`a`: 1.8 s gathered, 0.6 ms
# walked; `onta` + `ine`, 8,291 matches: 15 ms gathered).
GATHERED_NAMES = 10_000
TRIGRAM = 3  # shorter terms give the trigram index nothing to look up


def _contains_groups(q: PractitionerQuery) -> list[tuple[str, ...]]:
    """The normalised :contains terms of `name`, `family` and `given`: one group per
    parameter, its terms alternatives (a family or given name holding a term puts it in
    the whole name too)."""
    return [
        tuple(normalize(v) for v in flt.values)
        for flt in (*q.names, *q.families, *q.givens)
        if flt.mode == "contains"
    ]


def _holding(
    holds: Callable[[str], ColumnElement], groups: list[tuple[str, ...]]
) -> list[ColumnElement]:
    """Every group's condition: one of its terms `holds`."""
    return [or_(*(holds(term) for term in group)) for group in groups]


Contains = Callable[[list[tuple[str, ...]]], ColumnElement]  # :contains groups → condition


def _names_walked(groups: list[tuple[str, ...]]) -> ColumnElement:
    """The practitioners whose whole name holds every group's term, checked on each
    practitioner met in page order: for terms that most names hold."""
    # strpos, not LIKE: the planner takes `LIKE '%…%'` for rare and, expecting a few
    # matches, reads the whole table to sort them (ichar + ard, 21,468 matches: 1.8 s); it
    # gives a function's result a third of the rows, and walks the id order.
    return and_(*_holding(lambda term: func.strpos(Practitioner.name_norm, term) > 0, groups))


def _names_among(ids: list[str]) -> Contains:
    """The matches of the :contains terms are `ids` (see _gathered_names): PostgreSQL walks
    the primary key over them, sorted, to the page's end, reading only the page's rows."""
    return lambda _groups: Practitioner.id == any_(literal(ids, ARRAY(Text)))


def _name_matches(groups: list[tuple[str, ...]]) -> Select:
    """The ids whose whole name holds every group's term, from the narrow rows of
    practitioner_name (and its trigram index)."""
    n = PractitionerName
    return select(n.id).where(
        *_holding(lambda term: n.name_norm.contains(term, autoescape=True), groups)
    )


def names_holding(groups: list[tuple[str, ...]]) -> ColumnElement:
    """The practitioners whose whole name holds every group's term, for a whole selection
    (an export's): checking every practitioner's own row would read the 5 GB table (`mar`:
    past the 5 s limit)."""
    return Practitioner.id.in_(_name_matches(groups))


def _gathered_names(conn: Connection, groups: list[tuple[str, ...]]) -> list[str] | None:
    """The ids of the practitioners whose name holds the :contains terms, from the narrow
    rows of practitioner_name; None when there are more than GATHERED_NAMES (or a term too
    short for the trigram index, which would then read every name)."""
    if any(len(term) < TRIGRAM for group in groups for term in group):
        return None
    probe = _name_matches(groups).limit(GATHERED_NAMES + 1)
    ids = list(conn.scalars(probe))
    return ids if len(ids) <= GATHERED_NAMES else None


def _name(flt: TextFilter) -> ColumnElement | None:
    """name: every word a word prefix by default, :exact a whole part (:contains: see
    _names_walked)."""
    p = Practitioner
    if flt.mode == "contains":
        return None
    alternatives = []
    for value in flt.values:
        if flt.mode == "exact":
            alternatives.append(or_(p.family == value, p.given == value))
        else:
            match = prefix_match(p.name_tsv, value)
            alternatives.append(literal(False) if match is None else match)
    return or_(*alternatives)


def role_filters(f: RoleQuery) -> list[ColumnElement]:
    r = PractitionerRole
    clauses = _common(r, f.ids, f.active, f.last_updated)
    clauses += [any_token(r.identifier_tokens, v) for v in f.identifiers]
    clauses += [r.practitioner_id.in_(v) for v in f.practitioners]
    clauses += [r.organization_id.in_(v) for v in f.organizations]
    clauses += [any_token(r.organization_tokens, v) for v in f.organization_identifiers]
    clauses += [any_token(r.role_tokens, v) for v in f.roles]
    clauses += [_mailbox(r.mailbox_tokens, flt) for flt in f.mailboxes]
    if f.professions:
        clauses.append(r.profession_code.in_(f.professions))
    if f.communes:
        clauses.append(r.commune_insee.in_(f.communes))
    if f.postal_codes:
        clauses.append(or_(*(r.postal_code.startswith(c, autoescape=True) for c in f.postal_codes)))
    if f.departments:
        clauses.append(r.department.in_(f.departments))
    if f.cities:
        clauses.append(
            or_(*(r.city_norm.startswith(normalize(c), autoescape=True) for c in f.cities))
        )
    if f.near:
        clauses.append(r.organization_id.in_(_organizations_near(f.near)))
    return clauses


def _organizations_near(near: Near):  # noqa: ANN202
    """Structures within the radius: only FINESS knows where structures are."""
    o = Organization
    meters = near.km * 1000
    center = func.ll_to_earth(near.latitude, near.longitude)
    point = func.ll_to_earth(o.latitude, o.longitude)
    return select(o.id).where(
        o.latitude.is_not(None),
        func.earth_box(center, meters).op("@>")(point),
        func.earth_distance(center, point) <= meters,
    )


def practitioner_filters(
    q: PractitionerQuery, contains: Contains = _names_walked
) -> list[ColumnElement]:
    """The filters of `q`; `contains` gives the condition of its :contains terms."""
    p = Practitioner
    clauses = _common(p, q.ids, q.active, q.last_updated)
    clauses += [any_token(p.identifier_tokens, v) for v in q.identifiers]
    clauses += [any_token(p.identifier_type_tokens, v) for v in q.identifier_types]
    clauses += [_name_part(p.family_norm, p.family, flt) for flt in q.families]
    clauses += [_name_part(p.given_norm, p.given, flt) for flt in q.givens]
    clauses += [clause for flt in q.names if (clause := _name(flt)) is not None]
    if groups := _contains_groups(q):
        clauses.append(contains(groups))
    clauses += [any_token(p.qualification_tokens, v) for v in q.qualifications]
    clauses += [_mailbox(p.mailbox_tokens, flt) for flt in q.mailboxes]
    if q.roles is not None:
        r = PractitionerRole
        clauses.append(exists().where(r.practitioner_id == p.id, *role_filters(q.roles)))
    return clauses


def _request(q: PractitionerQuery | RoleQuery) -> PageRequest:
    return PageRequest(
        q.sort, q.count, q.total, q.representation, fingerprint(replace(q, total="accurate"))
    )


def search_practitioners(conn: Connection, q: PractitionerQuery, cursor: str | None) -> Page:
    tokens = identifier_lookup(q, cursor)
    found = tokens and identifier_page(conn, Practitioner, tokens, _request(q))
    if found:
        return found
    few = names_records(q.identifiers)
    groups = _contains_groups(q)
    ids = _gathered_names(conn, groups) if groups else None
    filters = practitioner_filters(q, _names_walked if ids is None else _names_among(ids))
    return keyset_page(conn, Practitioner, filters, _request(q), cursor, few=few)


ROLE_LINKS = (PractitionerRole.practitioner_id, PractitionerRole.organization_id)


def search_roles(conn: Connection, q: RoleQuery, cursor: str | None) -> Page:
    """Hits carry (practitioner id, organization id) as links, for _include."""
    tokens = identifier_lookup(q, cursor)
    found = tokens and identifier_page(conn, PractitionerRole, tokens, _request(q), ROLE_LINKS)
    if found:
        return found
    few = names_records((*q.identifiers, *q.organization_identifiers))
    return keyset_page(
        conn, PractitionerRole, role_filters(q), _request(q), cursor, ROLE_LINKS, few=few
    )


# Built once: a read by id is the hottest path.
_BY_ID = {
    (model, name): select(cast(getattr(model, name), Text)).where(model.id == bindparam("id"))
    for model in (Practitioner, PractitionerRole)
    for name in ("resource", "document")
}


def get_payload(
    conn: Connection, model: type, record_id: str, representation: Representation = "resource"
) -> str | None:
    """The stored representation of one practitioner or role (tombstones included)."""
    return conn.execute(_BY_ID[model, representation], {"id": record_id}).scalar_one_or_none()


def practitioners_by_id(conn: Connection, ids: list[str]) -> list[Hit]:
    return _payloads(conn, Practitioner, Practitioner.id.in_(ids)) if ids else []


def roles_of(conn: Connection, practitioner_ids: list[str]) -> list[Hit]:
    if not practitioner_ids:
        return []
    r = PractitionerRole
    return _payloads(conn, r, r.practitioner_id.in_(practitioner_ids), ROLE_LINKS)


def organizations_by_id(conn: Connection, ids: list[str]) -> list[Hit]:
    return _payloads(conn, Organization, Organization.id.in_(ids)) if ids else []


def professional(conn: Connection, key: str) -> dict | None:
    """The JSON API document of a professional by RPPS number or IDNPS: the person, every
    exercise and activity with its structure (coordinates when FINESS knows them)."""
    p, r, o = Practitioner, PractitionerRole, Organization
    row = conn.execute(
        select(p.id, p.document)
        .where(or_(p.id == key, and_(p.id_type == "8", p.identifier == key)))
        .order_by(p.id)
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    activities = []
    for document, latitude, longitude in conn.execute(
        select(r.document, o.latitude, o.longitude)
        .outerjoin(o, o.id == r.organization_id)
        .where(r.practitioner_id == row.id, r.removed_at.is_(None))
        .order_by(r.id)
    ):
        structure = document.get("structure")
        if structure is not None:
            structure["coordinates"] = (
                {"latitude": latitude, "longitude": longitude} if latitude is not None else None
            )
        activities.append(document)
    return {**row.document, "activities": activities}
