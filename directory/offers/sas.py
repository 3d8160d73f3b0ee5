"""The SAS regulator search: care offers near a place that fit the patient, grouped by
establishment, nearest first, with the beds available now and how fresh each figure is.

It reads the projection `sas_offer` (migration 0007: position, grid cells and filter codes of
each offer) and location_capacity live, so that a bed written is found by the very next search.
One statement, one round trip, answers a page: it chooses the matching offers, groups them by
establishment, counts them, computes the facets, picks the page and reads the page's details.
The statement has a fixed text for each combination of filters given (built once, cached), so
that the server can keep its plans and a search costs little Python.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, TextClause, text

from directory.errors import InvalidParameter
from directory.offers.radii import RadiusTable
from directory.offers.sas_grid import cells, chord_m, km_of_chord, xyz
from directory.offers.sas_place import Origin
from directory.offers.systems import (
    ACTIVITY_FIELD,
    AVAILABLE,
    CARE_MODE,
    DIMENSIONS,
    NOW,
    OFFER_TYPE,
    OPERATIONAL_ACTIVITY,
    PLAN_BLANC,
    PUBLIC,
    SUPPLEMENTARY,
)
from directory.search.paging import Cursor, decode_cursor, encode_cursor, fingerprint

# Filter name → the NOS system of its codes (their labels), as sas_offer.tokens name them.
FILTER_SYSTEMS = {
    "activity": OPERATIONAL_ACTIVITY,  # J17, HealthcareService.specialty
    "care_mode": CARE_MODE,  # J19, characteristic
    "field": ACTIVITY_FIELD,  # J20, type
    "offer_type": OFFER_TYPE,  # J238, category
    "public": PUBLIC,  # J29, patient type
}
DIMENSION = {d.column: d for d in DIMENSIONS}
# TRE_R332 labels, for a regulator reading a bed's gender without the terminology loaded.
GENDER_LABELS = {"01": "Femme", "02": "Homme", "03": "Indifférencié", "04": "Indéterminé"}
# A bed of gender 03 (Indifférencié, deprecated 2025-08-28 but still sent) or of no gender
# takes a patient of either: it answers every gender asked for.
ANY_GENDER = ("03", "")

Label = Callable[[str, str], str | None]  # (system, code) → label


@dataclass(frozen=True)
class OfferFilters:
    """What the offer must be. `codes`: (filter, codes) pairs, ANDed; the codes are ORs."""

    codes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    age: float | None = None  # years: within the offer's age range
    beds_available: bool = False  # a bed available now on one of the offer's locations
    genders: tuple[str, ...] = ()  # of that bed (implies beds_available)
    crisis: bool = False  # extra beds of the Plan blanc


@dataclass(frozen=True)
class RadiusRule:
    """The radius asked for (None: the département's default) and whether it may grow until
    `min_results` establishments are found, up to `max_km`."""

    km: float | None = None
    adaptive: bool = False
    min_results: int = 5
    max_km: float = 100.0


@dataclass(frozen=True)
class SasQuery:
    origin: Origin
    radius: RadiusRule = field(default_factory=RadiusRule)
    filters: OfferFilters = field(default_factory=OfferFilters)
    count: int = 20  # establishments per page


@dataclass
class SasPage:
    items: list[dict]  # establishments, nearest first, each with its matching offers
    total: int  # matching establishments within the radius
    radius_km: float
    radius_source: str  # given, department, default (built-in) or adaptive
    facets: dict[str, list[dict]]
    next_cursor: str | None


# --- The statement ----------------------------------------------------------------------------

# What the offer's locations have (sas_offer.beds, kept by the triggers of migration 0013): a
# bed available now, of one of the genders asked for, extra beds of the Plan blanc.
_BED_NOW = "s.beds @> ARRAY['now']"
_GENDERS = "s.beds && CAST(:genders AS text[])"
_CRISIS = "s.beds @> ARRAY['crisis']"
_SQUARED = "((s.x - :x) * (s.x - :x) + (s.y - :y) * (s.y - :y) + (s.z - :z) * (s.z - :z))"

# The active offers within the radius meeting every filter, with their squared chord to the
# origin (it sorts as the distance does) and whether one of their locations has a bed now.
# The cells, the codes and the beds are answered together by one GIN index scan.
_MATCHING = """
SELECT s.id, s.establishment_id, s.tokens, s.location_ids, s.age_low, s.age_high,
       {squared} AS sq, {beds} AS beds
FROM sas_offer s
WHERE s.cells && CAST(:cells AS text[]) AND {squared} <= :chord2 AND s.active{where}"""

_PAGE = """
WITH matching AS ({matching}),
establishments AS (
    SELECT establishment_id, min(sq) AS sq FROM matching GROUP BY establishment_id),
page AS (
    SELECT establishment_id, sq FROM establishments{resume}
    ORDER BY sq, establishment_id LIMIT :limit),
page_offers AS (
    SELECT m.* FROM matching m JOIN page p ON p.establishment_id = m.establishment_id)
SELECT
    (SELECT count(*) FROM establishments) AS total,
    {with_beds} AS with_beds,
    (SELECT json_agg(json_build_array(token, n))
     FROM (SELECT token, count(*) AS n
           FROM (SELECT DISTINCT establishment_id, unnest(tokens) AS token FROM matching) pairs
           GROUP BY token) codes) AS facets,
    (SELECT json_agg(json_build_array(p.establishment_id, p.sq, o.name, o.document)
                     ORDER BY p.sq, p.establishment_id)
     FROM page p LEFT JOIN organization o ON o.id = p.establishment_id) AS page,
    (SELECT json_agg(json_build_array(po.establishment_id, po.id, po.sq, hs.identifier, hs.name,
                                      po.tokens, po.location_ids, po.age_low, po.age_high)
                     ORDER BY po.sq, po.id)
     FROM page_offers po JOIN healthcare_service hs ON hs.id = po.id) AS offers,
    (SELECT json_agg(json_build_array(c.location_id, c.status, c.temporality, c.gender,
                                      c.capacity_type, c.additional_bed_type,
                                      c.temporary_assignment, c.nb, c.updated_at)
                     ORDER BY c.location_id, c.id)
     FROM location_capacity c
     WHERE c.location_id IN (SELECT unnest(location_ids) FROM page_offers) AND c.active
       AND ((c.status = '{available}' AND c.temporality = '{now}')
            OR (c.status = '{supplementary}' AND c.crisis_type = '{plan_blanc}'))) AS figures"""

_NTH = """
WITH matching AS ({matching})
SELECT min(sq) AS sq FROM matching GROUP BY establishment_id ORDER BY 1 OFFSET :skip LIMIT 1"""


@dataclass(frozen=True)
class _Shape:
    """What changes the text of the statement: which filters are given."""

    filters: tuple[str, ...]
    age: bool
    crisis: bool
    beds: bool
    genders: bool


def _shape(f: OfferFilters) -> _Shape:
    genders = bool(f.genders) and not set(f.genders) & set(ANY_GENDER)
    return _Shape(
        tuple(name for name, _ in f.codes),
        f.age is not None,
        f.crisis,
        f.beds_available or bool(f.genders),
        genders,
    )


def _matching(shape: _Shape) -> str:
    where = [f"s.tokens && CAST(:{name} AS text[])" for name in shape.filters]
    if shape.age:
        where.append("(s.age_low IS NULL OR s.age_low <= :age)")
        where.append("(s.age_high IS NULL OR s.age_high >= :age)")
    if shape.crisis:
        where.append(_CRISIS)
    if shape.beds:
        where.append(_GENDERS if shape.genders else _BED_NOW)
    return _MATCHING.format(
        squared=_SQUARED,
        beds="TRUE" if shape.beds else _BED_NOW,
        where="".join(f"\n  AND {w}" for w in where),
    )


@functools.lru_cache(maxsize=512)
def _page_statement(shape: _Shape, resumed: bool) -> TextClause:
    return text(
        _PAGE.format(
            matching=_matching(shape),
            resume="\n    WHERE (sq, establishment_id) > (:after_sq, :after_id)" if resumed else "",
            # With a bed filter, every matching establishment has one.
            with_beds="(SELECT count(*) FROM establishments)"
            if shape.beds
            else "(SELECT count(DISTINCT establishment_id) FROM matching WHERE beds)",
            available=AVAILABLE,
            now=NOW,
            supplementary=SUPPLEMENTARY,
            plan_blanc=PLAN_BLANC,
        )
    )


@functools.lru_cache(maxsize=512)
def _nth_statement(shape: _Shape) -> TextClause:
    return text(_NTH.format(matching=_matching(shape)))


def _parameters(q: SasQuery, radius_km: float) -> dict[str, Any]:
    f = q.filters
    x, y, z = xyz(q.origin.latitude, q.origin.longitude)
    values: dict[str, Any] = {
        "x": x,
        "y": y,
        "z": z,
        "cells": cells(q.origin.latitude, q.origin.longitude, radius_km),
        "chord2": chord_m(radius_km) ** 2,
        "age": f.age,
        "genders": [f"now|{gender}" for gender in (*f.genders, *ANY_GENDER)],
    }
    for name, codes in f.codes:
        values[name] = [f"{name}|{code}" for code in codes]
    return values


def _summary(conn: Connection, q: SasQuery, radius_km: float, after: tuple | None) -> Any:
    """One row: total, facet counts, and the page's establishments, offers and figures."""
    values = {**_parameters(q, radius_km), "limit": q.count + 1}
    if after is not None:
        values["after_sq"], values["after_id"] = after
    return conn.execute(_page_statement(_shape(q.filters), after is not None), values).one()


def _nth_establishment_km(conn: Connection, q: SasQuery, n: int, max_km: float) -> float | None:
    """Distance of the n-th nearest matching establishment within `max_km`; None if fewer."""
    values = {**_parameters(q, max_km), "skip": n - 1}
    squared = conn.execute(_nth_statement(_shape(q.filters)), values).scalar()
    return None if squared is None else km_of_chord(math.sqrt(squared))


# --- Radius ---------------------------------------------------------------------------------


def _start(q: SasQuery, table: RadiusTable) -> tuple[float, float | None, str]:
    """The first radius, the step it grows by (None: doubling) and where it came from."""
    if q.radius.km is not None:
        return q.radius.km, None, "given"
    radius, listed = table.radius(q.origin.department)
    return radius.km, radius.enlargement_km or None, "department" if listed else "default"


def _grown(start: float, step: float | None, at_least: float, cap: float) -> float:
    """The first radius of the sequence start, start + step… (or start, 2 × start…) that
    reaches `at_least`, capped at `cap`."""
    radius = start
    while radius < at_least and radius < cap:
        radius = radius + step if step else radius * 2
    return min(radius, cap)


# --- The page ---------------------------------------------------------------------------------


def _resumed(cursor: Cursor) -> tuple:
    """(radius km, radius source, squared chord, establishment id) of a page's last row."""
    after = cursor.after
    if not (
        len(after) == 4
        and all(isinstance(v, int | float) for v in (after[0], after[2]))
        and all(isinstance(v, str) for v in (after[1], after[3]))
    ):
        raise InvalidParameter("the paging cursor is not valid")
    return after


def search(
    conn: Connection,
    q: SasQuery,
    table: RadiusTable,
    stale_after: timedelta,
    cursor_token: str | None = None,
    label: Label = lambda _system, _code: None,
) -> SasPage:
    """One page of establishments nearest first; the cursor resumes the same search at the
    same radius (an adaptive radius is chosen once, on the first page)."""
    print_ = fingerprint(q)
    if cursor_token:
        radius_km, source, *after = _resumed(decode_cursor(cursor_token, print_))
        row = _summary(conn, q, radius_km, tuple(after))
    else:
        radius_km, step, source = _start(q, table)
        row = _summary(conn, q, radius_km, None)
        rule = q.radius
        if rule.adaptive and row.total < rule.min_results and radius_km < rule.max_km:
            # Where the n-th establishment is, rather than one search per step.
            needed = _nth_establishment_km(conn, q, rule.min_results, rule.max_km) or rule.max_km
            while row.total < rule.min_results and radius_km < rule.max_km:
                # Strictly beyond the current radius: a rounding miss grows one more step.
                needed = max(needed, radius_km * (1 + 1e-9) + 1e-9)
                radius_km = _grown(radius_km, step, needed, rule.max_km)
                source = "adaptive"
                row = _summary(conn, q, radius_km, None)
    page = row.page or []
    next_token = None
    if len(page) > q.count:
        page = page[: q.count]
        last_id, last_sq, *_ = page[-1]
        next_token = encode_cursor(Cursor((radius_km, source, last_sq, last_id), None, print_))
    figures = _figures(row.figures or [], datetime.now(UTC) - stale_after, label)
    return SasPage(
        items=_establishments(page, row.offers or [], figures, label),
        total=row.total,
        radius_km=radius_km,
        radius_source=source,
        facets=_facets(row.facets or [], row.with_beds, label),
        next_cursor=next_token,
    )


def _facets(counts: list, with_beds: int, label: Label) -> dict[str, list[dict]]:
    facets: dict[str, list[dict]] = {name: [] for name in FILTER_SYSTEMS}
    for token, n in counts:
        name, _, code = token.partition("|")
        if name in facets:
            facets[name].append(
                {"code": code, "label": label(FILTER_SYSTEMS[name], code), "count": n}
            )
    for values in facets.values():
        values.sort(key=lambda v: (-v["count"], v["code"]))
    facets["beds_available"] = [{"code": "true", "label": None, "count": with_beds}]
    return facets


def _coded(dimension: str, code: str, label: Label) -> dict | None:
    if not code:
        return None
    found = label(DIMENSION[dimension].system, code)
    if found is None and dimension == "gender":
        found = GENDER_LABELS.get(code)
    return {"code": code, "label": found}


@dataclass
class _Figures:
    """Per location: its beds available now (every gender) and its Plan blanc extra beds."""

    beds: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    extra: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))


