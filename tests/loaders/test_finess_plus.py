"""FINESS+ structures flux: the ANS sample field by field, then own fixtures for each pitfall."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from directory.organizations.records import OrganizationRecord
from loaders.base import BadFile, Rejected, Row
from loaders.finess_plus import GroupRecord, parse_structures

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "finess"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "finess"
STRUCTURES = FIXTURES / "finess-structures-journalier-20261102.json"


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"../shared not present: {path} cannot be checked")
    return path


def key(item: Row | Rejected) -> str:
    record = item.record if isinstance(item, Row) else None
    if isinstance(record, OrganizationRecord):
        return record.finess
    if isinstance(record, GroupRecord):
        return record.group_id
    return f"rejected: {item.reason}"


def by_key(items: list[Row | Rejected]) -> dict[str, object]:
    found = {key(item): item.record if isinstance(item, Row) else item.reason for item in items}
    assert len(found) == len(items)
    return found


def reordered(tmp_path: Path, order: tuple[str, ...]) -> Path:
    """The structures fixture with its top-level keys in another order."""
    document = json.loads(STRUCTURES.read_text(encoding="utf-8"))
    path = tmp_path / f"structures-{'-'.join(order)}.json"
    path.write_text(json.dumps({name: document[name] for name in order}, indent=1))
    return path


@pytest.fixture(scope="module")
def sample() -> list[Row | Rejected]:
    return list(
        parse_structures(shared("exemple-finess-structures-journalier-20260309.excerpt.json"))
    )


@pytest.fixture(scope="module")
def own() -> list[Row | Rejected]:
    return list(parse_structures(STRUCTURES))


@pytest.fixture(scope="module")
def records(own: list[Row | Rejected]) -> dict[str, object]:
    return by_key(own)


# --- The ANS sample (March 2026) ----------------------------------------------------------------


def test_sample_counts_and_positions(sample: list[Row | Rejected]) -> None:
    assert [item.line for item in sample] == list(range(1, 30))
    assert not [item for item in sample if isinstance(item, Rejected)]
    kinds = [getattr(item.record, "kind", None) for item in sample]
    assert (kinds.count("GCC"), kinds.count("GCO"), kinds.count("EJ"), kinds.count("EG")) == (
        5,
        14,
        5,
        5,
    )


def test_sample_inactive_legal_entity(sample: list[Row | Rejected]) -> None:
    ej = by_key(sample)["010000016"]
    assert (ej.kind, ej.source, ej.source_status, ej.closed) == (
        "EJ",
        "finess+",
        "I",
        date(2019, 3, 3),
    )
    assert ej.name == "MAISON DE RETRAITE - DIVONNE-LES-BAINS"
    assert ej.name_long == "MAISON DE RETRAITE RESIDENCE DES ANCIENS - DIVONNE-LES-BAINS"
    assert (ej.siren, ej.legal_status_code, ej.ape_code) == ("260104633", "21", "87.10A")
    assert (ej.opened, ej.authority_updated) == (date(1994, 1, 1), date(2019, 3, 4))
    assert (ej.commune_insee, ej.department, ej.postal_code, ej.city) == (
        "01143",
        "01",
        "01220",
        "DIVONNE LES BAINS",
    )
    assert (ej.street_number, ej.street_type, ej.street_name) == ("240", "R", "GUY DE MAUPASSANT")
    assert (ej.phone, ej.technical_id, ej.parent_finess) == ("0450201235", "1", None)
    # Lambert-93 northing published in coordonneeX: kept as easting/northing.
    assert (ej.latitude, ej.longitude) == (46.362063, 6.139885)
    assert (ej.projected_x, ej.projected_y, ej.crs) == (941342.52, 6589480.53, 2154)
    assert ej.geocode_source == "BAN 97"
    assert ej.extra == {"typePersonneMorale": "01", "fonctionPublique": "01", "evenement_count": 2}


def test_sample_establishment(sample: list[Row | Rejected]) -> None:
    eg = by_key(sample)["010780195"]
    assert (eg.kind, eg.name, eg.name_long) == (
        "EG",
        "CLINIQUE CONVERT",
        "CLINIQUE DOCTEUR CONVERT",
    )
    assert (eg.parent_finess, eg.technical_id, eg.parent_technical_id) == ("010000156", "799", "2")
    assert (eg.latitude, eg.longitude) == (46.211257, 5.254203)
    assert (eg.projected_x, eg.projected_y, eg.crs) == (873766.07, 6570414.61, 2154)
    assert (eg.category_code, eg.mft_code, eg.sph_code, eg.siret) == (
        "365",
        "07",
        "0",
        "77220148900022",
    )
    assert (eg.opened, eg.authorized, eg.closed) == (date(1956, 11, 16), date(1956, 11, 16), None)
    assert (eg.locality, eg.postal_code, eg.city, eg.commune_insee) == (
        "BP 132",
        "01000",
        "BOURG EN BRESSE",
        "01053",
    )
    assert (eg.source_status, eg.authority_updated) == ("A", date(2021, 10, 18))
    assert eg.extra["typeBudget"] == ["01"]
    assert eg.extra["evenement_count"] == 2
    assert eg.extra["engagement"][0]["sousTypeEngagement"] == "ASE"
    assert "autoriteRegulationEngagement" not in eg.extra["engagement"][0]  # empty: dropped


def test_sample_padded_strings_are_trimmed(sample: list[Row | Rejected]) -> None:
    records = by_key(sample)
    smur = records["010787190"]
    assert (smur.name, smur.name_long) == (
        "SMUR POLYCLINIQUE AMBERIEU",
        "SMUR POLYCLINIQUE AMBERIEU EN BUGEY",
    )
    assert (smur.street_type, smur.street_name) == ("R", "AIME VINGTRINIER")
    assert (smur.source_status, smur.closed, smur.latitude) == ("I", date(1993, 1, 1), None)
    assert smur.parent_finess == "010000164"
    assert records["010000164"].name == "POLYCLINIQUE D'AMBERIEU"
    assert records["010000172"].street_type == "BD"
    assert records["010002749"].fax == "0479817589"


def test_sample_groups(sample: list[Row | Rejected]) -> None:
    records = by_key(sample)
    ght = records["GCC-1"]
    assert (ght.kind, ght.name, ght.type_code, ght.external_id, ght.source_status) == (
        "GCC",
        "21-52 Côte d'Or-Haute-Marne",
        "001",
        "27103",
        "A",
    )
    assert len(ght.members) == 9
    assert {"pm_id": "14967", "role": "S"} in ght.members
    assert ght.authority_updated == date(2025, 10, 21)
    gco = records["GCO-96662"]
    assert (gco.kind, gco.name, gco.type_code, gco.members) == ("GCO", None, "001", [])


# --- Own fixture ------------------------------------------------------------------------------


def test_own_fixture_positions_and_rejects(own: list[Row | Rejected]) -> None:
    assert [item.line for item in own] == list(range(1, 19))
    assert [(r.line, r.reason) for r in own if isinstance(r, Rejected)] == [
        (2, "gcc item: gccId is missing"),
        (8, "pmej[0].ege[2]: numFinessEge: FINESS number '010090273' has a wrong check digit"),
        (9, "pmej[0].ege[3]: structure 010090686 has no name"),
        (15, "pmej[3]: structure 980670194 has no name"),
        (17, "pmej[4]: numFinessPm: FINESS number '010080019' has a wrong check digit"),
        (
            18,
            "pmej[4].ege[0]: establishment 010090926: its legal entity has no valid FINESS number",
        ),
    ]
    rejected = next(r for r in own if isinstance(r, Rejected) and r.line == 8)
    assert '"numFinessEge":"010090273"' in rejected.raw


def test_structure_orders_give_the_same_records(tmp_path: Path, own) -> None:
    expected = by_key(own)
    for order in (
        ("schemaVersion", "generatedAt", "pmej", "gco", "gcc"),  # the schema's order
        ("gcc", "pmej", "schemaVersion", "gco", "generatedAt"),  # gcc before, gco after
    ):
        items = list(parse_structures(reordered(tmp_path, order)))
        assert by_key(items) == expected, order
        assert [item.line for item in items] == list(range(1, 19))
    groups_last = list(parse_structures(reordered(tmp_path, ("pmej", "gcc", "gco"))))
    assert [key(item) for item in groups_last[-4:]] == [
        "GCC-12",
        "rejected: gcc item: gccId is missing",
        "GCO-103",
        "GCO-104",
    ]


def test_gzip_input(tmp_path: Path, own) -> None:
    path = tmp_path / "structures.json.gz"
    path.write_bytes(gzip.compress(STRUCTURES.read_bytes()))
    assert list(parse_structures(path)) == own


def test_legal_entity_address_contact_and_extra(records) -> None:
    ch = records["010080018"]
    assert (ch.name, ch.name_long) == ("CH DU LAC", "CENTRE HOSPITALIER DU LAC")
    # The head office address (02), not the first one (06).
    assert (ch.street_number, ch.street_type, ch.street_name, ch.locality) == (
        "900",
        "RTE",
        "DE PARIS",
        "BP 401",
    )
    assert (ch.postal_code, ch.city, ch.commune_insee, ch.department) == (
        "01440",
        "VIRIAT",
        "01451",
        "01",
    )
    # The main contact (01), dots and spaces removed, e-mail trimmed.
    assert (ch.phone, ch.fax, ch.email) == ("0474454647", "0474454114", "direction@ch-du-lac.test")
    assert (ch.latitude, ch.longitude, ch.projected_x, ch.projected_y, ch.crs) == (
        46.222286,
        5.209181,
        870262.2,
        6571540.8,
        2154,
    )
    assert ch.extra == {"typePersonneMorale": "01", "fonctionPublique": "02", "evenement_count": 1}


def test_establishment_fields(records) -> None:
    eg = records["010090017"]
    assert (eg.name, eg.name_long, eg.alias) == (
        "CLINIQUE DU LAC",
        "CLINIQUE DU LAC DE BOURG-EN-BRESSE",
        "SITE NORD",
    )
    assert (eg.parent_finess, eg.technical_id, eg.parent_technical_id) == (
        "010080018",
        "2001",
        "101",
    )
    assert (eg.siret, eg.education_number, eg.category_code, eg.mft_code, eg.sph_code) == (
        "26010004500012",
        "0010001W",
        "355",
        "03",
        "1",
    )
    # The geographic address (03), although listed second; routing line with its postcode.
    assert (eg.street_name, eg.address_complement, eg.postal_code, eg.city) == (
        "DE PARIS",
        "BATIMENT B",
        "01440",
        "VIRIAT",
    )
    assert (eg.opened, eg.authorized, eg.authority_updated) == (
        date(1979, 2, 13),
        None,  # 1900-01-01 placeholder
        date(2021, 10, 18),
    )
    assert eg.extra == {
        "espic": ["1"],
        "typeBudget": ["01", "02"],
        "roleEge": [{"idEgeNonPorteuse": "2002", "idEgePorteuse": "2001", "roleRelationEge": "01"}],
        "evenement_count": 2,
        "engagement": [
            {
                "engagementId": "899291",
                "typeEngagement": "CONV",
                "sousTypeEngagement": "ASE",
                "dateEffetEngagement": "1974-03-25",
            }
        ],
    }


@pytest.mark.parametrize(
    ("finess", "expected"),
    [
        # Degrees in coordonneeX/Y, projected in direction*.
        ("010090017", (46.222286, 5.209181, 870262.2, 6571540.8, 2154, "BAN 96")),
        # Latitude and longitude swapped.
        ("010090199", (46.211257, 5.254203, 873766.07, 6570414.61, 2154, "BAN 97")),
        # Degrees (0, 0): the projected pair converted; a commune-level BAN key.
        ("010090843", (46.211257, 5.254203, 873766.07, 6570414.61, 2154, "BAN commune")),
        # Overseas: La Réunion (projected only / projected swapped), Wallis.
        ("970440194", (-20.97571, 55.29821, 323086.6, 7679599.8, 2975, None)),
        ("970440012", (-20.975711, 55.298207, 323086.6, 7679599.8, 2975, "BAN 88")),
        ("980670012", (-13.2816, -176.1745, 589419.13, 8531574.86, 32701, None)),
    ],
)
def test_coordinates_whatever_the_layout(records, finess, expected) -> None:
    record = records[finess]
    found = (
        round(record.latitude, 6),
        round(record.longitude, 6),
        record.projected_x,
        record.projected_y,
        record.crs,
        record.geocode_source,
    )
    assert found == pytest.approx(expected)


def test_no_coordinates_rather_than_zero(records) -> None:
    record = records["010090769"]
    assert (record.latitude, record.longitude, record.projected_x, record.crs) == (
        None,
        None,
        None,
        None,
    )
    assert (record.street_type, record.street_name) == ("R", "AIME VINGTRINIER")


def test_overseas_and_corsica_departments(records) -> None:
    reunion = records["970440194"]
    assert (reunion.department, reunion.commune_insee, reunion.source_status, reunion.closed) == (
        "9D",
        "97411",
        "I",
        date(2019, 3, 3),
    )
    assert records["980670012"].department == "9J"
    corsica = records["2A0012422"]  # blank short name: the long one serves
    assert (corsica.department, corsica.name, corsica.name_long) == (
        "2A",
        "ASSOCIATION LES TILLEULS",
        "ASSOCIATION LES TILLEULS",
    )
    assert corsica.extra == {"typePersonneMorale": "02", "typeGroupeGco": "003"}


def test_groups(records) -> None:
    assert records["GCC-12"] == GroupRecord(
        group_id="GCC-12",
        kind="GCC",
        name="GHT TEST AIN",
        type_code="001",
        external_id="84001",
        source_status="A",
        members=[
            {"pm_id": "101", "role": "S"},
            {"pm_id": "102", "role": "M"},
            {"ege_id": "2001", "role": "M"},
        ],
        authority_updated=date(2025, 10, 21),
    )
    assert records["GCO-103"].members == [
        {"pm_id": "101", "role": "M"},
        {"ege_id": "2002", "role": "M"},
    ]


# --- Files that cannot be read ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"^bad\.json: the file is empty$"),
        (b"finess;etalab;111;2026-05-12\n", r"^bad\.json: not a FINESS\+ structures file: "),
        (b"[1, 2]", r"not a FINESS\+ structures file: not a JSON object"),
        (b'{"schemaVersion": "v1", "gcc": []}', r"no top-level 'pmej' array"),
        (b'{"pmej": {"not": "an array"}}', r"no top-level 'pmej' array"),
        (b'{"gcc": [{"gccId": "1"', r"^bad\.json: not a FINESS\+ structures file: .*EOF"),
    ],
    ids=["empty", "csv", "array", "no-pmej", "pmej-object", "cut-in-groups"],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(BadFile, match=message):
        list(parse_structures(path))


def test_structures_are_streamed_until_the_damage(tmp_path: Path) -> None:
    whole = STRUCTURES.read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(whole[: whole.index(b'"numFinessPm" : "2A0012422"')])
    seen = []
    with pytest.raises(BadFile, match=r"^cut\.json: invalid JSON: .*EOF"):
        for item in parse_structures(path):
            seen.append(item)
    assert [key(item) for item in seen][-2:] == ["970440194", "970440012"]


def test_truncated_gzip_is_a_bad_file(tmp_path: Path) -> None:
    whole = gzip.compress(STRUCTURES.read_bytes())
    path = tmp_path / "cut.json.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(BadFile, match=r"^cut\.json\.gz: truncated or corrupt data"):
        list(parse_structures(path))
