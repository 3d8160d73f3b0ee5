"""FINESS+ activities flux: codes, statuses and fields on an own fixture, then bad files."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from loaders.base import BadFile, Rejected, Row
from loaders.finess_activities import (
    ActivityRecord,
    activity_code,
    activity_document,
    activity_status,
    parse_activities,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "finess"
ACTIVITIES = FIXTURES / "finess-activites-journalier-20260401.json"


@pytest.fixture(scope="module")
def activities() -> list[Row | Rejected]:
    return list(parse_activities(ACTIVITIES))


def activity(items: list[Row | Rejected], activity_id: str) -> ActivityRecord:
    return next(
        i.record for i in items if isinstance(i, Row) and i.record.activity_id == activity_id
    )


def test_activities_positions_codes_and_statuses(activities) -> None:
    assert [item.line for item in activities] == list(range(1, 13))
    rows = [
        (r.record.kind, r.record.activity_id, r.record.nature, r.record.code, r.record.status)
        for r in activities
        if isinstance(r, Row)
    ]
    assert rows == [
        ("authorised", "43285", "AMF", "AMF_18_69_15", "2"),
        ("authorised", "120851", "ASDR", "ASDR_302_19_990", "3"),
        ("authorised", "380227", "ASMR", "ASMR_844_11_318", "2"),
        ("authorised", "500100", "AMM", "AMM_QA001_MO000_ME000_PTS00_DE015", "2"),
        ("authorised", "600200", "EML", "EML_05602", "2"),
        ("exercised", "43286", "AMF", "AMF_18_69_15", "1"),  # latest of 12/15 is 12
        ("exercised", "218764", "ASDR", "ASDR_219_03_990", "2"),  # 12 then 15
        ("exercised", "218766", "ASDR", "ASDR_105_03_990", "1"),  # 15 then 12, listed backwards
        ("exercised", "218768", "ASDR", "ASDR_181_03_990", "2"),  # same day: 15 wins
        ("authorised", "9481", "AASA", "AASA_A0_00_15", "2"),
    ]
    assert [(r.line, r.reason) for r in activities if isinstance(r, Rejected)] == [
        (6, "pmej[0].activitesAutorisees[5]: activiteAeId or codeNature is missing"),
        (
            11,
            "pmej[0].ege[1].activitesExercees[0]: numFinessEge: "
            "FINESS number '010090273' has a wrong check digit",
        ),
    ]


def test_activity_fields(activities) -> None:
    authorised = activity(activities, "43285")
    assert (authorised.ej_finess, authorised.ej_technical_id, authorised.eg_finess) == (
        "010080018",
        "101",
        None,
    )
    assert (authorised.arhgos_number, authorised.type_code, authorised.start) == (
        "84-82-48769",
        "272",
        date(2009, 6, 10),
    )
    exercised = activity(activities, "43286")
    assert (exercised.eg_finess, exercised.eg_technical_id, exercised.authorisation_id) == (
        "010090017",
        "2001",
        "43285",
    )
    assert exercised.capacities == [
        {
            "idCapacite": "80547",
            "nombre": "12",
            "activiteAeId": "43286",
            "statutCapacite": "08",
            "uniteMesureCapacite": "02",
        }
    ]
    asmr = activity(activities, "380227")  # capacities kept as published, detailed ones too
    assert [c.get("habilitation") for c in asmr.capacities] == [None, "01"]
    assert activity(activities, "9481").lapse == date(2030, 12, 31)


def test_activity_payload_is_the_published_object_trimmed(activities) -> None:
    eml = activity(activities, "600200")
    specific = eml.payload["nature"]["caracteristiquesSpecifiques"]
    assert specific == {
        "aaEmlId": "8001",
        "marque": "SIEMENS",
        "activiteAeId": "600200",
        "typeActiviteEML": {"typeEmlId": "05602"},
    }
    assert "zoneIntervention" not in eml.payload  # null: dropped
    amm = activity(activities, "500100")
    assert amm.payload["nature"]["caracteristiquesSpecifiques"]["appareil"] == [
        {"typeAppareilAMM": "231", "statutAppareilAMM": "09", "nombreAppareilAMM": "13"}
    ]


def test_activity_document(activities) -> None:
    document = activity_document(activity(activities, "9481"))
    assert document["activity_id"] == "9481"
    assert (document["start"], document["end"], document["lapse"]) == (
        "2004-01-01",
        None,
        "2030-12-31",
    )
    assert (document["code"], document["status"], document["kind"]) == (
        "AASA_A0_00_15",
        "2",
        "authorised",
    )
    json.dumps(document)  # JSON-ready


def test_activity_code_and_status_rules() -> None:
    assert activity_code({"codeNature": "AMF", "caracteristiquesSpecifiques": {}}) == "AMF"
    assert activity_status("I", [{"codeEvenement": "012", "dateEvenement": "2020-01-01"}]) == "3"
    assert activity_status("A", []) == "2"
    assert activity_status("A", [{"codeEvenement": "12", "dateEvenement": "2020-01-01"}]) == "1"


def test_activities_with_metadata_header(tmp_path: Path, activities) -> None:
    # Schema 1.0.1 puts schemaVersion/generatedAt under "metadata".
    document = json.loads(ACTIVITIES.read_text(encoding="utf-8"))
    path = tmp_path / "activites.json.gz"
    path.write_bytes(
        gzip.compress(
            json.dumps(
                {"metadata": {"schemaVersion": "v1.0.1", "generatedAt": "2026-04-01T14:46:05Z"}}
                | {"pmej": document["pmej"]}
            ).encode()
        )
    )
    assert list(parse_activities(path)) == activities


def test_activities_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "activites.json"
    path.write_text('{"metadata": {"schemaVersion": "v1.0.1"}}')
    with pytest.raises(BadFile, match=r"not a FINESS\+ activities file: no top-level 'pmej'"):
        list(parse_activities(path))
