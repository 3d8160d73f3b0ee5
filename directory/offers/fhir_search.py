"""The FHIR search parameters of HealthcareService and Location (the ROR API's, CapabilityStatement
ror-serveur), declared once: the parser and the CapabilityStatement both read these tables.

Every Location parameter is also a HealthcareService parameter chained as `location.<name>`:
one location of the offer must meet all of them, and all the capacity criteria one indicator.
Both resources add `_filter` over their own parameters and `_has` over the parameters of the
resource that points at them (HealthcareService:location, PractitionerRole:service).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from directory.errors import InvalidParameter
from directory.offers.queries import (
    Codes,
    Comparison,
    LocationQuery,
    ServiceQuery,
)
from directory.offers.systems import COMMUNE, DIMENSIONS, UCUM, Dimension
from directory.practitioners.fhir_search import ROLE_PARAMS
from directory.practitioners.queries import RoleQuery
from directory.practitioners.systems import nos
from directory.search.filter import filter_param
from directory.search.params import (
    SearchParam,
    active,
    append,
    last_updated,
    parse_date_bounds,
    parse_near,
    references,
    reverse_chain,
    split_or,
    text,
)

LOCATION_STATUS = "http://hl7.org/fhir/location-status"
# Location.operationalStatus in the ROR: StatutLieu (JDV_J224, codes of TRE_R203).
OPERATIONAL_STATUS = (nos("TRE_R203", "StatutLieu"), nos("JDV_J224", "StatutLieu-ROR"))
COMMUNES = (COMMUNE, nos("JDV_J124", "Commune"))
NUMBER_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
# UCUM years; the ROR's own examples write the system with https.
AGE_SYSTEMS = ("", UCUM, UCUM.replace("http:", "https:"))
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def token_codes(systems: tuple[str, ...]) -> Callable[[str], Codes]:
    """A token parameter over a column of bare codes: `code`, `system|code` or `system|`,
    comma-separated. A system other than `systems` matches nothing, as FHIR says."""

    def convert(value: str) -> Codes:
        codes: list[str] = []
        any_code = False
        for alternative in split_or(value):
            system, bar, code = alternative.rpartition("|")
            if not bar:
                codes.append(code)
            elif system.rstrip("/") in systems:  # some ROR examples end systems with "/"
                if code:
                    codes.append(code)
                else:
                    any_code = True
        return Codes(tuple(codes), any_code)

    return convert


def comparison(name: str, raw: str) -> tuple[Comparison, str]:
    """A number or quantity value: its prefix (eq by default) and number, and what follows
    the number (a quantity's `|system|code`)."""
    prefix = raw[:2] if raw[:2].isalpha() else "eq"
    rest = raw[2:] if raw[:2].isalpha() else raw
    if prefix not in NUMBER_PREFIXES:
        raise InvalidParameter(
            f"{name}: prefix {prefix!r} is not supported ({', '.join(NUMBER_PREFIXES)})"
        )
    number = NUMBER.match(rest)
    if number is None:
        raise InvalidParameter(f"{name}: {raw!r} is not a number")
    return Comparison(prefix, Decimal(number.group())), rest[number.end() :]


def _number(name: str) -> Callable[[str], Comparison]:
    def convert(value: str) -> Comparison:
        result, rest = comparison(name, value)
        if rest:
            raise InvalidParameter(f"{name}: {value!r} is not a number")
        return result

    return convert


def _age(name: str) -> Callable[[str], Comparison]:
    """age-range-low / -high: a quantity in years, `[prefix]number[|system|code]`."""

    def convert(value: str) -> Comparison:
        result, rest = comparison(name, value)
        if rest:
            parts = rest.split("|")
            if (
                len(parts) != 3
                or parts[0]
                or parts[1] not in AGE_SYSTEMS
                or parts[2] not in ("", "a")
            ):
                raise InvalidParameter(
                    f"{name}: {value!r} must be an age in years: [prefix]number or "
                    f"[prefix]number|{UCUM}|a"
                )
        return result

    return convert


def _capacity(field: str, convert: Callable[[str], Any]) -> Callable[[Any, str, str], Any]:
    """A capacity criterion, added to the ones the same indicator must meet."""

    def apply(q: LocationQuery, value: str, _modifier: str) -> LocationQuery:
        return replace(
            q,
            capacity=replace(q.capacity, **{field: (*getattr(q.capacity, field), convert(value))}),
        )

    return apply


def _dimension(dimension: Dimension) -> SearchParam[LocationQuery]:
    codes = token_codes((dimension.system, dimension.value_set))
    return SearchParam(
        str(dimension.param), "token",
        f"Capacity indicator: {dimension.url} ({dimension.system}), code or system|code; the "
        "value set URL is accepted as the system. All capacity criteria hold within one "
        "indicator",
        _capacity("codes", lambda value: (dimension.column, codes(value))),
    )  # fmt: skip


def _near(q: LocationQuery, value: str, _modifier: str) -> LocationQuery:
    if q.near:
        raise InvalidParameter("near may be given once")
    return replace(q, near=parse_near(value), sort="distance" if q.sort == "id" else q.sort)


def _update_dates(q: LocationQuery, value: str, _modifier: str) -> LocationQuery:
    bounds = parse_date_bounds("capacity-update-date", value)
    return replace(q, capacity=replace(q.capacity, updated=(*q.capacity.updated, *bounds)))


STRING_MODIFIERS = ("contains", "exact")

# The plain parameters of each resource: the operands of _filter and _has.
LOCATION_PLAIN_PARAMS: dict[str, SearchParam[LocationQuery]] = {
    p.name: p
    for p in (
        SearchParam("_id", "token", "The ROR resource id", append("ids", split_or)),
        SearchParam(
            "_lastUpdated", "date",
            "When the location last changed here, capacity writes included (eq, gt, ge, lt, "
            "le); removed locations come back as tombstones, kept for ANNUAIRE_HISTORY_DAYS",
            last_updated,
        ),
        SearchParam("_tag", "token", "The source regional ROR (TRE_R30 RegionOM): code or system|code", append("tags", split_or)),
        SearchParam(
            "identifier", "token",
            "The functional id (type 25, e.g. 24/1073) or the bed-management synchronisation id "
            "(type 26, <idNatSt>/<sync id>): value or system|value",
            append("identifiers", split_or),
        ),
        SearchParam(
            "name", "string",
            "Starts with the value, accents and case ignored; :contains anywhere; :exact as written",
            text("names"), STRING_MODIFIERS,
        ),
        SearchParam("type", "token", "Fonction du lieu (TRE_R343, e.g. 001 Hébergement)", append("types", split_or)),
        SearchParam("status", "token", "active, suspended or inactive", append("statuses", token_codes((LOCATION_STATUS,)))),
        SearchParam(
            "operational-status", "token", "Statut du lieu (TRE_R203, JDV_J224)",
            append("operational_statuses", token_codes(OPERATIONAL_STATUS)),
        ),
        SearchParam(
            "address-postalcode", "string", "Postal code prefix (35 → every 35xxx); commas for OR",
            append("postal_codes", split_or),
        ),
        SearchParam("address-city", "string", "City, prefix; :contains, :exact", text("cities"), STRING_MODIFIERS),
        SearchParam("commune-cog", "token", "COG code of the commune (TRE_R13 CommuneOM)", append("communes", token_codes(COMMUNES))),
        SearchParam("organization", "reference", "managingOrganization: Organization/<id>", append("organizations", references("Organization"))),
        SearchParam(
            "near", "special",
            "latitude|longitude|distance|unit (km by default, or m); results come nearest first "
            "unless _sort says otherwise",
            _near,
        ),
        *(_dimension(d) for d in DIMENSIONS if d.param),
        SearchParam(
            "nb-capacity", "number",
            "Capacity indicator count, with a prefix eq, ne, gt, lt, ge, le (gt0: at least one)",
            _capacity("counts", _number("nb-capacity")),
        ),
        SearchParam(
            "capacity-update-date", "date", "When the indicator was updated in its source (eq, gt, ge, lt, le)",
            _update_dates,
        ),
    )
}  # fmt: skip


def _chained(param: SearchParam[LocationQuery]) -> SearchParam[ServiceQuery]:
    def apply(q: ServiceQuery, value: str, modifier: str) -> ServiceQuery:
        return replace(q, location=param.apply(q.location or LocationQuery(), value, modifier))

    return SearchParam(
        f"location.{param.name}", param.type,
        f"Chained: one location of the offer meets it (Location {param.name}: {param.documentation})",
        apply, param.modifiers,
    )  # fmt: skip


SERVICE_PLAIN_PARAMS: dict[str, SearchParam[ServiceQuery]] = {
    p.name: p
    for p in (
        SearchParam("_id", "token", "The ROR resource id", append("ids", split_or)),
        SearchParam(
            "_lastUpdated", "date",
            "When the offer last changed here (eq, gt, ge, lt, le); removed offers come back as "
            "tombstones (active=false), kept for ANNUAIRE_HISTORY_DAYS",
            last_updated,
        ),
        SearchParam("_tag", "token", "The source regional ROR (TRE_R30 RegionOM): code or system|code", append("tags", split_or)),
        SearchParam("active", "token", "false for inactive offers and removed ones (tombstones)", active),
        SearchParam("identifier", "token", "identifiantOffre (e.g. 06/0099999): value or system|value", append("identifiers", split_or)),
        SearchParam(
            "name", "string",
            "Starts with the value, accents and case ignored; :contains anywhere; :exact as written",
            text("names"), STRING_MODIFIERS,
        ),
        SearchParam("specialty", "token", "Activité opérationnelle (TRE_R211) or its family", append("specialties", split_or)),
        SearchParam(
            "characteristic", "token",
            "Any characteristic: mode de prise en charge (TRE_R213), temporalité d'accueil, acte "
            "spécifique…: code or system|code",
            append("characteristics", split_or),
        ),
        SearchParam("service-type", "token", "Champ d'activité (TRE_R227)", append("service_types", split_or)),
        SearchParam("service-category", "token", "Type d'offre (TRE_R244)", append("categories", split_or)),
        SearchParam("patient-type", "token", "Public pris en charge (TRE_R239)", append("patient_types", split_or)),
        SearchParam(
            "age-range-low", "quantity",
            "The lowest age taken care of, in years, with a prefix: le35 finds offers open from "
            "35 or younger",
            append("age_low", _age("age-range-low")),
        ),
        SearchParam(
            "age-range-high", "quantity",
            "The highest age taken care of, in years, with a prefix: ge35 finds offers open up "
            "to 35 or older",
            append("age_high", _age("age-range-high")),
        ),
        SearchParam("organization", "reference", "providedBy: Organization/<id>", append("organizations", references("Organization"))),
        SearchParam(
            "location", "reference",
            "Location/<id>; chain any Location parameter as location.<name> (capacity criteria "
            "then hold within one indicator)",
            append("locations", references("Location")),
        ),
        *map(_chained, LOCATION_PLAIN_PARAMS.values()),
    )
}  # fmt: skip

LOCATION_PARAMS: dict[str, SearchParam[LocationQuery]] = {
    **LOCATION_PLAIN_PARAMS,
    "_filter": filter_param(LOCATION_PLAIN_PARAMS, LocationQuery()),
    "_has": reverse_chain(
        "Location", "HealthcareService", "location", SERVICE_PLAIN_PARAMS, ServiceQuery(), "offers"
    ),
}
SERVICE_PARAMS: dict[str, SearchParam[ServiceQuery]] = {
    **SERVICE_PLAIN_PARAMS,
    "_filter": filter_param(SERVICE_PLAIN_PARAMS, ServiceQuery()),
    "_has": reverse_chain(
        "HealthcareService", "PractitionerRole", "service", ROLE_PARAMS, RoleQuery(), "roles"
    ),
}

SORTS = {"_id": "id", "_lastUpdated": "last_updated"}
LOCATION_SORTS = {**SORTS, "near": "distance"}
SERVICE_INCLUDES = ("HealthcareService:location", "HealthcareService:organization", "*")
SERVICE_REVINCLUDES = ("PractitionerRole:service",)
LOCATION_INCLUDES = ("Location:organization", "*")
LOCATION_REVINCLUDES = ("HealthcareService:location",)
