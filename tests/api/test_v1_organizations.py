"""/api/v1 legal entities and establishments: reads, links, search, paging and bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from directory.organizations.finess_number import make_finess

STRUCTURES = Path(__file__).parents[1] / "fixtures" / "api" / "finess-structures-small.json"
BOURG_EJ = "010780054"
FLEYRIAT = "010000024"  # open EG of BOURG_EJ, category 355
JARDINS_ETE = "010002129"  # open EG of BOURG_EJ, category 500
SMUR_CLOSED = "010002137"  # closed EG of BOURG_EJ
REUNION_EJ = "970408589"
FELIX_GUYON = "970400024"  # EG of REUNION_EJ, département 9D
APHP_EJ = "750712184"
NECKER, COCHIN, PITIE = "750100042", "750100075", "750100083"
CLOSED_EJ = "010000016"
OPEN_ESTABLISHMENTS = [FLEYRIAT, JARDINS_ETE, NECKER, COCHIN, PITIE, FELIX_GUYON]


@pytest.fixture(autouse=True)
def _structures(load: Callable[..., object]) -> None:
    load(STRUCTURES)


def ok(client: FlaskClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def problem(client: FlaskClient, url: str, status: int) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def found(client: FlaskClient, url: str) -> list[str]:
    return [item["finess"] for item in ok(client, url)["items"]]


def test_read_establishment_gives_its_stored_document(client: FlaskClient) -> None:
    body = ok(client, f"/api/v1/establishments/{FLEYRIAT}")
    assert body["type"] == "establishment"
    assert body["name"] == "CH DE FLEYRIAT"
    assert body["category"] == {"code": "355", "label": "Centre Hospitalier (C.H.)"}
    assert body["coordinates"]["latitude"] == pytest.approx(46.22229)
    assert body["coordinates"]["longitude"] == pytest.approx(5.20918)
    assert body["legal_entity_finess"] == BOURG_EJ
    assert body["links"]["legal_entity"] == {"finess": BOURG_EJ, "name": "CH DE BOURG EN BRESSE"}


def test_read_legal_entity_links_its_establishments_and_groups(client: FlaskClient) -> None:
    links = ok(client, f"/api/v1/legal-entities/{BOURG_EJ}")["links"]
    assert "legal_entity" not in links
    assert [(e["finess"], e["open"]) for e in links["establishments"]] == [
        (FLEYRIAT, True),
        (JARDINS_ETE, True),
        (SMUR_CLOSED, False),
    ]
    assert [(g["id"], g["name"]) for g in links["groups"]] == [("GCC-7", "GHT Bresse")]


def test_establishment_reaches_the_group_of_its_legal_entity(client: FlaskClient) -> None:
    # GCC-7 lists the legal entity (pmSmsseId 10) as member, not the establishment itself.
    links = ok(client, f"/api/v1/establishments/{FLEYRIAT}")["links"]
    assert links["groups"] == []
    parent = ok(client, f"/api/v1/legal-entities/{links['legal_entity']['finess']}")
    assert [g["id"] for g in parent["links"]["groups"]] == ["GCC-7"]


def test_read_of_the_other_kind_is_404_saying_where_it_is(client: FlaskClient) -> None:
    body = problem(client, f"/api/v1/establishments/{BOURG_EJ}", 404)
    assert "legal entity" in body["detail"]
    assert f"/api/v1/legal-entities/{BOURG_EJ}" in body["detail"]
    body = problem(client, f"/api/v1/legal-entities/{FLEYRIAT}", 404)
    assert f"/api/v1/establishments/{FLEYRIAT}" in body["detail"]


def test_unknown_finess_is_404(client: FlaskClient) -> None:
    unknown = make_finess("010", 99999)
    assert unknown in problem(client, f"/api/v1/establishments/{unknown}", 404)["detail"]
    assert "9 characters" in problem(client, "/api/v1/legal-entities/nope", 404)["detail"]


def test_search_items_are_the_stored_documents(client: FlaskClient) -> None:
    body = ok(client, "/api/v1/establishments?q=fleyriat")
    read = ok(client, f"/api/v1/establishments/{FLEYRIAT}")
    del read["links"]
    assert body["items"] == [read]
    assert body["total"] == 1 and body["next"] is None


def test_search_is_restricted_to_its_kind_and_open_by_default(client: FlaskClient) -> None:
    assert sorted(found(client, "/api/v1/establishments")) == sorted(OPEN_ESTABLISHMENTS)
    assert sorted(found(client, "/api/v1/legal-entities")) == sorted(
        [BOURG_EJ, APHP_EJ, REUNION_EJ]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed", [SMUR_CLOSED]),
        ("status=all&q=smur", [SMUR_CLOSED]),
        ("q=hopital%20necker", [NECKER]),
        ("q=H%C3%94PITAL", [NECKER, COCHIN, PITIE]),
        ("q=jardins%20ete", [JARDINS_ETE]),
        ("q=jardins%20d%27%C3%A9t%C3%A9", [JARDINS_ETE]),
        ("department=9D", [FELIX_GUYON]),
        ("department=974", [FELIX_GUYON]),
        ("department=01,9d", [FLEYRIAT, JARDINS_ETE, FELIX_GUYON]),
        ("commune=75115", [NECKER]),
        ("commune=bourg%20en", [JARDINS_ETE]),
        ("postcode=750", [NECKER, COCHIN, PITIE]),
        ("category=355", [FLEYRIAT]),
        ("category=355,500", [FLEYRIAT, JARDINS_ETE]),
        ("category=355&category=101", [FLEYRIAT, NECKER, COCHIN, PITIE, FELIX_GUYON]),
        ("category=355&status=all", [FLEYRIAT, SMUR_CLOSED]),
    ],
)
def test_search_establishments_by(client: FlaskClient, query: str, expected: list[str]) -> None:
    assert sorted(found(client, f"/api/v1/establishments?{query}")) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed", [CLOSED_EJ]),
        ("department=9D", [REUNION_EJ]),
        ("q=assistance%20publique", [APHP_EJ]),
    ],
)
def test_search_legal_entities_by(client: FlaskClient, query: str, expected: list[str]) -> None:
    assert sorted(found(client, f"/api/v1/legal-entities?{query}")) == sorted(expected)


def test_search_near_gives_nearest_first_with_distance(client: FlaskClient) -> None:
    body = ok(client, "/api/v1/establishments?near=48.84,2.33&radius=5")
    assert [item["finess"] for item in body["items"]] == [COCHIN, NECKER, PITIE]
    distances = [item["distance_km"] for item in body["items"]]
    assert distances == pytest.approx([0.78, 1.25, 2.57], abs=0.02)
    assert body["total"] == 3
    assert found(client, "/api/v1/establishments?near=48.84,2.33&radius=1") == [COCHIN]


def test_paging_walks_every_result_once(client: FlaskClient) -> None:
    url: str | None = "/api/v1/establishments?status=all&limit=1"
    seen: list[str] = []
    while url:
        body = ok(client, url)
        assert body["total"] == 7
        assert len(body["items"]) == 1
        seen.append(body["items"][0]["finess"])
        url = body["next"]
    assert sorted(seen) == sorted([*OPEN_ESTABLISHMENTS, SMUR_CLOSED])
    assert len(set(seen)) == len(seen)


def test_paging_near_keeps_the_distance_order(client: FlaskClient) -> None:
    first = ok(client, "/api/v1/establishments?near=48.84,2.33&radius=5&limit=2")
    assert [item["finess"] for item in first["items"]] == [COCHIN, NECKER]
    second = ok(client, first["next"])
    assert [item["finess"] for item in second["items"]] == [PITIE]
    assert second["next"] is None


def test_limit_zero_gives_only_the_total(client: FlaskClient) -> None:
    body = ok(client, "/api/v1/establishments?limit=0")
    assert body == {"items": [], "total": len(OPEN_ESTABLISHMENTS), "next": None}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("status=foo", "status"),
        ("near=abc", "near"),
        ("near=95,2", "near"),
        ("near=48.84,2.33&radius=0", "radius"),
        ("near=48.84,2.33&radius=5000", "radius"),
        ("radius=5", "radius"),
        ("limit=-1", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("department=99", "department"),
        ("category=35", "category"),
        ("postcode=75a", "postcode"),
        ("q=%20-%20", "q"),
        ("departement=01", "departement"),
    ],
)
def test_bad_argument_is_a_problem_naming_it(client: FlaskClient, query: str, named: str) -> None:
    body = problem(client, f"/api/v1/establishments?{query}", 422)
    assert body["detail"].startswith(f"{named}:")


def test_bad_cursor_is_a_problem(client: FlaskClient) -> None:
    assert "cursor" in problem(client, "/api/v1/establishments?cursor=nonsense", 400)["detail"]
    next_url = ok(client, "/api/v1/establishments?limit=1")["next"]
    cursor = next_url.split("cursor=")[1]
    replayed = problem(client, f"/api/v1/legal-entities?limit=1&cursor={cursor}", 400)
    assert "another search" in replayed["detail"]
