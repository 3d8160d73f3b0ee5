"""FHIR HealthcareService (ROR offers): read and search, with chained location criteria."""

from __future__ import annotations

from flask import Response, current_app, request

from api.fhir import base_url, blueprint, capacity_labels, fhir_response
from api.fhir.bundle import searchset
from api.fhir.location import read_response
from api.fhir.search_request import parse_search
from directory.errors import Gone, NotFound
from directory.offers import queries
from directory.offers.fhir_search import (
    SERVICE_INCLUDES,
    SERVICE_PARAMS,
    SERVICE_REVINCLUDES,
    SORTS,
)
from directory.offers.queries import ServiceQuery
from directory.offers.resources import location_hits
from directory.organizations.queries import get_resources


@blueprint.get("/HealthcareService/<service_id>")
def read_healthcare_service(service_id: str) -> Response:
    with current_app.extensions["engine"].connect() as conn:
        stored = queries.read_service(conn, service_id)
    if stored is None:
        raise NotFound(f"HealthcareService/{service_id} is not known")
    if stored.removed:
        raise Gone(f"HealthcareService/{service_id} was removed from the ROR")
    return read_response(stored.payload, stored.last_updated)


@blueprint.route("/HealthcareService", methods=["GET"])
@blueprint.route("/HealthcareService/_search", methods=["POST"])
def search_healthcare_services() -> Response:
    args = list(request.args.items(multi=True))
    if request.method == "POST":
        args += list(request.form.items(multi=True))
    search = parse_search(
        args, SERVICE_PARAMS, ServiceQuery(), SORTS, SERVICE_INCLUDES, SERVICE_REVINCLUDES
    )
    wanted = set(search.includes)
    labels = capacity_labels()  # before the connection: it may take one of its own
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search_services(conn, search.query, search.cursor)  # type: ignore[arg-type]
        if wanted & {"HealthcareService:location", "*"}:
            ids = sorted({i for h in page.rows for i in h.links[1]})
            page.included += location_hits(conn, ids, labels)
        if wanted & {"HealthcareService:organization", "*"}:
            ids = sorted({h.links[0] for h in page.rows if h.links[0]})
            page.included += get_resources(conn, ids)
        if search.revincludes:
            page.included += queries.roles_in(conn, [h.id for h in page.rows])
    return fhir_response(searchset(page, base_url(), "HealthcareService", args, search.elements))
