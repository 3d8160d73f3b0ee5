"""FHIR HealthcareService over the ROR fixture extract, on real PostgreSQL: read, every search
parameter, chained location criteria (capacity within one indicator of one location),
includes, paging."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from flask.testing import FlaskClient

from directory.offers import queries
from tests.conftest import shared_file
from tests.ror.test_fhir_location import follow, ids, included, next_link, search
from tests.ror.test_ror_loader import copy_extract, load_all, resources, write

ACTIVITY = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
PUBLIC = (
    "https://mos.esante.gouv.fr/NOS/TRE_R239-PublicPrisEnCharge/FHIR/TRE-R239-PublicPrisEnCharge"
)
UCUM = "http://unitsofmeasure.org"
STATUS = (
    "https://mos.esante.gouv.fr/NOS/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite"
)
GENDER = "https://mos.esante.gouv.fr/NOS/TRE_R332-GenreCapacite/FHIR/TRE-R332-GenreCapacite"
# The ROR documentation's query for offers with a bed available now for a woman.
AVAILABLE_FOR_WOMEN = (
    f"location.capacity-status={STATUS}|02&location.temporality-capacity=01"
    f"&location.gender-capacity-available={GENDER}|01&location.nb-capacity=gt0"
)


def services(client: FlaskClient, query: str) -> dict:
    return search(client, query, "HealthcareService")


# --- Read ------------------------------------------------------------------------------------


def test_read_serves_the_offer_as_loaded(loaded: FlaskClient) -> None:
    response = loaded.get("/fhir/HealthcareService/3007")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    offer = response.get_json()
    assert offer["resourceType"] == "HealthcareService" and offer["name"].startswith("Neuro")
    assert offer["providedBy"] == {"reference": "Organization/ror-2010"}
    assert [r["reference"] for r in offer["location"]] == ["Location/4010", "Location/4011"]
    since = response.headers["Last-Modified"]
    again = loaded.get("/fhir/HealthcareService/3007", headers={"If-Modified-Since": since})
    assert again.status_code == 304


def test_unknown_offer_is_404_and_a_removed_one_410(
    load: Callable,
    client: FlaskClient,
    tmp_path,  # noqa: ANN001
) -> None:
    load_all(load)
    assert client.get("/fhir/HealthcareService/9999").status_code == 404
    extract = copy_extract(tmp_path)
    offers = resources(extract / "HealthcareService.ndjson")
    write(extract / "HealthcareService.ndjson", [o for o in offers if o["id"] != "3010"])
    load(extract, source="ror", force=True)
    response = client.get("/fhir/HealthcareService/3010")
    assert response.status_code == 410
    assert response.get_json()["resourceType"] == "OperationOutcome"
    assert ids(services(client, "active=false")) == ["3010"]
    assert "3010" in ids(services(client, "_lastUpdated=ge2000"))


def test_the_shared_offer_sample_is_served(load: Callable, client: FlaskClient) -> None:
    load(shared_file("ror", "HealthcareService-1234564.json"), source="ror")
    offer = client.get("/fhir/HealthcareService/1234564").get_json()
    assert offer["identifier"][0]["value"] == "06/0099999"
    query = f"specialty={ACTIVITY}|022&service-category=157&age-range-low=le15&age-range-high=ge150"
    assert ids(services(client, query)) == ["1234564"]
    assert ids(services(client, "age-range-low=lt15")) == []


# --- Search parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("_id=3001,3009", ["3001", "3009"]),
        ("_id=4001", []),
        ("identifier=24/0003007", ["3007"]),
        ("identifier=24/9999999", []),
        ("name=neurochirurgie", ["3007", "3008"]),  # a prefix of the name
        ("name=pediatrique", []),
        ("name:contains=pediatrique", ["3008", "3010"]),  # accents ignored
        ("name:exact=Urgences polyvalentes", ["3002"]),
        ("name:exact=urgences polyvalentes", []),
        ("specialty=356", ["3001", "3010"]),
        (f"specialty={ACTIVITY}|183", ["3006", "3007"]),
        (f"specialty={ACTIVITY}|", ["3001", "3002", "3003", "3004", "3005", "3006", "3007",
                                     "3008", "3009", "3010"]),
        ("specialty=999", []),
        ("characteristic=32", ["3004", "3010"]),
        ("characteristic=99", []),
        ("service-type=04", ["3005", "3009"]),
        ("service-type=02", []),
        ("service-category=157", ["3003"]),
        ("service-category=158", []),
        ("patient-type=10", ["3005"]),
        (f"patient-type={PUBLIC}|30", ["3009"]),
        ("patient-type=20", []),
        ("age-range-low=le0.5", ["3002", "3004", "3008", "3010"]),  # 6 months is 0.5 year
        (f"age-range-low=ge60|{UCUM}|a", ["3009"]),
        ("age-range-low=gt60", []),
        ("age-range-high=lt20", ["3008", "3010"]),
        ("age-range-high=20||a", ["3005"]),
        ("age-range-low=le10&age-range-high=ge100", ["3002", "3004"]),
        ("age-range-high=gt150", []),
        ("organization=Organization/ror-2010", ["3006", "3007"]),
        ("organization=010090017,010090199", ["3002", "3005"]),
        ("organization=ror-1010", []),
        ("location=Location/4010", ["3006", "3007"]),
        ("location=4011", ["3007", "3008"]),
        ("location=4999", []),
        ("_tag=24", ["3006", "3007", "3008"]),
        ("_tag=11", []),
        ("active=true&_tag=94", ["3009"]),
        ("active=false", []),
        ("specialty=183&name=surveillance", ["3006"]),  # repeated parameters: AND
    ],
)  # fmt: skip
def test_offer_search(loaded: FlaskClient, query: str, expected: list[str]) -> None:
    assert ids(services(loaded, query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (AVAILABLE_FOR_WOMEN, ["3001", "3002", "3003", "3009", "3010"]),
        (f"specialty=356&{AVAILABLE_FOR_WOMEN}", ["3001", "3010"]),
        ("location.address-city=orleans", ["3006", "3007", "3008"]),
        ("location.address-city=lyon", []),
        ("location.near=47.8379|1.933|30|m", ["3007", "3008"]),
        ("location.near=47.8379|1.933|5|km&location.capacity-status=06", ["3006", "3007"]),
        ("location.near=48.85|2.35|20", []),
        ("location.identifier=1010090199/IME-JOUR", ["3005"]),
        ("location._id=4020", ["3009"]),
        ("location.type=002", ["3004"]),
        ("location.organization=010090199", ["3005"]),
        ("location._tag=94", ["3009"]),
        ("location.capacity-type=02&location.nb-capacity=ge60", ["3009"]),
        ("location.capacity-closing-type=01", ["3001", "3010"]),
        ("location.crisis-type=02&location.additional-bed-type=03", ["3006", "3007"]),
        ("location.temporary-assignement=02", []),
        ("location.capacity-update-date=lt2025", ["3006", "3007"]),
        ("location.name:contains=neurovasc", ["3001", "3010"]),
        ("location.commune-cog=2A004", ["3009"]),
        ("location.address-postalcode=01,20", ["3001", "3002", "3003", "3004", "3005",
                                               "3009", "3010"]),
        ("location.status=active&specialty=437", ["3004"]),
    ],
)  # fmt: skip
def test_chained_location_search(loaded: FlaskClient, query: str, expected: list[str]) -> None:
    assert ids(services(loaded, query)) == expected


@pytest.mark.parametrize(
    "query",
    [
        # 4010 and 4011: women's beds available now 0, "03" beds 3, "04" beds 2: each
        # criterion matches an indicator, none matches all.
        f"organization=ror-2010&{AVAILABLE_FOR_WOMEN}",
        # 4011 has 2 beds now and 4 in 24 hours.
        "location.temporality-capacity=03&location.nb-capacity=lt3",
        # 3007 is at 4010 (extra beds of a plan blanc) and at 4011 (a 24-hour forecast):
        # the criteria of one chain hold at one location.
        "location.capacity-status=06&location.temporality-capacity=03",
        "location.address-city=orleans&location.gender-capacity-available=01&location._id=4011",
    ],
)
def test_chained_criteria_hold_within_one_indicator_of_one_location(
    loaded: FlaskClient, query: str
) -> None:
    assert ids(services(loaded, query)) == []


@pytest.mark.parametrize(
    ("indexed", "listed"),
    [(100, 2000), (0, 2000), (0, 0)],
    ids=["location-index", "listed-locations", "offer-by-offer"],
)
def test_every_way_of_finding_offers_of_locations_agrees(
    loaded: FlaskClient, monkeypatch: pytest.MonkeyPatch, indexed: int, listed: int
) -> None:
    """However many locations meet the chained criteria, the answer is the same."""
    monkeypatch.setattr(queries, "INDEXED_LOCATIONS", indexed)
    monkeypatch.setattr(queries, "LISTED_LOCATIONS", listed)
    assert ids(services(loaded, AVAILABLE_FOR_WOMEN)) == ["3001", "3002", "3003", "3009", "3010"]
    assert (
        ids(services(loaded, "location.capacity-status=06&location.temporality-capacity=03")) == []
    )
    assert ids(services(loaded, "location.near=47.8379|1.933|30|m")) == ["3007", "3008"]


BED_NOW = "location.capacity-status=02&location.temporality-capacity=01&location.nb-capacity=gt0"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (BED_NOW, ["3001", "3002", "3003", "3005", "3006", "3007", "3008", "3009", "3010"]),
        (
            "location.nb-capacity=ge1&location.temporality-capacity=01&location.capacity-status=02",
            ["3001", "3002", "3003", "3005", "3006", "3007", "3008", "3009", "3010"],
        ),
        (f"specialty={ACTIVITY}|157&{BED_NOW}", ["3002"]),
        (f"specialty=157&{BED_NOW}", ["3002"]),
    ],
)
def test_a_bed_now_read_from_the_offer_projection_agrees_with_the_indicators(
    loaded: FlaskClient,
    clean_db: str,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    expected: list[str],
) -> None:
    """ "A bed now" is answered by the projection's `beds` (kept by triggers), other chained
    criteria by reading the indicators: the two agree, for offers without a position and
    removed ones too, and after indicators change."""

    def both() -> list[str]:
        fast = ids(services(loaded, query))
        with monkeypatch.context() as m:
            m.setattr(queries, "asks_a_bed_now", lambda _q: False)
            assert ids(services(loaded, query)) == fast
        return fast

    with psycopg.connect(clean_db, autocommit=True) as conn:
        # 3005 (IME, location 4003, a bed of gender 04) loses its position; 3001 is removed.
        conn.execute("UPDATE location SET latitude = NULL, longitude = NULL WHERE id = '4003'")
        conn.execute(
            "UPDATE organization SET latitude = NULL, longitude = NULL WHERE id = "
            "(SELECT coalesce(establishment_id, organization_id) FROM healthcare_service "
            "WHERE id = '3005')"
        )
        conn.execute("UPDATE healthcare_service SET active = false WHERE id = '3001'")
        assert both() == expected
        conn.execute("UPDATE location_capacity SET nb = 0 WHERE location_id = '4003'")
        assert "3005" not in both()
        conn.execute("DELETE FROM location_capacity WHERE location_id = '4002'")  # 3001, 3010
        assert not {"3001", "3010"} & set(both())
        conn.execute("TRUNCATE location_capacity")
        assert both() == []


# --- Paging, includes ------------------------------------------------------------------------


def test_pages_keep_chained_and_include_parameters(loaded: FlaskClient) -> None:
    query = (
        "location.capacity-status=02&location.nb-capacity=gt0"
        "&_include=HealthcareService:location&_count=5"
    )
    first = services(loaded, query)
    assert ids(first) == ["3001", "3002", "3003", "3005", "3006"]
    assert {i for t, i in included(first) if t == "Location"} == {"4001", "4002", "4003", "4010"}
    link = next_link(first)
    assert parse_qs(urlsplit(link).query)["location.nb-capacity"] == ["gt0"]  # type: ignore[arg-type]
    second = follow(loaded, link)  # type: ignore[arg-type]
    assert ids(second) == ["3007", "3008", "3009", "3010"]
    assert {i for t, i in included(second) if t == "Location"} == {"4002", "4010", "4011", "4020"}
    assert next_link(second) is None


def test_included_locations_carry_their_live_capacity(loaded: FlaskClient) -> None:
    bundle = services(loaded, "_id=3006&_include=HealthcareService:location")
    (location,) = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert location["id"] == "4010" and location["meta"]["versionId"] == "1"
    capacities = [e for e in location["extension"] if e["url"].endswith("supported-capacity")]
    assert len(capacities) == 5


def test_includes_and_revincludes(loaded: FlaskClient) -> None:
    bundle = services(loaded, "_id=3001,3004&_include=*&_revinclude=PractitionerRole:service")
    assert ids(bundle) == ["3001", "3004"]
    assert included(bundle) == {
        ("Location", "4002"),
        ("Location", "4004"),
        ("Organization", "ror-2001"),
        ("Organization", "ror-2002"),
        ("PractitionerRole", "6001"),
        ("PractitionerRole", "6002"),
    }
    only_organizations = services(loaded, "_id=3002&_include=HealthcareService:organization")
    assert included(only_organizations) == {("Organization", "010090017")}


def test_last_updated_delta(loaded: FlaskClient) -> None:
    loaded_at = services(loaded, "_id=3001")["entry"][0]["resource"]["meta"]["lastUpdated"]
    assert len(ids(services(loaded, f"_lastUpdated=ge{loaded_at[:10]}"))) == 10
    assert ids(services(loaded, f"_lastUpdated=gt{loaded_at}")) == []


@pytest.mark.parametrize(
    "query",
    [
        "unknown=1",
        "location.unknown=1",
        "specialty:text=cardio",
        "age-range-low=abc",
        f"age-range-low=le6|{UCUM}|mo",
        "age-range-high=ap35",
        "location.nb-capacity=x",
        "location.near=1|2|3|miles",
        "_include=HealthcareService:practitioner",
        "_revinclude=Task:focus",
        "_lastUpdated=yesterday",
        "active=maybe",
        "_cursor=garbage",
    ],
)
def test_bad_searches_answer_400(loaded: FlaskClient, query: str) -> None:
    response = loaded.get(f"/fhir/HealthcareService?{query}")
    assert response.status_code == 400, query
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_capability_statement_lists_healthcare_service(loaded: FlaskClient) -> None:
    statement = loaded.get("/fhir/metadata").get_json()
    resource = next(r for r in statement["rest"][0]["resource"] if r["type"] == "HealthcareService")
    assert set(resource["searchInclude"]) >= {
        "HealthcareService:location",
        "HealthcareService:organization",
    }
    assert resource["searchRevInclude"] == ["PractitionerRole:service"]
    params = {p["name"]: p["type"] for p in resource["searchParam"]}
    assert params["age-range-low"] == "quantity" and params["location"] == "reference"
    assert params["location.capacity-status"] == "token"
