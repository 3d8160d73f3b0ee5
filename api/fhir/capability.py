"""What this server is: GET /fhir/metadata (the CapabilityStatement, built from the declared
search parameters), GET /fhir/metadata?mode=terminology (the TerminologyCapabilities, listing the
stored code systems) and GET /fhir/$versions.

Both statements carry what the HL7 terminology ecosystem tests check (tests/capstmt.json and
tests/capterms.json of HL7/fhir-tx-ecosystem-ig).
"""

from __future__ import annotations

import orjson
from flask import Response, current_app, request

from api.fhir import base_url, blueprint, fhir_response
from directory.errors import InvalidParameter
from directory.offers import fhir_search as offers
from directory.offers.systems import LOCATION_PROFILE, SERVICE_PROFILE
from directory.organizations.fhir import PROFILE
from directory.organizations.fhir_search import INCLUDES, ORGANIZATION_PARAMS, REVINCLUDES, SORTS
from directory.practitioners import fhir_search as practitioners
from directory.practitioners.systems import PRACTITIONER_PROFILES, ROLE_PROFILES
from directory.search.params import SearchParam
from terminology import search as terminology
from terminology.search import RESOURCE_TYPES, SEARCH_PARAMS

VERSION = "0.1.0"
RELEASE_DATE = "2026-11-24"
FHIR_VERSION = "4.0.1"
# The version of the HL7 terminology ecosystem tests (hl7.fhir.uv.tx-ecosystem) this server targets.
TX_TEST_VERSION = "1.9.3"
FEATURE = "http://hl7.org/fhir/uv/application-feature/StructureDefinition/feature"
TERMINOLOGY_SERVER = "http://hl7.org/fhir/CapabilityStatement/terminology-server"
BULK_DATA = "http://hl7.org/fhir/uv/bulkdata/"
OPERATION_DEFINITION = "http://hl7.org/fhir/OperationDefinition/"
SEARCH_PARAMETER = "http://hl7.org/fhir/SearchParameter/"
SEARCH_PARAM_DEFINITIONS = {
    "_id": SEARCH_PARAMETER + "Resource-id",
    "_lastUpdated": SEARCH_PARAMETER + "Resource-lastUpdated",
    "_tag": SEARCH_PARAMETER + "Resource-tag",
}
# CodeSystem, ValueSet and ConceptMap share the R4 conformance-* parameters.
TERMINOLOGY_PARAM_DEFINITIONS = {
    **SEARCH_PARAM_DEFINITIONS,
    **{
        name: f"{SEARCH_PARAMETER}conformance-{name}"
        for name in ("url", "version", "name", "title", "status", "identifier")
    },
    "reference": SEARCH_PARAMETER + "ValueSet-reference",
}
# Served by the terminology operations module.
OPERATIONS = {
    "CodeSystem": ("lookup", "validate-code", "subsumes"),
    "ValueSet": ("expand", "validate-code"),
    "ConceptMap": ("translate",),
}
EXPANSION_PARAMETERS = (
    "activeOnly", "check-system-version", "count", "displayLanguage", "excludeNested",
    "force-system-version", "includeDefinition", "includeDesignations", "offset", "property",
    "system-version", "tx-resource",
)  # fmt: skip
STATEMENT_MODES = ("full", "normative")


def _search_params(params: dict[str, SearchParam], definitions: dict[str, str]) -> list[dict]:
    return [
        {
            "name": p.name,
            "type": p.type,
            "documentation": p.documentation
            + (f" (modifiers: {', '.join(':' + m for m in p.modifiers)})" if p.modifiers else ""),
            **({"definition": definitions[p.name]} if p.name in definitions else {}),
        }
        for p in params.values()
    ]


def _combination(text: str) -> list[dict]:
    return [
        {
            "url": "http://hl7.org/fhir/StructureDefinition/capabilitystatement-search-parameter-combination",
            "valueString": text,
        }
    ]


def _directory_resource(
    resource_type: str,
    profile: str,
    params: dict[str, SearchParam],
    sorts: dict[str, str],
    includes: tuple[str, ...] = (),
    revincludes: tuple[str, ...] = (),
    interactions: tuple[str, ...] = ("read", "search-type"),
) -> dict:
    return {
        "type": resource_type,
        "profile": profile,
        "interaction": [{"code": code} for code in interactions],
        "searchInclude": list(includes),
        "searchRevInclude": list(revincludes),
        "searchParam": _search_params(params, SEARCH_PARAM_DEFINITIONS),
        "extension": _combination(
            f"_sort: {', '.join(sorts)}; _count (default 50, max 1000); "
            "_total: none|estimate|accurate; _elements; _summary=count"
        ),
    }


def _directory_resources() -> list[dict]:
    return [
        _directory_resource(
            "Organization", PROFILE, ORGANIZATION_PARAMS, SORTS, INCLUDES, REVINCLUDES
        ),
        _directory_resource(
            "Practitioner",
            PRACTITIONER_PROFILES[1],
            practitioners.PRACTITIONER_PARAMS,
            practitioners.SORTS,
            revincludes=practitioners.PRACTITIONER_REVINCLUDES,
        ),
        _directory_resource(
            "PractitionerRole",
            ROLE_PROFILES[1],
            practitioners.ROLE_PARAMS,
            practitioners.SORTS,
            includes=practitioners.ROLE_INCLUDES,
        ),
        _directory_resource(
            "HealthcareService",
            SERVICE_PROFILE,
            offers.SERVICE_PARAMS,
            offers.SORTS,
            offers.SERVICE_INCLUDES,
            offers.SERVICE_REVINCLUDES,
        ),
        {
            **_directory_resource(
                "Location",
                LOCATION_PROFILE,
                offers.LOCATION_PARAMS,
                offers.LOCATION_SORTS,
                offers.LOCATION_INCLUDES,
                offers.LOCATION_REVINCLUDES,
                # patch and the history are api.fhir.location_write's
                ("read", "search-type", "patch", "history-instance"),
            ),
            # Every version is numbered (ETag), and a patch honours If-Match.
            "versioning": "versioned-update",
        },
    ]