def _figures(rows: list, oldest: datetime, label: Label) -> _Figures:
    figures = _Figures()
    for location, status, temporality, gender, kind, extra_type, assignment, nb, at in rows:
        updated = datetime.fromisoformat(at) if at else None
        figure = {
            "location_id": location,
            "available": nb,
            "updated_at": updated.isoformat().replace("+00:00", "Z") if updated else None,
            # A figure without a date cannot be trusted to be recent.
            "stale": updated is None or updated < oldest,
            "capacity_type": _coded("capacity_type", kind, label),
        }
        if status == AVAILABLE:
            figure["gender"] = _coded("gender", gender, label)
            figure["temporary_assignment"] = _coded("temporary_assignment", assignment, label)
            figures.beds[location].append(figure)
        else:
            figure["temporality"] = _coded("temporality", temporality, label)
            figure["additional_bed_type"] = _coded("additional_bed_type", extra_type, label)
            figures.extra[location].append(figure)
    return figures


def _establishments(page: list, offers: list, figures: _Figures, label: Label) -> list[dict]:
    by_establishment: dict[str, list[dict]] = defaultdict(list)
    codes = _Codes(label)
    for establishment_id, *offer in offers:
        by_establishment[establishment_id].append(_offer(*offer, figures=figures, codes=codes))
    items = []
    for establishment_id, sq, name, document in page:
        document = document or {}
        items.append(
            {
                "establishment_id": establishment_id,
                "name": name,
                "finess": document.get("finess"),
                "category": document.get("category"),
                "address": document.get("address"),
                "distance_km": round(km_of_chord(math.sqrt(sq)), 3),
                "offers": by_establishment[establishment_id],
            }
        )
    return items


