"""/api/v1/professionals over the RPPS fixture (and one FINESS establishment), on PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import FIXTURES

CURRENT = FIXTURES / "rpps" / "current"


@pytest.fixture
def loaded(load, client, clean_db):  # noqa: ANN001, ANN201
    load(CURRENT, source="rpps")
    return client


def test_one_call_gives_the_person_and_every_activity(loaded) -> None:  # noqa: ANN001
    for key in ("10100000001", "810100000001"):  # RPPS number or IDNPS
        response = loaded.get(f"/api/v1/professionals/{key}")
        assert response.status_code == 200 and response.mimetype == "application/json"
        document = response.get_json()
        assert document["idnps"] == "810100000001" and document["rpps"] == "10100000001"
    assert document["exercises"][0]["profession"] == {"code": "10", "label": "Médecin"}
    assert {s["code"] for s in document["skills"]} == {"SM53", "SM26", "CAPA01"}
    structures = {a["structure"]["organization_id"]: a for a in document["activities"]}
    cabinet = structures["R10000000000001"]["structure"]
    assert cabinet["address"]["postal_code"] == "75015" and cabinet["address"]["city"] == "PARIS"
    assert cabinet["coordinates"] is None  # FINESS does not know a private cabinet
    assert structures["750000001"]["mode"] == {"code": "S", "label": "Salarié"}


def test_coordinates_come_from_finess(loaded, clean_db) -> None:  # noqa: ANN001
    with psycopg.connect(clean_db) as conn:
        conn.execute(
            "UPDATE organization SET latitude = 48.83, longitude = 2.32 WHERE id = '750000001'"
        )
    document = loaded.get("/api/v1/professionals/810100000004").get_json()
    hospital = next(a for a in document["activities"] if a["structure"]["finess"] == "750000001")
    assert hospital["structure"]["coordinates"] == {"latitude": 48.83, "longitude": 2.32}
    near = loaded.get("/api/v1/professionals?near=48.84,2.33&radius=5").get_json()
    assert [i["idnps"] for i in near["items"]] == ["810100000001", "810100000004"]
    far = loaded.get("/api/v1/professionals?near=43.3,5.4&radius=5").get_json()
    assert far["items"] == []


def test_an_adeli_person_without_structure(loaded) -> None:  # noqa: ANN001
    document = loaded.get("/api/v1/professionals/0012600631").get_json()
    assert document["identifier_type"] == "ADELI" and document["adeli"] == "012600631"
    assert [a["structure"] for a in document["activities"]] == [None]
    assert document["diplomas"][0]["discipline"] == {"code": "AUD", "label": "Audioprothèse"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=martin", ["810100000004"]),
        ("q=fontaine elo", ["810100000001"]),
        ("profession=60", ["810100000004"]),
        ("profession=10,21", ["810100000001", "810100000002"]),
        ("specialty=SM53", ["810100000001"]),
        ("mode=S", ["810100000001", "810100000004"]),
        ("mode=S&profession=60", ["810100000004"]),  # profession is the person's, any activity
        ("commune=69383", ["810100000002"]),
        ("commune=lyo", ["810100000002", "810100000006"]),
        ("postcode=75", ["810100000001", "810100000004"]),
        ("department=13", ["810100000004"]),
        ("finess=750000001", ["810100000001", "810100000004"]),
        ("siret=12345678900017", ["810100000002"]),
        ("mode=L&postcode=75015", ["810100000001"]),  # both on one activity
        ("mode=S&postcode=75015", []),
    ],
)
def test_search(loaded, query: str, expected: list[str]) -> None:  # noqa: ANN001
    response = loaded.get(f"/api/v1/professionals?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [item["idnps"] for item in response.get_json()["items"]] == expected


def test_paging_follows_next(loaded) -> None:  # noqa: ANN001
    first = loaded.get("/api/v1/professionals?limit=2").get_json()
    second = loaded.get(first["next"].split("localhost", 1)[1]).get_json()
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    assert first["items"][-1]["idnps"] < second["items"][0]["idnps"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/professionals/99999999999", 404),
        ("/api/v1/professionals?radius=3", 422),
        ("/api/v1/professionals?finess=12", 422),
        ("/api/v1/professionals?colour=blue", 422),
        ("/api/v1/professionals?cursor=garbage", 400),
    ],
)
def test_errors_are_problem_documents(loaded, path: str, status: int) -> None:  # noqa: ANN001
    response = loaded.get(path)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_an_rpps_structure_is_not_a_finess_establishment(loaded) -> None:  # noqa: ANN001
    assert loaded.get("/api/v1/establishments/R10000000000001").status_code == 404
    listed = loaded.get("/api/v1/establishments?limit=100").get_json()
    assert listed["items"] == []
