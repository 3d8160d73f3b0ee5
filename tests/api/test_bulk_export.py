"""FHIR Bulk Data export over the FINESS, RPPS and ROR fixtures, on real PostgreSQL: kick-off,
manifest, files streamed part by part, deltas with tombstones, errors, cancel and expiry."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from annuaire.settings import Settings
from tests.ror.test_ror_loader import copy_extract, edit_indicator, load_all, resources, write

ASYNC = {"Prefer": "respond-async"}
TABLES = {
    "Organization": "organization",
    "HealthcareService": "healthcare_service",
    "Location": "location",
    "Practitioner": "practitioner",
    "PractitionerRole": "practitioner_role",
}


@pytest.fixture
def make_client(database_url: str, engine: Engine) -> Callable[..., FlaskClient]:
    """A client of an app with the given ANNUAIRE_EXPORT_* settings."""
    from api import create_app

    def _client(**settings: str) -> FlaskClient:
        app: Flask = create_app(Settings(database_url=database_url, **settings), engine)
        app.testing = True
        return app.test_client()

    return _client


@pytest.fixture
def loaded(load: Callable, client: FlaskClient) -> FlaskClient:
    load_all(load)
    return client


def path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def kick_off(client: FlaskClient, query: str = "", route: str = "/fhir/$export") -> str:
    """The status URL of a new export."""
    response = client.get(f"{route}?{query}", headers=ASYNC)
    assert response.status_code == 202, response.get_data(as_text=True)
    status_url = response.headers["Content-Location"]
    assert status_url.startswith("http://localhost/fhir/$export-poll-status?_jobId=")
    return status_url


def manifest(client: FlaskClient, status_url: str) -> dict:
    response = client.get(path(status_url))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json" and response.expires is not None
    return response.get_json()


def export(client: FlaskClient, query: str = "", route: str = "/fhir/$export") -> dict:
    return manifest(client, kick_off(client, query, route))


def download(client: FlaskClient, output: dict) -> list[dict]:
    """One file's resources, checked against what the manifest says of it."""
    response = client.get(path(output["url"]))
    assert response.status_code == 200 and response.mimetype == "application/fhir+ndjson"
    body = response.get_data(as_text=True)
    assert body.endswith("\n")
    found = [json.loads(line) for line in body.splitlines()]
    assert {r["resourceType"] for r in found} == {output["type"]}
    assert len(found) == output["count"]
    return found


def exported(client: FlaskClient, body: dict) -> dict[str, list[dict]]:
    """Every resource of every file, by type, in download order."""
    by_type: dict[str, list[dict]] = {}
    for output in body["output"]:
        by_type.setdefault(output["type"], []).extend(download(client, output))
    return by_type


def ids(found: list[dict]) -> list[str]:
    return [r["id"] for r in found]


