"""Legacy etalab extracts: the real excerpt field by field, then each pitfall on own fixtures."""

from __future__ import annotations

import gzip
import zipfile
from datetime import date
from pathlib import Path

import pytest

from directory.organizations.records import OrganizationRecord
from loaders.base import BadFile, Rejected, Row
from loaders.finess_etalab import etalab_kinds, parse_etalab

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "finess"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "finess"
ESTABLISHMENTS = FIXTURES / "etalab-cs1100507-stock-20260512-0339.csv"
LEGAL_ENTITIES = FIXTURES / "etalab-cs1100501-stock-20260512-0340.csv"


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"../shared not present: {path} cannot be checked")
    return path


def parse(path: Path) -> tuple[dict[str, OrganizationRecord], list[Rejected], list[int]]:
    """Records by FINESS number, rejects, and the line of every item in order."""
    records, rejected, lines = {}, [], []
    for item in parse_etalab(path):
        lines.append(item.line)
        if isinstance(item, Row):
            assert item.record.finess not in records
            records[item.record.finess] = item.record
        else:
            rejected.append(item)
    return records, rejected, lines


@pytest.fixture(scope="module")
def real() -> dict[str, OrganizationRecord]:
    records, rejected, _ = parse(shared("etalab-cs1100502-stock-20260512-0339.excerpt.csv"))
    assert rejected == []
    return records


@pytest.fixture(scope="module")
def fixture() -> tuple[dict[str, OrganizationRecord], list[Rejected], list[int]]:
    return parse(ESTABLISHMENTS)


# --- The real excerpt of the last legacy extract (2026-05-12) ------------------------------


def test_real_excerpt_kinds_and_count(real: dict[str, OrganizationRecord]) -> None:
    assert etalab_kinds(shared("etalab-cs1100502-stock-20260512-0339.excerpt.csv")) == {"EG"}
    assert len(real) == 14
    assert {r.kind for r in real.values()} == {"EG"}
    assert {r.source for r in real.values()} == {"etalab"}
    assert {r.source_status for r in real.values()} == {"A"}


def test_real_excerpt_hospital_field_by_field(real: dict[str, OrganizationRecord]) -> None:
    ch = real["010000024"]
    assert (ch.name, ch.name_long) == (
        "CH DE FLEYRIAT",
        "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT",
    )
    assert ch.parent_finess == "010780054"
    assert (ch.alias, ch.address_complement) == (None, None)
    assert (ch.street_number, ch.street_type, ch.street_name, ch.street_repeat) == (
        "900",
        "RTE",
        "DE PARIS",
        None,
    )
    assert (ch.commune_insee, ch.department, ch.department_label) == ("01451", "01", "AIN")
    assert (ch.postal_code, ch.city) == ("01440", "VIRIAT")
    assert (ch.phone, ch.fax) == ("0474454647", "0474454114")
    assert (ch.category_code, ch.category_label) == ("355", "Centre Hospitalier (C.H.)")
    assert (ch.category_aggregate_code, ch.category_aggregate_label) == (
        "1102",
        "Centres Hospitaliers",
    )
    assert (ch.siret, ch.ape_code) == ("26010004500012", "8610Z")
    assert (ch.mft_code, ch.mft_label) == (
        "03",
        "ARS établissements Publics de santé dotation globale",
    )
    assert (ch.sph_code, ch.sph_label) == ("1", "Etablissement public de santé")
    assert (ch.opened, ch.authorized, ch.authority_updated) == (
        date(1979, 2, 13),
        date(1979, 2, 13),
        date(2020, 2, 4),
    )
    assert ch.education_number is None
    assert (ch.latitude, ch.longitude, ch.crs) == (None, None, None)  # cs1100502: no geolocation


def test_real_excerpt_quoted_name(real: dict[str, OrganizationRecord]) -> None:
    lieu = real["980501506"]
    assert lieu.name == 'LIEU DE VIE "MAVOUNA MEMA 1"'
    assert lieu.name_long == 'LIEU DE VIE ET D\'ACCUEIL "MAVOUNA MEMA 1"'
    assert lieu.alias == "ASSOCIATION MESSO"
    assert (lieu.parent_finess, lieu.commune_insee, lieu.department) == ("980501498", "97606", "9F")
    assert (lieu.postal_code, lieu.city) == ("97620", "CHIRONGUI")


