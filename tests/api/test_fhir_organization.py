"""FHIR Organization read and search over the small FINESS+ fixture, on real PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES

SMALL = FIXTURES / "api" / "finess-structures-small.json"
FINESS = "https://finess.esante.gouv.fr"


@pytest.fixture
def loaded(load, client):  # noqa: ANN001, ANN201
    load(SMALL)
    return client


def ids(bundle: dict, mode: str = "match") -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == mode]


def search(client, query: str) -> dict:  # noqa: ANN001
    response = client.get(f"/fhir/Organization?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/fhir+json"
    return response.get_json()


def test_read_establishment_is_shaped_as_annuaire_sante(loaded) -> None:  # noqa: ANN001
    response = loaded.get("/fhir/Organization/010000024")
    assert response.status_code == 200
    org = response.get_json()
    assert org["resourceType"] == "Organization" and org["id"] == "010000024"
    assert org["meta"]["profile"][0].endswith("/as-dp-organization")
    assert org["meta"]["lastUpdated"].endswith("Z")
    identifiers = {
        (i["system"], i["value"]): i["type"]["coding"][0]["code"] for i in org["identifier"]
    }
    assert identifiers[(FINESS, "010000024")] == "FINEG"
    assert identifiers[("urn:oid:1.2.250.1.71.4.2.2", "1010000024")] == "IDNST"
    assert identifiers[("https://sirene.fr", "26010004500012")] == "SIRET"
    codes = {c["code"] for t in org["type"] for c in t["coding"]}
    assert {"GEOGRAPHICAL-ENTITY", "355"} <= codes
    assert org["name"] == "CH DE FLEYRIAT"
    assert org["alias"] == ["CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT"]
    assert org["partOf"] == {"reference": "Organization/010780054"}
    assert org["active"] is True
    address = org["address"][0]
    assert address["city"] == "VIRIAT" and address["postalCode"] == "01440"
    geo = next(e for e in address["extension"] if e["url"].endswith("/geolocation"))
    lat = next(e["valueDecimal"] for e in geo["extension"] if e["url"] == "latitude")
    assert lat == pytest.approx(46.22229, abs=1e-4)


def test_legal_entity_and_closed_structure(loaded) -> None:  # noqa: ANN001
    ej = loaded.get("/fhir/Organization/010780054").get_json()
    assert "LEGAL-ENTITY" in {c["code"] for t in ej["type"] for c in t["coding"]}
    assert "partOf" not in ej
    closed = loaded.get("/fhir/Organization/010002137").get_json()
    assert closed["active"] is False
    assert closed["extension"][0]["valuePeriod"]["end"] == "2019-05-01"


def test_unknown_id_is_404_operation_outcome(loaded) -> None:  # noqa: ANN001
    response = loaded.get("/fhir/Organization/999999999")
    assert response.status_code == 404
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "not-found"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=hopital", ["750100042", "750100075", "750100083"]),
        ("name=HÔPITAL%20nec", ["750100042"]),
        ("name=jardins%20ete", ["010002129"]),
        ("name:contains=ECKE", ["750100042"]),
        ("name:exact=CH DE FLEYRIAT", ["010000024"]),
        ("name:exact=ch de fleyriat", []),
        ("name=necker,cochin", ["750100042", "750100075"]),
        ("name=hopital&name=cochin", ["750100075"]),
        ("identifier=010000024", ["010000024"]),
        (
            "identifier=https://finess.esante.gouv.fr|970400024,750100042",
            ["750100042", "970400024"],
        ),
        ("identifier=urn:oid:1.2.250.1.71.4.2.2|1010780054", ["010780054"]),
        ("identifier=https://sirene.fr|260100045", ["010780054"]),
        ("identifier-type=FINEJ", ["010000016", "010780054", "750712184", "970408589"]),
        ("type=LEGAL-ENTITY&active=true", ["010780054", "750712184", "970408589"]),
        (
            "type=https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement|500",
            ["010002129"],
        ),
        ("address-postalcode=974", ["970400024", "970408589"]),
        ("address-city=bourg", ["010002129", "010002137"]),
        ("address=sevres", ["750100042"]),
        ("partof=Organization/750712184", ["750100042", "750100075", "750100083"]),
        ("_id=010000024,010000016", ["010000016", "010000024"]),
        ("active=false", ["010000016", "010002137"]),
    ],
)
def test_search_parameters(loaded, query: str, expected: list[str]) -> None:  # noqa: ANN001
    bundle = search(loaded, query)
    assert bundle["type"] == "searchset"
    assert sorted(ids(bundle)) == expected  # in the default order, which is not the id's
    assert bundle["total"] == len(expected)


def test_near_sorts_by_distance_and_reports_it(loaded) -> None:  # noqa: ANN001
    bundle = search(loaded, "near=48.8455|2.3160|10|km")
    assert ids(bundle) == ["750100042", "750100075", "750100083"]
    distances = [e["search"]["extension"][0]["valueDistance"]["value"] for e in bundle["entry"]]
    assert distances == sorted(distances) and distances[0] < 0.2
    # The swapped pair of 750100083 was put right at load time, so it is found in Paris.
    assert search(loaded, "near=48.838|2.365|1")["total"] == 1
    assert ids(search(loaded, "near=-20.9|55.45|5|km")) == ["970400024"]


def test_last_updated_filters(loaded) -> None:  # noqa: ANN001
    assert search(loaded, "_lastUpdated=gt2000-01-01")["total"] == 11
    assert search(loaded, "_lastUpdated=lt2000-01-01")["total"] == 0
    stamp = loaded.get("/fhir/Organization/010000024").get_json()["meta"]["lastUpdated"]
    assert search(loaded, f"_lastUpdated=ge{stamp}")["total"] == 11
    assert search(loaded, f"_lastUpdated=gt{stamp}")["total"] == 0


def _walk(client, url: str, total: int = 11) -> list[str]:  # noqa: ANN001
    seen: list[str] = []
    while url:
        bundle = client.get(url.replace("http://localhost", "")).get_json()
        assert bundle["total"] == total
        seen += ids(bundle)
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    return seen


def test_keyset_paging_walks_everything_once(loaded) -> None:  # noqa: ANN001
    by_id = _walk(loaded, "/fhir/Organization?_count=3&_total=accurate&_sort=_id")
    assert len(by_id) == 11 and by_id == sorted(set(by_id))
    # The default order is a hash of the id (spread: no kind of structure clusters in it).
    spread = _walk(loaded, "/fhir/Organization?_count=3&_total=accurate")
    assert sorted(spread) == by_id and spread != by_id


def test_include_and_revinclude(loaded) -> None:  # noqa: ANN001
    bundle = search(loaded, "_id=010000024&_include=Organization:partof")
    assert ids(bundle, "include") == ["010780054"]
    bundle = search(loaded, "_id=750712184&_revinclude=Organization:partof")
    assert ids(bundle, "include") == ["750100042", "750100075", "750100083"]


def test_without_total_a_search_counts_only_what_its_first_page_shows(loaded) -> None:  # noqa: ANN001
    assert search(loaded, "_count=20")["total"] == 11  # the page holds every match
    assert "total" not in search(loaded, "_count=3")  # counting is asked with _total
    assert search(loaded, "_count=3&_total=accurate")["total"] == 11


def test_elements_and_total_none(loaded) -> None:  # noqa: ANN001
    bundle = search(loaded, "_id=010000024&_elements=name&_total=none")
    assert "total" not in bundle
    resource = bundle["entry"][0]["resource"]
    assert set(resource) == {"resourceType", "id", "meta", "name"}
    assert resource["meta"]["tag"][0]["code"] == "SUBSETTED"


def test_post_search_matches_get(loaded) -> None:  # noqa: ANN001
    response = loaded.post("/fhir/Organization/_search", data={"name": "cochin"})
    assert ids(response.get_json()) == ["750100075"]


@pytest.mark.parametrize(
    "query",
    [
        "foo=bar",
        "name:fuzzy=x",
        "active=maybe",
        "_lastUpdated=2026-13-45",
        "_lastUpdated=ne2020",
        "near=abc",
        "near=48|2|5000|km",
        "_count=many",
        "_sort=name",
        "_include=Organization:endpoint",
        "_cursor=not-a-cursor",
        "_total=sometimes",
        "_format=xml",
    ],
)
def test_bad_requests_are_400_operation_outcomes(loaded, query: str) -> None:  # noqa: ANN001
    response = loaded.get(f"/fhir/Organization?{query}")
    assert response.status_code == 400, query
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["diagnostics"]


def test_unknown_resource_type_is_404(loaded) -> None:  # noqa: ANN001
    response = loaded.get("/fhir/Patient?name=x")
    assert response.status_code == 404
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_metadata_lists_exactly_the_supported_parameters(client) -> None:  # noqa: ANN001
    from directory.organizations.fhir_search import ORGANIZATION_PARAMS

    statement = client.get("/fhir/metadata").get_json()
    assert statement["resourceType"] == "CapabilityStatement"
    organization = statement["rest"][0]["resource"][0]
    assert [p["name"] for p in organization["searchParam"]] == list(ORGANIZATION_PARAMS)
    assert organization["searchInclude"] == ["Organization:partof"]


@pytest.mark.parametrize("query", ["type=GEOGRAPHICAL-ENTITY", "_id=010000024,010000016,750100042"])
def test_total_estimate_is_the_planner_estimate(loaded, query: str) -> None:  # noqa: ANN001
    # A page smaller than the matches: the total is the planner's, not a count.
    bundle = search(loaded, f"{query}&_count=1&_total=estimate")
    assert len(ids(bundle)) == 1 and isinstance(bundle["total"], int) and bundle["total"] >= 1
    assert search(loaded, "type=GEOGRAPHICAL-ENTITY")["total"] == 7


def test_a_lookup_by_identifiers_pages_when_its_matches_overflow_the_page(loaded) -> None:  # noqa: ANN001
    # One page: answered whole, in id order. More matches than _count: paged like any search.
    query = "identifier=750712184,010780054,970408589"
    assert ids(search(loaded, query)) == ["010780054", "750712184", "970408589"]
    assert search(loaded, query)["total"] == 3
    seen = _walk(loaded, f"/fhir/Organization?{query}&_count=2&_total=accurate", total=3)
    assert sorted(seen) == ["010780054", "750712184", "970408589"]
