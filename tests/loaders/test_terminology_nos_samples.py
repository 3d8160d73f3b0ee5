"""The real NOS samples of ../shared/data/terminology/nos, loaded through the pipeline and read
back from the database: codes, labels, designations, dates and status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from terminology.lifecycle import concept_state
from tests.conftest import SHARED_DATA, shared_file
from tests.loaders.test_terminology_formats import (
    SNOMED_SYNONYM,
    concepts,
    counts,
    fetch,
    load_terminology,
    rejections,
    stored,
)

NOS = "https://mos.esante.gouv.fr/NOS/"
R38 = f"CodeSystem|{NOS}TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale|20220826120000"
R249 = f"CodeSystem|{NOS}TRE_R249-Sexe/FHIR/TRE-R249-Sexe|1.1.0"
R10 = f"CodeSystem|{NOS}TRE_R10-SexeAdministratif/FHIR/TRE-R10-SexeAdministratif|20200424120000"
G15 = f"CodeSystem|{NOS}TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante|20211217120000"
R252 = f"CodeSystem|{NOS}TRE_R252-TypeHoraire/FHIR/TRE-R252-TypeHoraire|20241025120000"
J15 = f"ValueSet|{NOS}JDV_J15-ClasseAge-ROR/FHIR/JDV-J15-ClasseAge-ROR|20200424120000"
A15 = f"ConceptMap|{NOS}ASS_A15-SexeProvenanceISO-Sexe/FHIR/ASS-A15-SexeProvenanceISO-Sexe|20200424120000"
SAMPLES = {  # file → (resource key, concepts)
    "TRE_R38-SpecialiteOrdinale.xml": (R38, 84),
    "TRE_G15-ProfessionSante.xml": (G15, 30),
    "JDV_J34-CategorieOrganisation-ROR.xml": (
        f"ValueSet|{NOS}JDV_J34-CategorieOrganisation-ROR/FHIR/JDV-J34-CategorieOrganisation-ROR|20230127120000",
        0,
    ),
    "JDV_J15-ClasseAge-ROR.xml": (J15, 0),
    "JDV_J15-ClasseAge-ROR.tabs": (J15, 0),
    "ASS_A15-SexeProvenanceISO-Sexe.xml": (A15, 0),
    "ASS_A15-SexeProvenanceISO-Sexe-FHIR.json": (A15, 0),
    "TRE_R10-SexeAdministratif-FHIR.json": (R10, 2),
    "CodeSystem-TRE-R249-Sexe.json": (R249, 5),
    "CodeSystem-TRE-R252-TypeHoraire.json": (R252, 11),
}


def sample(name: str):  # noqa: ANN201
    return shared_file("terminology", "nos", name)


def test_every_sample_is_listed() -> None:
    folder = SHARED_DATA / "terminology" / "nos"
    if not folder.exists():
        pytest.skip("../shared/data not present")
    assert sorted(path.name for path in folder.iterdir()) == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_loads_then_reloads_unchanged(clean_db: str, name: str) -> None:
    key, concept_count = SAMPLES[name]
    assert counts(load_terminology(clean_db, sample(name))) == (1 + concept_count, 0, 0, 0, 0)
    assert fetch(clean_db, "SELECT id, concept_count FROM terminology_resource WHERE active") == [
        (key, concept_count if key.startswith("CodeSystem") else None)
    ]
    assert len(concepts(clean_db, key)) == concept_count
    again = load_terminology(clean_db, sample(name))
    assert counts(again) == (0, 0, 1 + concept_count, 0, 0)


def test_tre_r38_svs(clean_db: str) -> None:
    load_terminology(clean_db, sample("TRE_R38-SpecialiteOrdinale.xml"))
    resource = stored(clean_db, R38)
    assert resource["url"] == f"{NOS}TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
    assert (resource["id"], resource["version"], resource["title"]) == (
        "TRE-R38-SpecialiteOrdinale",
        "20220826120000",
        "Spécialité ordinale",
    )
    assert resource["identifier"] == [
        {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.213.2.28"}
    ]
    assert resource["date"] == "2022-08-26T12:00:00+01:00"
    assert resource["extension"][0]["valuePeriod"] == {"start": "2015-12-28T00:00:00+01:00"}
    rows = concepts(clean_db, R38)
    sp01 = rows["SP01"]
    assert sp01["display"] == "Radio-pharmacie (SP)"
    # The long designation equals the display: only the short one is kept.
    assert sp01["concept"]["designation"] == [
        {"language": "fr-FR", "use": SNOMED_SYNONYM, "value": "Radio-pharmacie"}
    ]
    assert sp01["concept"]["property"] == [
        {"code": "dateValid", "valueDateTime": "2007-07-26T00:00:00+01:00"},
        {"code": "dateMaj", "valueDateTime": "2018-03-30T12:00:00+01:00"},
        {"code": "dateFin", "valueDateTime": "2018-03-30T12:00:00+01:00"},
    ]
    # Closed by dateFin only: no status, inactive from its date.
    assert (sp01["status"], sp01["inactive"]) == (None, False)
    assert sp01["date_fin"] == datetime(2018, 3, 30, 11, tzinfo=UTC)
    assert concept_state(sp01["concept"]).inactive()
    assert not concept_state(sp01["concept"]).inactive(at=datetime(2018, 1, 1, tzinfo=UTC))
    closed = {code for code, row in rows.items() if concept_state(row["concept"]).inactive()}
    assert closed == {"SP01", "SP02", "SP03", "SP04"}
    assert rows["SI01"]["concept"]["definition"].startswith(
        "Exercice infirmier autorisé en pratique avancée"
    )
    assert rows["SI01"]["concept"]["designation"][0]["value"] == "IPA pathologies chroniques"
    assert [row["position"] for row in rows.values()] == sorted(
        r["position"] for r in rows.values()
    )


def test_tre_g15_code_93_is_closed(clean_db: str) -> None:
    load_terminology(clean_db, sample("TRE_G15-ProfessionSante.xml"))
    rows = concepts(clean_db, G15)
    assert rows["93"]["display"] == "Psychologue"
    assert "designation" not in rows["93"]["concept"]  # both labels equal the display
    assert rows["93"]["concept"]["definition"].startswith("Les annonces du Président")
    assert concept_state(rows["93"]["concept"]).inactive()
    assert not concept_state(rows["10"]["concept"]).inactive()


def test_tre_r249_u_is_closed_by_date_fin(clean_db: str) -> None:
    load_terminology(clean_db, sample("CodeSystem-TRE-R249-Sexe.json"))
    rows = concepts(clean_db, R249)
    assert list(rows) == ["U", "UN", "F", "M", "O"]
    assert (rows["U"]["status"], rows["U"]["inactive"]) == (None, False)
    assert rows["U"]["date_fin"] == datetime(2023, 12, 15, 11, tzinfo=UTC)
    assert concept_state(rows["U"]["concept"]).inactive()
    assert not concept_state(rows["UN"]["concept"]).inactive()
    # An NOS label: French, as SVS and .tabs would say.
    assert rows["O"]["concept"]["designation"] == [
        {"language": "fr-FR", "use": SNOMED_SYNONYM, "value": "Autre sexe ni M, ni F"}
    ]
    resource = stored(clean_db, R249)
    assert "text" not in resource  # the generated narrative listed this copy's concepts
    assert [p["code"] for p in resource["property"]] == ["dateValid", "dateMaj", "dateFin"]


def test_tre_r252_designations_and_definition(clean_db: str) -> None:
    load_terminology(clean_db, sample("CodeSystem-TRE-R252-TypeHoraire.json"))
    rows = concepts(clean_db, R252)
    assert rows["05"]["concept"]["definition"].startswith("Horaire d'intervention")
    assert rows["04"]["concept"]["designation"] == [
        {"language": "fr-FR", "use": SNOMED_SYNONYM, "value": "Horaire secrétariat"}
    ]
    assert not any(concept_state(row["concept"]).inactive() for row in rows.values())


def test_legacy_tre_r10_is_normalised(clean_db: str) -> None:
    load_terminology(clean_db, sample("TRE_R10-SexeAdministratif-FHIR.json"))
    resource = stored(clean_db, R10)
    assert resource["identifier"] == [
        {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.213.2.27"}
    ]
    assert resource["extension"][0]["url"] == (
        "http://hl7.org/fhir/StructureDefinition/resource-effectivePeriod"
    )
    assert [(p["code"], p["type"]) for p in resource["property"]] == [
        ("dateValid", "dateTime"),
        ("dateMaj", "dateTime"),
    ]
    rows = concepts(clean_db, R10)
    # LibelleCourt and LibelleAdapte both equal the display: the SMT keeps no designation.
    assert rows["F"]["concept"] == {
        "code": "F",
        "display": "Féminin",
        "property": [
            {"code": "dateValid", "valueDateTime": "2013-06-28T00:00:00+01:00"},
            {"code": "dateMaj", "valueDateTime": "2013-06-28T00:00:00+01:00"},
        ],
    }


def test_jdv_j15_tabs_and_svs_are_the_same_value_set(clean_db: str) -> None:
    load_terminology(clean_db, sample("JDV_J15-ClasseAge-ROR.tabs"))
    from_tabs = stored(clean_db, J15)
    assert counts(load_terminology(clean_db, sample("JDV_J15-ClasseAge-ROR.xml"))) == (
        0,
        0,
        1,
        0,
        0,
    )
    (include,) = from_tabs["compose"]["include"]
    assert include["system"] == "urn:oid:1.2.250.1.213.3.3.9"
    assert [(c["code"], c["display"]) for c in include["concept"]][:2] == [
        ("01", "Nouveau né, jusqu'à 28 jours"),
        ("02", "Nourrisson, avant 2 ans"),
    ]
    assert len(include["concept"]) == 8
    assert from_tabs["title"] == "Classe d'âge - ROR"


def test_ass_a15_from_svs_and_from_fhir(clean_db: str) -> None:
    load_terminology(clean_db, sample("ASS_A15-SexeProvenanceISO-Sexe.xml"))
    from_svs = stored(clean_db, A15)
    load_terminology(clean_db, sample("ASS_A15-SexeProvenanceISO-Sexe-FHIR.json"))
    from_fhir = stored(clean_db, A15)
    # The same url, version and OID whichever the format; SVS names systems by OID.
    for resource in (from_svs, from_fhir):
        assert resource["resourceType"] == "ConceptMap"
        assert resource["identifier"] == {
            "system": "urn:ietf:rfc:3986",
            "value": "urn:oid:1.2.250.1.213.2.56",
        }
        assert resource["date"] == "2020-04-24T12:00:00+01:00"
        mapping = {
            e["code"]: [(t["code"], t["equivalence"]) for t in e["target"]]
            for e in resource["group"][0]["element"]
        }
        assert mapping == {
            "0": [("U", "equivalent")],
            "1": [("M", "equivalent")],
            "2": [("F", "equivalent")],
            "9": [("O", "equivalent")],
        }
    assert from_svs["group"][0]["source"] == "urn:oid:1.2.250.1.213.2.55"
    assert from_fhir["group"][0]["source"].endswith("/TRE-R267-SexeProvenanceISO")
    assert fetch(clean_db, "SELECT count(*) FROM terminology_resource") == [(1,)]
    assert not rejections(clean_db)
