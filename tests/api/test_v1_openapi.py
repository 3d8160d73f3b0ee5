"""/api/v1/openapi.json and /api/v1/docs: a valid OpenAPI document that matches what is served."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate

STRUCTURES = Path(__file__).parents[1] / "fixtures" / "api" / "finess-structures-small.json"
SEARCHES = ("/api/v1/establishments", "/api/v1/legal-entities")
READS = ("/api/v1/establishments/{finess}", "/api/v1/legal-entities/{finess}")
SEARCH_PARAMETERS = {
    "q", "commune", "postcode", "department", "category", "status", "near", "radius", "limit",
    "cursor",
}  # fmt: skip


@pytest.fixture
def spec(client: FlaskClient) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _resolve(spec: dict, node: dict) -> dict:
    """`node`, or the component its $ref points at."""
    while "$ref" in node:
        *_, section, name = node["$ref"].split("/")
        node = spec["components"][section][name]
    return node


def test_openapi_document_is_valid(spec: dict) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_endpoint_and_parameter_is_documented(spec: dict) -> None:
    assert set(SEARCHES + READS) <= set(spec["paths"])
    for path in SEARCHES:
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert names == SEARCH_PARAMETERS
    for path in READS:
        assert [p["name"] for p in spec["paths"][path]["parameters"]] == ["finess"]


def test_errors_are_documented_as_problem_documents(spec: dict) -> None:
    for path, status in [(p, "422") for p in SEARCHES] + [(p, "404") for p in READS]:
        response = _resolve(spec, spec["paths"][path]["get"]["responses"][status])
        assert list(response["content"]) == ["application/problem+json"]
        problem = _resolve(spec, response["content"]["application/problem+json"]["schema"])
        assert set(problem["properties"]) == {"type", "title", "status", "detail"}


def test_docs_page_is_html_loading_the_document(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "/api/v1/openapi.json" in response.get_data(as_text=True)


def test_documented_fields_are_the_served_fields(
    client: FlaskClient, spec: dict, load: Callable[..., object]
) -> None:
    # The response schemas are documentation only; this keeps them true to the stored documents.
    load(STRUCTURES)
    schemas = spec["components"]["schemas"]
    only_sometimes = {"removed"}  # written on tombstones only
    read = client.get("/api/v1/establishments/010000024").get_json()
    assert set(read) == set(schemas["OrganizationRead"]["properties"]) - only_sometimes
    assert set(read["address"]) == set(schemas["Address"]["properties"])
    assert set(read["coordinates"]) == set(schemas["Coordinates"]["properties"])
    assert set(read["links"]) <= set(schemas["Links"]["properties"])
    item = client.get("/api/v1/establishments?near=46.2,5.2").get_json()["items"][0]
    assert set(item) == set(schemas["OrganizationHit"]["properties"]) - only_sometimes
