"""Loading a ROR extract: links to FINESS and RPPS, offers, locations and their capacity,
repairs, rejections, snapshots and the packagings accepted."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from flask.testing import FlaskClient

from loaders.pipeline import LoadResult
from tests.conftest import FIXTURES, shared_file

EXTRACT = FIXTURES / "ror" / "extract"
FINESS = FIXTURES / "finess" / "finess-structures-journalier-20261102.json"
RPPS = FIXTURES / "rpps" / "current"
# 7 organizations FINESS does not know, 10 offers, 7 locations, 20 indicators, 1 practitioner
# RPPS does not know, 2 roles.
RECORDS = 7 + 10 + 7 + 20 + 1 + 2
AVAILABLE_FEMALE = "4001|01|02|01|01||||01"  # location 4001, bed, available, now, woman

Load = Callable[..., LoadResult]


def rows(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params or None).fetchall()


def value(url: str, sql: str, *params: object) -> object:
    return rows(url, sql, *params)[0][0]


def load_all(load: Load, extract: Path = EXTRACT, **options: object) -> LoadResult:
    """FINESS and RPPS first, as an operator would, then the ROR extract."""
    load(FINESS)
    load(RPPS, source="rpps")
    return load(extract, source="ror", **options)


def copy_extract(tmp_path: Path) -> Path:
    target = tmp_path / "extract"
    shutil.copytree(EXTRACT, target)
    return target


def resources(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def write(path: Path, items: list[dict]) -> None:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")


def edit_indicator(extract: Path, location_id: str, nb: int, gender: str = "01") -> None:
    """Set the count of location `location_id`'s available-now indicator for `gender`."""
    locations = resources(extract / "Location.ndjson")
    for location in locations:
        if location["id"] != location_id:
            continue
        for extension in location["extension"]:
            parts = {p["url"]: p for p in extension.get("extension", ())}
            gender_part = parts.get("genderCapacityAvailable")
            if gender_part and gender_part["valueCodeableConcept"]["coding"][0]["code"] == gender:
                parts["nbCapacity"]["valueInteger"] = nb
    write(extract / "Location.ndjson", locations)


# --- The real samples ------------------------------------------------------------------------


def test_the_shared_offer_sample_loads(load: Load, clean_db: str) -> None:
    result = load(shared_file("ror", "HealthcareService-1234564.json"), source="ror")
    assert (result.counts.new, result.counts.rejected) == (1, 0)
    (row,) = rows(
        clean_db,
        "SELECT id, identifier, organization_id, location_ids, region, age_low, age_high, "
        "specialty_tokens, service_type_tokens, category_tokens, resource->'providedBy' "
        "FROM healthcare_service",
    )
    activity = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
    assert row[:7] == ("1234564", "06/0099999", None, ["888888"], "06", 15, 150)
    assert f"{activity}|022" in row[7] and "022" in row[7]
    assert "01" in row[8] and "157" in row[9]
    # Its organization is not in this extract: the reference stays as the ROR wrote it.
    assert row[10] == {"reference": "Organization/999999"}
    message = value(clean_db, "SELECT message FROM load_run WHERE id = %s", result.run_id)
    assert (
        message
        == "noted: 1 × a reference to an organization the extract does not hold, kept as it is"
    )


def test_the_shared_location_sample_loads(load: Load, clean_db: str) -> None:
    result = load(shared_file("ror", "Location-ror-location-exemple.json"), source="ror")
    assert (result.counts.new, result.counts.rejected) == (1, 0)
    (row,) = rows(
        clean_db,
        "SELECT id, postal_code, city_norm, commune_insee, department, status, type_tokens "
        "FROM location",
    )
    assert row[:6] == ("ror-location-exemple", "78000", "versailles", "78646", "78", None)
    assert "001" in row[6]


# --- The fixture extract ---------------------------------------------------------------------


