"""FINESS structure → the stored row: its representations and search columns."""

from __future__ import annotations

from directory.organizations.document import organization_document
from directory.organizations.fhir import address_line, organization_resource, type_codings
from directory.organizations.identifiers import IDENTIFIER_TYPE_SYSTEM, identifiers
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
    ids = identifiers(record.finess, record.kind, record.siren, record.siret)
    address_words = [*address_line(record), record.city, record.postal_code]
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
        "identifier_tokens": [t for system, value, _ in ids for t in token_forms(system, value)],
        "identifier_type_tokens": list(
            dict.fromkeys(t for *_, code in ids for t in token_forms(IDENTIFIER_TYPE_SYSTEM, code))
        ),
        "type_tokens": [
            t for _, system, code, _ in type_codings(record) for t in token_forms(system, code)
        ],
        "active": resource["active"],
    }
