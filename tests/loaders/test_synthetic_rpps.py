"""The synthetic RPPS generator: deterministic, in the public extract's format (no database)."""

from __future__ import annotations

import zipfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from directory.organizations.finess_number import luhn_check_digit
from loaders.synthetic import generator
from loaders.synthetic.register import Register
from loaders.synthetic.rpps import generate_rpps
from loaders.synthetic.rpps_files import (
    ACTIVITY_COLUMNS,
    DIPLOMA_COLUMNS,
    MAILBOX_COLUMNS,
    SAVOIR_FAIRE_COLUMNS,
)

DAY = date(2026, 11, 1)
SCALE = 0.002  # about 3,800 persons, 100 FINESS legal entities
SEED = 7
KINDS = ("activities", "diplomas", "savoir_faire", "mailboxes")
COLUMNS = dict(
    zip(
        KINDS,
        (ACTIVITY_COLUMNS, DIPLOMA_COLUMNS, SAVOIR_FAIRE_COLUMNS, MAILBOX_COLUMNS),
        strict=True,
    )
)
STRUCTURE = slice(19, 47)  # Numéro SIRET site … Ancien identifiant de la structure


def _generate(directory: Path, **options) -> dict[str, Path]:
    paths = generate_rpps(directory, scale=SCALE, seed=SEED, day=DAY, **options)
    return dict(zip(KINDS, paths, strict=True))


def _rows(path: Path) -> list[dict[str, str]]:
    """The lines of `path` by column name (the field after the trailing `|` dropped)."""
    header, *lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    names = header.split("|")[:-1]
    return [dict(zip(names, line.split("|")[:-1], strict=True)) for line in lines]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _generate(tmp_path_factory.mktemp("rpps"))


@pytest.fixture(scope="module")
def rows(files: dict[str, Path]) -> dict[str, list[dict[str, str]]]:
    return {kind: _rows(path) for kind, path in files.items()}


