"""Health professionals (RPPS, ADELI) under /api/v1: one document per person, and search."""

from __future__ import annotations

import orjson
from flask import Response, current_app
from flask_smorest import Blueprint

from api.v1.organizations import INSEE_COMMUNE, SEARCH_ARGS, json_response, next_url
from api.v1.professional_schemas import (
    ProfessionalPageSchema,
    ProfessionalReadSchema,
    ProfessionalSearchArgs,
)
from api.v1.schemas import DEFAULT_RADIUS_KM
from directory.errors import NotFound
from directory.organizations.identifiers import FINESS_SYSTEM, SIRENE_SYSTEM
from directory.practitioners import queries, systems
from directory.practitioners.queries import PractitionerQuery, RoleQuery
from directory.search.params import Near, TextFilter

blueprint = Blueprint(
    "professionals",
    __name__,
    url_prefix="/api/v1",
    description="Health professionals of the RPPS and ADELI registers, with their activities.",
)
KEY_PARAMETER = {
    "in": "path",
    "name": "key",
    "description": "RPPS number (11 digits) or IDNPS (8 + RPPS, or 0 + ADELI)",
    "schema": {"type": "string", "example": "10100000001"},
}


@blueprint.route("/professionals/<key>", parameters=[KEY_PARAMETER])
@blueprint.response(200, ProfessionalReadSchema)
@blueprint.alt_response(404, response="NOT_FOUND")
def read_professional(key: str) -> Response:
    """Read a professional

    The person, every professional exercise, savoir-faire, diploma and mailbox, and every
    activity with its structure (name, address, FINESS, coordinates when FINESS knows them):
    one call.
    """
    with current_app.extensions["engine"].connect() as conn:
        document = queries.professional(conn, key)
    if document is None:
        raise NotFound(f"no professional has the RPPS number or IDNPS {key}")
    return json_response(document)


def parse_search(args: dict) -> PractitionerQuery:
    """Validated arguments (ProfessionalSearchArgs) → the search over practitioners."""
    qualifications = []
    if "profession" in args:
        qualifications.append(tuple(f"{systems.PROFESSION}|{c}" for c in args["profession"]))
    if "specialty" in args:
        qualifications.append(tuple(args["specialty"]))
    roles: dict = {}
    if "mode" in args:
        roles["roles"] = (tuple(f"{systems.MODE}|{c}" for c in args["mode"]),)
    commune = args.get("commune")
    if commune:
        key = "communes" if INSEE_COMMUNE.fullmatch(commune) else "cities"
        roles[key] = (commune.upper() if key == "communes" else commune,)
    if "postcode" in args:
        roles["postal_codes"] = (args["postcode"],)
    if "department" in args:
        roles["departments"] = tuple(d.upper() for d in args["department"])
    structures = []
    if "finess" in args:
        structures.append((f"{FINESS_SYSTEM}|{args['finess']}",))
    if "siret" in args:
        structures.append((f"{SIRENE_SYSTEM}|{args['siret']}",))
    if structures:
        roles["organization_identifiers"] = tuple(structures)
    if "near" in args:
        roles["near"] = Near(*args["near"], args.get("radius", DEFAULT_RADIUS_KM))
    return PractitionerQuery(
        names=(TextFilter("prefix", (args["q"],)),) if "q" in args else (),
        qualifications=tuple(qualifications),
        roles=RoleQuery(active=True, **roles) if roles else None,
        active=True,
        count=args["limit"],
        representation="document",
    )


@blueprint.route("/professionals")
@blueprint.arguments(ProfessionalSearchArgs(), **SEARCH_ARGS)
@blueprint.response(200, ProfessionalPageSchema)
@blueprint.alt_response(400, response="BAD_REQUEST")
def search_professionals(args: dict) -> Response:
    """Search professionals

    Present professionals matching every given parameter, by IDNPS. Criteria on activities
    (mode, commune, postcode, department, finess, siret, near) must hold for one activity.
    Read one professional for its activities.
    """
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search_practitioners(conn, parse_search(args), args.get("cursor"))
    items = [orjson.Fragment(hit.payload) for hit in page.rows]
    return json_response({"items": items, "total": page.total, "next": next_url(page.next_cursor)})
