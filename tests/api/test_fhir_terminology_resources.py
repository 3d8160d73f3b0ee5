"""FHIR read and search of CodeSystem, ValueSet and ConceptMap, and the metadata, on real
PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, insert, literal, select

from directory.search.text import normalize, normalized_sql
from terminology.models import TerminologyConcept, TerminologyResource
from terminology.rows import concept_row, resource_row
from terminology.search import SEARCH_PARAMS
from tests.conftest import SHARED_DATA

SMT = "https://smt.esante.gouv.fr/fhir"
HORAIRE = f"{SMT}/CodeSystem/tre-r252-type-horaire"
HORAIRE_OID = "urn:oid:1.2.250.1.213.3.3.85"
LEGACY_R38 = (
    "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
)
SMT_R38 = f"{SMT}/CodeSystem/TRE-R38-SpecialiteOrdinale"
JDV_HORAIRE = f"{SMT}/ValueSet/jdv-j250-type-horaire"
JDV_SPECIALITES = "https://mos.esante.gouv.fr/NOS/JDV_J01-Specialites/FHIR/JDV-J01-Specialites"
ASS_SEXE = (
    "https://mos.esante.gouv.fr/NOS/ASS_A15-SexeProvenanceISO-Sexe/FHIR/"
    "ASS-A15-SexeProvenanceISO-Sexe"
)


def _horaire(version: str, concepts: list[dict]) -> dict:
    return {
        "resourceType": "CodeSystem",
        "id": "tre-r252-type-horaire",
        "url": HORAIRE,
        "version": version,
        "name": "TRE_R252_TypeHoraire",
        "title": "Type horaire",
        "status": "active",
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": HORAIRE_OID}],
        "content": "complete",
        "concept": concepts,
    }


def _value_set(url: str, fhir_id: str, version: str, status: str, system: str) -> dict:
    return {
        "resourceType": "ValueSet",
        "id": fhir_id,
        "url": url,
        "version": version,
        "name": fhir_id.replace("-", "_"),
        "title": f"Jeu de valeurs {version}",
        "description": "Long text, not a summary element",
        "status": status,
        "compose": {"include": [{"system": system}]},
    }


RESOURCES = [
    _horaire("20240101000000", [{"code": "01", "display": "Jour"}]),
    _horaire(
        "20260928120000",
        [
            {"code": "01", "display": "Jour", "concept": [{"code": "011", "display": "Matin"}]},
            {"code": "02", "display": "Nuit"},
        ],
    ),
    {  # the legacy NOS export: mos.esante.gouv.fr url, identifier without system
        "resourceType": "CodeSystem",
        "id": "TRE-R38-SpecialiteOrdinale",
        "url": LEGACY_R38,
        "version": "20231215120000",
        "name": "TRE_R38_SpecialiteOrdinale",
        "title": "Spécialité ordinale",
        "status": "active",
        "identifier": [{"value": "urn:oid:1.2.250.1.213.2.28"}],
        "content": "complete",
        "concept": [{"code": "SM26", "display": "Qualifié en médecine générale"}],
    },
    # 1.10.0 is later than 1.9.0; 2.0.0 is later still but retired.
    _value_set(JDV_HORAIRE, "jdv-j250-type-horaire", "1.9.0", "active", HORAIRE),
    _value_set(JDV_HORAIRE, "jdv-j250-type-horaire", "1.10.0", "active", HORAIRE),
    _value_set(JDV_HORAIRE, "jdv-j250-type-horaire", "2.0.0", "retired", HORAIRE),
    _value_set(JDV_SPECIALITES, "JDV-J01-Specialites", "20230101000000", "active", LEGACY_R38),
    {
        "resourceType": "ConceptMap",
        "id": "ASS-A15-SexeProvenanceISO-Sexe",
        "url": ASS_SEXE,
        "version": "20230101000000",
        "name": "ASS_A15_SexeProvenanceISO_Sexe",
        "title": "Sexe ISO vers sexe",
        "status": "active",
        "sourceUri": "urn:iso:std:iso:5218",
        "group": [{"element": [{"code": "1", "target": [{"code": "M", "equivalence": "equal"}]}]}],
    },
]


def _concept_rows(resource_id: str, resource: dict) -> list[dict]:
    """Rows of every concept, nested ones included, in file order."""
    rows: list[dict] = []

    def walk(concepts: list[dict], parent: str | None) -> None:
        for concept in concepts:
            element = {k: v for k, v in concept.items() if k != "concept"}
            rows.append(
                concept_row(
                    resource_id, resource["url"], resource["version"], len(rows), element, parent
                )
            )
            walk(concept.get("concept", []), concept["code"])

    walk(resource.get("concept", []), None)
    return [{**row, "content_hash": "test"} for row in rows]


@pytest.fixture
def stored(clean_db: str, engine: Engine, client):  # noqa: ANN001, ANN201
    with engine.begin() as conn:
        for resource in RESOURCES:
            concepts = resource.get("concept")
            bare = {k: v for k, v in resource.items() if k != "concept"}
            row = resource_row(bare, len(_concept_rows("", resource)) if concepts else None)
            conn.execute(insert(TerminologyResource).values(**row, content_hash="test"))
            if concepts:
                conn.execute(insert(TerminologyConcept), _concept_rows(row["id"], resource))
    return client


def get(client, url: str, status: int = 200) -> dict:  # noqa: ANN001
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/fhir+json"
    return response.get_json()


def found(bundle: dict) -> list[tuple[str, str]]:
    return [(e["resource"]["id"], e["resource"]["version"]) for e in bundle.get("entry", [])]


def subsetted(resource: dict) -> bool:
    return any(t["code"] == "SUBSETTED" for t in resource["meta"].get("tag", []))


def test_read_gives_the_latest_version_whole(stored) -> None:  # noqa: ANN001
    cs = get(stored, "/fhir/CodeSystem/tre-r252-type-horaire")
    assert cs["version"] == "20260928120000"
    assert cs["meta"]["versionId"] == "20260928120000"
    assert cs["meta"]["lastUpdated"].endswith("Z")
    assert not subsetted(cs)
    assert cs["concept"] == [
        {"code": "01", "display": "Jour", "concept": [{"code": "011", "display": "Matin"}]},
        {"code": "02", "display": "Nuit"},
    ]


def test_read_orders_versions_naturally_and_prefers_active_ones(stored) -> None:  # noqa: ANN001
    assert get(stored, "/fhir/ValueSet/jdv-j250-type-horaire")["version"] == "1.10.0"


def test_history_reads_one_version(stored) -> None:  # noqa: ANN001
    old = get(stored, "/fhir/CodeSystem/tre-r252-type-horaire/_history/20240101000000")
    assert old["version"] == "20240101000000"
    assert [c["code"] for c in old["concept"]] == ["01"]
    retired = get(stored, "/fhir/ValueSet/jdv-j250-type-horaire/_history/2.0.0")
    assert retired["status"] == "retired"
    cm = get(stored, "/fhir/ConceptMap/ASS-A15-SexeProvenanceISO-Sexe/_history/20230101000000")
    assert cm["group"][0]["element"][0]["target"][0]["code"] == "M"


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/CodeSystem/unknown",
        "/fhir/CodeSystem/tre-r252-type-horaire/_history/19990101000000",
        "/fhir/ValueSet/tre-r252-type-horaire",  # a CodeSystem's id
        "/fhir/CodeSystem/$no-such-operation",
        "/fhir/CodeSystem/tre-r252-type-horaire/_history",  # instance history: not served
        "/fhir/Patient/1",
    ],
)
def test_unknown_is_404_operation_outcome(stored, path: str) -> None:  # noqa: ANN001
    outcome = get(stored, path, 404)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "not-found"


def test_unknown_type_lists_the_supported_ones(client) -> None:  # noqa: ANN001
    message = get(client, "/fhir/Patient?name=x", 404)["issue"][0]["diagnostics"]
    assert "Organization, Practitioner, PractitionerRole, HealthcareService, Location, " in message


def test_operations_are_not_taken_for_reads(stored) -> None:  # noqa: ANN001
    response = stored.get(f"/fhir/CodeSystem/$lookup?system={HORAIRE}&code=02")
    assert response.status_code == 200
    assert response.get_json()["resourceType"] == "Parameters"


def test_read_summary_and_elements(stored) -> None:  # noqa: ANN001
    summary = get(stored, "/fhir/CodeSystem/tre-r252-type-horaire?_summary=true")
    assert "concept" not in summary and summary["url"] == HORAIRE and subsetted(summary)
    only_url = get(stored, "/fhir/CodeSystem/tre-r252-type-horaire?_elements=url")
    assert set(only_url) == {"resourceType", "id", "meta", "url"} and subsetted(only_url)
    assert only_url["meta"]["tag"].count(only_url["meta"]["tag"][-1]) == 1


ALL_CODE_SYSTEMS = [
    ("TRE-R38-SpecialiteOrdinale", "20231215120000"),
    ("tre-r252-type-horaire", "20240101000000"),
    ("tre-r252-type-horaire", "20260928120000"),
]
R38 = [ALL_CODE_SYSTEMS[0]]
HORAIRE_VERSIONS = ALL_CODE_SYSTEMS[1:]
JDV_VERSIONS = [
    ("jdv-j250-type-horaire", "1.10.0"),
    ("jdv-j250-type-horaire", "1.9.0"),
    ("jdv-j250-type-horaire", "2.0.0"),
]


@pytest.mark.parametrize(
    ("resource_type", "query", "expected"),
    [
        ("CodeSystem", "", ALL_CODE_SYSTEMS),
        ("CodeSystem", f"url={HORAIRE}", HORAIRE_VERSIONS),
        ("CodeSystem", f"url={HORAIRE}|20240101000000", HORAIRE_VERSIONS[:1]),
        ("CodeSystem", f"url={HORAIRE}&version=20260928120000", HORAIRE_VERSIONS[1:]),
        ("CodeSystem", f"url={LEGACY_R38}", R38),
        ("CodeSystem", f"url={SMT_R38}", R38),  # the SMT alias of a legacy NOS url
        ("CodeSystem", f"url={HORAIRE},{SMT_R38}", ALL_CODE_SYSTEMS),
        ("CodeSystem", "url=https://example.org/none", []),
        ("CodeSystem", "version=20231215120000", R38),
        ("CodeSystem", "name=tre_r38", R38),
        ("CodeSystem", "name=TRE-R", ALL_CODE_SYSTEMS),
        ("CodeSystem", "name=SpecialiteOrdinale", []),  # starts-with, not contains
        ("CodeSystem", "name:contains=specialite", R38),
        ("CodeSystem", "name:exact=TRE_R38_SpecialiteOrdinale", R38),
        ("CodeSystem", "name:exact=tre_r38_specialiteordinale", []),
        ("CodeSystem", "title=SPECIALITE", R38),
        ("CodeSystem", "title=spécialité%20ord", R38),
        ("CodeSystem", "status=active", ALL_CODE_SYSTEMS),
        ("CodeSystem", "status=draft,retired", []),
        ("CodeSystem", "identifier=urn:oid:1.2.250.1.213.2.28", R38),
        ("CodeSystem", "identifier=1.2.250.1.213.2.28", R38),
        ("CodeSystem", "identifier=|urn:oid:1.2.250.1.213.2.28", R38),
        ("CodeSystem", f"identifier=urn:ietf:rfc:3986|{HORAIRE_OID}", HORAIRE_VERSIONS),
        ("CodeSystem", "identifier=1.2.250.1.213.3.3.85", HORAIRE_VERSIONS),
        ("CodeSystem", "_id=TRE-R38-SpecialiteOrdinale", R38),
        ("CodeSystem", "name=tre&title=type", HORAIRE_VERSIONS),
        ("ValueSet", f"url={JDV_HORAIRE}", JDV_VERSIONS),
        ("ValueSet", f"reference={HORAIRE}", JDV_VERSIONS),
        ("ValueSet", f"reference={SMT_R38}", [("JDV-J01-Specialites", "20230101000000")]),
        ("ValueSet", f"reference={HORAIRE}&status=retired", JDV_VERSIONS[2:]),
        ("ConceptMap", "name=ass_a15", [("ASS-A15-SexeProvenanceISO-Sexe", "20230101000000")]),
        ("ConceptMap", f"url={ASS_SEXE}", [("ASS-A15-SexeProvenanceISO-Sexe", "20230101000000")]),
    ],
)
def test_search_parameters(stored, resource_type: str, query: str, expected: list) -> None:  # noqa: ANN001
    bundle = get(stored, f"/fhir/{resource_type}?{query}")
    assert bundle["type"] == "searchset"
    assert found(bundle) == expected
    assert bundle["total"] == len(expected)


def test_search_leaves_concepts_out_unless_asked(stored) -> None:  # noqa: ANN001
    entry = get(stored, f"/fhir/CodeSystem?url={LEGACY_R38}")["entry"][0]
    assert entry["fullUrl"] == "http://localhost/fhir/CodeSystem/TRE-R38-SpecialiteOrdinale"
    assert "concept" not in entry["resource"] and subsetted(entry["resource"])
    assert entry["resource"]["meta"]["versionId"] == "20231215120000"
    whole = get(stored, f"/fhir/CodeSystem?url={LEGACY_R38}&_summary=false")["entry"][0]
    assert whole["resource"]["concept"][0]["code"] == "SM26" and not subsetted(whole["resource"])
    elements = get(stored, f"/fhir/CodeSystem?url={LEGACY_R38}&_elements=concept")["entry"][0]
    assert set(elements["resource"]) == {"resourceType", "id", "meta", "concept"}


def test_summary_true_keeps_the_summary_elements(stored) -> None:  # noqa: ANN001
    bundle = get(stored, f"/fhir/ValueSet?url={JDV_SPECIALITES}&_summary=true")
    resource = bundle["entry"][0]["resource"]
    assert resource["url"] == JDV_SPECIALITES and resource["status"] == "active"
    assert "compose" not in resource and "description" not in resource and subsetted(resource)


def test_summary_count_gives_the_total_only(stored) -> None:  # noqa: ANN001
    bundle = get(stored, "/fhir/ValueSet?_summary=count")
    assert bundle["total"] == 4 and not bundle.get("entry")


def test_paging_walks_every_version_once(stored) -> None:  # noqa: ANN001
    seen: list[tuple[str, str]] = []
    url: str | None = "/fhir/CodeSystem?_count=1"
    while url:
        bundle = get(stored, url.replace("http://localhost", ""))
        assert bundle["total"] == 3
        seen += found(bundle)
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert seen == ALL_CODE_SYSTEMS


def test_post_search_matches_get(stored) -> None:  # noqa: ANN001
    response = stored.post("/fhir/ValueSet/_search", data={"reference": SMT_R38})
    assert found(response.get_json()) == [("JDV-J01-Specialites", "20230101000000")]


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/CodeSystem?foo=bar",
        "/fhir/CodeSystem?reference=x",  # a ValueSet parameter
        "/fhir/CodeSystem?name:fuzzy=x",
        "/fhir/CodeSystem?url=|20240101000000",
        "/fhir/CodeSystem?_sort=url",
        "/fhir/CodeSystem?_include=ValueSet:reference",
        "/fhir/CodeSystem?_summary=text",
        "/fhir/CodeSystem?_summary=true&_elements=url",
        "/fhir/CodeSystem?_cursor=not-a-cursor",
        "/fhir/CodeSystem?_count=many",
        "/fhir/CodeSystem/tre-r252-type-horaire?_summary=count",
        "/fhir/metadata?mode=everything",
    ],
)
def test_bad_requests_are_400_operation_outcomes(stored, path: str) -> None:  # noqa: ANN001
    outcome = get(stored, path, 400)
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["diagnostics"]


def test_capability_statement_declares_the_terminology_server(client) -> None:  # noqa: ANN001
    statement = get(client, "/fhir/metadata")
    assert statement["instantiates"] == [
        "http://hl7.org/fhir/CapabilityStatement/terminology-server",
        "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data",
    ]
    assert statement["fhirVersion"] == "4.0.1"
    rest = statement["rest"][0]
    resources = {r["type"]: r for r in rest["resource"]}
    assert list(resources) == [
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "HealthcareService",
        "Location",
        "CodeSystem",
        "ValueSet",
        "ConceptMap",
    ]
    operations = {t: [o["name"] for o in r.get("operation", [])] for t, r in resources.items()}
    assert operations["CodeSystem"] == ["lookup", "validate-code", "subsumes"]
    assert operations["ValueSet"] == ["expand", "validate-code"]
    assert operations["ConceptMap"] == ["translate"]
    for resource_type, params in SEARCH_PARAMS.items():
        declared = resources[resource_type]
        assert [p["name"] for p in declared["searchParam"]] == list(params)
        assert [i["code"] for i in declared["interaction"]] == ["read", "vread", "search-type"]
    assert [o["name"] for o in rest["operation"]] == ["versions", "export"]


def test_versions_operation(client) -> None:  # noqa: ANN001
    parameters = get(client, "/fhir/$versions")["parameter"]
    assert {(p["name"], p["valueCode"]) for p in parameters} == {
        ("version", "4.0"),
        ("default", "4.0"),
    }


def test_terminology_capabilities_list_the_stored_code_systems(stored) -> None:  # noqa: ANN001
    capabilities = get(stored, "/fhir/metadata?mode=terminology")
    assert capabilities["resourceType"] == "TerminologyCapabilities"
    systems = {cs["uri"]: cs.get("version", []) for cs in capabilities["codeSystem"]}
    assert systems[HORAIRE] == [
        {"code": "20240101000000"},
        {"code": "20260928120000", "isDefault": True},
    ]
    assert (
        systems[LEGACY_R38] == systems[SMT_R38] == [{"code": "20231215120000", "isDefault": True}]
    )
    assert JDV_HORAIRE not in systems
    template = SHARED_DATA / "terminology" / "tx-ecosystem-tests" / "capterms.json"
    expected = ["activeOnly", "check-system-version", "count", "displayLanguage", "excludeNested",
                "force-system-version", "includeDefinition", "includeDesignations", "offset",
                "property", "system-version", "tx-resource"]  # fmt: skip
    if template.exists():  # the HL7 template, when ../shared is present
        expected = [p["name"] for p in json.loads(template.read_text())["expansion"]["parameter"]]
    assert [p["name"] for p in capabilities["expansion"]["parameter"]] == expected


@pytest.mark.parametrize(
    "text", ["Spécialité  ordinale", "ŒUVRE_Æsthétique-straße", "naïve—café", "TRE_R38", ""]
)
def test_sql_normalisation_agrees_with_python(engine: Engine, text: str) -> None:
    with engine.connect() as conn:
        assert conn.scalar(select(normalized_sql(literal(text)))) == normalize(text)
