"""FHIR Location over the ROR fixture extract, on real PostgreSQL: read with live capacity and
validators, every search parameter, capacity criteria within one indicator, near, includes."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from directory.offers.systems import DIMENSIONS, SUPPORTED_CAPACITY
from tests.conftest import shared_file
from tests.ror.test_ror_loader import copy_extract, load_all, resources, write

SYSTEM = {d.param: d.system for d in DIMENSIONS}
VALUE_SET = {d.param: d.value_set for d in DIMENSIONS}
COMMUNE = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
FUNCTION = "https://mos.esante.gouv.fr/NOS/TRE_R343-FonctionLieu/FHIR/TRE-R343-FonctionLieu"
REGION = "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
STATUT_LIEU = "https://mos.esante.gouv.fr/NOS/TRE_R203-StatutLieu/FHIR/TRE-R203-StatutLieu"


def search(client: FlaskClient, query: str, resource: str = "Location") -> dict:
    response = client.get(f"/fhir/{resource}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(bundle: dict, mode: str = "match") -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == mode]


def included(bundle: dict) -> set[tuple[str, str]]:
    return {
        (e["resource"]["resourceType"], e["resource"]["id"])
        for e in bundle.get("entry", [])
        if e["search"]["mode"] == "include"
    }


def next_link(bundle: dict) -> str | None:
    found = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
    return found[0] if found else None


def follow(client: FlaskClient, url: str) -> dict:
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def capacity(resource: dict) -> dict[tuple[str, str, str], int]:
    """(status, temporality, gender) → count of the served capacity extensions."""
    found = {}
    for extension in resource.get("extension", []):
        if extension["url"] != SUPPORTED_CAPACITY:
            continue
        parts = {p["url"]: p for p in extension["extension"]}

        def code(url: str, parts: dict = parts) -> str:
            part = parts.get(url)
            return part["valueCodeableConcept"]["coding"][0]["code"] if part else ""

        key = (code("capacityStatus"), code("temporalityCapacity"), code("genderCapacityAvailable"))
        found[key] = parts["nbCapacity"]["valueInteger"]
    return found


def set_available(engine: Engine, location_id: str, gender: str, nb: int) -> None:
    """A capacity write as the bed-management API makes it: the row, and a new version."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE location_capacity SET nb = :nb, last_updated = now() "
                "WHERE location_id = :id AND status = '02' AND temporality = '01' "
                "AND gender = :gender"
            ),
            {"nb": nb, "id": location_id, "gender": gender},
        )
        conn.execute(
            text("UPDATE location SET last_updated = now() WHERE id = :id"), {"id": location_id}
        )


# --- Read ------------------------------------------------------------------------------------


def test_read_adds_the_live_capacity_and_the_version(loaded: FlaskClient) -> None:
    response = loaded.get("/fhir/Location/4010")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert response.headers["ETag"] == 'W/"1"'
    location = response.get_json()
    assert location["resourceType"] == "Location" and location["meta"]["versionId"] == "1"
    assert response.headers["Last-Modified"]
    # The five indicators of the domain notes' example, as extensions in the current shape.
    assert capacity(location) == {
        ("01", "01", ""): 15,
        ("06", "01", ""): 0,
        ("02", "01", "01"): 0,
        ("02", "01", "02"): 0,
        ("02", "01", "03"): 3,
    }
    # The stored extensions (commune, creation date) are kept.
    urls = {e["url"] for e in location["extension"]}
    assert any(url.endswith("ror-commune-cog") for url in urls)


def test_read_answers_304_to_a_current_copy(loaded: FlaskClient) -> None:
    first = loaded.get("/fhir/Location/4001")
    again = loaded.get("/fhir/Location/4001", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    stale = loaded.get("/fhir/Location/4001", headers={"If-None-Match": 'W/"0"'})
    assert stale.status_code == 200


def test_a_capacity_write_shows_in_the_next_read_and_search(
    loaded: FlaskClient, engine: Engine
) -> None:
    query = (
        "capacity-status=02&temporality-capacity=01&gender-capacity-available=02&nb-capacity=gt0"
    )
    assert ids(search(loaded, query)) == ["4001"]
    set_available(engine, "4010", "02", 4)
    response = loaded.get("/fhir/Location/4010")
    assert response.headers["ETag"] == 'W/"2"'
    assert capacity(response.get_json())[("02", "01", "02")] == 4
    bundle = search(loaded, query)
    assert ids(bundle) == ["4001", "4010"]
    served = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "4010")
    assert served["meta"]["versionId"] == "2" and capacity(served)[("02", "01", "02")] == 4


