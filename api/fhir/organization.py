"""Organization read and search (FINESS legal entities and establishments)."""

from __future__ import annotations

from flask import Response, current_app, request

from api.fhir import base_url, blueprint, fhir_response
from api.fhir.bundle import searchset
from api.fhir.search_request import parse_search
from directory.errors import NotFound
from directory.organizations import queries
from directory.organizations.fhir_search import INCLUDES, ORGANIZATION_PARAMS, REVINCLUDES, SORTS
from directory.organizations.queries import OrganizationQuery


@blueprint.get("/Organization/<organization_id>")
def read_organization(organization_id: str) -> Response:
    with current_app.extensions["engine"].connect() as conn:
        payload = queries.get_payload(conn, organization_id)
    if payload is None:
        raise NotFound(f"Organization/{organization_id} is not known")
    return fhir_response(payload)


@blueprint.route("/Organization", methods=["GET"])
@blueprint.route("/Organization/_search", methods=["POST"])
def search_organizations() -> Response:
    args = list(request.args.items(multi=True))
    if request.method == "POST":
        args += list(request.form.items(multi=True))
    search = parse_search(
        args, ORGANIZATION_PARAMS, OrganizationQuery(), SORTS, INCLUDES, REVINCLUDES
    )
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search(conn, search.query, search.cursor)  # type: ignore[arg-type]
        if search.includes:
            parents = sorted({h.parent_id for h in page.rows if h.parent_id})
            page.included += queries.get_resources(conn, parents)
        if search.revincludes:
            page.included += queries.children_resources(conn, [h.id for h in page.rows])
    return fhir_response(searchset(page, base_url(), "Organization", args, search.elements))
