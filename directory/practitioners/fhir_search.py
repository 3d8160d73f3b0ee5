"""The FHIR search parameters of Practitioner and PractitionerRole (Annuaire Santé v2), declared
once: the parser and the CapabilityStatement both read these tables."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from directory.practitioners.queries import PractitionerQuery, RoleQuery
from directory.search.params import (
    SearchParam,
    active,
    append,
    last_updated,
    references,
    split_or,
    text,
)

NAME_HELP = (
    "by default an accent- and case-insensitive prefix; :contains matches anywhere; :exact "
    "matches the value as written. Repeat the parameter for AND, use commas for OR"
)


def _identifier_type(q: PractitionerQuery, value: str, _modifier: str) -> PractitionerQuery:
    # The national API takes the bare type codes, RPPS and IDNPS (documentation issue #317).
    return replace(
        q,
        identifier_types=(
            *q.identifier_types,
            tuple(v.upper() if "|" not in v else v for v in split_or(value)),
        ),
    )


COMMON: tuple[SearchParam[Any], ...] = (
    SearchParam("_id", "token", "The resource id", append("ids", split_or)),
    SearchParam(
        "_lastUpdated", "date",
        "When the record last changed here (eq, gt, ge, lt, le); removed records come back as "
        "tombstones (active=false), kept for ANNUAIRE_HISTORY_DAYS",
        last_updated,
    ),
    SearchParam("active", "token", "false for removed records (tombstones)", active),
)  # fmt: skip

PRACTITIONER_PARAMS: dict[str, SearchParam[PractitionerQuery]] = {
    p.name: p
    for p in (
        *COMMON,
        SearchParam(
            "identifier", "token",
            "IDNPS (urn:oid:1.2.250.1.71.4.2.1, e.g. 810003461033 or 0012600631) or RPPS "
            "(https://rpps.esante.gouv.fr): code, system|code or system|",
            append("identifiers", split_or),
        ),
        SearchParam("identifier-type", "token", "RPPS or IDNPS", _identifier_type),
        SearchParam("family", "string", f"Nom d'exercice: {NAME_HELP}", text("families"), ("contains", "exact")),
        SearchParam("given", "string", f"Prénom d'exercice: {NAME_HELP}", text("givens"), ("contains", "exact")),
        SearchParam(
            "name", "string",
            "Any part of the name (family, given, civilité, civilité d'exercice); by default "
            "each word is a word prefix; :contains matches anywhere; :exact a whole family or "
            "given name. Repeat for AND, commas for OR",
            text("names"), ("contains", "exact"),
        ),
        SearchParam(
            "qualification-code", "token",
            "Profession (TRE_G15, e.g. 10), category (TRE_R09), savoir-faire (TRE_R38…, e.g. "
            "SM53) or diploma: code or system|code",
            append("qualifications", split_or),
        ),
        SearchParam(
            "mailbox-mss", "string", "MSSanté address: exact (case-insensitive) or :contains",
            text("mailboxes"), ("contains", "exact"),
        ),
    )
}  # fmt: skip


def _organization_identifier(q: RoleQuery, value: str, _modifier: str) -> RoleQuery:
    return replace(q, organization_identifiers=(*q.organization_identifiers, split_or(value)))


ROLE_PARAMS: dict[str, SearchParam[RoleQuery]] = {
    p.name: p
    for p in (
        *COMMON,
        SearchParam(
            "identifier", "token",
            "The activity's identifier (urn:annuaire:situation-exercice, the resource id)",
            append("identifiers", split_or),
        ),
        SearchParam("practitioner", "reference", "Practitioner/<IDNPS>", append("practitioners", references("Practitioner"))),
        SearchParam(
            "organization", "reference",
            "Organization/<id>: a FINESS number, or the RPPS technical id of a structure "
            "FINESS does not know",
            append("organizations", references("Organization")),
        ),
        SearchParam(
            "organization.identifier", "token",
            "An identifier of the structure: FINESS, SIRET, SIREN, idNatSt or technical id",
            _organization_identifier,
        ),
        SearchParam(
            "role", "token",
            "Mode d'exercice (TRE_R23), fonction (TRE_R21), genre d'activité (TRE_R22), "
            "section CNOP (TRE_R06): code or system|code",
            append("roles", split_or),
        ),
        SearchParam(
            "mailbox-mss", "string", "MSSanté address: exact (case-insensitive) or :contains",
            text("mailboxes"), ("contains", "exact"),
        ),
    )
}  # fmt: skip

SORTS = {"_id": "id", "_lastUpdated": "last_updated"}
PRACTITIONER_REVINCLUDES = ("PractitionerRole:practitioner",)
ROLE_INCLUDES = ("PractitionerRole:practitioner", "PractitionerRole:organization", "*")