def test_the_fixture_extract_loads_every_resource(load: Load, clean_db: str) -> None:
    result = load_all(load)
    assert result.counts.new == RECORDS
    assert result.counts.rejected == 0
    counts = rows(
        clean_db,
        "SELECT (SELECT count(*) FROM healthcare_service), (SELECT count(*) FROM location), "
        "(SELECT count(*) FROM location_capacity), "
        "(SELECT count(*) FROM practitioner_role WHERE source = 'ror')",
    )
    assert counts == [(10, 7, 20, 2)]
    # The location of the domain notes with its five indicators.
    five = rows(
        clean_db,
        "SELECT status, gender, nb FROM location_capacity WHERE location_id = '4010' "
        "ORDER BY status, gender",
    )
    assert five == [
        ("01", "", 15),
        ("02", "01", 0),
        ("02", "02", 0),
        ("02", "03", 3),
        ("06", "", 0),
    ]


def test_an_establishment_finess_knows_is_not_a_second_organization(
    load: Load, clean_db: str
) -> None:
    load_all(load)
    organizations = dict(
        rows(clean_db, "SELECT id, kind FROM organization WHERE kind IN ('OI', 'RG', 'RJ')")
    )
    assert organizations == {
        "ror-2001": "OI",
        "ror-2002": "OI",
        "ror-2003": "OI",
        "ror-2010": "OI",
        "ror-1010": "RJ",  # a legal entity FINESS does not know
        "ror-1011": "RG",  # its establishment
        "ror-1020": "RG",  # an establishment FINESS does not know, under one it knows
    }
    services = dict(
        rows(
            clean_db,
            "SELECT id, (organization_id, establishment_id) FROM healthcare_service "
            "WHERE id IN ('3001', '3002', '3005', '3006')",
        )
    )
    assert services == {
        "3001": ("ror-2002", "010090017"),  # a service of a pole of the FINESS clinic
        "3002": ("010090017", "010090017"),  # the clinic itself, by FINESS number
        "3005": ("010090199", "010090199"),  # known by its idNatSt "1" + FINESS
        "3006": ("ror-2010", "ror-1011"),
    }
    provided_by = value(
        clean_db,
        "SELECT resource->'providedBy'->>'reference' FROM healthcare_service WHERE id = '3002'",
    )
    assert provided_by == "Organization/010090017"
    parent = value(
        clean_db, "SELECT resource->'partOf'->>'reference' FROM organization WHERE id = 'ror-2001'"
    )
    assert parent == "Organization/010090017"
    locations = rows(
        clean_db,
        "SELECT id, organization_id, establishment_id, finess, sync_identifier FROM location "
        "WHERE id IN ('4002', '4010') ORDER BY id",
    )
    assert locations == [
        ("4002", "ror-2002", "010090017", "010090017", "1010090017/CLAC-USINV"),
        ("4010", "ror-2010", "ror-1011", "450000013", "1450000013/USC-CHIR"),
    ]


def test_without_finess_its_establishments_are_ror_organizations(load: Load, clean_db: str) -> None:
    load(EXTRACT, source="ror")
    kinds = dict(rows(clean_db, "SELECT id, kind FROM organization WHERE id LIKE 'ror-100%'"))
    assert kinds == {"ror-1001": "RJ", "ror-1002": "RG", "ror-1003": "RG"}
    assert value(clean_db, "SELECT establishment_id FROM location WHERE id = '4001'") == "ror-1002"


def test_locations_are_stored_without_capacity_but_searchable(load: Load, clean_db: str) -> None:
    load_all(load)
    (row,) = rows(
        clean_db,
        "SELECT resource::text, postal_code, city_norm, commune_insee, department, latitude, "
        "longitude, status, tag_tokens FROM location WHERE id = '4020'",
    )
    assert "ror-location-supported-capacity" not in row[0]
    assert row[1:8] == ("20000", "ajaccio", "2A004", "2A", 41.917, 8.703, "active")
    assert "94" in row[8]