def present_ids(engine: Engine, resource_type: str) -> list[str]:
    """The ids of the records present in the source (not tombstones), in id order."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT id FROM {TABLES[resource_type]} WHERE removed_at IS NULL ORDER BY id")
        )
        return [row.id for row in rows]


def remove_offer_and_change_beds(load: Callable, tmp_path: Path) -> None:
    """Reload the ROR extract without offer 3010 and with 5 beds available at location 4001."""
    extract = copy_extract(tmp_path)
    offers = resources(extract / "HealthcareService.ndjson")
    write(extract / "HealthcareService.ndjson", [o for o in offers if o["id"] != "3010"])
    edit_indicator(extract, "4001", nb=5)
    load(extract, source="ror", force=True)


def test_a_full_export_serves_every_present_resource_once(
    loaded: FlaskClient, engine: Engine
) -> None:
    status_url = kick_off(loaded)
    body = manifest(loaded, status_url)
    assert body["request"] == "http://localhost/fhir/$export"
    assert body["requiresAccessToken"] is False and body["error"] == []
    assert body["transactionTime"].endswith("Z")
    by_type = exported(loaded, body)
    assert list(by_type) == list(TABLES)  # every directory type, in the manifest's order
    for resource_type, found in by_type.items():  # each once, in id order
        assert ids(found) == present_ids(engine, resource_type)


def test_locations_are_exported_as_a_read_serves_them(loaded: FlaskClient) -> None:
    (output,) = export(loaded, "_type=Location")["output"]
    for location in download(loaded, output):
        assert location == loaded.get(f"/fhir/Location/{location['id']}").get_json()
    assert any("extension" in location for location in download(loaded, output))


def test_a_full_export_leaves_tombstones_out(
    load: Callable, loaded: FlaskClient, tmp_path: Path
) -> None:
    remove_offer_and_change_beds(load, tmp_path)
    offers = exported(loaded, export(loaded, "_type=HealthcareService"))["HealthcareService"]
    assert "3010" not in ids(offers) and len(offers) == 9


def test_small_parts_split_a_type_completely_and_disjointly(
    loaded: FlaskClient, make_client: Callable, engine: Engine
) -> None:
    client = make_client(export_part_size="3")
    body = export(client, "_type=HealthcareService,Practitioner")
    for resource_type in ("HealthcareService", "Practitioner"):
        outputs = [o for o in body["output"] if o["type"] == resource_type]
        assert len(outputs) > 1
        assert all(1 <= o["count"] <= 3 for o in outputs)
        parts = [ids(download(client, o)) for o in outputs]
        # Complete, disjoint, each part the id range that follows the previous one's.
        assert [i for part in parts for i in part] == present_ids(engine, resource_type)


def test_small_parts_skip_tombstones_in_their_counts(
    load: Callable, loaded: FlaskClient, make_client: Callable, tmp_path: Path
) -> None:
    remove_offer_and_change_beds(load, tmp_path)
    client = make_client(export_part_size="2")
    outputs = export(client, "_type=HealthcareService")["output"]
    offers = [i for o in outputs for i in ids(download(client, o))]  # counts checked there
    assert sum(o["count"] for o in outputs) == len(offers) == 9 and "3010" not in offers


def test_a_delta_since_an_export_holds_what_changed_tombstones_included(
    load: Callable, loaded: FlaskClient, tmp_path: Path
) -> None:
    since = export(loaded)["transactionTime"]
    remove_offer_and_change_beds(load, tmp_path)
    body = export(loaded, f"_since={since}")
    assert body["request"] == f"http://localhost/fhir/$export?_since={since}"
    by_type = exported(loaded, body)
    assert set(by_type) == {"HealthcareService", "Location"}
    (tombstone,) = by_type["HealthcareService"]
    assert tombstone["id"] == "3010" and tombstone["active"] is False
    (location,) = by_type["Location"]
    assert location["id"] == "4001"
    assert location == loaded.get("/fhir/Location/4001").get_json()
    counts = [
        part["valueInteger"]
        for indicator in location["extension"]
        for part in indicator.get("extension", ())
        if part["url"] == "nbCapacity"
    ]
    assert 5 in counts  # the beds of the reload


def test_a_change_uncommitted_at_kick_off_is_in_the_delta_since_it(
    loaded: FlaskClient, database_url: str
) -> None:
    with psycopg.connect(database_url) as writer:
        # Stamped with its transaction's start, then committed after the kick-off, as a load.
        writer.execute("UPDATE practitioner SET last_updated = now() WHERE id = '810100000001'")
        since = export(loaded, "_type=Practitioner")["transactionTime"]
    delta = exported(loaded, export(loaded, f"_type=Practitioner&_since={since}"))
    assert ids(delta["Practitioner"]) == ["810100000001"]


def test_a_delta_with_small_parts_is_complete(
    load: Callable, loaded: FlaskClient, make_client: Callable, engine: Engine
) -> None:
    client = make_client(export_part_size="2")
    outputs = export(client, "_type=PractitionerRole&_since=2000-01-01T00:00:00Z")["output"]
    roles = [i for o in outputs for i in ids(download(client, o))]
    assert len(outputs) > 1 and roles == present_ids(engine, "PractitionerRole")


def test_a_delta_after_the_last_change_is_empty(loaded: FlaskClient) -> None:
    assert export(loaded, "_since=2999-01-01T00:00:00%2B01:00")["output"] == []


def test_a_type_level_kick_off_exports_that_type(loaded: FlaskClient, engine: Engine) -> None:
    body = export(loaded, route="/fhir/Practitioner/$export")
    assert {o["type"] for o in body["output"]} == {"Practitioner"}
    found = exported(loaded, body)["Practitioner"]
    assert ids(found) == present_ids(engine, "Practitioner")


def test_unsupported_parameters_are_ignored_when_the_client_prefers_lenience(
    loaded: FlaskClient,
) -> None:
    response = loaded.get(
        "/fhir/$export?_type=Location&_elements=id&includeAssociatedData=LatestProvenanceResources",
        headers={"Prefer": "respond-async, handling=lenient"},
    )
    assert response.status_code == 202
    body = manifest(loaded, response.headers["Content-Location"])
    assert {o["type"] for o in body["output"]} == {"Location"}


@pytest.mark.parametrize(
    ("route", "headers", "message"),
    [
        ("/fhir/$export", {}, "Prefer: respond-async"),
        ("/fhir/$export?_type=Patient", ASYNC, "Patient"),
        ("/fhir/$export?_type=Location,,Organization", ASYNC, "empty value"),
        ("/fhir/Location/$export?_type=Organization", ASYNC, "Organization"),
        ("/fhir/$export?_outputFormat=text/csv", ASYNC, "_outputFormat"),
        ("/fhir/$export?_since=2026-05-01", ASYNC, "_since"),
        ("/fhir/$export?_since=2026-05-01T10:00:00", ASYNC, "_since"),
        ("/fhir/$export?_elements=id", ASYNC, "handling=lenient"),
        ("/fhir/$export?includeAssociatedData=LatestProvenanceResources", ASYNC, "_myComplete"),
        ("/fhir/$export?_typeFilter=Patient%3Fname%3Dx", ASYNC, "exported types"),
        ("/fhir/$export?_typeFilter=Location", ASYNC, "not a search"),
        ("/fhir/$export?_typeFilter=Location%3F", ASYNC, "no search parameter"),
        ("/fhir/$export?_typeFilter=Location%3Fnope%3Dx", ASYNC, "nope"),
        ("/fhir/$export?_typeFilter=Location%3F_count%3D3", ASYNC, "_count"),
        ("/fhir/$export?_typeFilter=Location%3Fnear%3D1", ASYNC, "near"),
        ("/fhir/$export?_type=Location&_typeFilter=Organization%3Fname%3Dx", ASYNC, "not exported"),
        ("/fhir/$export-poll-status", {}, "_jobId"),
    ],
)
def test_bad_requests_answer_400_with_an_operation_outcome(
    loaded: FlaskClient, route: str, headers: dict, message: str
) -> None:
    response = loaded.get(route, headers=headers)
    assert response.status_code == 400
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert message in body["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "output_format",
    # The last two: what the ROR's own clients send (its documented deviation).
    ["application/fhir%2Bndjson", "ndjson", "application/fhir%2Bjson", "application/json"],
)
def test_ndjson_output_formats_are_accepted(loaded: FlaskClient, output_format: str) -> None:
    kick_off(loaded, f"_outputFormat={output_format}")


def test_unknown_jobs_and_files_are_404(loaded: FlaskClient) -> None:
    status_url = kick_off(loaded, "_type=Location")
    job_id = status_url.rsplit("=", 1)[1]
    for route in (
        "/fhir/$export-poll-status?_jobId=nope",
        "/fhir/$export-file/nope/Location/1.ndjson",
        f"/fhir/$export-file/{job_id}/Location/2.ndjson",
        f"/fhir/$export-file/{job_id}/Organization/1.ndjson",
    ):
        response = loaded.get(route)
        assert response.status_code == 404, route
        assert response.get_json()["issue"][0]["code"] == "not-found"
    assert loaded.delete("/fhir/$export-poll-status?_jobId=nope").status_code == 404


def test_a_cancelled_job_is_forgotten(loaded: FlaskClient) -> None:
    status_url = kick_off(loaded, "_type=Location")
    (output,) = manifest(loaded, status_url)["output"]
    assert loaded.delete(path(status_url)).status_code == 202
    assert loaded.get(path(status_url)).status_code == 404
    assert loaded.get(path(output["url"])).status_code == 404


def test_a_job_expires(loaded: FlaskClient, make_client: Callable) -> None:
    client = make_client(export_expiry="1s")
    status_url = kick_off(client, "_type=Location")
    (output,) = manifest(client, status_url)["output"]
    time.sleep(1.1)
    assert client.get(path(status_url)).status_code == 404
    assert client.get(path(output["url"])).status_code == 404


def test_the_capability_statement_declares_the_export(client: FlaskClient) -> None:
    statement = client.get("/fhir/metadata").get_json()
    operations = {o["name"]: o["definition"] for o in statement["rest"][0]["operation"]}
    assert operations["export"] == "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"


REGION = "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"


def region_filter(code: str) -> str:
    """The ROR's _typeFilter of one region's offers, encoded as its documentation writes it."""
    return quote(f"HealthcareService?_tag={REGION}|{code}", safe="")


def references(resource: dict, field: str) -> set[str]:
    """The ids `field` (one reference or a list of them) points at."""
    value = resource.get(field, [])
    return {
        r["reference"].rsplit("/", 1)[1] for r in (value if isinstance(value, list) else [value])
    }


def test_a_type_filter_exports_the_matching_records_of_its_type(
    loaded: FlaskClient, engine: Engine
) -> None:
    body = export(loaded, f"_type=HealthcareService,Location&_typeFilter={region_filter('24')}")
    by_type = exported(loaded, body)
    assert ids(by_type["HealthcareService"]) == ["3006", "3007", "3008"]
    assert ids(by_type["Location"]) == present_ids(engine, "Location")  # unfiltered: all


@pytest.mark.parametrize(
    "filters",
    [
        f"_typeFilter={region_filter('24')}&_typeFilter={region_filter('94')}",
        f"_typeFilter={region_filter('24')},{region_filter('94')}",
    ],
)
def test_type_filters_of_one_type_are_alternatives(loaded: FlaskClient, filters: str) -> None:
    offers = exported(loaded, export(loaded, f"_type=HealthcareService&{filters}"))
    assert ids(offers["HealthcareService"]) == ["3006", "3007", "3008", "3009"]


def test_a_filtered_export_in_small_parts_counts_only_its_matches(
    loaded: FlaskClient, make_client: Callable
) -> None:
    client = make_client(export_part_size="1")
    outputs = export(client, f"_type=HealthcareService&_typeFilter={region_filter('24')}")
    offers = [i for o in outputs["output"] for i in ids(download(client, o))]
    assert offers == ["3006", "3007", "3008"] and len(outputs["output"]) == 3


def test_a_filtered_delta_holds_the_matching_changes(
    load: Callable, loaded: FlaskClient, tmp_path: Path
) -> None:
    since = export(loaded)["transactionTime"]
    remove_offer_and_change_beds(load, tmp_path)  # offer 3010 is in region 84
    query = f"_type=HealthcareService&_since={since}&_typeFilter="
    (tombstone,) = exported(loaded, export(loaded, query + region_filter("84")))[
        "HealthcareService"
    ]
    assert tombstone["id"] == "3010" and tombstone["active"] is False
    assert export(loaded, query + region_filter("24"))["output"] == []


def test_the_rors_regional_extract_holds_the_offers_and_what_they_reference(
    loaded: FlaskClient,
) -> None:
    """The request of the ROR's documentation: a region's offers, and with
    _myCompleteExtract their locations, organizations (up to the legal entity), practitioner
    roles and practitioners."""
    everything = exported(loaded, export(loaded))
    by_id = {(t, r["id"]): r for t, found in everything.items() for r in found}
    services = {
        s["id"]
        for s in everything["HealthcareService"]
        if any(t["code"] == "84" for t in s["meta"]["tag"])
    }
    locations = {i for s in services for i in references(by_id["HealthcareService", s], "location")}
    roles = {
        r["id"]
        for r in everything["PractitionerRole"]
        if references(r, "healthcareService") & services
    }
    practitioners = {
        i for r in roles for i in references(by_id["PractitionerRole", r], "practitioner")
    }
    organizations = (
        {i for s in services for i in references(by_id["HealthcareService", s], "providedBy")}
        | {
            i
            for loc in locations
            for i in references(by_id["Location", loc], "managingOrganization")
        }
        | {i for r in roles for i in references(by_id["PractitionerRole", r], "organization")}
    )
    while (
        parents := {
            i for o in organizations for i in references(by_id["Organization", o], "partOf")
        }
        - organizations
    ):
        organizations |= parents
    assert roles and practitioners and len(organizations) > len(services) // 2

    body = export(
        loaded,
        "_outputFormat=application/fhir%2Bjson&_type=HealthcareService"
        f"&_typeFilter={region_filter('84')}&includeAssociatedData=_myCompleteExtract",
    )
    found = {t: set(ids(resources)) for t, resources in exported(loaded, body).items()}
    assert found == {
        "Organization": organizations,
        "HealthcareService": services,
        "Location": locations,
        "Practitioner": practitioners,
        "PractitionerRole": roles,
    }


def test_a_post_kick_off_reads_its_parameters_from_a_body(loaded: FlaskClient) -> None:
    parameters = [
        {"name": "_type", "valueString": "HealthcareService"},
        {"name": "_typeFilter", "valueString": f"HealthcareService?_tag={REGION}|24"},
        {"name": "_outputFormat", "valueString": "application/fhir+ndjson"},
    ]
    response = loaded.post(
        "/fhir/$export", json={"resourceType": "Parameters", "parameter": parameters}, headers=ASYNC
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    body = manifest(loaded, response.headers["Content-Location"])
    assert body["request"] == "http://localhost/fhir/$export"
    assert ids(exported(loaded, body)["HealthcareService"]) == ["3006", "3007", "3008"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{", "not JSON"),
        ('{"resourceType": "Bundle"}', "Parameters resource"),
        ('{"resourceType": "Parameters", "parameter": {}}', "must be a list"),
        ('{"resourceType": "Parameters", "parameter": [{"name": "_type"}]}', "one valueString"),
        (
            '{"resourceType": "Parameters", "parameter": [{"name": "x", "valueBoolean": true}]}',
            "one valueString",
        ),
        (
            '{"resourceType": "Parameters", "parameter": [{"name": "_count", "valueString": "1"}]}',
            "_count",
        ),
    ],
)
def test_bad_post_kick_offs_answer_400(loaded: FlaskClient, data: str, message: str) -> None:
    response = loaded.post(
        "/fhir/$export", data=data, content_type="application/fhir+json", headers=ASYNC
    )
    assert response.status_code == 400
    assert message in response.get_json()["issue"][0]["diagnostics"]


def searched_ids(client: FlaskClient, search: str) -> list[str]:
    """The ids a FHIR search finds, every page followed, sorted."""
    found: list[str] = []
    url: str | None = f"/fhir/{search}&_count=1000"
    while url:
        bundle = client.get(url).get_json()
        found += [
            e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"
        ]
        url = next(
            (path(link["url"]) for link in bundle["link"] if link["relation"] == "next"), None
        )
    return sorted(found)


@pytest.mark.parametrize(
    "search",
    [
        "HealthcareService?location.capacity-status=05",  # chained: the offers at the locations
        "HealthcareService?location.gender-capacity-available=01",
        "HealthcareService?location.capacity-status=02&location.temporality-capacity=01"
        "&location.nb-capacity=gt0&specialty=356",  # a bed now: the projection
        "HealthcareService?_has:PractitionerRole:service:active=true",
        "Practitioner?name:contains=mar",  # from the names' trigram index
        "Practitioner?name:contains=ar&given:contains=e",  # terms too short for it
        "Organization?address-postalcode=01,69",
    ],
)
def test_a_type_filter_selects_what_the_types_search_finds(
    loaded: FlaskClient, search: str
) -> None:
    resource_type = search.partition("?")[0]
    expected = searched_ids(loaded, search)
    assert expected  # the fixtures hold matches, so that the comparison means something
    body = export(loaded, f"_type={resource_type}&_typeFilter={quote(search, safe='')}")
    assert ids(exported(loaded, body).get(resource_type, [])) == expected
