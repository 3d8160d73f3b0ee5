"""Table rows of terminology resources and concepts, built from FHIR R4 resources."""

from __future__ import annotations

from terminology import canonical
from terminology.lifecycle import concept_state

RESOURCE_COLUMNS = (
    "id",
    "resource_type",
    "fhir_id",
    "url",
    "version",
    "name",
    "title",
    "status",
    "oid",
    "aliases",
    "identifiers",
    "concept_count",
    "resource",
    "content_hash",
    "active",
)
CONCEPT_COLUMNS = (
    "id",
    "resource_id",
    "system",
    "version",
    "code",
    "position",
    "parent_code",
    "display",
    "status",
    "inactive",
    "date_fin",
    "concept",
    "content_hash",
    "active",
)


def resource_key(resource_type: str, url: str, version: str | None) -> str:
    return f"{resource_type}|{url}|{version or ''}"


def concept_key(resource_id: str, code: str) -> str:
    return f"{resource_id}|{code}"


def identifier_tokens(resource: dict) -> list[str]:
    """Search tokens of `identifier`: "system|value" and the bare value."""
    tokens: set[str] = set()
    for identifier in resource.get("identifier", ()):
        value = identifier.get("value")
        if value:
            tokens.update({value, f"{identifier.get('system', '')}|{value}"})
    return sorted(tokens)


def resource_row(resource: dict, concept_count: int | None = None) -> dict:
    """The row of a CodeSystem (given without its `concept`), ValueSet or ConceptMap."""
    resource_type = resource["resourceType"]
    url = resource["url"]
    version = resource.get("version") or ""
    fhir_id = canonical.fhir_id_for(resource)
    # ConceptMap.identifier is a single Identifier in R4; the other types hold a list.
    listed = resource.get("identifier") or []
    identified = {"identifier": [listed] if isinstance(listed, dict) else listed}
    return {
        "id": resource_key(resource_type, url, version),
        "resource_type": resource_type,
        "fhir_id": fhir_id,
        "url": url,
        "version": version,
        "name": resource.get("name"),
        "title": resource.get("title"),
        "status": resource.get("status"),
        "oid": canonical.oid_of(identified),
        "aliases": canonical.aliases(resource_type, url, fhir_id),
        "identifiers": identifier_tokens(identified),
        "concept_count": concept_count,
        "resource": {**resource, "id": fhir_id},
        "active": resource.get("status") != "retired",
    }


def concept_row(
    resource_id: str,
    system: str,
    version: str | None,
    position: int,
    concept: dict,
    parent_code: str | None = None,
) -> dict:
    """The row of one concept; `concept` is its FHIR element without nested `concept`."""
    state = concept_state(concept)
    return {
        "id": concept_key(resource_id, concept["code"]),
        "resource_id": resource_id,
        "system": system,
        "version": version or "",
        "code": concept["code"],
        "position": position,
        "parent_code": parent_code,
        "display": concept.get("display"),
        "status": state.status,
        "inactive": state.flagged_inactive,
        "date_fin": state.date_fin,
        "concept": concept,
        "active": True,
    }