def test_a_removed_location_is_gone(load: Callable, client: FlaskClient, tmp_path) -> None:  # noqa: ANN001
    load_all(load)
    extract = copy_extract(tmp_path)
    locations = resources(extract / "Location.ndjson")
    write(extract / "Location.ndjson", [loc for loc in locations if loc["id"] != "4004"])
    load(extract, source="ror", force=True)
    response = client.get("/fhir/Location/4004")
    assert response.status_code == 410
    assert response.get_json()["issue"][0]["code"] == "deleted"
    # Deltas still show it, as a tombstone.
    tombstone = search(client, "_lastUpdated=ge2000-01-01&_id=4004")["entry"][0]["resource"]
    assert tombstone["status"] == "inactive"


def test_the_shared_location_sample_is_served(load: Callable, client: FlaskClient) -> None:
    load(shared_file("ror", "Location-ror-location-exemple.json"), source="ror")
    location = client.get("/fhir/Location/ror-location-exemple").get_json()
    assert location["address"]["city"] == "Versailles" and capacity(location) == {}
    assert location["meta"]["versionId"] == "1"
    query = "commune-cog=78646&address-city=versailles&address-postalcode=78&type=001"
    assert ids(search(client, query)) == ["ror-location-exemple"]
    assert ids(search(client, "commune-cog=78000")) == []


def test_search_by_post(loaded: FlaskClient) -> None:
    response = loaded.post("/fhir/Location/_search", data={"capacity-status": "06"})
    assert response.status_code == 200
    assert ids(response.get_json()) == ["4010"]


def test_unknown_location_is_404(loaded: FlaskClient) -> None:
    response = loaded.get("/fhir/Location/nope")
    assert response.status_code == 404
    assert response.get_json()["resourceType"] == "OperationOutcome"


