"""The synthetic FINESS generator: deterministic, complete, in the real formats (no database)."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from pyproj import Transformer

from directory.organizations.finess_number import finess_problem, luhn_check_digit
from directory.organizations.territories import (
    INSEE_DEPARTMENT,
    NUMBER_PREFIX,
    OVERSEAS,
    department_of_commune,
    insee_commune,
    is_plausible,
    territory,
)
from loaders.synthetic.finess import generate_finess
from loaders.synthetic.places import DEPARTMENTS
from tests.conftest import shared_file

DAY = date(2026, 11, 1)
KINDS = ("structures", "activities", "entities", "establishments")


def _generate(directory: Path, **options) -> dict[str, Path]:
    return dict(zip(KINDS, generate_finess(directory, day=DAY, **options), strict=True))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """About 1,000 legal entities and 1,750 establishments."""
    return _generate(tmp_path_factory.mktemp("synthetic"), scale=0.01, seed=3)


@pytest.fixture(scope="module")
def structures(files: dict[str, Path]) -> dict:
    return json.loads(gzip.decompress(files["structures"].read_bytes()))


@pytest.fixture(scope="module")
def activities(files: dict[str, Path]) -> dict:
    return json.loads(gzip.decompress(files["activities"].read_bytes()))


@pytest.fixture(scope="module")
def establishments(structures: dict) -> list[dict]:
    return [ege for pmej in structures["pmej"] for ege in pmej["ege"]]


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream, delimiter=";"))


def _department(address: dict) -> str:
    return department_of_commune(address["cogCommune"])


def _lat_lon(coordinates: dict, swapped: bool) -> tuple[float, float]:
    keys = (
        ("coordonneeX", "coordonneeY") if swapped else ("directionLatitude", "directionLongitude")
    )
    return float(coordinates[keys[0]]), float(coordinates[keys[1]])


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", scale=0.001, seed=11)
    again = _generate(tmp_path / "b", scale=0.001, seed=11)
    other = _generate(tmp_path / "c", scale=0.001, seed=12)
    for kind in KINDS:
        assert first[kind].read_bytes() == again[kind].read_bytes(), kind
        assert first[kind].read_bytes() != other[kind].read_bytes(), kind


def test_file_names_carry_the_day(files: dict[str, Path]) -> None:
    assert [path.name for path in files.values()] == [
        "finess-structures-journalier-20261101.json.gz",
        "finess-activites-journalier-20261101.json.gz",
        "etalab-cs1100501-stock-20261101-0339.csv",
        "etalab-cs1100507-stock-20261101-0343.csv",
    ]
    assert not list(files["structures"].parent.glob("*.part"))


def test_gzipped_csv_holds_the_same_lines(tmp_path: Path) -> None:
    plain = _generate(tmp_path / "plain", scale=0.001, seed=5)
    zipped = _generate(tmp_path / "zipped", scale=0.001, seed=5, gzip_csv=True)
    for kind in ("entities", "establishments"):
        assert zipped[kind].name == plain[kind].name + ".gz"
        assert gzip.decompress(zipped[kind].read_bytes()) == plain[kind].read_bytes()


def test_volumes_follow_the_scale(structures: dict, establishments: list[dict]) -> None:
    assert len(structures["pmej"]) == 1000
    assert 1500 <= len(establishments) <= 2000
    closed = sum(ege["etatObjet"] == "I" for ege in establishments) / len(establishments)
    assert 0.05 <= closed <= 0.2


def test_every_departement_is_present(structures: dict, establishments: list[dict]) -> None:
    departments = {_department(ege["adresse"][0]) for ege in establishments}
    assert departments == {department.code for department in DEPARTMENTS}


def test_tiny_scale_covers_every_territory_and_both_states(tmp_path: Path) -> None:
    files = _generate(tmp_path, scale=0.001, seed=1)
    flux = json.loads(gzip.decompress(files["structures"].read_bytes()))
    assert len(flux["pmej"]) == 100
    departments = {_department(pmej["adresse"][0]) for pmej in flux["pmej"]}
    assert set(OVERSEAS) | {"2A", "2B"} <= departments
    establishments = [ege for pmej in flux["pmej"] for ege in pmej["ege"]]
    for records in (flux["pmej"], establishments):
        assert {record["etatObjet"] for record in records} == {"A", "I"}


def test_closed_structures_have_a_closing_date(
    structures: dict, establishments: list[dict]
) -> None:
    for pmej in structures["pmej"]:
        closed = "dateFermeture" in pmej["informationsGeneralesPMEJ"]
        assert closed == (pmej["etatObjet"] == "I")
        if closed:  # an entity closes with all its establishments
            assert all(ege["etatObjet"] == "I" for ege in pmej["ege"])
    for ege in establishments:
        assert ("dateFermeture" in ege["informationsGeneralesEGE"]) == (ege["etatObjet"] == "I")
    # Crèches (TRE_R66 167) closed as a category on 2014-03-31: none is open.
    creches = [ege for ege in establishments if ege["categorieentiteGeographiqueExercice"] == "167"]
    assert creches
    assert all(ege["informationsGeneralesEGE"]["dateFermeture"] <= "2014-03-31" for ege in creches)


def test_finess_numbers_are_valid_unique_and_local(
    structures: dict, establishments: list[dict]
) -> None:
    numbers = [pmej["informationsGeneralesPMEJ"]["numFinessPm"] for pmej in structures["pmej"]]
    numbers += [ege["informationsGeneralesEGE"]["numFinessEge"] for ege in establishments]
    assert len(set(numbers)) == len(numbers)
    assert [n for n in numbers if finess_problem(n)] == []
    for ege in establishments:
        department = _department(ege["adresse"][0])
        prefix = NUMBER_PREFIX.get(department, department + "0")
        assert ege["informationsGeneralesEGE"]["numFinessEge"].startswith(prefix)


def test_siren_and_siret_are_consistent(structures: dict) -> None:
    for pmej in structures["pmej"]:
        siren = pmej["informationsGeneralesPMEJ"].get("siren")
        if siren:
            assert luhn_check_digit(siren[:8]) == siren[8]
        for ege in pmej["ege"]:
            siret = ege["informationsGeneralesEGE"].get("siret")
            if siret:
                assert siren and siret.startswith(siren)
                assert luhn_check_digit(siret[:13]) == siret[13]


def test_postal_codes_match_the_departement(establishments: list[dict]) -> None:
    for ege in establishments:
        address = ege["adresse"][0]
        department = _department(address)
        expected = INSEE_DEPARTMENT.get(department) or (
            "20" if department in ("2A", "2B") else department
        )
        assert address["codePostal"].startswith(expected), address


def test_structures_validate_against_the_schema(structures: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    schema = json.loads(shared_file("finess", "schema-structures-v1.json").read_text())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(structures))
    assert errors == [], errors[0].message


def test_structures_are_shaped_like_the_ans_sample(
    files: dict[str, Path], structures: dict, establishments: list[dict]
) -> None:
    sample = json.loads(
        shared_file(
            "finess", "exemple-finess-structures-journalier-20260309.excerpt.json"
        ).read_text(encoding="utf-8")
    )
    assert list(structures) == list(sample)
    assert list(structures["gcc"][0]) == list(sample["gcc"][0])
    assert list(structures["pmej"][0]) == list(sample["pmej"][1])
    assert list(establishments[0]) == list(sample["pmej"][1]["ege"][0])
    raw = gzip.decompress(files["structures"].read_bytes())
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    stamps = [ege["dateDerniereMaj"] for ege in establishments]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", stamp) for stamp in stamps)
    # Some records keep the legacy fixed-width padding.
    assert any(
        ege["informationsGeneralesEGE"]["nomEgeCourt"].endswith("  ") for ege in establishments
    )


def test_groups_reference_existing_structures(structures: dict, establishments: list[dict]) -> None:
    entities = {pmej["informationsGeneralesPMEJ"]["pmSmsseId"]: pmej for pmej in structures["pmej"]}
    ege_ids = {ege["informationsGeneralesEGE"]["egeId"] for ege in establishments}
    assert structures["gcc"] and structures["gco"]
    for ght in structures["gcc"]:
        roles = [member["typeRoleEntiteGroupe"] for member in ght["pmejDuGcc"]]
        assert roles.count("S") == 1
        assert all(entities[m["pmSmsseId"]]["etatObjet"] == "A" for m in ght["pmejDuGcc"])
    for group in structures["gco"]:
        info = entities[group["pmSmsseId"]]["informationsGeneralesPMEJ"]
        assert info["typeGroupeGco"] == group["typeGco"]
        assert all(member["pmSmsseId"] in entities for member in group["pmejDuGco"])
        assert all(member["egeId"] in ege_ids for member in group["egeDuGco"])


def test_coordinates_land_in_their_territory(establishments: list[dict]) -> None:
    states = Counter()
    for ege in establishments:
        address = ege["adresse"][0]
        coordinates = address.get("coordonneesGeographique")
        if coordinates is None:
            states["missing"] += 1
            continue
        swapped = abs(float(coordinates["coordonneeX"])) < 200
        states["swapped" if swapped else "normal"] += 1
        assert is_plausible(*_lat_lon(coordinates, swapped), _department(address))
    assert states["missing"] and states["swapped"]
    assert states["normal"] > 0.95 * len(establishments)


def test_legacy_extracts_hold_the_open_structures(
    files: dict[str, Path], structures: dict, establishments: list[dict]
) -> None:
    entities = _rows(files["entities"])
    rows = _rows(files["establishments"])
    manifest = ["finess", "etalab", "111", "2026-11-01"]
    assert entities[0] == manifest and rows[0] == manifest
    assert all(row[0] == "structureej" and len(row) == 23 for row in entities[1:])
    tags = [row[0] for row in rows[1:]]
    first_geo = tags.index("geolocalisation")
    assert set(tags[:first_geo]) == {"structureet"} and set(tags[first_geo:]) == {"geolocalisation"}
    assert all(len(row) == 32 for row in rows[1 : first_geo + 1])
    assert all(len(row) == 6 for row in rows[first_geo + 1 :])
    open_entities = {
        pmej["informationsGeneralesPMEJ"]["numFinessPm"]
        for pmej in structures["pmej"]
        if pmej["etatObjet"] == "A"
    }
    open_sites = {
        ege["informationsGeneralesEGE"]["numFinessEge"]
        for ege in establishments
        if ege["etatObjet"] == "A"
    }
    assert {row[1] for row in entities[1:]} == open_entities
    assert {row[1] for row in rows[1 : first_geo + 1]} == open_sites
    assert {row[2] for row in rows[1 : first_geo + 1]} <= open_entities


def test_legacy_lines_are_lf_utf8_with_trailing_semicolon(files: dict[str, Path]) -> None:
    text = files["establishments"].read_bytes().decode("utf-8")
    assert "\r" not in text
    lines = text.split("\n")[1:-1]
    for line in lines:
        if line.startswith("structureet"):
            numuai = next(csv.reader([line], delimiter=";"))[31]
            assert line.endswith(";") == (numuai == "")
        else:
            assert not line.endswith(";")
    assert any(not line.endswith(";") for line in lines if line.startswith("structureet"))


def test_legacy_quoting_round_trips(files: dict[str, Path]) -> None:
    lines = files["establishments"].read_text(encoding="utf-8").split("\n")[1:-1]
    rows = list(csv.reader(lines, delimiter=";"))
    names = [row[4] for row in rows if row[0] == "structureet"]
    assert any('"' in name for name in names) and any(";" in name for name in names)
    for line, row in zip(lines, rows, strict=True):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\n").writerow(row)
        assert buffer.getvalue() == line + "\n"


@functools.cache
def _to_wgs84(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def test_legacy_coordinates_use_the_territory_crs(files: dict[str, Path]) -> None:
    rows = _rows(files["establishments"])
    departments = {row[1]: row[13] for row in rows if row[0] == "structureet"}
    communes = {row[1]: insee_commune(row[13], row[12]) for row in rows if row[0] == "structureet"}
    crs = Counter()
    for row in rows:
        if row[0] != "geolocalisation":
            continue
        department = departments[row[1]]
        epsg = territory(department).epsg
        label = row[4].split(",")[4]
        assert str(epsg) in label or label in (
            "L93_METROPOLE",
            "WGS84/UTM zone 21N (St-Pierre-et-Miquelon)",
            "WGS84/UTM zone 1S (Wallis-et-Futuna)",
        )
        lon, lat = _to_wgs84(epsg).transform(float(row[2]), float(row[3]))
        assert is_plausible(lat, lon, department)
        assert department_of_commune(communes[row[1]]) == department
        crs[epsg] += 1
    assert set(crs) == {place.epsg for place in OVERSEAS.values()} | {2154}


def test_activities_point_at_their_authorisation(
    structures: dict, activities: dict, establishments: list[dict]
) -> None:
    assert list(activities) == ["schemaVersion", "generatedAt", "pmej"]
    entities = {pmej["informationsGeneralesPMEJ"]["pmSmsseId"]: pmej for pmej in structures["pmej"]}
    exercised = 0
    for pmej in activities["pmej"]:
        entity = entities[pmej["pmSmsseId"]]
        assert entity["informationsGeneralesPMEJ"]["numFinessPm"] == pmej["numFiness"]
        authorised = {
            activity["caracteristiquesGeneriques"]["activiteAeId"]
            for activity in pmej["activitesAutorisees"]
        }
        sites = {e["informationsGeneralesEGE"]["egeId"]: e for e in entity["ege"]}
        for site in pmej["ege"]:
            number = sites[site["egeId"]]["informationsGeneralesEGE"]["numFinessEge"]
            assert number == site["numFinessEge"]
            for activity in site["activitesExercees"]:
                generic = activity["caracteristiquesGeneriques"]
                assert generic["identifiantAutorisation"] in authorised
                assert generic["egeId"] == site["egeId"]
                exercised += 1
    assert 1.4 <= exercised / len(establishments) <= 2.0