def test_practitioners_known_to_rpps_are_not_duplicated(load: Load, clean_db: str) -> None:
    load_all(load)
    sources = dict(
        rows(
            clean_db,
            "SELECT id, source FROM practitioner WHERE id IN ('810100000001', '810000099991')",
        )
    )
    assert sources == {"810100000001": "rpps", "810000099991": "ror"}
    roles = rows(
        clean_db,
        "SELECT id, practitioner_id, organization_id, healthcare_service_id, profession_code, "
        "mode_code, resource->'practitioner'->>'reference' FROM practitioner_role "
        "WHERE source = 'ror' ORDER BY id",
    )
    assert roles == [
        ("6001", "810100000001", "ror-2001", "3004", "10", "L", "Practitioner/810100000001"),
        ("6002", "810000099991", "ror-2002", "3001", "60", "S", "Practitioner/810000099991"),
    ]


# --- Repairs and rejections ------------------------------------------------------------------


def test_repairs_are_counted_in_the_run_and_listed_by_line(load: Load, clean_db: str) -> None:
    result = load_all(load)
    assert result.counts.rejected == 0
    message = value(clean_db, "SELECT message FROM load_run WHERE id = %s", result.run_id)
    assert "1 × nbCapacity: a string read as an integer" in message
    assert "1 × capacityStatus: a code read as a CodeableConcept" in message
    assert "1 × a value set (JDV) URL as system, replaced by its code system" in message
    assert "noted: 1 × genderCapacityAvailable 03 (Indifférencié)" in message
    listed = rows(
        clean_db,
        "SELECT line, reason FROM load_rejection WHERE run_id = %s AND reason LIKE %s ORDER BY line",
        result.run_id,
        "%nbCapacity%",
    )
    assert listed == [
        (6, "repaired: Location.ndjson: nbCapacity: valueInt read as valueInteger"),
        (6, "repaired: Location.ndjson: nbCapacity: a string read as an integer"),
    ]
    # The repaired values are stored in their proper shape.
    assert (
        value(clean_db, "SELECT nb FROM location_capacity WHERE id = '4011|01|01|01|||||01'") == 10
    )
    mode = value(
        clean_db,
        "SELECT resource->'characteristic'->0->'coding'->0->>'system' FROM healthcare_service "
        "WHERE id = '3010'",
    )
    assert (
        mode
        == "https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge"
    )


def test_bad_lines_are_rejected_with_line_and_reason(
    load: Load, clean_db: str, tmp_path: Path
) -> None:
    extract = copy_extract(tmp_path)
    locations = resources(extract / "Location.ndjson")
    # An indicator without its status cannot be read: rejected, its location kept.
    unreadable = locations[0]["extension"][1]["extension"]
    locations[0]["extension"][1]["extension"] = [
        p for p in unreadable if p["url"] != "capacityStatus"
    ]
    write(extract / "Location.ndjson", locations)
    with (extract / "HealthcareService.ndjson").open("a", encoding="utf-8") as stream:
        stream.write('{"resourceType": "HealthcareService", "name": "sans id"}\n')  # line 11
        stream.write("{not json\n")  # line 12
        stream.write('{"resourceType": "Task", "id": "t1"}\n')  # line 13
    result = load_all(load, extract)
    rejected = rows(
        clean_db,
        "SELECT line, reason FROM load_rejection WHERE run_id = %s AND reason NOT LIKE 'repaired:%%' "
        "AND reason NOT LIKE 'noted:%%' ORDER BY line",
        result.run_id,
    )
    assert [(line, reason.split(" (")[0]) for line, reason in rejected] == [
        (1, "Location.ndjson: Location/4001: capacity indicator 1: missing capacityStatus"),
        (11, "HealthcareService.ndjson: HealthcareService without id"),
        (12, "HealthcareService.ndjson: not JSON"),
        (13, "HealthcareService.ndjson: unknown resourceType 'Task'"),
    ]
    assert result.counts.rejected == 4
    assert result.counts.new == RECORDS - 1
    assert value(clean_db, "SELECT count(*) FROM location_capacity WHERE location_id = '4001'") == 3


