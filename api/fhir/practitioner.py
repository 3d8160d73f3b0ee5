"""Practitioner and PractitionerRole read and search (RPPS professionals and their activities)."""

from __future__ import annotations

from flask import Response, current_app, request

from api.fhir import base_url, blueprint, fhir_response
from api.fhir.bundle import searchset
from api.fhir.search_request import SearchRequest, parse_search
from directory.errors import NotFound
from directory.practitioners import queries
from directory.practitioners.fhir_search import (
    PRACTITIONER_PARAMS,
    PRACTITIONER_REVINCLUDES,
    ROLE_INCLUDES,
    ROLE_PARAMS,
    SORTS,
)
from directory.practitioners.models import Practitioner, PractitionerRole
from directory.practitioners.queries import PractitionerQuery, RoleQuery


def _read(model: type, resource_type: str, record_id: str) -> Response:
    with current_app.extensions["engine"].connect() as conn:
        payload = queries.get_payload(conn, model, record_id)
    if payload is None:
        raise NotFound(f"{resource_type}/{record_id} is not known")
    return fhir_response(payload)


@blueprint.get("/Practitioner/<practitioner_id>")
def read_practitioner(practitioner_id: str) -> Response:
    return _read(Practitioner, "Practitioner", practitioner_id)


@blueprint.get("/PractitionerRole/<role_id>")
def read_practitioner_role(role_id: str) -> Response:
    return _read(PractitionerRole, "PractitionerRole", role_id)


def _arguments() -> list[tuple[str, str]]:
    args = list(request.args.items(multi=True))
    if request.method == "POST":
        args += list(request.form.items(multi=True))
    return args


@blueprint.route("/Practitioner", methods=["GET"])
@blueprint.route("/Practitioner/_search", methods=["POST"])
def search_practitioners() -> Response:
    args = _arguments()
    search: SearchRequest = parse_search(
        args, PRACTITIONER_PARAMS, PractitionerQuery(), SORTS, (), PRACTITIONER_REVINCLUDES
    )
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search_practitioners(conn, search.query, search.cursor)  # type: ignore[arg-type]
        if search.revincludes:
            page.included += queries.roles_of(conn, [h.id for h in page.rows])
    return fhir_response(searchset(page, base_url(), "Practitioner", args, search.elements))


@blueprint.route("/PractitionerRole", methods=["GET"])
@blueprint.route("/PractitionerRole/_search", methods=["POST"])
def search_practitioner_roles() -> Response:
    args = _arguments()
    search = parse_search(args, ROLE_PARAMS, RoleQuery(), SORTS, ROLE_INCLUDES, ())
    wanted = set(search.includes)
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search_roles(conn, search.query, search.cursor)  # type: ignore[arg-type]
        if wanted & {"PractitionerRole:practitioner", "*"}:
            ids = sorted({h.links[0] for h in page.rows})
            page.included += queries.practitioners_by_id(conn, ids)
        if wanted & {"PractitionerRole:organization", "*"}:
            ids = sorted({h.links[1] for h in page.rows if h.links[1]})
            page.included += queries.organizations_by_id(conn, ids)
    return fhir_response(searchset(page, base_url(), "PractitionerRole", args, search.elements))
