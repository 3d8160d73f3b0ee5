"""GET /api/v1/offers/search, the SAS regulator search, on the ROR fixture extract: places,
radius (given, per département, adaptive), every filter, beds by gender, freshness, facets,
paging, bad input, and a projection that follows loads and capacity writes."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from annuaire.settings import Settings
from api import create_app
from directory.errors import InvalidParameter
from directory.offers import sas, sas_grid, sas_place
from directory.offers.radii import (
    BUILT_IN,
    RadiiError,
    Radius,
    RadiusTable,
    department_code,
    read_radii,
)
from directory.search.paging import Cursor, encode_cursor, fingerprint
from loaders.pipeline import LoadResult
from loaders.scheduling.config import parse_duration
from tests.conftest import FIXTURES, shared_file

EXTRACT = FIXTURES / "ror" / "extract"
FINESS = FIXTURES / "finess" / "finess-structures-journalier-20261102.json"
RADII = FIXTURES / "ror" / "radii.csv"  # Ain: 5 km growing by 100 km; Corse-du-Sud: 3 km
LAC = "010090017"  # CLINIQUE DU LAC, Viriat (01): offers 3001–3004 and 3010
IME = "010090199"  # IME DES TESTS, Bourg-en-Bresse (01): offer 3005
LOIRE = "ror-1011"  # CLINIQUE DES BORDS DE LOIRE, Orléans (45), unknown to FINESS: 3006–3008
TILLEULS = "ror-1020"  # EHPAD LES TILLEULS, Ajaccio (2A): offer 3009
BOURG = "lat=46.2&lon=5.22"  # 0.7 km from LAC's location 4004, 2.9 km from IME
ORLEANS = "lat=47.84&lon=1.93"
# Available-now indicators (location|type|status|temporality|gender|…|assignment).
MEN_AT_4001 = "4001|01|02|01|02||||01"  # 1 bed: offers 3002, 3003
MEN_AT_4002 = "4002|01|02|01|02||||01"  # 0 beds: offers 3001, 3010
WOMEN_AT_4001 = "4001|01|02|01|01||||01"  # 2 beds
PLAN_BLANC_4010 = "4010|01|06|01|||03|02|01"  # 0 extra beds: offers 3006, 3007

Load = Callable[..., LoadResult]


@pytest.fixture
def loaded(load: Load, clean_db: str) -> str:
    """FINESS first, as an operator would (the extract's establishments are FINESS's), then
    the ROR extract."""
    load(FINESS)
    load(EXTRACT, source="ror")
    return clean_db


def sas_client(database_url: str, engine: Engine, **settings: str) -> FlaskClient:
    app = create_app(
        Settings(database_url=database_url, terminology_refresh_seconds="0", **settings), engine
    )
    app.testing = True
    return app.test_client()


@pytest.fixture
def client(loaded: str, database_url: str, engine: Engine) -> FlaskClient:
    return sas_client(database_url, engine, sas_radii=str(RADII))


def execute(url: str, sql: str, *params: object) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(sql, params or None)


def search(client: FlaskClient, query: str) -> dict:
    response = client.get(f"/api/v1/offers/search?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def found(client: FlaskClient, query: str) -> dict[str, list[str]]:
    """Establishment → its offers, in the order served."""
    return {
        item["establishment_id"]: [offer["id"] for offer in item["offers"]]
        for item in search(client, query)["items"]
    }


def problem(client: FlaskClient, query: str) -> str:
    response = client.get(f"/api/v1/offers/search?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["title"]
    return body["detail"]


def offer(body: dict, offer_id: str) -> dict:
    return next(o for item in body["items"] for o in item["offers"] if o["id"] == offer_id)


# --- Places and distance ---------------------------------------------------------------------


def test_point_search_gives_establishments_nearest_first_with_their_offers(
    client: FlaskClient,
) -> None:
    body = search(client, f"{BOURG}&radius_km=30")
    assert body["total"] == 2
    assert body["radius_km"] == 30 and body["radius_source"] == "given"
    assert body["place"] == {
        "latitude": 46.2,
        "longitude": 5.22,
        "department": "01",
        "source": "point",
    }
    lac, ime = body["items"]
    assert (lac["establishment_id"], ime["establishment_id"]) == (LAC, IME)
    assert lac["distance_km"] == pytest.approx(0.717, abs=0.01)
    assert ime["distance_km"] == pytest.approx(2.92, abs=0.01)
    assert (lac["name"], lac["finess"]) == ("CLINIQUE DU LAC", LAC)
    assert lac["category"]["code"] == "355"
    assert lac["address"]["commune_insee"] == "01451"
    # Each offer at its own location's distance, nearest first.
    assert [o["id"] for o in lac["offers"]] == ["3004", "3002", "3003", "3001", "3010"]
    usinv = offer(body, "3001")
    assert usinv["identifier"] and usinv["name"].startswith("USINV")
    assert usinv["activity"] == [{"code": "356", "label": None}]
    assert usinv["care_mode"] == [{"code": "28", "label": None}]
    assert usinv["age_range"] == {"low": 18.0, "high": 120.0}
    assert body["next"] is None


def test_an_establishment_finess_does_not_know_is_found_with_its_ror_address(
    client: FlaskClient,
) -> None:
    body = search(client, f"{ORLEANS}&radius_km=10")
    (loire,) = body["items"]
    assert loire["establishment_id"] == LOIRE and loire["finess"] == "450000013"
    assert loire["address"]["city"] == "ORLEANS"
    # 3008 is at 4011, 3006 at 4010; 3007, at both, is listed once, at its first (4010).
    assert [o["id"] for o in loire["offers"]] == ["3008", "3006", "3007"]


def test_commune_is_the_centroid_of_its_known_positions(client: FlaskClient) -> None:
    body = search(client, "commune=01053&radius_km=5")
    assert body["place"]["source"] == "commune" and body["place"]["department"] == "01"
    assert 46.20 < body["place"]["latitude"] < 46.22
    assert [i["establishment_id"] for i in body["items"]] == [IME, LAC]


def test_postcode_is_the_centroid_of_its_known_positions(client: FlaskClient) -> None:
    body = search(client, "postcode=45100&radius_km=5")
    assert body["place"]["department"] == "45"
    assert [i["establishment_id"] for i in body["items"]] == [LOIRE]


def test_a_small_radius_leaves_out_what_is_beyond(client: FlaskClient) -> None:
    assert list(found(client, f"{BOURG}&radius_km=1")) == [LAC]
    assert list(found(client, f"{BOURG}&radius_km=400")) == [LAC, IME, LOIRE]


# --- Radius ---------------------------------------------------------------------------------


def test_default_radius_is_the_departement_radius_of_the_csv(client: FlaskClient) -> None:
    body = search(client, BOURG)  # Ain: 5 km in radii.csv
    assert (body["radius_km"], body["radius_source"]) == (5, "department")
    assert body["total"] == 2


def test_csv_codes_of_corsica_are_insee_codes(client: FlaskClient) -> None:
    body = search(client, "commune=2A004")  # 20A in the CSV
    assert (body["radius_km"], body["radius_source"]) == (3, "department")
    assert [i["establishment_id"] for i in body["items"]] == [TILLEULS]


def test_a_departement_not_in_the_csv_gets_the_built_in_radius(client: FlaskClient) -> None:
    body = search(client, ORLEANS)
    assert (body["radius_km"], body["radius_source"]) == (BUILT_IN.km, "default")


def test_without_a_csv_every_departement_gets_the_built_in_radius(
    loaded: str, database_url: str, engine: Engine
) -> None:
    body = search(sas_client(database_url, engine), BOURG)
    assert (body["radius_km"], body["radius_source"]) == (BUILT_IN.km, "default")


def test_adaptive_radius_grows_by_the_departement_step(client: FlaskClient) -> None:
    # Ain: 5 km, then 105, 205, 305 (Orléans is 309 km away), 405 capped at 400.
    body = search(client, f"{BOURG}&adaptive=true&min_results=3&max_radius_km=400")
    assert (body["radius_km"], body["radius_source"]) == (400, "adaptive")
    assert [i["establishment_id"] for i in body["items"]] == [LAC, IME, LOIRE]


def test_adaptive_radius_doubles_a_given_radius(client: FlaskClient) -> None:
    body = search(client, f"{BOURG}&radius_km=1&adaptive=true&min_results=2")
    assert (body["radius_km"], body["radius_source"]) == (4, "adaptive")  # IME at 2.9 km
    assert body["total"] == 2


def test_adaptive_radius_stops_at_its_maximum(client: FlaskClient) -> None:
    body = search(client, f"{BOURG}&adaptive=true&min_results=5&max_radius_km=50")
    assert (body["radius_km"], body["total"]) == (50, 2)


def test_adaptive_radius_does_not_grow_when_enough_is_found(client: FlaskClient) -> None:
    body = search(client, f"{BOURG}&adaptive=true&min_results=2")
    assert (body["radius_km"], body["radius_source"]) == (5, "department")


# --- Filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ("activity=356", {LAC: ["3001", "3010"]}),
        ("activity=356,157", {LAC: ["3002", "3001", "3010"]}),
        ("activity=356&activity=301", {LAC: ["3001", "3010"], IME: ["3005"]}),
        ("activity=999", {}),
        ("care_mode=32", {LAC: ["3004", "3010"]}),
        ("care_mode=99", {}),
        ("field=04", {IME: ["3005"]}),
        ("field=02", {}),
        ("offer_type=157", {LAC: ["3003"]}),
        ("offer_type=158", {}),
        ("public=10", {IME: ["3005"]}),
        ("public=11", {}),
        ("age=10", {LAC: ["3004", "3002", "3010"], IME: ["3005"]}),
        ("age=70", {LAC: ["3004", "3002", "3003", "3001"]}),
        ("age=130", {LAC: ["3003"]}),
        ("activity=356&age=10", {LAC: ["3010"]}),
        ("activity=356&care_mode=28", {LAC: ["3001"]}),
    ],
)
def test_each_filter_keeps_the_offers_that_fit(
    client: FlaskClient, filters: str, expected: dict
) -> None:
    assert found(client, f"{BOURG}&radius_km=10&{filters}") == expected


def test_beds_available_keeps_offers_with_a_bed_now(client: FlaskClient) -> None:
    # Location 4004 (offer 3004) has no capacity at all.
    assert found(client, f"{BOURG}&beds_available=true") == {
        LAC: ["3002", "3003", "3001", "3010"],
        IME: ["3005"],
    }


@pytest.mark.parametrize(
    ("place", "genders", "expected"),
    [
        # 4001 has men's and women's beds; 4002 a woman's; IME's 4003 one of gender 04.
        (BOURG, "02", {LAC: ["3002", "3003"]}),
        (BOURG, "01", {LAC: ["3002", "3003", "3001", "3010"]}),
        (BOURG, "04", {IME: ["3005"]}),
        (BOURG, "02,04", {LAC: ["3002", "3003"], IME: ["3005"]}),
        # Orléans 4010: no woman's bed, but 3 beds of the deprecated 03 (indifférencié):
        # they answer a woman. 4011 (3008) has only beds of gender 04.
        (ORLEANS, "01", {LOIRE: ["3006", "3007"]}),
        # Asking for 03 accepts a bed of any gender.
        (ORLEANS, "03", {LOIRE: ["3008", "3006", "3007"]}),
    ],
)
def test_gender_is_the_gender_of_the_available_bed(
    client: FlaskClient, place: str, genders: str, expected: dict
) -> None:
    assert found(client, f"{place}&gender={genders}") == expected


def test_bed_figures_are_served_by_gender_with_their_update_time(client: FlaskClient) -> None:
    body = search(client, f"{BOURG}&activity=157")
    beds = {b["gender"]["code"]: b for b in offer(body, "3002")["beds"]}
    assert set(beds) == {"01", "02", "04"}  # every available-now indicator, 0 included
    assert beds["01"]["available"] == 2 and beds["02"]["available"] == 1
    assert beds["04"]["available"] == 0
    assert beds["01"]["gender"]["label"] == "Femme"
    assert beds["01"]["location_id"] == "4001"
    assert beds["01"]["updated_at"] == "2025-11-20T06:30:00Z"
    assert beds["01"]["capacity_type"]["code"] == "01"


def test_crisis_keeps_offers_with_plan_blanc_extra_beds(client: FlaskClient, loaded: str) -> None:
    assert found(client, f"{ORLEANS}&crisis=true") == {}  # 0 extra beds mobilisable
    execute(loaded, "UPDATE location_capacity SET nb = 4 WHERE id = %s", PLAN_BLANC_4010)
    body = search(client, f"{ORLEANS}&crisis=true")
    assert [o["id"] for o in body["items"][0]["offers"]] == ["3006", "3007"]
    (extra,) = offer(body, "3006")["extra_beds"]
    assert extra["available"] == 4 and extra["additional_bed_type"]["code"] == "03"


# --- Live capacity and freshness ------------------------------------------------------------


def test_a_capacity_change_shows_in_the_very_next_search(client: FlaskClient, loaded: str) -> None:
    assert found(client, f"{BOURG}&gender=02") == {LAC: ["3002", "3003"]}
    execute(loaded, "UPDATE location_capacity SET nb = 0 WHERE id = %s", MEN_AT_4001)
    execute(loaded, "UPDATE location_capacity SET nb = 2 WHERE id = %s", MEN_AT_4002)
    assert found(client, f"{BOURG}&gender=02") == {LAC: ["3001", "3010"]}
    beds = {b["gender"]["code"]: b for b in offer(search(client, BOURG), "3001")["beds"]}
    assert beds["02"]["available"] == 2


def test_figures_older_than_the_configured_age_are_stale(
    client: FlaskClient, loaded: str, database_url: str, engine: Engine
) -> None:
    # The extract's figures date from November 2025.
    execute(loaded, "UPDATE location_capacity SET updated_at = now() WHERE id = %s", WOMEN_AT_4001)
    urgences = offer(search(client, f"{BOURG}&activity=157"), "3002")
    stale = {b["gender"]["code"]: b["stale"] for b in urgences["beds"]}
    assert stale == {"01": False, "02": True, "04": True}
    assert urgences["stale"] is True
    patient = sas_client(database_url, engine, capacity_stale_after="1000w")
    urgences = offer(search(patient, f"{BOURG}&activity=157"), "3002")
    assert not any(b["stale"] for b in urgences["beds"]) and urgences["stale"] is False


def test_a_bad_stale_age_stops_the_app_with_its_reason(database_url: str, engine: Engine) -> None:
    with pytest.raises(ValueError, match="ANNUAIRE_CAPACITY_STALE_AFTER"):
        sas_client(database_url, engine, capacity_stale_after="soon")


# --- Facets and paging ----------------------------------------------------------------------


def test_facets_count_matching_establishments_per_code(client: FlaskClient) -> None:
    facets = search(client, f"{BOURG}&radius_km=400")["facets"]
    counts = {name: {f["code"]: f["count"] for f in values} for name, values in facets.items()}
    assert counts["field"] == {"01": 2, "04": 1}  # LAC and LOIRE; IME
    assert counts["activity"] == {
        "356": 1, "157": 1, "022": 1, "437": 1, "301": 1, "183": 1, "440": 1,
    }  # fmt: skip
    assert counts["care_mode"] == {"28": 2, "32": 1, "10": 1}
    assert counts["offer_type"] == {"157": 1}
    assert counts["public"] == {"10": 1}
    assert counts["beds_available"] == {"true": 3}
    assert facets["field"][0] == {"code": "01", "label": None, "count": 2}  # most first


def test_facets_count_only_what_every_filter_keeps(client: FlaskClient, loaded: str) -> None:
    execute(loaded, "UPDATE location_capacity SET nb = 0 WHERE id = %s", MEN_AT_4001)
    facets = search(client, f"{BOURG}&radius_km=400&care_mode=28")["facets"]
    counts = {name: {f["code"]: f["count"] for f in values} for name, values in facets.items()}
    assert counts["care_mode"] == {"28": 2}
    assert counts["activity"] == {"356": 1, "157": 1, "022": 1, "183": 1, "440": 1}
    assert counts["beds_available"] == {"true": 2}
    # No man's bed left near Bourg; Orléans's 4010 has beds for either gender.
    facets = search(client, f"{BOURG}&radius_km=400&gender=02")["facets"]
    assert facets["beds_available"] == [{"code": "true", "label": None, "count": 1}]
    assert [f["code"] for f in facets["activity"]] == ["183", "440"]  # 3006, 3007


def test_labels_come_from_the_loaded_terminology(
    client: FlaskClient, load: Load, tmp_path: Path
) -> None:
    code_system = {
        "resourceType": "CodeSystem",
        "id": "TRE-R211-ActiviteOperationnelle",
        "url": sas.FILTER_SYSTEMS["activity"],
        "version": "20250101",
        "name": "TRE_R211_ActiviteOperationnelle",
        "status": "active",
        "content": "complete",
        "concept": [{"code": "356", "display": "Soins intensifs neurovasculaires (USINV)"}],
    }
    path = tmp_path / "TRE_R211-ActiviteOperationnelle.json"
    path.write_text(json.dumps(code_system), encoding="utf-8")
    load(path, source="terminology")
    body = search(client, f"{BOURG}&activity=356")
    label = "Soins intensifs neurovasculaires (USINV)"
    assert offer(body, "3001")["activity"] == [{"code": "356", "label": label}]
    assert body["facets"]["activity"] == [{"code": "356", "label": label, "count": 1}]


def test_pages_follow_each_other_by_cursor(client: FlaskClient) -> None:
    first = search(client, f"{BOURG}&radius_km=400&limit=2")
    assert [i["establishment_id"] for i in first["items"]] == [LAC, IME]
    assert first["total"] == 3 and first["next"]
    second = client.get(first["next"].replace("http://localhost", "")).get_json()
    assert [i["establishment_id"] for i in second["items"]] == [LOIRE]
    assert second["total"] == 3 and second["next"] is None


def test_an_adaptive_radius_is_kept_by_the_next_pages(client: FlaskClient) -> None:
    first = search(client, f"{BOURG}&adaptive=true&min_results=3&max_radius_km=400&limit=1")
    second = client.get(first["next"].replace("http://localhost", "")).get_json()
    assert (second["radius_km"], second["radius_source"]) == (400, "adaptive")
    assert [i["establishment_id"] for i in second["items"]] == [IME]


def test_a_cursor_resumes_only_its_own_search(client: FlaskClient) -> None:
    cursor = search(client, f"{BOURG}&radius_km=400&limit=1")["next"].split("cursor=")[1]
    assert "another search" in problem(client, f"{BOURG}&radius_km=300&limit=1&cursor={cursor}")
    assert "cursor" in problem(client, f"{BOURG}&cursor=nonsense")


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("", "place"),
        ("lat=46.2", "lat"),
        ("lon=5.2", "lon"),
        ("lat=91&lon=5.2", "lat"),
        ("lat=46.2&lon=181", "lon"),
        ("lat=north&lon=5.2", "lat"),
        (f"{BOURG}&commune=01053", "place"),
        ("commune=01053&postcode=01000", "place"),
        ("commune=Bourg", "commune"),
        ("postcode=0100", "postcode"),
        (f"{BOURG}&radius_km=-5", "radius_km"),
        (f"{BOURG}&radius_km=0", "radius_km"),
        (f"{BOURG}&max_radius_km=-1", "max_radius_km"),
        (f"{BOURG}&activity=3%205", "activity"),
        (f"{BOURG}&activity=356,", "activity"),
        (f"{BOURG}&care_mode=%2A", "care_mode"),
        (f"{BOURG}&gender=05", "gender"),
        (f"{BOURG}&gender=F", "gender"),
        (f"{BOURG}&age=-1", "age"),
        (f"{BOURG}&beds_available=maybe", "beds_available"),
        (f"{BOURG}&limit=0", "limit"),
        (f"{BOURG}&min_results=0", "min_results"),
        (f"{BOURG}&specialty=356", "specialty"),
    ],
)
def test_bad_arguments_are_problems_naming_them(
    client: FlaskClient, query: str, named: str
) -> None:
    assert problem(client, query).startswith(f"{named}:")


def test_a_commune_without_known_position_is_a_problem(client: FlaskClient) -> None:
    assert "commune 99999" in problem(client, "commune=99999")
    assert "postcode 99999" in problem(client, "postcode=99999")


def test_the_search_is_documented(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/offers/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"lat", "lon", "commune", "postcode", "radius_km", "adaptive", "activity"} <= names
    assert {"care_mode", "field", "offer_type", "public", "age", "beds_available"} <= names
    assert {"gender", "crisis", "limit", "cursor", "min_results", "max_radius_km"} <= names
    assert "400" in operation["responses"]
    schemas = spec["components"]["schemas"]
    body = search(client, f"{BOURG}&activity=157")
    assert set(body) == set(schemas["OfferSearchPage"]["properties"])
    assert set(body["items"][0]) == set(schemas["EstablishmentHit"]["properties"])
    urgences = offer(body, "3002")
    assert set(urgences) == set(schemas["OfferHit"]["properties"])
    assert set(urgences["beds"][0]) == set(schemas["Bed"]["properties"])


# --- The projection follows the loads -------------------------------------------------------


def _extract_with(tmp_path: Path, edit: Callable[[str, dict], dict | None]) -> Path:
    """A copy of the extract where `edit(file stem, resource)` changes or drops resources."""
    target = tmp_path / "extract"
    target.mkdir()
    for path in EXTRACT.glob("*.ndjson"):
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines():
            resource = edit(path.stem, json.loads(line))
            if resource is not None:
                kept.append(json.dumps(resource, ensure_ascii=False))
        (target / path.name).write_text("".join(k + "\n" for k in kept), encoding="utf-8")
    return target


def test_a_reload_moving_a_location_moves_its_offers(
    client: FlaskClient, load: Load, tmp_path: Path
) -> None:
    def move_4004_to_orleans(kind: str, resource: dict) -> dict:
        if kind == "Location" and resource["id"] == "4004":
            resource["position"].update(latitude=47.85, longitude=1.94)
        return resource

    load(_extract_with(tmp_path, move_4004_to_orleans), source="ror")
    assert found(client, f"{BOURG}&radius_km=10")[LAC] == ["3002", "3003", "3001", "3010"]
    assert found(client, f"{ORLEANS}&radius_km=10&activity=437") == {LAC: ["3004"]}


def test_a_reload_without_an_offer_leaves_it_out(
    client: FlaskClient, load: Load, tmp_path: Path
) -> None:
    def drop_3010(kind: str, resource: dict) -> dict | None:
        return None if kind == "HealthcareService" and resource["id"] == "3010" else resource

    load(_extract_with(tmp_path, drop_3010), source="ror", force=True)
    assert found(client, f"{BOURG}&activity=356") == {LAC: ["3001"]}


def test_an_offer_without_a_located_location_stands_at_its_establishment(
    client: FlaskClient, loaded: str
) -> None:
    execute(loaded, "UPDATE location SET latitude = NULL, longitude = NULL WHERE id = '4004'")
    body = search(client, f"{BOURG}&activity=437")
    # CLINIQUE DU LAC is at 46.2223, 5.2092 (FINESS): 2.6 km from the point.
    assert body["items"][0]["offers"][0]["distance_km"] == pytest.approx(2.6, abs=0.1)
    execute(loaded, "UPDATE organization SET latitude = 47.84, longitude = 1.93 WHERE id = %s", LAC)
    assert found(client, f"{ORLEANS}&radius_km=5&activity=437") == {LAC: ["3004"]}


# --- The radii file -------------------------------------------------------------------------


def test_the_sas_table_reads_as_it_is_published() -> None:
    table = read_radii(shared_file("ror", "SAS_Rayons_zones_de_recherche_2025.csv"))
    assert len(table.by_department) == 99  # Mayotte and Guyane have no radius
    assert table.radius("75") == (Radius(5.0, 3.0), True)
    assert table.radius("01") == (Radius(20.0, 10.0), True)
    assert table.radius("2A") == (Radius(30.0, 15.0), True)
    assert table.radius("974") == (Radius(10.0, 5.0), True)
    assert table.radius("973") == (BUILT_IN, False)


@pytest.mark.parametrize(
    ("code", "insee"),
    [("1", "01"), ("01", "01"), ("20A", "2A"), ("2b", "2B"), ("974", "974"), ("Ain", None)],
)
def test_departement_codes_are_read_as_insee_writes_them(code: str, insee: str | None) -> None:
    assert department_code(code) == insee


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("code,cityDefaultRadius\n1,5\n", "lacks the column(s) enlargementValue"),
        ("code,cityDefaultRadius,enlargementValue\n1,5,3\nAin,5,3\n", "line 3: code 'Ain'"),
        ("code,cityDefaultRadius,enlargementValue\n1,five,3\n", "line 2: cityDefaultRadius"),
        ("code,cityDefaultRadius,enlargementValue\n1,5,-3\n", "line 2: enlargementValue"),
        ("code,cityDefaultRadius,enlargementValue\n1,5,3\n01,10,5\n", "01 is listed twice"),
    ],
)
def test_a_bad_radii_file_is_refused_with_its_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "radii.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RadiiError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_radii(path)


def test_semicolons_and_decimal_commas_are_read(tmp_path: Path) -> None:
    path = tmp_path / "radii.csv"
    path.write_text("code;cityDefaultRadius;enlargementValue\n75;2,5;1,5\n", encoding="utf-8")
    assert read_radii(path).radius("75") == (Radius(2.5, 1.5), True)


def test_a_missing_radii_file_stops_the_app(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(RadiiError, match="cannot be read"):
        sas_client(database_url, engine, sas_radii=str(tmp_path / "absent.csv"))


# --- Geometry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "km"),
    [(46.2, 5.22, 30), (48.85, 2.35, 5), (-21.1, 55.5, 100), (-13.3, -176.2, 400), (45, 179.9, 50)],
)
def test_the_cells_of_a_search_cover_its_circle(lat: float, lon: float, km: float) -> None:
    covered = set(sas_grid.cells(lat, lon, km))
    size = int(next(iter(covered)).split("|")[0]) / 100
    for bearing in range(0, 360, 15):
        # A point just inside the circle, by the spherical destination formula.
        d = (km * 0.999) * 1000 / sas_grid.EARTH_RADIUS_M
        b, p1, l1 = math.radians(bearing), math.radians(lat), math.radians(lon)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
        l2 = l1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
        )
        lat2 = math.degrees(p2)
        lon2 = (math.degrees(l2) + 540) % 360 - 180
        cell = f"{round(size * 100)}|{math.floor(lat2 / size)}|{math.floor(lon2 / size)}"
        assert cell in covered, (bearing, lat2, lon2)


def test_chords_and_distances_agree() -> None:
    for km in (0.5, 30, 1000):
        assert sas_grid.km_of_chord(sas_grid.chord_m(km)) == pytest.approx(km)
    assert sas_place.department_of_commune("97411") == "974"
    assert sas_place.department_of_commune("2A004") == "2A"


def test_figures_are_stale_after_a_day_by_default() -> None:
    assert parse_duration(Settings().capacity_stale_after) == timedelta(hours=24)


def test_emptied_tables_empty_the_projection(loaded: str) -> None:
    count = "SELECT count(*), count(*) FILTER (WHERE from_establishment) FROM sas_offer"
    with psycopg.connect(loaded, autocommit=True) as conn:
        assert conn.execute(count).fetchone() == (10, 0)
        conn.execute("TRUNCATE location")  # every offer now stands at its establishment
        assert conn.execute(count).fetchone() == (10, 10)
        conn.execute("TRUNCATE healthcare_service")
        assert conn.execute(count).fetchone() == (0, 0)


def test_a_forged_cursor_of_the_right_search_is_refused(loaded: str, engine: Engine) -> None:
    q = sas.SasQuery(sas_place.Origin(46.2, 5.22, "01", "point"), sas.RadiusRule(km=30))
    forged = encode_cursor(Cursor(("far", 1), None, fingerprint(q)))
    with engine.connect() as conn, pytest.raises(InvalidParameter, match="cursor"):
        sas.search(conn, q, RadiusTable({}), timedelta(hours=24), forged)