# --- Snapshots -------------------------------------------------------------------------------


def test_loading_the_same_extract_again_changes_nothing(load: Load, clean_db: str) -> None:
    load_all(load)
    again = load(EXTRACT, source="ror")
    assert (again.counts.new, again.counts.changed, again.counts.deactivated) == (0, 0, 0)
    assert again.counts.unchanged == RECORDS


def test_an_offer_missing_from_the_extract_becomes_a_tombstone(
    load: Load, clean_db: str, tmp_path: Path
) -> None:
    load_all(load)
    extract = copy_extract(tmp_path)
    services = resources(extract / "HealthcareService.ndjson")
    write(extract / "HealthcareService.ndjson", [s for s in services if s["id"] != "3010"])
    result = load(extract, source="ror", threshold=0.2)
    assert (result.counts.deactivated, result.counts.unchanged) == (1, RECORDS - 1)
    (row,) = rows(
        clean_db,
        "SELECT active, removed_at IS NOT NULL, resource FROM healthcare_service WHERE id = '3010'",
    )
    assert row[:2] == (False, True)
    assert row[2]["active"] is False
    assert row[2]["identifier"][0]["value"] == "84/0003010"
    assert row[2]["name"] == "Consultations de neurologie pédiatrique"
    assert "specialty" not in row[2]


def test_a_capacity_change_rewrites_its_location_as_a_new_version(
    load: Load, clean_db: str, tmp_path: Path
) -> None:
    load_all(load)
    extract = copy_extract(tmp_path)
    edit_indicator(extract, "4001", nb=5)
    result = load(extract, source="ror")
    assert (result.counts.changed, result.counts.unchanged) == (2, RECORDS - 2)
    assert value(clean_db, f"SELECT nb FROM location_capacity WHERE id = '{AVAILABLE_FEMALE}'") == 5
    versions = dict(
        rows(clean_db, "SELECT id, version_id FROM location WHERE id IN ('4001', '4002')")
    )
    assert versions == {"4001": 2, "4002": 1}


def test_a_load_version_is_in_the_location_history(
    load: Load, clean_db: str, tmp_path: Path, client: FlaskClient
) -> None:
    load_all(load)
    extract = copy_extract(tmp_path)
    edit_indicator(extract, "4001", nb=5)
    load(extract, source="ror")
    served = client.get("/fhir/Location/4001")
    bundle = client.get("/fhir/Location/4001/_history").get_json()
    assert [e["response"]["etag"] for e in bundle["entry"]] == [served.headers["ETag"]]
    assert bundle["entry"][0]["resource"] == served.get_json()  # with the load's count, 5
    audit = client.get("/api/v1/locations/4001/history").get_json()["items"]
    assert [(i["actor"], i["operation"]) for i in audit] == [("ror load", "load")]
    # A location the load did not change has its first version only: nothing in history.
    assert client.get("/fhir/Location/4002/_history").get_json().get("entry", []) == []