# --- Search parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("_id=4001,4010", ["4001", "4010"]),
        ("_id=9999", []),
        ("identifier=24/4010", ["4010"]),
        ("identifier=1450000013/NCH-3", ["4011"]),  # the type-26 synchronisation id
        ("identifier=1450000013/NOPE", []),
        ("name=unite", ["4002", "4010"]),  # accents and case ignored, a prefix of the name
        ("name=neurovasculaire", []),
        ("name:contains=neurovasc", ["4002"]),
        ("name:exact=Unité neurovasculaire", ["4002"]),
        ("name:exact=unité neurovasculaire", []),
        ("type=002", ["4004"]),
        (f"type={FUNCTION}|002", ["4004"]),
        ("type=999", []),
        ("status=active&_id=4001", ["4001"]),
        ("status=http://hl7.org/fhir/location-status|suspended", []),
        ("address-postalcode=45", ["4010", "4011"]),
        ("address-postalcode=20,0144", ["4001", "4002", "4020"]),  # comma: OR of prefixes
        ("address-postalcode=75", []),
        ("address-city=bourg", ["4003", "4004"]),
        ("address-city:exact=orleans", ["4010", "4011"]),
        ("address-city=paris", []),
        ("commune-cog=45234", ["4010", "4011"]),
        (f"commune-cog={COMMUNE}|2A004", ["4020"]),
        ("commune-cog=https://example.org/other|45234", []),  # not the commune system
        ("_tag=24", ["4010", "4011"]),
        (f"_tag={REGION}|94", ["4020"]),
        ("_tag=11", []),
        ("organization=Organization/ror-2010", ["4010", "4011"]),
        ("organization=010090199", ["4003"]),
        ("organization=ror-9999", []),
    ],
)
def test_location_search(loaded: FlaskClient, query: str, expected: list[str]) -> None:
    assert ids(search(loaded, query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("capacity-type=02", ["4003", "4020"]),  # places
        (f"capacity-type={SYSTEM['capacity-type']}|01&capacity-status=05", ["4002"]),
        (f"capacity-status={SYSTEM['capacity-status']}|06", ["4010"]),
        (f"capacity-status={VALUE_SET['capacity-status']}|06", ["4010"]),  # the JDV as system
        ("capacity-status=https://example.org/other|06", []),
        ("capacity-status=07", []),
        ("temporality-capacity=03", ["4011"]),
        ("temporality-capacity=05", []),
        ("gender-capacity-available=03", ["4010"]),  # deprecated, kept as the source says
        (f"gender-capacity-available={SYSTEM['gender-capacity-available']}|", [
            "4001", "4002", "4003", "4010", "4011", "4020"]),  # system|: any gender given
        ("gender-capacity-available=01&nb-capacity=gt0", ["4001", "4002", "4020"]),
        ("capacity-closing-type=01", ["4002"]),
        ("capacity-closing-type=02", []),
        ("additional-bed-type=03&crisis-type=02", ["4010"]),
        ("additional-bed-type=01", []),
        ("crisis-type=01", []),
        ("temporary-assignement=01&capacity-type=02&capacity-status=02", ["4003", "4020"]),
        ("temporary-assignement=02", []),
        ("nb-capacity=60", ["4020"]),
        ("nb-capacity=ge40", ["4003", "4020"]),
        ("nb-capacity=lt1&capacity-status=05", []),
        ("nb-capacity=le0&capacity-status=02", ["4001", "4002", "4010"]),
        ("nb-capacity=ne0&capacity-status=06", []),
        ("capacity-update-date=lt2025", ["4010"]),
        ("capacity-update-date=2025-11-20", ["4001", "4002", "4003", "4011", "4020"]),
        ("capacity-update-date=gt2025-11-20T06:30:00Z", []),
    ],
)  # fmt: skip
def test_capacity_search(loaded: FlaskClient, query: str, expected: list[str]) -> None:
    assert ids(search(loaded, query)) == expected


@pytest.mark.parametrize(
    "query",
    [
        # 4010: an available-now indicator for women (0 beds) and one for "03" (3 beds).
        "capacity-status=02&gender-capacity-available=01&nb-capacity=gt0&_id=4010",
        # 4011: 2 beds available now, 4 in 24 hours.
        "temporality-capacity=03&nb-capacity=lt3",
        # 4002: 2 closed re-openable beds, 1 available bed for women.
        "capacity-status=05&gender-capacity-available=01",
        "capacity-closing-type=01&nb-capacity=1",
    ],
)
def test_capacity_criteria_hold_within_one_indicator(loaded: FlaskClient, query: str) -> None:
    """Each criterion matches an indicator of the location, but no indicator matches all."""
    assert ids(search(loaded, query)) == []


def test_operational_status(load: Callable, client: FlaskClient, tmp_path) -> None:  # noqa: ANN001
    extract = copy_extract(tmp_path)
    locations = resources(extract / "Location.ndjson")
    for location in locations:
        if location["id"] == "4004":
            location["operationalStatus"] = {"system": STATUT_LIEU, "code": "02"}
    write(extract / "Location.ndjson", locations)
    load_all(load, extract)
    assert ids(search(client, "operational-status=02")) == ["4004"]
    assert ids(search(client, f"operational-status={STATUT_LIEU}|02")) == ["4004"]
    assert ids(search(client, "operational-status=01")) == []


def test_last_updated_finds_a_written_location(loaded: FlaskClient, engine: Engine) -> None:
    loaded_at = search(loaded, "_id=4001")["entry"][0]["resource"]["meta"]["lastUpdated"]
    assert ids(search(loaded, f"_lastUpdated=gt{loaded_at}")) == []
    set_available(engine, "4020", "01", 0)
    assert ids(search(loaded, f"_lastUpdated=gt{loaded_at}")) == ["4020"]


# --- near ------------------------------------------------------------------------------------


