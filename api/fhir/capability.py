"""GET /fhir/metadata: the CapabilityStatement, built from the declared search parameters."""

from __future__ import annotations

import orjson
from flask import Response

from api.fhir import base_url, blueprint, fhir_response
from directory.organizations.fhir import PROFILE
from directory.organizations.fhir_search import INCLUDES, ORGANIZATION_PARAMS, REVINCLUDES, SORTS

SEARCH_PARAM_DEFINITIONS = {
    "_id": "http://hl7.org/fhir/SearchParameter/Resource-id",
    "_lastUpdated": "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated",
}


def capability_statement() -> dict:
    organization = {
        "type": "Organization",
        "profile": PROFILE,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchInclude": list(INCLUDES),
        "searchRevInclude": list(REVINCLUDES),
        "searchParam": [
            {
                "name": p.name,
                "type": p.type,
                "documentation": p.documentation
                + (
                    f" (modifiers: {', '.join(':' + m for m in p.modifiers)})"
                    if p.modifiers
                    else ""
                ),
                **(
                    {"definition": SEARCH_PARAM_DEFINITIONS[p.name]}
                    if p.name in SEARCH_PARAM_DEFINITIONS
                    else {}
                ),
            }
            for p in ORGANIZATION_PARAMS.values()
        ],
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/capabilitystatement-search-parameter-combination",
                "valueString": f"_sort: {', '.join(SORTS)}; _count (default 50, max 1000); "
                "_total: none|estimate|accurate; _elements",
            }
        ],
    }
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-24",
        "kind": "instance",
        "software": {"name": "annuaire", "version": "0.1.0"},
        "implementation": {
            "description": "Directory of French health structures",
            "url": base_url(),
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{"mode": "server", "resource": [organization]}],
    }


@blueprint.get("/metadata")
def metadata() -> Response:
    return fhir_response(orjson.dumps(capability_statement()))
