"""FHIR Location (ROR locations with their live capacity): read and search. Capacity writes
and the history of writes are api.fhir.location_write's."""

from __future__ import annotations

from datetime import datetime

import orjson
from flask import Response, current_app, request

from api.fhir import base_url, blueprint, capacity_labels, fhir_response
from api.fhir.bundle import searchset
from api.fhir.search_request import parse_search
from directory.errors import Gone, NotFound
from directory.offers import queries
from directory.offers.fhir_search import (
    LOCATION_INCLUDES,
    LOCATION_PARAMS,
    LOCATION_REVINCLUDES,
    LOCATION_SORTS,
)
from directory.offers.queries import LocationQuery
from directory.offers.resources import live_hits, read_location
from directory.organizations.queries import get_resources


def read_response(
    body: bytes | str, last_modified: datetime, version_id: int | None = None
) -> Response:
    """A read's answer with its validators, and 304 to a client whose copy is current."""
    response = fhir_response(body)
    if version_id is not None:
        response.set_etag(str(version_id), weak=True)
    response.last_modified = last_modified
    # Only a conditional request needs the comparison: it costs a fifth of a read.
    if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
        return response.make_conditional(request)
    return response


@blueprint.get("/Location/<location_id>")
def read_location_by_id(location_id: str) -> Response:
    labels = capacity_labels()  # before the connection: it may take one of its own
    with current_app.extensions["engine"].connect() as conn:
        stored = read_location(conn, location_id, labels)
    if stored is None:
        raise NotFound(f"Location/{location_id} is not known")
    if stored.removed:
        raise Gone(f"Location/{location_id} was removed from the ROR")
    return read_response(orjson.dumps(stored.resource), stored.last_updated, stored.version_id)


@blueprint.route("/Location", methods=["GET"])
@blueprint.route("/Location/_search", methods=["POST"])
def search_locations() -> Response:
    args = list(request.args.items(multi=True))
    if request.method == "POST":
        args += list(request.form.items(multi=True))
    search = parse_search(
        args,
        LOCATION_PARAMS,
        LocationQuery(),
        LOCATION_SORTS,
        LOCATION_INCLUDES,
        LOCATION_REVINCLUDES,
    )
    labels = capacity_labels()
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search_locations(conn, search.query, search.cursor)  # type: ignore[arg-type]
        page.rows = live_hits(conn, page.rows, labels)
        if search.includes:  # Location:organization, or *
            ids = sorted({h.organization_id for h in page.rows if h.organization_id})
            page.included += get_resources(conn, ids)
        if search.revincludes:
            page.included += queries.services_at(conn, [h.id for h in page.rows])
    return fhir_response(searchset(page, base_url(), "Location", args, search.elements))