def test_near_sorts_by_distance_and_reports_it(loaded: FlaskClient) -> None:
    bundle = search(loaded, "near=46.2231|5.2105|10|km")
    assert ids(bundle) == ["4002", "4001", "4004", "4003"]
    distances = [e["search"]["extension"][0]["valueDistance"]["value"] for e in bundle["entry"]]
    assert distances == sorted(distances) and distances[0] == 0
    assert ids(search(loaded, "near=46.2231|5.2105|200|m")) == ["4002", "4001"]
    assert ids(search(loaded, "near=48.85|2.35|50")) == []  # km by default
    # near with capacity: the available bed for women closest to the point.
    query = "near=46.2231|5.2105|10|km&gender-capacity-available=01&nb-capacity=gt0"
    assert ids(search(loaded, query)) == ["4002", "4001"]
    assert ids(search(loaded, "near=46.2231|5.2105|10|km&_sort=_id")) == [
        "4001", "4002", "4003", "4004"]  # fmt: skip


def test_near_pages_keep_the_distance_order(loaded: FlaskClient) -> None:
    first = search(loaded, "near=46.2231|5.2105|10|km&_count=3")
    second = follow(loaded, next_link(first))  # type: ignore[arg-type]
    assert ids(first) + ids(second) == ["4002", "4001", "4004", "4003"]
    assert next_link(second) is None


# --- Paging, includes ------------------------------------------------------------------------


def test_totals(loaded: FlaskClient) -> None:
    counted = search(loaded, "capacity-status=02&nb-capacity=gt0&_summary=count")
    assert counted["total"] == 6 and not counted["entry"]
    near = search(loaded, "near=46.2231|5.2105|10|km&_count=1&_total=accurate")
    assert near["total"] == 4 and ids(near) == ["4002"]


def test_pages_keep_every_parameter(loaded: FlaskClient) -> None:
    query = "capacity-status=02&nb-capacity=gt0&_revinclude=HealthcareService:location&_count=2"
    first = search(loaded, query)
    assert ids(first) == ["4001", "4002"]
    link = next_link(first)
    assert parse_qs(urlsplit(link).query)["nb-capacity"] == ["gt0"]  # type: ignore[arg-type]
    second = follow(loaded, link)  # type: ignore[arg-type]
    assert ids(second) == ["4003", "4010"]
    assert included(second) == {("HealthcareService", i) for i in ("3005", "3006", "3007")}
    third = follow(loaded, next_link(second))  # type: ignore[arg-type]
    assert ids(third) == ["4011", "4020"] and next_link(third) is None


def test_revinclude_brings_the_offers_and_include_the_organization(loaded: FlaskClient) -> None:
    bundle = search(
        loaded,
        "_id=4001&_revinclude=HealthcareService:location&_include=Location:organization",
    )
    assert ids(bundle) == ["4001"]
    assert included(bundle) == {
        ("HealthcareService", "3002"),
        ("HealthcareService", "3003"),
        ("Organization", "010090017"),
    }


@pytest.mark.parametrize(
    "query",
    [
        "unknown=1",
        "capacity-status:exact=02",
        "nb-capacity=abc",
        "nb-capacity=sa3",
        "nb-capacity=gt1|a",
        "capacity-update-date=yesterday",
        "near=46|5|5000|km",
        "near=46|5&near=47|5",
        "_include=Location:partof",
        "_revinclude=PractitionerRole:location",
        "_sort=near",
        "_cursor=garbage",
        "name=",
    ],
)
def test_bad_searches_answer_400(loaded: FlaskClient, query: str) -> None:
    response = loaded.get(f"/fhir/Location?{query}")
    assert response.status_code == 400, query
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_capability_statement_lists_location(loaded: FlaskClient) -> None:
    statement = loaded.get("/fhir/metadata").get_json()
    resource = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Location")
    assert [i["code"] for i in resource["interaction"]] == [
        "read", "search-type", "patch", "history-instance"]  # fmt: skip
    assert resource["searchRevInclude"] == ["HealthcareService:location"]
    params = {p["name"]: p["type"] for p in resource["searchParam"]}
    assert params["nb-capacity"] == "number" and params["near"] == "special"
    assert {d.param for d in DIMENSIONS} <= set(params)