@pytest.fixture(scope="module")
def activities(rows: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    return rows["activities"]


def test_names_carry_the_extraction_stamp(files: dict[str, Path]) -> None:
    assert [path.name for path in files.values()] == [
        "PS_LibreAcces_Personne_activite_202611010200.txt",
        "PS_LibreAcces_Dipl_AutExerc_202611010200.txt",
        "PS_LibreAcces_SavoirFaire_202611010200.txt",
        "Extraction_Correspondance_MSSante_202611010200.txt",
    ]


def test_same_arguments_same_bytes(files: dict[str, Path], tmp_path: Path) -> None:
    again = _generate(tmp_path)
    for kind in KINDS:
        assert again[kind].read_bytes() == files[kind].read_bytes(), kind


def test_registered_as_the_rpps_generator(tmp_path: Path) -> None:
    paths = list(generator("rpps")(tmp_path, scale=0.0002, seed=SEED))
    assert [path.name.split("_2026")[0] for path in paths] == [
        "PS_LibreAcces_Personne_activite",
        "PS_LibreAcces_Dipl_AutExerc",
        "PS_LibreAcces_SavoirFaire",
        "Extraction_Correspondance_MSSante",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_header_and_every_line_in_the_real_format(files: dict[str, Path], kind: str) -> None:
    data = files[kind].read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data  # no BOM, \n line ends
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""  # the last line ends with \n too
    columns = COLUMNS[kind]
    assert lines[0] == "|".join(columns) + "|"
    assert len(columns) == {"activities": 56, "diplomas": 13, "savoir_faire": 13}.get(kind, 31)
    for number, line in enumerate(lines[1:-1], 2):
        assert line.endswith("|") and line.count("|") == len(columns), (kind, number, line)


def test_identifiers_follow_the_national_rules(rows: dict[str, list[dict[str, str]]]) -> None:
    for kind in KINDS:
        for row in rows[kind]:
            id_type = row.get("Type d'identifiant PP", row.get("Type Identifiant PP"))
            identifier = row["Identifiant PP"]
            if kind == "mailboxes" and row["Type de BAL"] == "ORG":
                assert id_type == identifier == row["Identification nationale PP"] == ""
                continue
            assert row["Identification nationale PP"] == id_type + identifier
            if id_type == "8":  # RPPS: 11 digits, starting with 10, Luhn key
                assert len(identifier) == 11 and identifier.startswith("10")
                assert luhn_check_digit(identifier[:10]) == identifier[10]
            else:  # ADELI: 9 digits
                assert id_type == "0" and len(identifier) == 9 and identifier.isdigit()


def test_one_person_one_identity(activities: list[dict[str, str]]) -> None:
    identities = defaultdict(set)
    for row in activities:
        identities[row["Identification nationale PP"]].add(
            (row["Code civilité"], row["Nom d'exercice"], row["Prénom d'exercice"])
        )
    assert all(len(names) == 1 for names in identities.values())


def test_other_files_name_persons_of_the_activity_file(
    rows: dict[str, list[dict[str, str]]],
) -> None:
    persons = {row["Identification nationale PP"] for row in rows["activities"]}
    for kind in ("diplomas", "savoir_faire", "mailboxes"):
        named = {row["Identification nationale PP"] for row in rows[kind]} - {""}
        assert named and named <= persons, kind


def test_volumes_in_the_real_proportions(rows: dict[str, list[dict[str, str]]]) -> None:
    """At scale 1: 1.9 M persons, 2.2 M activity lines, 2.1 M diplomas, 400 k savoir-faire."""
    persons = len({row["Identification nationale PP"] for row in rows["activities"]})
    assert persons == pytest.approx(1_900_000 * SCALE, rel=0.02)
    assert len(rows["activities"]) / persons == pytest.approx(2.2 / 1.9, rel=0.05)
    assert len(rows["diplomas"]) / persons == pytest.approx(2.1 / 1.9, rel=0.06)
    assert len(rows["savoir_faire"]) / persons == pytest.approx(0.405 / 1.9, rel=0.15)
    professions = Counter(row["Code profession"] for row in rows["activities"])
    assert [code for code, _ in professions.most_common(2)] == ["60", "10"]


def test_some_persons_have_several_activities_and_some_none(
    activities: list[dict[str, str]],
) -> None:
    sites = defaultdict(list)
    for row in activities:
        sites[row["Identification nationale PP"]].append(
            row["Identifiant technique de la structure"]
        )
    several = [ids for ids in sites.values() if len(set(ids) - {""}) > 1]
    assert 0.08 < len(several) / len(sites) < 0.2
    # No activity: one line, no mode and no site (replacements have a mode, not a site).
    idle = [row for row in activities if not row["Code mode exercice"]]
    assert 0.03 < len(idle) / len(sites) < 0.08
    for row in idle:
        assert sites[row["Identification nationale PP"]] == [""]
        assert set(list(row.values())[STRUCTURE]) == {""}
        assert row["Autorité d'enregistrement"].endswith("//")


def test_savoir_faire_once_in_their_file_the_main_one_on_activities(
    rows: dict[str, list[dict[str, str]]],
) -> None:
    keys = [
        (row["Identification nationale PP"], row["Code profession"], row["Code savoir-faire"])
        for row in rows["savoir_faire"]
    ]
    assert len(keys) == len(set(keys))
    main: dict[tuple[str, str], str] = {}
    for person, profession, code in keys:
        main.setdefault((person, profession), code)
    for row in rows["activities"]:
        key = (row["Identification nationale PP"], row["Code profession"])
        assert row["Code savoir-faire"] == main.get(key, "")


def test_a_structure_looks_the_same_wherever_it_appears(
    activities: list[dict[str, str]],
) -> None:
    columns: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for row in activities:
        technical = row["Identifiant technique de la structure"]
        if technical:
            columns[technical].add(tuple(list(row.values())[STRUCTURE]))
    assert all(len(variants) == 1 for variants in columns.values())
    shared = Counter(row["Identifiant technique de la structure"] for row in activities)
    assert sum(1 for technical, n in shared.items() if technical and n > 1) > 50


def test_structure_identifiers(activities: list[dict[str, str]]) -> None:
    prefixes = {"F": "1", "C": "3", "R": "4"}
    for row in activities:
        technical = row["Identifiant technique de la structure"]
        if not technical:
            continue
        former = row["Ancien identifiant de la structure"]
        assert former[0] == prefixes[technical[0]]
        if technical[0] == "F":
            assert technical[1:] == former[1:] == row["Numéro FINESS site"]
        elif technical[0] == "C":
            assert technical[1:] == former[1:] == row["Numéro SIRET site"]
            assert row["Numéro SIRET site"].startswith(row["Numéro SIREN site"])
        else:  # RPPS rang: 11 digits of RPPS, a 3-digit rank
            assert len(technical) == 15 and len(former) == 15


def test_hospitals_are_sites_of_the_finess_register_of_the_same_seed(
    activities: list[dict[str, str]],
) -> None:
    sites, entities = {}, {}
    for entity in Register(SEED, SCALE, DAY).legal_entities():
        for establishment in entity.establishments:
            sites[establishment.finess] = establishment
            entities[establishment.finess] = entity.finess
    finess_rows = [row for row in activities if row["Numéro FINESS site"]]
    assert len(finess_rows) > len(activities) / 3
    for row in finess_rows:
        site = sites[row["Numéro FINESS site"]]
        assert row["Numéro FINESS établissement juridique"] == entities[site.finess]
        assert row["Raison sociale site"] == site.long_name
        assert row["Code commune (coord. structure)"] == site.address.commune.insee
    assert {"SA01", "SA33"} <= {row["Code secteur d'activité"] for row in finess_rows}


def test_codes_and_labels(activities: list[dict[str, str]]) -> None:
    pairs = Counter()
    for row in activities:
        for code, label in (
            ("Code civilité", "Libellé civilité"),
            ("Code civilité d'exercice", "Libellé civilité d'exercice"),
            ("Code mode exercice", "Libellé mode exercice"),
            ("Code catégorie professionnelle", "Libellé catégorie professionnelle"),
            ("Code rôle", "Libellé rôle"),
        ):
            pairs[(row[code], row[label])] += 1
    assert {("M", "Monsieur"), ("MME", "Madame"), ("DR", "Docteur"), ("L", "Libéral")} <= set(pairs)
    assert {("S", "Salarié"), ("C", "Civil"), ("FON-01", "Titulaire de cabinet")} <= set(pairs)
    doctors = [row for row in activities if row["Code profession"] == "10"]
    assert {row["Libellé profession"] for row in doctors} == {"Médecin"}
    specialties = Counter(row["Code savoir-faire"] for row in doctors)
    assert specialties.most_common(1)[0][0] == "SM53"
    authorities = {row["Autorité d'enregistrement"] for row in activities}
    assert {"CNOM/CNOM/CNOM", "ARS/ARS/ARS"} <= authorities


def test_names_are_french_with_their_quirks(activities: list[dict[str, str]]) -> None:
    families = {row["Nom d'exercice"] for row in activities}
    givens = {row["Prénom d'exercice"] for row in activities}
    assert any(" " in name for name in families)  # LE GALL, DE LA FONTAINE
    assert any("'" in name for name in families)  # D'ALMEIDA
    assert any("-" in name for name in families)  # MARTIN-ROUX
    assert any(set(name) & set("ÉÈÊËÏÎÔÇ") for name in families | givens)
    assert any("-" in name for name in givens)  # JEAN-PIERRE
    assert len(families) > 0.6 * len({row["Identifiant PP"] for row in activities})


def test_mailboxes(rows: dict[str, list[dict[str, str]]]) -> None:
    mailboxes = rows["mailboxes"]
    kinds = Counter(row["Type de BAL"] for row in mailboxes)
    assert set(kinds) == {"PER", "CAB", "ORG"} and kinds["PER"] > kinds["ORG"]
    addresses = [row["Adresse BAL"] for row in mailboxes]
    assert len(set(addresses)) == len(addresses)
    assert all(address.endswith(".mssante.fr") for address in addresses)
    # A personal or cabinet mailbox is at a site of its holder; a site mailbox, at a FINESS site.
    sites = defaultdict(set)
    for row in rows["activities"]:
        sites[row["Identification nationale PP"]].add(row["Ancien identifiant de la structure"])
    for row in mailboxes:
        structure = row["Identification Structure"]
        assert structure[0] == row["Type identifiant structure"]
        if row["Type de BAL"] == "ORG":
            assert structure[0] == "1" and row["Nom d'exercice"] == ""
        else:
            assert structure in sites[row["Identification nationale PP"]]


def test_zip_holds_the_three_extract_files(tmp_path: Path, files: dict[str, Path]) -> None:
    archive, mailboxes = generate_rpps(tmp_path, scale=SCALE, seed=SEED, day=DAY, zip_extract=True)
    assert archive.name == "PS_LibreAcces_202611010200.zip"
    with zipfile.ZipFile(archive) as opened:
        assert opened.namelist() == [files[kind].name for kind in KINDS[:3]]
        for kind in KINDS[:3]:
            assert opened.read(files[kind].name) == files[kind].read_bytes()
    assert mailboxes.read_bytes() == files["mailboxes"].read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [archive.name, mailboxes.name]
    )
    again = generate_rpps(tmp_path / "again", scale=SCALE, seed=SEED, day=DAY, zip_extract=True)
    assert again[0].read_bytes() == archive.read_bytes()
