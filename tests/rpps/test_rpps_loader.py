"""Loading the RPPS open extract: layouts by header name, grouping, rejections, snapshots."""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC
from pathlib import Path

import psycopg
import pytest

from loaders.base import BadFile
from loaders.pipeline import LoadRefused
from tests.conftest import FIXTURES, shared_file

CURRENT = FIXTURES / "rpps" / "current"
LEGACY = FIXTURES / "rpps" / "PS_LibreAcces_Personne_activite_202201100845.txt"
ACTIVITY = "PS_LibreAcces_Personne_activite_202611010200.txt"


def rows(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_current_layout_groups_persons_exercises_and_activities(load, clean_db) -> None:  # noqa: ANN001
    result = load(CURRENT, source="rpps")
    practitioners = dict(rows(clean_db, "SELECT id, family FROM practitioner"))
    assert practitioners == {
        "810100000001": "DE LA FONTAINE",
        "810100000002": "D'ALMEIDA",
        "0012600631": "PETITGUYOT",  # ADELI: type 0 + 9 digits
        "810100000004": "MARTIN",
        "810100000006": "DURAND",
    }
    roles = rows(
        clean_db,
        "SELECT practitioner_id, organization_id, profession_code, mode_code "
        "FROM practitioner_role ORDER BY practitioner_id, profession_code, mode_code",
    )
    assert roles == [
        ("0012600631", None, "26", None),  # a person without a structure still has one role
        # two lines of the same cabinet activity (two savoir-faire) make one role
        ("810100000001", "R10000000000001", "10", "L"),
        ("810100000001", "750000001", "10", "S"),  # the FINESS site is the organization
        ("810100000002", "C12345678900017", "21", "L"),
        ("810100000004", "750000001", "50", "S"),  # two professions, two sites
        ("810100000004", "R10000000000004", "60", "L"),
        ("810100000006", "R10000000000006", "70", "L"),
    ]
    counts = result.counts
    assert (counts.new, counts.rejected) == (5 + 7 + 5, 2)


def test_bad_lines_are_rejected_with_file_line_and_reason(load, clean_db) -> None:  # noqa: ANN001
    result = load(CURRENT, source="rpps")
    rejected = rows(
        clean_db,
        "SELECT line, reason FROM load_rejection WHERE run_id = %s ORDER BY line",
        result.run_id,
    )
    assert rejected == [
        (6, f"{ACTIVITY}: 11 fields where the header has 58"),
        (11, f"{ACTIVITY}: Identification nationale PP is empty"),
    ]


def test_structures_unknown_to_finess_become_organizations(load, clean_db) -> None:  # noqa: ANN001
    load(CURRENT, source="rpps")
    organizations = dict(rows(clean_db, "SELECT id, kind FROM organization"))
    # The hospital has a FINESS number: it is FINESS's Organization, not a second one.
    assert organizations == {
        "750000001": "RS",  # FINESS itself is not loaded here, so RPPS describes it
        "C12345678900017": "RS",
        "R10000000000001": "RS",
        "R10000000000004": "RS",
        "R10000000000006": "RS",
    }


def test_a_structure_finess_knows_stays_finess(load, clean_db) -> None:  # noqa: ANN001
    with psycopg.connect(clean_db) as conn:
        conn.execute(
            """INSERT INTO organization (id, kind, name, source_status, resource, document,
                   names, name_norm, address_norm, identifier_tokens, identifier_type_tokens,
                   type_tokens, content_hash, active)
               VALUES ('750000001', 'EG', 'HOPITAL', 'A', '{}', '{}', '{}', 'hopital', '',
                       '{}', '{}', '{}', 'x', true)"""
        )
    load(CURRENT, source="rpps", force=True)
    assert rows(clean_db, "SELECT kind FROM organization WHERE id = '750000001'") == [("EG",)]


def test_skills_diplomas_and_mailboxes_join_the_person(load, clean_db) -> None:  # noqa: ANN001
    load(CURRENT, source="rpps")
    [(document, tokens, mailboxes)] = rows(
        clean_db,
        "SELECT document, qualification_tokens, mailbox_tokens FROM practitioner "
        "WHERE id = '810100000001'",
    )
    assert [s["code"] for s in document["skills"]] == ["CAPA01", "SM26", "SM53"]
    assert [d["diploma"]["code"] for d in document["diplomas"]] == ["DE01", "DES01"]
    assert "SM53" in tokens and "10" in tokens and "C" in tokens
    assert sorted(mailboxes) == [
        "cabinet.delafontaine@medecin.mssante.fr",
        "elodie.delafontaine@medecin.mssante.fr",
    ]
    # A personal mailbox at a structure also belongs to the role held there.
    [(role_mailboxes,)] = rows(
        clean_db,
        "SELECT mailbox_tokens FROM practitioner_role WHERE organization_id = 'R10000000000001'",
    )
    assert role_mailboxes == ["elodie.delafontaine@medecin.mssante.fr"]


def test_reload_of_the_same_extract_changes_nothing(load, clean_db) -> None:  # noqa: ANN001
    load(CURRENT, source="rpps")
    assert (
        names_in_step(clean_db) and rows(clean_db, "SELECT count(*) FROM practitioner_name")[0][0]
    )
    before = rows(clean_db, "SELECT id, last_updated FROM practitioner_role ORDER BY id")
    again = load(CURRENT, source="rpps").counts
    assert (again.new, again.changed, again.deactivated, again.unchanged) == (0, 0, 0, 17)
    assert rows(clean_db, "SELECT id, last_updated FROM practitioner_role ORDER BY id") == before


def test_a_person_gone_from_the_next_extract_becomes_a_tombstone(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    load(CURRENT, source="rpps")
    shutil.copytree(CURRENT, tmp_path / "next")
    activity = tmp_path / "next" / ACTIVITY
    kept = [line for line in activity.read_text().splitlines() if "DURAND" not in line]
    activity.write_text("\n".join(kept) + "\n")
    with pytest.raises(LoadRefused):  # 1 of 5 persons: above the 5 % guard
        load(tmp_path / "next", source="rpps")
    counts = load(tmp_path / "next", source="rpps", force=True).counts
    assert counts.deactivated == 3  # the person, the activity, the cabinet
    [(active, removed, resource)] = rows(
        clean_db,
        "SELECT active, removed_at IS NOT NULL, resource FROM practitioner "
        "WHERE id = '810100000006'",
    )
    assert (active, removed, resource["active"]) == (False, True, False)
    assert resource["name"][0]["family"] == "DURAND"


def test_a_changed_person_is_stamped_with_the_reload_time(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    load(CURRENT, source="rpps")
    shutil.copytree(CURRENT, tmp_path / "next")
    activity = tmp_path / "next" / ACTIVITY
    activity.write_text(activity.read_text().replace("|Élodie|", "|Élodie-Anne|"))
    assert load(tmp_path / "next", source="rpps").counts.changed >= 1
    changed = rows(
        clean_db,
        "SELECT resource::text, resource->'meta'->>'lastUpdated', last_updated, "
        "resource->'name'->0->'given'->>0 FROM practitioner WHERE id = '810100000001' "
        "UNION ALL SELECT resource::text, resource->'meta'->>'lastUpdated', last_updated, "
        "resource->'practitioner'->>'display' FROM practitioner_role "
        "WHERE practitioner_id = '810100000001'",
    )
    assert len(changed) >= 2
    for text, stamp_text, stamp, name in changed:
        assert "stamped at swap" not in text
        assert stamp_text == stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        )
        assert "Élodie-Anne" in name
    [(others,)] = rows(
        clean_db,
        "SELECT count(*) FROM practitioner WHERE last_updated = %s",
        changed[0][2],
    )
    assert others == 1  # nobody else changed
    assert names_in_step(clean_db)


def test_the_zip_as_downloaded_loads(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    archive = tmp_path / "PS_LibreAcces_202611010200.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in CURRENT.iterdir():
            if file.name.startswith("PS_LibreAcces"):
                out.write(file, file.name)
    load(archive, source="rpps")
    assert rows(clean_db, "SELECT count(*) FROM practitioner") == [(5,)]
    # without the MSSanté file, no mailboxes
    assert rows(clean_db, "SELECT count(*) FROM practitioner WHERE mailbox_tokens <> '{}'") == [
        (0,)
    ]


def test_the_older_52_column_layout_loads(load, clean_db) -> None:  # noqa: ANN001
    load(LEGACY, source="rpps")
    roles = rows(
        clean_db, "SELECT practitioner_id, resource->'code' FROM practitioner_role ORDER BY 1"
    )
    assert [r[0] for r in roles] == ["0012600631", "810100000007"]
    # no rôle nor genre columns: the role carries its mode only
    assert [c["coding"][0]["code"] for c in roles[1][1]] == ["L"]


def test_a_missing_required_column_aborts_with_its_name(load, tmp_path) -> None:  # noqa: ANN001
    text = LEGACY.read_text().replace("Code profession|", "Code métier|", 1)
    broken = tmp_path / LEGACY.name
    broken.write_text(text)
    with pytest.raises(BadFile, match="required column 'Code profession' is missing"):
        load(broken, source="rpps")


def test_a_file_that_is_no_rpps_extract_is_refused(load, tmp_path) -> None:  # noqa: ANN001
    other = tmp_path / "finess.csv"
    other.write_text("finess;etalab;\n")
    with pytest.raises(BadFile, match="no PS_LibreAcces_Personne_activite file"):
        load(other, source="rpps")


def test_a_line_that_is_not_utf8_is_rejected_and_the_rest_kept(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    data = LEGACY.read_bytes().replace("LÉGER".encode(), "L\xc9GER".encode("latin-1"))
    broken = tmp_path / LEGACY.name
    broken.write_bytes(data)
    result = load(broken, source="rpps")
    assert result.counts.rejected == 1
    [(line, reason)] = rows(
        clean_db, "SELECT line, reason FROM load_rejection WHERE run_id = %s", result.run_id
    )
    assert line == 2 and "not valid UTF-8" in reason
    assert rows(clean_db, "SELECT id FROM practitioner") == [("0012600631",)]


def test_quotes_backslashes_and_padding_load_as_written(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    text = LEGACY.read_text().replace("|LÉGER|Noël|", '| LÉ"GER\\X |  Noël|', 1)
    text = text.replace("|CABINET DURAND|", '|CABINET\t"DURAND"|', 1)
    padded = tmp_path / LEGACY.name
    padded.write_text(text)
    load(padded, source="rpps")
    [(family, given, resource)] = rows(
        clean_db, "SELECT family, given, resource FROM practitioner WHERE id = '810100000007'"
    )
    assert (family, given) == ('LÉ"GER\\X', "Noël")  # fields are trimmed, as btrim() does
    assert resource["name"][0]["family"] == 'LÉ"GER\\X'
    [(display,)] = rows(
        clean_db,
        "SELECT resource->'organization'->>'display' FROM practitioner_role "
        "WHERE practitioner_id = '810100000007'",
    )
    assert display == 'CABINET\t"DURAND"'


def test_the_prosanteconnect_layout_maps_by_name(load, clean_db) -> None:  # noqa: ANN001
    sample = shared_file("rpps", "Extraction_ProSanteConnect_Personne_activite_202112120512.txt")
    load(sample, source="rpps")
    persons = rows(clean_db, "SELECT id, family, given FROM practitioner ORDER BY id")
    assert ("810107592544", "HIRE", "BRICE") in persons
    [(count,)] = rows(
        clean_db, "SELECT count(*) FROM practitioner_role WHERE practitioner_id = '0012800728'"
    )
    assert count == 4  # an optician with four shops


def test_two_situations_of_one_kine(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    sample = shared_file("rpps", "2WorkSituationsOrder1")
    # The sample has no extension: give it the name the extract's file has.
    named = tmp_path / "Extraction_ProSanteConnect_Personne_activite_202112010000.txt"
    shutil.copy(sample, named)
    load(named, source="rpps")
    assert rows(
        clean_db, "SELECT organization_id FROM practitioner_role ORDER BY organization_id"
    ) == [("R10000000833997",), ("R10100000240453",)]


def test_tombstones_older_than_the_history_are_purged(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    load(CURRENT, source="rpps")
    shutil.copytree(CURRENT, tmp_path / "next")
    activity = tmp_path / "next" / ACTIVITY
    activity.write_text("".join(line for line in activity.open() if "DURAND" not in line))
    load(tmp_path / "next", source="rpps", force=True)
    with psycopg.connect(clean_db) as conn:
        conn.execute(
            "UPDATE practitioner SET removed_at = removed_at - interval '364 days' "
            "WHERE id = '810100000006'"
        )
    load(tmp_path / "next", source="rpps")  # within the 365 days: kept
    assert rows(clean_db, "SELECT active FROM practitioner WHERE id = '810100000006'") == [(False,)]
    with psycopg.connect(clean_db) as conn:
        conn.execute(
            "UPDATE practitioner SET removed_at = removed_at - interval '2 days' "
            "WHERE id = '810100000006'"
        )
    load(tmp_path / "next", source="rpps")
    assert rows(clean_db, "SELECT active FROM practitioner WHERE id = '810100000006'") == []
    assert names_in_step(clean_db)  # the purged name went too


def names_in_step(url: str) -> bool:
    """practitioner_name, searched by name:contains, holds each practitioner's name."""
    return rows(url, "SELECT id, name_norm FROM practitioner_name ORDER BY id") == rows(
        url, "SELECT id, name_norm FROM practitioner ORDER BY id"
    )


def test_the_demo_extract_links_to_the_demo_finess_register(load, clean_db) -> None:  # noqa: ANN001
    demo = Path(__file__).resolve().parents[2] / "demo"
    load(demo / "finess-structures-journalier-20261101.json.gz")
    result = load(demo / "PS_LibreAcces_202611010200.zip", source="rpps")
    assert result.counts.rejected == 0
    [(persons, roles, at_finess, mailboxes)] = rows(
        clean_db,
        """SELECT (SELECT count(*) FROM practitioner), (SELECT count(*) FROM practitioner_role),
                  (SELECT count(*) FROM practitioner_role r JOIN organization o
                     ON o.id = r.organization_id AND o.kind = 'EG'),
                  (SELECT count(*) FROM practitioner WHERE mailbox_tokens <> '{}')""",
    )
    assert persons > 15_000 and roles > persons
    assert at_finess > roles / 3  # hospital activities are at the FINESS establishments
    assert mailboxes > 5_000