def test_a_later_write_through_the_api_is_kept(load: Load, clean_db: str, tmp_path: Path) -> None:
    load_all(load)
    with psycopg.connect(clean_db) as conn:
        # A bed-management vendor writes after the extract was made: a count, and a forecast
        # indicator the extract does not have.
        conn.execute(
            "UPDATE location_capacity SET nb = 9, updated_at = now(), written_by = 'vendor', "
            "content_hash = 'api' WHERE id = %s",
            (AVAILABLE_FEMALE,),
        )
        conn.execute(
            "INSERT INTO location_capacity (id, location_id, capacity_type, status, temporality, "
            "gender, temporary_assignment, nb, updated_at, written_by, content_hash, active) "
            "VALUES ('4001|01|02|03|01||||01', '4001', '01', '02', '03', '01', '01', 4, now(), "
            "'vendor', 'api', true)"
        )
    extract = copy_extract(tmp_path)
    edit_indicator(extract, "4001", nb=3)  # the extract's figure is older than the vendor's
    load(extract, source="ror")
    kept = rows(
        clean_db,
        "SELECT id, nb, written_by, active FROM location_capacity "
        "WHERE location_id = '4001' AND written_by IS NOT NULL ORDER BY id",
    )
    assert kept == [
        (AVAILABLE_FEMALE, 9, "vendor", True),
        ("4001|01|02|03|01||||01", 4, "vendor", True),
    ]


# --- Packagings ------------------------------------------------------------------------------


def _bundle(extract: Path, bundle_type: str) -> dict:
    entries = [
        {"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r}
        for name in (
            "Organization",
            "HealthcareService",
            "Location",
            "Practitioner",
            "PractitionerRole",
        )
        for r in resources(extract / f"{name}.ndjson")
    ]
    return {"resourceType": "Bundle", "type": bundle_type, "total": len(entries), "entry": entries}


def test_a_bundle_loads_like_the_ndjson_files(load: Load, clean_db: str, tmp_path: Path) -> None:
    bundle = tmp_path / "ror-searchset.json"
    bundle.write_text(json.dumps(_bundle(EXTRACT, "searchset"), indent=2, ensure_ascii=False))
    result = load_all(load, bundle)
    assert (result.counts.new, result.counts.rejected) == (RECORDS, 0)
    again = load(EXTRACT, source="ror")  # same content, other packaging: nothing changes
    assert again.counts.unchanged == RECORDS


def test_a_folder_of_bundles_and_a_zip_of_gzipped_ndjson_load(
    load: Load, clean_db: str, tmp_path: Path
) -> None:
    folder = tmp_path / "bundles"
    folder.mkdir()
    bundle = _bundle(EXTRACT, "collection")
    half = len(bundle["entry"]) // 2
    for number, entries in enumerate((bundle["entry"][:half], bundle["entry"][half:]), 1):
        part = {**bundle, "entry": entries}
        (folder / f"part-{number}.json").write_text(json.dumps(part, indent=1, ensure_ascii=False))
    result = load_all(load, folder)
    assert (result.counts.new, result.counts.rejected) == (RECORDS, 0)

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in sorted(EXTRACT.iterdir()):
            zipped.writestr(f"export/{file.name}.gz", gzip.compress(file.read_bytes()))
    again = load(archive, source="ror")
    assert (again.counts.unchanged, again.counts.rejected) == (RECORDS, 0)


def test_a_file_without_ror_resources_is_refused(load: Load, clean_db: str, tmp_path: Path) -> None:
    from loaders.base import BadFile

    other = tmp_path / "other.ndjson"
    other.write_text('{"resourceType": "Patient", "id": "p1"}\n')
    with pytest.raises(BadFile, match="no ROR resource"):
        load(other, source="ror")


def test_rpps_takes_over_a_practitioner_the_ror_loaded_first(load: Load, clean_db: str) -> None:
    load(FINESS)
    load(EXTRACT, source="ror", force=True)  # before RPPS: the ROR's own record
    query = "SELECT source, content_hash FROM practitioner WHERE id = '810100000001'"
    assert rows(clean_db, query)[0][0] == "ror"
    load(RPPS, source="rpps")
    owned = rows(clean_db, query)
    assert owned[0][0] == "rpps"
    # The next ROR load leaves RPPS's record as it is, and does not tombstone it.
    again = load(EXTRACT, source="ror", force=True)
    assert rows(clean_db, query) == owned
    assert value(clean_db, "SELECT active FROM practitioner WHERE id = '810100000001'") is True
    assert again.counts.deactivated == 0