@pytest.mark.parametrize(
    ("finess", "insee", "department", "postal_code", "city"),
    [
        ("980600027", "98613", "9J", "98600", "UVEA"),
        ("970102018", "97123", "9A", "97133", "ST BARTHELEMY"),
        ("970100400", "97127", "9A", "97150", "ST MARTIN"),
        ("970300026", "97302", "9C", "97306", "CAYENNE CEDEX"),
        ("970400024", "97411", "9D", "97405", "ST DENIS CEDEX"),
        ("970216057", "97209", "9B", "97200", "FORT DE FRANCE"),
    ],
)
def test_real_excerpt_overseas_communes(real, finess, insee, department, postal_code, city) -> None:
    record = real[finess]
    assert (record.commune_insee, record.department) == (insee, department)
    assert (record.postal_code, record.city) == (postal_code, city)


def test_real_excerpt_blank_fields_are_none(real: dict[str, OrganizationRecord]) -> None:
    wallis = real["980600027"]
    assert (wallis.name_long, wallis.phone, wallis.siret) == (None, None, "13000323900014")
    assert wallis.locality == "BP 4 - MATA'UTU"
    assert real["970216057"].alias == "CITE BON AIR"
    assert real["970216057"].address_complement == "ROUTE DES RELIGIEUSES"
    assert real["970409645"].street_repeat == "C"


# --- Own fixture: cs1100507 with every pitfall ------------------------------------------------


def test_fixture_keeps_going_after_bad_lines(fixture) -> None:
    records, rejected, lines = fixture
    assert len(records) == 15
    assert lines == sorted(lines)  # physical line numbers, manifest = 1
    assert [(r.line, r.reason) for r in rejected] == [
        (12, "structureet line has 33 fields, expected 32"),
        (13, "nofinesset: FINESS number '010090273' has a wrong check digit"),
        (14, "structure 010090355 has no name (rs)"),
        (15, "datemaj '2020-13-45' is not a YYYY-MM-DD date"),
        (16, "structureet line has 16 fields, expected 32"),
        (36, "geolocalisation line has 4 fields, expected 6"),
    ]
    assert rejected[1].raw.startswith("structureet;010090273;")


def test_fixture_doubled_quotes(fixture) -> None:
    foyer = fixture[0]["2A0012344"]
    assert foyer.name == 'FOYER "LES TILLEULS"'
    assert foyer.name_long == 'FOYER D\'ACCUEIL "LES TILLEULS"'
    assert (foyer.commune_insee, foyer.department, foyer.city) == ("2A004", "2A", "AJACCIO")


def test_fixture_windows_1252_line(fixture) -> None:
    record = fixture[0]["970210019"]
    assert record.name == "CENTRE MÉDICO-SOCIAL DE L'ÎLE"
    assert record.street_name == "DES ÉCOLES"
    assert record.category_label == "Centre Médico-Psycho-Pédagogique (C.M.P.P.)"


def test_fixture_trailing_semicolons(fixture) -> None:
    records = fixture[0]
    assert records["980670012"].mft_label == "Indéterminé"  # 32 fields + parasite ';'
    assert records["010090199"].education_number == "0010001W"  # numuai then parasite ';'
    assert records["010090017"].education_number is None  # numuai empty: the usual ';'


def test_fixture_values_are_normalised(fixture) -> None:
    clinic = fixture[0]["010090017"]
    assert clinic.phone == "0474454647"  # dots removed
    assert clinic.fax is None  # two numbers in one field
    assert (clinic.street_repeat, clinic.locality) == ("B", "BP 401 VIRIAT")
    assert fixture[0]["980560015"].opened is None  # 1900-01-01 placeholder


@pytest.mark.parametrize(
    ("finess", "epsg", "lonlat", "xy"),
    [
        ("010090017", 2154, (5.20918, 46.22229), (870262.2, 6571540.8)),
        ("970120010", 5490, (-61.52874, 16.234), (657242.9, 1795384.4)),
        ("970330015", 2972, (-52.31973, 4.92347), (353672.8, 544349.1)),
        ("970440012", 2975, (55.29821, -20.97571), (323086.6, 7679599.8)),
        ("980560015", 4471, (45.22868, -12.77989), (524819.9, 8587194.7)),
        ("970550018", 32621, (-56.17201, 46.77332), (563213.8, 5180306.8)),
        ("970210019", 5490, (-61.0742, 14.6065), (707445.96, 1615683.3)),
        ("980670012", 32701, (-176.1745, -13.2816), (589419.13, 8531574.86)),
        ("2A0012344", 2154, (8.7369, 41.9267), (1176466.0, 6109095.67)),
        # No CRS in the text: the territory's; L93_METROPOLE; a Réunion row labelled Lambert-93.
        ("010090769", 2154, (5.2542, 46.21126), (873766.07, 6570414.61)),
        ("010090843", 2154, (5.2542, 46.21126), (873766.07, 6570414.61)),
        ("970440277", 2975, (55.29821, -20.97571), (323086.6, 7679599.8)),
    ],
)
def test_fixture_coordinates_per_row_crs(fixture, finess, epsg, lonlat, xy) -> None:
    record = fixture[0][finess]
    assert record.crs == epsg
    assert (round(record.longitude, 5), round(record.latitude, 5)) == pytest.approx(lonlat)
    assert (record.projected_x, record.projected_y) == xy
    assert record.extra["geocoded"] in ("2026-05-04", "2018-06-08")


