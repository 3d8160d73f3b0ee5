"""FINESS structure → the stored row: its representations and search columns."""

from __future__ import annotations

from directory.organizations.document import organization_document
from directory.organizations.fhir import organization_resource
from directory.organizations.identifiers import IDENTIFIER_TYPE_SYSTEM
from directory.organizations.records import OrganizationRecord
from directory.search.text import normalize

COLUMNS = (
    "id", "kind", "parent_id", "technical_id", "name", "postal_code", "department",
    "commune_insee", "category_code", "source_status", "closed", "latitude", "longitude",
    "resource", "document", "names", "name_norm", "address_norm", "city_norm",
    "identifier_tokens", "identifier_type_tokens", "type_tokens", "content_hash", "active",
)  # fmt: skip


def token_forms(system: str, code: str) -> list[str]:
    """The forms a FHIR token search may use: `code`, `system|code`, `system|`."""
    return [code, f"{system}|{code}", f"{system}|"]


def organization_row(record: OrganizationRecord) -> dict:
    resource = organization_resource(record)
    document = organization_document(record)
    names = list(dict.fromkeys(n for n in (record.name, record.name_long, record.alias) if n))
    # Tokens and address words are read off the resource, which has worked them out already.
    identifier_tokens: list[str] = []
    identifier_types: dict[str, None] = {}
    for identifier in resource["identifier"]:
        identifier_tokens += token_forms(identifier["system"], identifier["value"])
        code = identifier["type"]["coding"][0]["code"]
        identifier_types.update(dict.fromkeys(token_forms(IDENTIFIER_TYPE_SYSTEM, code)))
    type_tokens: list[str] = []
    for organization_type in resource["type"]:
        coding = organization_type["coding"][0]
        type_tokens += token_forms(coding["system"], coding["code"])
    address_words = [*resource["address"][0].get("line", ()), record.city, record.postal_code]
    return {
        "id": record.finess,
        "kind": record.kind,
        "parent_id": record.parent_finess,
        "technical_id": record.technical_id,
        "name": record.name,
        "postal_code": record.postal_code,
        "department": record.department,
        "commune_insee": record.commune_insee,
        "category_code": record.category_code,
        "source_status": record.source_status,
        "closed": record.closed,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "resource": resource,
        "document": document,
        "names": names,
        "name_norm": normalize(" ".join(names)),
        "address_norm": normalize(" ".join(w for w in address_words if w)),
        "city_norm": normalize(record.city) or None,
        "identifier_tokens": identifier_tokens,
        "identifier_type_tokens": list(identifier_types),
        "type_tokens": type_tokens,
        "active": resource["active"],
    }
