"""The FHIR search parameters of Organization, declared once: the parser and the
CapabilityStatement both read this table."""

from __future__ import annotations

from dataclasses import replace

from directory.errors import InvalidParameter
from directory.organizations.queries import OrganizationQuery
from directory.search.params import (
    SearchParam,
    active,
    append,
    last_updated,
    parse_near,
    references,
    split_or,
    text,
)


def _near(q: OrganizationQuery, value: str, _modifier: str) -> OrganizationQuery:
    if q.near:
        raise InvalidParameter("near may be given once")
    return replace(q, near=parse_near(value), sort="distance" if q.sort == "spread" else q.sort)


ORGANIZATION_PARAMS: dict[str, SearchParam[OrganizationQuery]] = {
    p.name: p
    for p in (
        SearchParam("_id", "token", "FINESS number (the resource id)", append("ids", split_or)),
        SearchParam("_lastUpdated", "date", "When the record last changed here (eq, gt, ge, lt, le)", last_updated),
        SearchParam("active", "token", "false for closed structures and removed ones (tombstones)", active),
        SearchParam(
            "identifier", "token",
            "FINESS, idNatSt (1 + FINESS), SIREN or SIRET: code, system|code or system|",
            append("identifiers", split_or),
        ),
        SearchParam(
            "identifier-type", "token", "FINEJ, FINEG, IDNST, SIREN, SIRET (system fr-core-cs-v2-0203)",
            append("identifier_types", split_or),
        ),
        SearchParam(
            "name", "string",
            "Names (short, long, alias): by default each word is an accent- and case-insensitive "
            "word prefix; :contains matches anywhere; :exact matches a whole name",
            text("names"), ("contains", "exact"),
        ),
        SearchParam("address", "string", "Any part of the address, word prefixes", text("addresses"), ("contains", "exact")),
        SearchParam("address-city", "string", "City, prefix", text("cities"), ("contains", "exact")),
        SearchParam("address-postalcode", "string", "Postal code, prefix (78 → every 78xxx)", append("postal_codes", split_or)),
        SearchParam(
            "type", "token",
            "LEGAL-ENTITY / GEOGRAPHICAL-ENTITY, establishment category (TRE_R66), legal status "
            "(TRE_R72), APE code (TRE_R75), SPH (TRE_R73)",
            append("types", split_or),
        ),
        SearchParam("partof", "reference", "The legal entity of an establishment: Organization/<FINESS>", append("parents", references("Organization"))),
        SearchParam(
            "near", "special",
            "latitude|longitude|distance|unit (km by default, or m); results come nearest first "
            "unless _sort says otherwise",
            _near,
        ),
    )
}  # fmt: skip

SORTS = {"_id": "id", "near": "distance", "_lastUpdated": "last_updated"}
INCLUDES = ("Organization:partof",)
REVINCLUDES = ("Organization:partof",)