def test_fixture_geocode_source_is_the_published_text(fixture) -> None:
    assert fixture[0]["970550018"].geocode_source == (
        "2,ATLASANTE,90,BAN,WGS84/UTM zone 21N (St-Pierre-et-Miquelon)"
    )


def test_fixture_missing_or_unusable_coordinates_are_not_rejects(fixture) -> None:
    records = fixture[0]
    for finess in ("010090686", "010090926"):  # no geolocalisation line; (0, 0)
        assert (records[finess].latitude, records[finess].longitude) == (None, None)
        assert records[finess].projected_x is None
    assert "010099999" not in records  # geolocalisation of an unknown structure: ignored


def test_fixture_gzip_and_zip_parse_alike(tmp_path: Path, fixture) -> None:
    gz = tmp_path / "extract.csv.gz"
    gz.write_bytes(gzip.compress(ESTABLISHMENTS.read_bytes()))
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(ESTABLISHMENTS, ESTABLISHMENTS.name)
    for packed in (gz, archive):
        assert parse(packed) == fixture


# --- Own fixture: cs1100501 legal entities ----------------------------------------------------


def test_legal_entities() -> None:
    assert etalab_kinds(LEGAL_ENTITIES) == {"EJ"}
    records, rejected, _ = parse(LEGAL_ENTITIES)
    assert sorted(records) == ["010080018", "2A0012422", "980670194"]
    ch = records["010080018"]
    assert (ch.kind, ch.name, ch.name_long, ch.parent_finess) == (
        "EJ",
        "CH DU LAC",
        "CENTRE HOSPITALIER DU LAC",
        None,
    )
    assert (ch.street_number, ch.street_type, ch.street_name, ch.locality) == (
        "900",
        "RTE",
        "DE PARIS",
        "BP 401",
    )
    assert (ch.commune_insee, ch.department, ch.postal_code, ch.city) == (
        "01451",
        "01",
        "01440",
        "VIRIAT",
    )
    assert (ch.legal_status_code, ch.legal_status_label) == (
        "13",
        "Etablissement Public Communal d'Hospitalisation",
    )
    assert (ch.category_code, ch.siren, ch.ape_code, ch.phone) == (
        "355",
        "260100045",
        "8610Z",
        "0474454647",
    )
    assert (ch.opened, ch.authorized) == (date(1979, 2, 13), None)
    association = records["2A0012422"]  # quoted, parasite ';', placeholder date
    assert association.name == 'ASSOCIATION "LES TILLEULS"'
    assert (association.siren, association.opened) == ("782500124", None)
    assert records["980670194"].commune_insee == "98613"
    assert [(r.line, r.reason) for r in rejected] == [
        (5, "nofiness: FINESS number '010080019' has a wrong check digit"),
        (6, "a structureet line in an extract of EJ"),
    ]


# --- Files that cannot be read ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"^bad\.csv: the file is empty$"),
        (b"nofinesset;nofinessej;rs\n", r"^bad\.csv: not a FINESS etalab extract: first line"),
        (b"finess;etalab;111;12/05/2026\n", r"not a FINESS etalab extract"),
        (b"finess;etalab;111;2026-05-12\n\n", r"^bad\.csv: the etalab extract has no data line$"),
        (
            b"finess;etalab;111;2026-05-12\nstructureet;010000024;010780054\n",
            r"^bad\.csv: unsupported etalab extract",
        ),
        (
            b"finess;etalab;111;2026-05-12\nequipementsocial;010000024;1\n",
            r"^bad\.csv: unsupported etalab extract",
        ),
    ],
    ids=["empty", "header", "date", "manifest-only", "equipment-links", "other-section"],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(BadFile, match=message):
        list(parse_etalab(path))


def test_truncated_gzip_is_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    whole = gzip.compress(ESTABLISHMENTS.read_bytes() * 40)
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(BadFile, match=r"^cut\.csv\.gz: truncated or corrupt data"):
        list(parse_etalab(path))


def test_bom_before_the_manifest_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + LEGAL_ENTITIES.read_bytes())
    assert etalab_kinds(path) == {"EJ"}