def _terminology_resource(resource_type: str) -> dict:
    return {
        "type": resource_type,
        "profile": f"http://hl7.org/fhir/StructureDefinition/{resource_type}",
        "interaction": [{"code": "read"}, {"code": "vread"}, {"code": "search-type"}],
        "searchParam": _search_params(SEARCH_PARAMS[resource_type], TERMINOLOGY_PARAM_DEFINITIONS),
        "operation": [
            {"name": name, "definition": f"{OPERATION_DEFINITION}{resource_type}-{name}"}
            for name in OPERATIONS[resource_type]
        ],
        "extension": _combination(
            "_count (default 50, max 1000); _total; _elements; _summary: true|false|count. "
            "Every version matches unless version narrows; a CodeSystem comes without its "
            "concepts (tagged SUBSETTED) unless _summary=false or _elements=concept"
        ),
    }


def _feature(definition: str, value: dict) -> dict:
    return {
        "url": FEATURE,
        "extension": [
            {"url": "definition", "valueCanonical": definition},
            {"url": "value", **value},
        ],
    }


def _identity(url: str, name: str, title: str) -> dict:
    """The elements both statements open with."""
    return {
        "url": url,
        "version": VERSION,
        "name": name,
        "title": title,
        "status": "active",
        "date": RELEASE_DATE,
        "kind": "instance",
        "software": {"name": "annuaire", "version": VERSION, "releaseDate": RELEASE_DATE},
        "implementation": {
            "description": "Directory of French health structures and terminology server",
            "url": base_url(),
        },
    }


def capability_statement() -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "extension": [
            _feature(
                "http://hl7.org/fhir/uv/tx-tests/FeatureDefinition/test-version",
                {"valueCode": TX_TEST_VERSION},
            ),
            _feature(
                "http://hl7.org/fhir/uv/tx-ecosystem/FeatureDefinition/CodeSystemAsParameter",
                {"valueBoolean": True},
            ),
        ],
        **_identity(
            f"{base_url()}/metadata",
            "AnnuaireCapabilityStatement",
            "Annuaire santé: FHIR R4 server",
        ),
        "instantiates": [TERMINOLOGY_SERVER, BULK_DATA + "CapabilityStatement/bulk-data"],
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "resource": [*_directory_resources(), *map(_terminology_resource, RESOURCE_TYPES)],
                "operation": [
                    {
                        "name": "versions",
                        "definition": OPERATION_DEFINITION + "CapabilityStatement-versions",
                    },
                    {
                        # api.fhir.bulk_export: system level, and per directory type
                        "name": "export",
                        "definition": BULK_DATA + "OperationDefinition/export",
                        "documentation": "Full or delta (_since) extract of the directory "
                        "resources as NDJSON files of at most ANNUAIRE_EXPORT_PART_SIZE "
                        "resources, by GET or by POST with a Parameters body; "
                        "Prefer: respond-async is required; _type, _typeFilter (any search "
                        "of the type, repeated or comma-separated filters are alternatives), "
                        "includeAssociatedData=_myCompleteExtract (the records the exported "
                        "ones reference, as the ROR's regional extracts); also at "
                        "[type]/$export for Organization, HealthcareService, Location, "
                        "Practitioner and PractitionerRole",
                    },
                ],
            }
        ],
    }


def _code_system(cs: terminology.StoredCodeSystem) -> dict:
    entry: dict = {"uri": cs.uri}
    versions = [
        {"code": v, **({"isDefault": True} if v == cs.default else {})} for v in cs.versions if v
    ]
    if versions:
        entry["version"] = versions
    return entry


def terminology_capabilities(code_systems: list[terminology.StoredCodeSystem]) -> dict:
    return {
        "resourceType": "TerminologyCapabilities",
        **_identity(
            f"{base_url()}/metadata?mode=terminology",
            "AnnuaireTerminologyCapabilities",
            "Annuaire santé: terminology capabilities",
        ),
        # Aliases are listed as code systems of their own: a client may ask for either canonical.
        "codeSystem": [_code_system(cs) for cs in code_systems],
        "expansion": {"paging": True, "parameter": [{"name": n} for n in EXPANSION_PARAMETERS]},
        "validateCode": {"translations": False},
        "translation": {"needsMap": True},
    }


@blueprint.get("/metadata")
def metadata() -> Response:
    mode = request.args.get("mode", "full")
    if mode == "terminology":
        with current_app.extensions["engine"].connect() as conn:
            code_systems = terminology.code_systems(conn)
        return fhir_response(orjson.dumps(terminology_capabilities(code_systems)))
    if mode not in STATEMENT_MODES:
        raise InvalidParameter("mode must be full, normative or terminology")
    return fhir_response(orjson.dumps(capability_statement()))


@blueprint.get("/$versions")
def versions() -> Response:
    """The FHIR versions served (R5 $versions; the HL7 test runner asks it first)."""
    parameters = [{"name": "version", "valueCode": "4.0"}, {"name": "default", "valueCode": "4.0"}]
    return fhir_response(orjson.dumps({"resourceType": "Parameters", "parameter": parameters}))
