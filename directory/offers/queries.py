"""Searches of ROR offers (HealthcareService) and locations (Location): the one query layer
the FHIR API (and any other representation) calls.

Capacity criteria hold within ONE indicator: every capacity criterion of a search, given on
Location or chained from HealthcareService as `location.<param>`, must be true of the same
location_capacity row. The national API matches them indicator by indicator, so that "a bed
available for women" finds a unit whose only available bed is for men.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from math import cos, radians, sin
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, array

from directory.offers.models import HealthcareService, Location, LocationCapacity, SasOffer
from directory.offers.systems import AVAILABLE, NOW
from directory.practitioners.models import PractitionerRole
from directory.practitioners.queries import RoleQuery, role_filters
from directory.search.filter import Expression, condition, names_few
from directory.search.keyset import (
    Hit,
    KeysetSort,
    PageRequest,
    keyset_page,
    payloads,
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
from directory.search.text import normalize
from directory.search.tokens import any_token, names_records


@dataclass(frozen=True)
class Codes:
    """One token criterion reduced to codes: the column holds one of `codes`, or, with
    `any_code`, any code at all (`system|`). No code and no any_code matches nothing (a
    system this column's codes never have)."""

    codes: tuple[str, ...] = ()
    any_code: bool = False


@dataclass(frozen=True)
class Comparison:
    """A number parameter's value with its prefix (eq, ne, gt, lt, ge, le)."""

    op: str
    value: Decimal


@dataclass(frozen=True)
class CapacityQuery:
    """Criteria on one capacity indicator: (column, Codes) pairs ANDed, counts, update dates."""

    codes: tuple[tuple[str, Codes], ...] = ()
    counts: tuple[Comparison, ...] = ()
    updated: tuple[DateBound, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.codes or self.counts or self.updated)


@dataclass(frozen=True)
class LocationQuery:
    """A search over locations. Each tuple entry is an AND; the values inside it are ORs."""

    ids: tuple[tuple[str, ...], ...] = ()
    identifiers: tuple[tuple[str, ...], ...] = ()
    names: tuple[TextFilter, ...] = ()
    types: tuple[tuple[str, ...], ...] = ()
    statuses: tuple[Codes, ...] = ()
    operational_statuses: tuple[Codes, ...] = ()
    postal_codes: tuple[tuple[str, ...], ...] = ()
    cities: tuple[TextFilter, ...] = ()
    communes: tuple[Codes, ...] = ()
    tags: tuple[tuple[str, ...], ...] = ()
    organizations: tuple[tuple[str, ...], ...] = ()
    near: Near | None = None
    capacity: CapacityQuery = field(default_factory=CapacityQuery)
    last_updated: tuple[DateBound, ...] = ()
    # _has:HealthcareService:location: each, an offer at the location meets it.
    offers: tuple[ServiceQuery, ...] = ()
    expressions: tuple[Expression, ...] = ()  # _filter, over LocationQuery comparisons
    sort: KeysetSort | Literal["distance"] = "id"  # distance: nearest first, with `near`
    count: int = 50
    total: TotalMode = "free"


@dataclass(frozen=True)
class ServiceQuery:
    """A search over offers; `location` holds the chained `location.<param>` criteria, which
    one location of the offer must meet (see chained_locations)."""

    ids: tuple[tuple[str, ...], ...] = ()
    identifiers: tuple[tuple[str, ...], ...] = ()
    names: tuple[TextFilter, ...] = ()
    specialties: tuple[tuple[str, ...], ...] = ()
    characteristics: tuple[tuple[str, ...], ...] = ()
    service_types: tuple[tuple[str, ...], ...] = ()
    categories: tuple[tuple[str, ...], ...] = ()
    patient_types: tuple[tuple[str, ...], ...] = ()
    age_low: tuple[Comparison, ...] = ()
    age_high: tuple[Comparison, ...] = ()
    organizations: tuple[tuple[str, ...], ...] = ()
    locations: tuple[tuple[str, ...], ...] = ()
    tags: tuple[tuple[str, ...], ...] = ()
    active: bool | None = None
    last_updated: tuple[DateBound, ...] = ()
    location: LocationQuery | None = None
    # _has:PractitionerRole:service: each, a practitioner role of the offer meets it.
    roles: tuple[RoleQuery, ...] = ()
    expressions: tuple[Expression, ...] = ()  # _filter, over ServiceQuery comparisons
    sort: KeysetSort = "id"
    count: int = 50
    total: TotalMode = "free"


def _codes(column: ColumnElement, criterion: Codes) -> ColumnElement:
    if criterion.any_code:
        return and_(column.is_not(None), column != "")
    if not criterion.codes:
        return false()
    # A lone code is written `=`, so that a partial index on that code is seen to apply.
    if len(criterion.codes) == 1:
        return column == criterion.codes[0]
    return column.in_(criterion.codes)


def compare(column: ColumnElement, comparison: Comparison) -> ColumnElement:
    value: int | Decimal = comparison.value
    # A whole number is sent as an integer: compared as numeric, an integer column would not
    # match the condition of the index of available beds (nb > 0).
    if value == value.to_integral_value():
        value = int(value)
    return {
        "eq": column == value,
        "ne": column != value,
        "gt": column > value,
        "lt": column < value,
        "ge": column >= value,
        "le": column <= value,
    }[comparison.op]


def _dates(column: ColumnElement, bounds: tuple[DateBound, ...]) -> list[ColumnElement]:
    return [column >= b.value if b.op == "ge" else column < b.value for b in bounds]


def _name(norm: ColumnElement, raw: ColumnElement, flt: TextFilter) -> ColumnElement:
    """name: by default the name starts with the value (accents and case ignored), :contains
    anywhere in it, :exact the name as written. The trigram index serves the first two."""
    alternatives = []
    for value in flt.values:
        if flt.mode == "exact":
            alternatives.append(raw == value)
        elif flt.mode == "contains":
            alternatives.append(norm.contains(normalize(value), autoescape=True))
        else:
            alternatives.append(norm.startswith(normalize(value), autoescape=True))
    return or_(*alternatives)


def capacity_exists(criteria: CapacityQuery, location_id: ColumnElement) -> ColumnElement:
    """One active indicator of the location meets every criterion: all on the same row."""
    c = LocationCapacity
    clauses = [_codes(getattr(c, column), codes) for column, codes in criteria.codes]
    clauses += [compare(c.nb, comparison) for comparison in criteria.counts]
    clauses += _dates(c.updated_at, criteria.updated)
    # `c.active` as it is, not `IS true`: the partial index of available beds says `active`.
    return exists().where(c.location_id == location_id, c.active, *clauses)


def location_filters(q: LocationQuery) -> list[ColumnElement]:
    loc = Location
    clauses: list[ColumnElement] = [loc.id.in_(ids) for ids in q.ids]
    clauses += [any_token(loc.identifier_tokens, v) for v in q.identifiers]
    clauses += [_name(loc.name_norm, loc.name, flt) for flt in q.names]
    clauses += [any_token(loc.type_tokens, v) for v in q.types]
    clauses += [_codes(loc.status, codes) for codes in q.statuses]
    clauses += [_codes(loc.operational_status, codes) for codes in q.operational_statuses]
    clauses += [
        or_(*(loc.postal_code.startswith(code, autoescape=True) for code in codes))
        for codes in q.postal_codes
    ]
    clauses += [_city(flt) for flt in q.cities]
    clauses += [_codes(loc.commune_insee, codes) for codes in q.communes]
    clauses += [any_token(loc.tag_tokens, v) for v in q.tags]
    clauses += [loc.organization_id.in_(ids) for ids in q.organizations]
    clauses += _dates(loc.last_updated, q.last_updated)
    if q.near:
        meters = q.near.km * 1000
        center = func.ll_to_earth(q.near.latitude, q.near.longitude)
        clauses += [
            loc.latitude.is_not(None),  # the condition of the earth index
            func.earth_box(center, meters).op("@>")(_earth_point()),
            _within(q.near),
        ]
    if q.capacity:
        clauses.append(capacity_exists(q.capacity, loc.id))
    clauses += [loc.id.in_(_locations_of(offer)) for offer in q.offers]
    clauses += [condition(e, location_filters) for e in q.expressions]
    return clauses


def _locations_of(q: ServiceQuery) -> Select:
    """The locations of the offers meeting `q`: a semi-join the planner can start from the
    offers (a few, by identifier, then each location by its key) or from the locations."""
    s = HealthcareService
    return select(func.unnest(s.location_ids)).where(*service_filters(q))


def _city(flt: TextFilter) -> ColumnElement:
    city = Location.city_norm
    return or_(
        *(
            city == normalize(v)
            if flt.mode == "exact"
            else city.contains(normalize(v), autoescape=True)
            if flt.mode == "contains"
            else city.startswith(normalize(v), autoescape=True)
            for v in flt.values
        )
    )


def _earth_point() -> ColumnElement:
    return func.ll_to_earth(Location.latitude, Location.longitude)


def _distance(near: Near) -> ColumnElement:
    return func.earth_distance(func.ll_to_earth(near.latitude, near.longitude), _earth_point())


EARTH_RADIUS_M = 6378168.0  # the sphere of the earthdistance extension, earth()


def _within(near: Near) -> ColumnElement:
    """The great-circle distance is within the radius, as earth_distance would say, from the
    cosine of the angle between the two points. ll_to_earth costs some 7 µs a row (its earth
    domain is checked), which a city's thousands of locations in the box add up; this
    arithmetic, a fraction of it."""
    lat, lon = radians(near.latitude), radians(near.longitude)
    row_lat, row_lon = func.radians(Location.latitude), func.radians(Location.longitude)
    cosine = (
        func.cos(row_lat) * func.cos(row_lon) * (cos(lat) * cos(lon))
        + func.cos(row_lat) * func.sin(row_lon) * (cos(lat) * sin(lon))
        + func.sin(row_lat) * sin(lat)
    )
    return cosine >= cos(near.km * 1000 / EARTH_RADIUS_M)


def locations_exist(q: LocationQuery) -> ColumnElement:
    """One location of the offer meets `q`, checked offer by offer. Correlated to the offer
    only: within a search of locations (_has), the locations it reads are its own."""
    loc, s = Location, HealthcareService
    return exists().where(loc.id == any_(s.location_ids), *location_filters(q)).correlate(s)


def service_filters(
    q: ServiceQuery, chain: Callable[[LocationQuery], ColumnElement] = locations_exist
) -> list[ColumnElement]:
    """The conditions of `q`; `chain` turns its chained location criteria into one (offer by
    offer by default; a search passes chained_locations, which looks the locations up first)."""
    s = HealthcareService
    clauses: list[ColumnElement] = [s.id.in_(ids) for ids in q.ids]
    clauses += [any_token(s.identifier_tokens, v) for v in q.identifiers]
    clauses += [_name(s.name_norm, s.name, flt) for flt in q.names]
    clauses += [any_token(s.specialty_tokens, v) for v in q.specialties]
    clauses += [any_token(s.characteristic_tokens, v) for v in q.characteristics]
    clauses += [any_token(s.service_type_tokens, v) for v in q.service_types]
    clauses += [any_token(s.category_tokens, v) for v in q.categories]
    clauses += [any_token(s.patient_type_tokens, v) for v in q.patient_types]
    clauses += [compare(s.age_low, comparison) for comparison in q.age_low]
    clauses += [compare(s.age_high, comparison) for comparison in q.age_high]
    clauses += [s.organization_id.in_(ids) for ids in q.organizations]
    clauses += [any_token(s.location_ids, ids) for ids in q.locations]
    clauses += [any_token(s.tag_tokens, v) for v in q.tags]
    if q.active is not None:
        clauses.append(s.active.is_(q.active))
    clauses += _dates(s.last_updated, q.last_updated)
    if q.location is not None:
        clauses.append(chain(q.location))
    clauses += [s.id.in_(_services_of(role)) for role in q.roles]
    clauses += [condition(e, lambda leaf: service_filters(leaf, chain)) for e in q.expressions]
    return clauses


def _services_of(q: RoleQuery) -> Select:
    """The offers of the practitioner roles meeting `q` (a semi-join, as _locations_of).

    Only ROR roles have an offer. Saying so tells the planner that few of the RPPS-sized
    table qualify: it then looks up each offer by its key for a role identifier, rather
    than hash all the offers (12 ms against 50 on 470k offers and 1.8M roles)."""
    r = PractitionerRole
    return select(r.healthcare_service_id).where(
        r.healthcare_service_id.is_not(None), *role_filters(q)
    )


# How the offers of the locations meeting chained criteria are found, by how many they are:
# up to INDEXED_LOCATIONS through the index of offers' locations (a GIN overlap slows down
# quickly as the list of ids grows); up to LISTED_LOCATIONS by checking each offer's
# locations against the list (a hashed lookup); beyond, by checking each offer's locations
# against the criteria (most offers then pass, so a page fills quickly).
INDEXED_LOCATIONS = 100
LISTED_LOCATIONS = 2000


def chained_locations(conn: Connection, q: LocationQuery) -> ColumnElement:
    """One location of the offer meets `q` (the chained `location.<param>` criteria).

    The locations are looked up first, so that a search never walks every offer to check
    locations that few offers have (a radius, a rare count)."""
    loc, s = Location, HealthcareService
    filters = location_filters(q)
    ids = conn.scalars(select(loc.id).where(*filters).limit(LISTED_LOCATIONS + 1)).all()
    if not ids:
        return false()
    if len(ids) > LISTED_LOCATIONS:
        return locations_exist(q)
    listed = literal(list(ids), ARRAY(Text))
    if len(ids) <= INDEXED_LOCATIONS:
        return s.location_ids.op("&&")(listed)
    location_id = func.unnest(s.location_ids).column_valued("location_id")
    return exists(select(location_id).where(location_id == any_(listed)))


def _request(q: LocationQuery | ServiceQuery) -> PageRequest:
    return PageRequest(
        q.sort, q.count, q.total, "resource", fingerprint(replace(q, total="accurate"))
    )


@dataclass(frozen=True)
class LocationHit:
    """A location of a search page: its stored resource (without capacity) and, in a near
    search, its distance."""

    id: str
    payload: str
    organization_id: str | None
    distance_km: float | None = None


def search_locations(conn: Connection, q: LocationQuery, cursor: str | None) -> Page:
    """One page of locations, their stored resources as loaded: resources.live_hits adds
    what changes between loads (capacity, version)."""
    if q.sort == "distance" and q.near:
        return _nearest_page(conn, q, q.near, cursor)
    page = keyset_page(
        conn,
        Location,
        location_filters(q),
        _request(q),
        cursor,
        (Location.organization_id,),
        few=_names_locations(q),
    )
    page.rows = [LocationHit(h.id, h.payload, h.links[0]) for h in page.rows]
    return page


def _names_locations(q: LocationQuery) -> bool:
    """Identifiers of the locations, or of their offers (_has), name a few of them."""
    offers = (i for o in q.offers for i in o.identifiers)
    return names_records((*q.identifiers, *offers)) or any(
        names_few(e, _names_locations) for e in q.expressions
    )


def _chord(near: Near) -> ColumnElement:
    """Straight-line distance through the Earth: ordered like the great-circle distance, and
    served nearest-first by the earth index (KNN)."""
    center = func.ll_to_earth(near.latitude, near.longitude)
    return _earth_point().op("<->", return_type=Double)(center)


@contextmanager
def _index_order(conn: Connection) -> Iterator[None]:
    """A transaction in which the planner reads the earth index in its order, nearest first.

    It cannot tell how many locations a box holds (the selectivity of the cube operators is a
    constant), guesses a few dozen, and would rather gather the whole radius, measure and sort
    it: in a city, tens of thousands of locations and hundreds of milliseconds. The reading
    pool is in autocommit, hence the driver's own transaction (a savepoint in a caller's)."""
    with conn.connection.driver_connection.transaction():  # type: ignore[union-attr]
        conn.execute(text("SET LOCAL enable_bitmapscan = off"))
        yield


def _nearest_page(conn: Connection, q: LocationQuery, near: Near, cursor_token: str | None) -> Page:
    """A near search, nearest first. The earth index hands the locations over by distance, so
    a page stops at its last row: in a dense city, measuring every location in the radius
    and then sorting them costs hundreds of milliseconds."""
    request = _request(q)
    cursor = decode_cursor(cursor_token, request.fingerprint) if cursor_token else None
    filters = location_filters(q)
    loc, chord = Location, _chord(near)
    keys = select(
        loc.id, loc.organization_id, _distance(near).label("distance_m"), chord.label("chord")
    ).where(*filters)
    if cursor:
        keys = keys.where(tuple_(chord, loc.id) > tuple_(*cursor.after))
    page = keys.order_by(chord, loc.id).limit(q.count + 1).subquery()
    statement = (
        select(page, cast(loc.resource, Text).label("payload"))
        .join(loc, loc.id == page.c.id)
        .order_by(page.c.chord, page.c.id)
    )
    rows = []
    if q.count:
        with _index_order(conn):
            rows = conn.execute(statement).all()
    total = page_total(
        q.total,
        cursor,
        len(rows),
        q.count,
        lambda: conn.scalar(select(func.count()).select_from(loc).where(*filters)) or 0,
    )
    next_token = None
    if len(rows) > q.count:
        rows = rows[: q.count]
        after = (rows[-1].chord, rows[-1].id)
        next_token = encode_cursor(Cursor(after, total, request.fingerprint))
    hits = [LocationHit(r.id, r.payload, r.organization_id, r.distance_m / 1000) for r in rows]
    return Page(rows=hits, next_cursor=next_token, total=total)


SERVICE_LINKS = (HealthcareService.organization_id, HealthcareService.location_ids)


def offers_at(q: LocationQuery) -> ColumnElement:
    """One location of the offer meets `q`, for a whole selection (an export's): the offers
    at the matching locations, found by hashing them against every offer's locations. A
    search, which stops at a page, checks offers one by one instead (chained_locations)."""
    s = HealthcareService
    located = select(s.id, func.unnest(s.location_ids).label("location_id")).subquery()
    matching = select(Location.id).where(*location_filters(q))
    return s.id.in_(select(located.c.id).where(located.c.location_id.in_(matching)))


def _chains_a_bed_now(q: ServiceQuery) -> bool:
    return q.location is not None and asks_a_bed_now(q.location)


def service_search_filters(
    q: ServiceQuery, chain: Callable[[LocationQuery], ColumnElement]
) -> list[ColumnElement]:
    """The conditions of `q`: the projection of offers with a bed now, or chained location
    criteria through `chain` (chained_locations for a page, offers_at for a whole set)."""
    if _chains_a_bed_now(q):
        # The projection's specialties are the offer's: checked there alone, so that the
        # planner does not count the same condition twice and expect 60 times too few matches.
        own = replace(q, location=None, specialties=())
        return [*service_filters(own), *_with_a_bed_now(q)]
    return service_filters(q, chain)


def search_services(conn: Connection, q: ServiceQuery, cursor: str | None) -> Page:
    """Hits carry (organization id, location ids) as links, for _include."""
    filters = service_search_filters(q, lambda chained: chained_locations(conn, chained))
    few = _names_services(q)
    if not _chains_a_bed_now(q):
        few = few or _few_own_matches(conn, q)
    return keyset_page(
        conn, HealthcareService, filters, _request(q), cursor, SERVICE_LINKS, few=few
    )


# Offers a search with chained location criteria checks one by one, at most.
CHECKED_OFFERS = 5000

# "A bed available now": one indicator available, current, and not 0.
_BED_NOW_CODES = {("status", Codes((AVAILABLE,))), ("temporality", Codes((NOW,)))}
_NOT_ZERO = ({Comparison("gt", Decimal(0))}, {Comparison("ge", Decimal(1))})


def asks_a_bed_now(q: LocationQuery) -> bool:
    """Whether chained criteria say "a bed available now" and nothing else, in any order."""
    c = q.capacity
    return (
        replace(q, capacity=CapacityQuery()) == LocationQuery()
        and len(c.codes) == len(_BED_NOW_CODES)
        and set(c.codes) == _BED_NOW_CODES
        and set(c.counts) in _NOT_ZERO
        and not c.updated
    )


def _written(values: Iterable[str]) -> ColumnElement:
    """An array written into the statement's text, not bound. A statement run 5 times is
    prepared, and PostgreSQL may then plan it once for any values: it would expect a few
    offers of any activity with a bed, and gather and sort the 14,000 of the commonest
    (75 ms) rather than walk them in id order (2 ms)."""
    return cast(array([literal(v, Text, literal_execute=True) for v in values]), ARRAY(Text))


def _with_a_bed_now(q: ServiceQuery) -> list[ColumnElement]:
    """The offer has a bed now (and `q`'s specialties), as its projection says (migration
    0013), joined by id. Where PostgreSQL expects many, a page walks the partial index of the
    offers with a bed (0017), in id order with their specialties, and reads only the offers it
    keeps; where it expects few, by the statistics of `bed_specialties`, it gathers them from
    that column's GIN index."""
    o = SasOffer
    return [
        o.id == HealthcareService.id,
        o.beds.op("@>")(_written(["now"])),
        *(o.bed_specialties.op("&&")(_written(v)) for v in q.specialties),
    ]


def _few_own_matches(conn: Connection, q: ServiceQuery) -> bool:
    """Whether a search with chained location criteria names, by its own criteria, few
    enough offers to check them all: they are then gathered first. PostgreSQL cannot tell
    that an activity's offers may have no bed at all; it expects matches all along the
    table and walks it in page order, reading all 470 k offers (1.4 s) when none matches."""
    if q.location is None:
        return False
    own = service_filters(replace(q, location=None))
    rows = select(HealthcareService.id).where(*own)
    return bool(own) and planned_rows(conn, rows) <= CHECKED_OFFERS


def _names_services(q: ServiceQuery) -> bool:
    """Identifiers of the offers, or of their practitioner roles (_has), name a few of them."""
    roles = (i for r in q.roles for i in r.identifiers)
    return names_records((*q.identifiers, *roles)) or any(
        names_few(e, _names_services) for e in q.expressions
    )


# Ids asked of the GIN index of offers' locations at once: the planner turns to reading the
# whole table (and comparing arrays row by row, seconds) from some 900 ids.
OVERLAP_CHUNK = 200


def services_at(conn: Connection, location_ids: list[str]) -> list[Hit]:
    """The offers taking place at any of the locations (Location _revinclude), by id."""
    s = HealthcareService
    found: dict[str, Hit] = {}
    for start in range(0, len(location_ids), OVERLAP_CHUNK):
        chunk = tuple(location_ids[start : start + OVERLAP_CHUNK])
        found.update((h.id, h) for h in payloads(conn, s, any_token(s.location_ids, chunk)))
    return [found[key] for key in sorted(found)]


def roles_in(conn: Connection, service_ids: list[str]) -> list[Hit]:
    """The practitioner roles of the offers (HealthcareService _revinclude)."""
    if not service_ids:
        return []
    r = PractitionerRole
    return payloads(conn, r, r.healthcare_service_id.in_(service_ids))


@dataclass(frozen=True)
class StoredService:
    payload: str  # the stored JSON text of the resource
    last_updated: datetime
    removed: bool  # a tombstone: gone from the ROR snapshot


# Built once: a read by id is the hottest path.
_SERVICE_BY_ID = select(
    cast(HealthcareService.resource, Text),
    HealthcareService.last_updated,
    HealthcareService.removed_at.is_not(None),
).where(HealthcareService.id == bindparam("id"))


def read_service(conn: Connection, service_id: str) -> StoredService | None:
    """One offer as stored, tombstones included (the caller answers 410)."""
    row = conn.execute(_SERVICE_BY_ID, {"id": service_id}).one_or_none()
    return StoredService(*row) if row else None
