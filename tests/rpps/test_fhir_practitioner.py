"""FHIR Practitioner and PractitionerRole over the RPPS fixture, on real PostgreSQL."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest

from directory.practitioners import queries
from tests.conftest import FIXTURES

CURRENT = FIXTURES / "rpps" / "current"
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
RPPS = "https://rpps.esante.gouv.fr"


@pytest.fixture
def loaded(load, client):  # noqa: ANN001, ANN201
    load(CURRENT, source="rpps")
    return client


def search(client, query: str, resource: str = "Practitioner") -> dict:  # noqa: ANN001
    response = client.get(f"/fhir/{resource}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(bundle: dict, mode: str = "match") -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == mode]


def test_read_practitioner_is_shaped_as_annuaire_sante(loaded) -> None:  # noqa: ANN001
    response = loaded.get("/fhir/Practitioner/810100000001")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    practitioner = response.get_json()
    assert practitioner["meta"]["profile"][1].endswith("/as-dp-practitioner")
    identifiers = {(i["system"], i["value"]) for i in practitioner["identifier"]}
    assert identifiers == {(IDNPS, "810100000001"), (RPPS, "10100000001")}
    assert practitioner["name"] == [
        {"use": "usual", "family": "DE LA FONTAINE", "given": ["Élodie"], "prefix": ["MME"],
         "suffix": ["DR"]}
    ]  # fmt: skip
    codes = [[c["code"] for c in q["code"]["coding"]] for q in practitioner["qualification"]]
    assert ["10", "C"] in codes and ["S", "SM53"] in codes and ["DE01", "DE"] in codes
    mailboxes = [t["value"] for t in practitioner["telecom"]]
    assert "elodie.delafontaine@medecin.mssante.fr" in mailboxes


def test_an_adeli_person_has_no_rpps_identifier(loaded) -> None:  # noqa: ANN001
    practitioner = loaded.get("/fhir/Practitioner/0012600631").get_json()
    assert [i["system"] for i in practitioner["identifier"]] == [IDNPS]
    bundle = search(loaded, "identifier-type=RPPS&_count=100")
    assert "0012600631" not in ids(bundle) and "810100000001" in ids(bundle)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("identifier=10100000001", ["810100000001"]),
        (f"identifier={IDNPS}|0012600631", ["0012600631"]),
        ("identifier=0012600631,810100000002", ["0012600631", "810100000002"]),
        ("family=de la", ["810100000001"]),
        ("family=fontaine", []),  # family is a prefix of the whole family name
        ("family:contains=fontaine", ["810100000001"]),
        ("family:exact=MARTIN", ["810100000004"]),
        ("family:exact=martin", []),
        ("given=elo", ["810100000001"]),  # accent-insensitive
        ("family=martin&given=mar", ["810100000004"]),
        ("name=jean", ["810100000002"]),  # a word of "Jean-Pierre"
        ("name=almeida", ["810100000002"]),
        ("name:contains=almei&name:contains=pier", ["810100000002"]),  # repeated = AND
        ("name:contains=durand,martin", ["810100000004", "810100000006"]),  # comma = OR
        ("qualification-code=SM53", ["810100000001"]),
        ("qualification-code=50", ["810100000004"]),
        ("mailbox-mss=Marie.Martin@infirmier.mssante.fr", ["810100000004"]),
        ("mailbox-mss:contains=mssante.fr", ["810100000001", "810100000004"]),
        ("_id=810100000006", ["810100000006"]),
    ],
)
def test_practitioner_search(loaded, query: str, expected: list[str]) -> None:  # noqa: ANN001
    assert ids(search(loaded, query)) == expected


CONTAINS = [
    "name:contains=almei&name:contains=pier",
    "name:contains=durand,martin",
    "family:contains=fontaine",
    "given:contains=ierr",
    "name:contains=ar",  # too short for trigrams: always checked in page order
]


@pytest.mark.parametrize("query", CONTAINS)
def test_contains_gathered_or_walked_finds_the_same(loaded, monkeypatch, query: str) -> None:  # noqa: ANN001
    """Terms matching few names are gathered from practitioner_name, others checked on each
    practitioner in page order: both ways give the same pages."""
    gathered = ids(search(loaded, query))
    monkeypatch.setattr(queries, "GATHERED_NAMES", 0)  # as if every term were frequent
    walked = ids(search(loaded, query))
    assert gathered == walked
    assert gathered  # the fixtures hold a match of each


def test_revinclude_brings_the_roles(loaded) -> None:  # noqa: ANN001
    bundle = search(loaded, "identifier=10100000004&_revinclude=PractitionerRole:practitioner")
    assert ids(bundle) == ["810100000004"]
    assert len(ids(bundle, "include")) == 2


@pytest.mark.parametrize(
    ("query", "expected_practitioners"),
    [
        ("practitioner=Practitioner/810100000001", ["810100000001", "810100000001"]),
        ("organization=750000001", ["810100000001", "810100000004"]),
        ("organization.identifier=https://finess.esante.gouv.fr|750000001",
         ["810100000001", "810100000004"]),
        ("organization.identifier=12345678900017", ["810100000002"]),  # SIRET
        ("role=S", ["810100000001", "810100000004"]),
        ("role=https://mos.esante.gouv.fr/NOS/TRE_R21-Fonction/FHIR/TRE-R21-Fonction|FON-PH",
         ["810100000001"]),
        ("mailbox-mss=elodie.delafontaine@medecin.mssante.fr", ["810100000001"]),
    ],
)  # fmt: skip
def test_role_search(loaded, query: str, expected_practitioners: list[str]) -> None:  # noqa: ANN001
    bundle = search(loaded, query, "PractitionerRole")
    found = sorted(
        e["resource"]["practitioner"]["reference"].split("/")[1] for e in bundle["entry"]
    )
    assert found == expected_practitioners


def test_role_includes_practitioner_and_organization(loaded) -> None:  # noqa: ANN001
    bundle = search(loaded, "organization=750000001&_include=*", "PractitionerRole")
    included = sorted(ids(bundle, "include"))
    assert included == ["750000001", "810100000001", "810100000004"]
    role = bundle["entry"][0]["resource"]
    assert role["organization"]["reference"] == "Organization/750000001"
    organization = loaded.get("/fhir/Organization/R10000000000001").get_json()
    assert organization["name"] == "CABINET DU DR DE LA FONTAINE"


def test_an_identifier_search_pages_in_id_order(loaded) -> None:  # noqa: ANN001
    # Identifier values take the plan that gathers the matches before ordering them.
    query = f"identifier={RPPS}|10100000004,10100000001,{IDNPS}|0012600631&_count=2"
    first = search(loaded, query)
    [next_link] = [link["url"] for link in first["link"] if link["relation"] == "next"]
    parts = urlsplit(next_link)
    second = loaded.get(f"{parts.path}?{parts.query}").get_json()
    assert ids(first) + ids(second) == ["0012600631", "810100000001", "810100000004"]


def test_next_links_keep_chained_and_include_parameters(loaded) -> None:  # noqa: ANN001
    query = "organization.identifier=https://finess.esante.gouv.fr|750000001&_include=*&_count=1"
    first = search(loaded, query, "PractitionerRole")
    [next_link] = [link["url"] for link in first["link"] if link["relation"] == "next"]
    parts = urlsplit(next_link)
    second = loaded.get(f"{parts.path}?{parts.query}").get_json()
    assert len(ids(second)) == 1 and ids(second) != ids(first)
    assert len(ids(second, "include")) == 2  # the practitioner and the hospital again
    assert "organization.identifier" in parse_qs(parts.query)
    assert not [link for link in second["link"] if link["relation"] == "next"]


def test_last_updated_delta_shows_the_removed_person(load, loaded, tmp_path) -> None:  # noqa: ANN001
    before = search(loaded, "_id=810100000001")["entry"][0]["resource"]["meta"]["lastUpdated"]
    shutil.copytree(CURRENT, tmp_path / "next")
    activity = next((tmp_path / "next").glob("PS_LibreAcces_Personne_activite_*"))
    activity.write_text(
        "".join(line for line in activity.open() if "DURAND" not in line), encoding="utf-8"
    )
    load(tmp_path / "next", source="rpps", force=True)
    delta = search(loaded, f"_lastUpdated=gt{before}")
    assert ids(delta) == ["810100000006"]
    tombstone = delta["entry"][0]["resource"]
    assert tombstone["active"] is False and tombstone["identifier"]
    roles = search(loaded, f"_lastUpdated=gt{before}&active=false", "PractitionerRole")
    assert [e["resource"]["practitioner"]["reference"] for e in roles["entry"]] == [
        "Practitioner/810100000006"
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/fhir/Practitioner/999", 404),
        ("/fhir/PractitionerRole/nope", 404),
        ("/fhir/Practitioner?unknown=1", 400),
        ("/fhir/Practitioner?_lastUpdated=yesterday", 400),
        ("/fhir/Practitioner?family:near=x", 400),
        ("/fhir/PractitionerRole?_include=PractitionerRole:location", 400),
        ("/fhir/Practitioner?_cursor=garbage", 400),
    ],
)
def test_bad_requests_answer_an_operation_outcome(loaded, path: str, status: int) -> None:  # noqa: ANN001
    response = loaded.get(path)
    assert response.status_code == status
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_capability_statement_lists_the_practitioner_resources(loaded) -> None:  # noqa: ANN001
    statement = loaded.get("/fhir/metadata").get_json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert "PractitionerRole:organization" in resources["PractitionerRole"]["searchInclude"]
    params = {p["name"] for p in resources["Practitioner"]["searchParam"]}
    assert {"family", "given", "name", "qualification-code", "mailbox-mss"} <= params
