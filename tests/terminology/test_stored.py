"""Terminology operations over loaded (stored) resources: NOS URLs, OIDs, versions, reloads."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import FIXTURES, shared_file
from tests.terminology.answers import codes, param, properties

TRE_R38 = (
    "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
)
TRE_R901 = "https://mos.esante.gouv.fr/NOS/TRE_R901-Essai/FHIR/TRE-R901-Essai"
JDV_J901 = "https://mos.esante.gouv.fr/NOS/JDV_J901-Essai-ROR/FHIR/JDV-J901-Essai-ROR"
CIM = "https://smt.esante.gouv.fr/terminologie-cim-10-extrait"


@pytest.fixture
def loaded(load, client):  # noqa: ANN001, ANN201
    for name in ("TRE_R901-Essai.tabs", "JDV_J901-Essai-ROR.tabs", "CodeSystem-cim10-extrait.json"):
        load(FIXTURES / "terminology" / name, source="terminology")
    return client


def test_a_nos_closed_by_date_fin_is_inactive_and_answers_to_its_smt_url_and_oid(
    load,  # noqa: ANN001
    client,  # noqa: ANN001
) -> None:
    load(shared_file("terminology", "nos", "TRE_R38-SpecialiteOrdinale.xml"), source="terminology")
    for system in (
        TRE_R38,
        "https://smt.esante.gouv.fr/fhir/CodeSystem/TRE-R38-SpecialiteOrdinale",
        "urn:oid:1.2.250.1.213.2.28",
    ):
        closed = client.get(
            f"/fhir/CodeSystem/$lookup?system={quote(system, safe='')}&code=SP01&property=*"
        ).json
        assert param(closed, "display") == "Radio-pharmacie (SP)", system
        assert properties(closed)["inactive"] is True
        assert str(properties(closed)["dateFin"]).startswith("2018-03-30T12:00:00")
    open_code = client.get(f"/fhir/CodeSystem/$lookup?system={quote(TRE_R38)}&code=SM54").json
    assert properties(open_code)["inactive"] is False
    by_id = client.get("/fhir/CodeSystem/TRE-R38-SpecialiteOrdinale/$lookup?code=SM26").json
    assert param(by_id, "display") == "Qualifié en Médecine générale (SM)"


def test_a_jdv_expands_over_its_tre_named_by_oid(loaded, load, tmp_path: Path) -> None:  # noqa: ANN001
    jdv = {
        "resourceType": "ValueSet",
        "url": "https://smt.esante.gouv.fr/fhir/ValueSet/jdv-j902-essai",
        "version": "20240628120000",
        "status": "active",
        "compose": {
            "include": [
                {
                    "system": "urn:oid:1.2.250.1.213.2.901",
                    "concept": [{"code": "01"}, {"code": "02"}],
                }
            ]
        },
    }
    path = tmp_path / "jdv.json"
    path.write_text(json.dumps(jdv), encoding="utf-8")
    load(path, source="terminology")
    url = quote(jdv["url"], safe="")
    everything = loaded.get(f"/fhir/ValueSet/$expand?url={url}").json
    assert codes(everything) == ["01", "02"]
    assert {c["system"] for c in everything["expansion"]["contains"]} == {TRE_R901}
    filtered = loaded.get(f"/fhir/ValueSet/$expand?url={url}&filter=GENERAL").json
    assert codes(filtered) == ["01"]


def test_expanding_a_jdv_whose_tre_is_not_loaded_names_it(loaded) -> None:  # noqa: ANN001
    response = loaded.get(f"/fhir/ValueSet/$expand?url={quote(JDV_J901)}")
    assert response.status_code == 404
    assert "urn:oid:1.2.250.1.213.3.3.9" in response.json["issue"][0]["details"]["text"]


def test_validate_code_accepts_the_oid_of_the_tre_as_system(loaded) -> None:  # noqa: ANN001
    body = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "url", "valueUri": JDV_J901},
            {"name": "coding", "valueCoding": {"system": TRE_R901, "code": "02"}},
        ],
    }
    response = loaded.post("/fhir/ValueSet/$validate-code", json=body).json
    assert param(response, "result") is True
    assert param(response, "display") == "Infirmier(ère) de bloc opératoire"


def test_all_codes_value_set_of_a_terminology(loaded) -> None:  # noqa: ANN001
    url = quote(f"{CIM}?vs", safe="")
    response = loaded.get(f"/fhir/ValueSet/$expand?url={url}&filter=cholera&count=5").json
    assert codes(response) == ["A00"]


def test_versions_side_by_side_latest_by_default_and_reloads_show_at_once(
    loaded,  # noqa: ANN001
    load,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    before = loaded.get(f"/fhir/CodeSystem/$lookup?system={quote(CIM)}&code=A00").json
    assert param(before, "display") == "Choléra"
    newer = json.loads((FIXTURES / "terminology" / "CodeSystem-cim10-extrait.json").read_text())
    newer["version"] = "2025"
    newer["concept"][0]["concept"][0]["concept"][0]["display"] = "Choléra (2025)"
    path = tmp_path / "cim-2025.json"
    path.write_text(json.dumps(newer), encoding="utf-8")
    run = load(path, source="terminology")
    assert run.counts.new > 0
    latest = loaded.get(f"/fhir/CodeSystem/$lookup?system={quote(CIM)}&code=A00").json
    assert param(latest, "display") == "Choléra (2025)"
    assert param(latest, "version") == "2025"
    pinned = loaded.get(f"/fhir/CodeSystem/$lookup?system={quote(CIM)}&version=2024&code=A00")
    assert param(pinned.json, "display") == "Choléra"


def test_warm_builds_every_stored_code_system(loaded, app) -> None:  # noqa: ANN001
    assert app.extensions["terminology"].warm() == 2


def test_unknown_code_in_a_stored_system(loaded) -> None:  # noqa: ANN001
    response = loaded.get(f"/fhir/CodeSystem/$lookup?system={quote(CIM)}&code=ZZZ")
    assert response.status_code == 404
    assert response.json["issue"][0]["details"]["coding"][0]["code"] == "invalid-code"