class _Codes:
    """The labelled filter codes of offers, by their tokens: the offers of a page share a few
    combinations of codes (labelling them offer by offer took 0.2 ms of a 2.2 ms search)."""

    def __init__(self, label: Label) -> None:
        self.label = label
        self.known: dict[tuple[str, ...], dict[str, list[dict]]] = {}

    def of(self, tokens: list[str]) -> dict[str, list[dict]]:
        key = tuple(tokens)
        found = self.known.get(key)
        if found is None:
            found = {f: [] for f in FILTER_SYSTEMS}
            for token in tokens:
                f, _, code = token.partition("|")
                found[f].append({"code": code, "label": self.label(FILTER_SYSTEMS[f], code)})
            self.known[key] = found
        return found


def _offer(
    offer_id: str,
    sq: float,
    identifier: str | None,
    name: str,
    tokens: list[str],
    location_ids: list[str],
    age_low: float | None,
    age_high: float | None,
    *,
    figures: _Figures,
    codes: _Codes,
) -> dict:
    beds = [b for i in location_ids for b in figures.beds.get(i, ())]
    extra = [b for i in location_ids for b in figures.extra.get(i, ())]
    return {
        "id": offer_id,
        "identifier": identifier,
        "name": name,
        "distance_km": round(km_of_chord(math.sqrt(sq)), 3),
        **codes.of(tokens),
        "age_range": {"low": age_low, "high": age_high},
        "beds": beds,
        "extra_beds": extra,
        "stale": any(f["stale"] for f in beds + extra),
    }
