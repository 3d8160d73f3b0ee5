"""FINESS legal entities and establishments under /api/v1: read by FINESS number, and search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import orjson
from flask import Response, current_app, request
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import Connection

from api.v1.schemas import (
    DEFAULT_RADIUS_KM,
    OrganizationPageSchema,
    OrganizationReadSchema,
    OrganizationSearchArgs,
)
from directory.errors import NotFound
from directory.organizations import queries
from directory.organizations.finess_number import FINESS_PATTERN, finess_problem
from directory.organizations.queries import OrganizationQuery, TextFilter
from directory.search.params import Near

blueprint = Blueprint(
    "organizations",
    __name__,
    url_prefix="/api/v1",
    description="FINESS legal entities (EJ) and their geographic establishments (EG).",
)

INSEE_COMMUNE = re.compile(r"\d{5}|2[AB]\d{3}", re.IGNORECASE)
ACTIVE = {"open": True, "closed": False, "all": None}
FINESS_PARAMETER = {
    "in": "path",
    "name": "finess",
    "description": "FINESS number (9 characters)",
    "schema": {"type": "string", "pattern": FINESS_PATTERN.pattern, "example": "010000024"},
}
SEARCH_ARGS = {"location": "query", "unknown": RAISE}  # a misspelt parameter is an error
# The argument schemas of this API are given to `arguments` as instances: given a class,
# webargs builds a schema for every request (0.5 ms of a 3 ms SAS search).


@dataclass(frozen=True)
class Kind:
    """One kind of FINESS structure, as the stored document, the query and the URLs name it."""

    document_type: str
    kind: str  # its Organization.kind
    path: str
    noun: str
    article: str


ESTABLISHMENT = Kind("establishment", "EG", "establishments", "establishment", "an")
LEGAL_ENTITY = Kind("legal_entity", "EJ", "legal-entities", "legal entity", "a")
KINDS = {kind.document_type: kind for kind in (ESTABLISHMENT, LEGAL_ENTITY)}


@blueprint.route("/establishments")
@blueprint.arguments(OrganizationSearchArgs(), **SEARCH_ARGS)
@blueprint.response(200, OrganizationPageSchema)
@blueprint.alt_response(400, response="BAD_REQUEST")
def search_establishments(args: dict) -> Response:
    """Search establishments

    Geographic establishments (FINESS EG) matching every given parameter, by FINESS number,
    or nearest first with `near`.
    """
    return _search(args, ESTABLISHMENT)


@blueprint.route("/legal-entities")
@blueprint.arguments(OrganizationSearchArgs(), **SEARCH_ARGS)
@blueprint.response(200, OrganizationPageSchema)
@blueprint.alt_response(400, response="BAD_REQUEST")
def search_legal_entities(args: dict) -> Response:
    """Search legal entities

    Legal entities (FINESS EJ) matching every given parameter, by FINESS number, or nearest
    first with `near`.
    """
    return _search(args, LEGAL_ENTITY)


@blueprint.route("/establishments/<finess>", parameters=[FINESS_PARAMETER])
@blueprint.response(200, OrganizationReadSchema)
@blueprint.alt_response(404, response="NOT_FOUND")
def read_establishment(finess: str) -> Response:
    """Read an establishment

    The establishment, with links to its legal entity, its groups and its activities.
    """
    return _read(finess, ESTABLISHMENT)


@blueprint.route("/legal-entities/<finess>", parameters=[FINESS_PARAMETER])
@blueprint.response(200, OrganizationReadSchema)
@blueprint.alt_response(404, response="NOT_FOUND")
def read_legal_entity(finess: str) -> Response:
    """Read a legal entity

    The legal entity, with links to its establishments, its groups and its activities.
    """
    return _read(finess, LEGAL_ENTITY)


def parse_search(args: dict, kind: Kind) -> OrganizationQuery:
    """Validated arguments (OrganizationSearchArgs) → the search over structures of `kind`."""
    commune = args.get("commune")
    near = args.get("near")
    return OrganizationQuery(
        kinds=(kind.kind,),
        names=(TextFilter("prefix", (args["q"],)),) if "q" in args else (),
        **(_commune_filter(commune) if commune else {}),
        postal_codes=((args["postcode"],),) if "postcode" in args else (),
        departments=tuple(args.get("department", ())),
        categories=tuple(args.get("category", ())),
        active=ACTIVE[args["status"]],
        near=Near(*near, args.get("radius", DEFAULT_RADIUS_KM)) if near else None,
        sort="distance" if near else "spread",
        count=args["limit"],
        representation="document",
    )


def _commune_filter(commune: str) -> dict:
    if INSEE_COMMUNE.fullmatch(commune):
        return {"communes": (commune.upper(),)}
    return {"cities": (TextFilter("prefix", (commune,)),)}


def _search(args: dict, kind: Kind) -> Response:
    query = parse_search(args, kind)
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search(conn, query, args.get("cursor"))
    items = [
        orjson.Fragment(hit.payload)
        if hit.distance_km is None
        else _extend(hit.payload, distance_km=round(hit.distance_km, 3))
        for hit in page.rows
    ]
    return json_response({"items": items, "total": page.total, "next": next_url(page.next_cursor)})


def _read(finess: str, kind: Kind) -> Response:
    with current_app.extensions["engine"].connect() as conn:
        payload = queries.get_payload(conn, finess, "document")
        if payload is None:
            raise NotFound(
                finess_problem(finess) or f"no {kind.noun} has the FINESS number {finess}"
            )
        document = orjson.loads(payload)
        if document["type"] not in KINDS:  # an RPPS structure FINESS does not know
            raise NotFound(f"{finess} is not in FINESS: see /fhir/Organization/{finess}")
        if document["type"] != kind.document_type:
            raise NotFound(_elsewhere(finess, kind, KINDS[document["type"]]))
        links = queries.links(conn, finess)
        if document["legal_entity_finess"]:
            links = {
                "legal_entity": _legal_entity(conn, document["legal_entity_finess"]),
                **links,
            }
    return json_response(_extend(payload, links=links))


def _legal_entity(conn: Connection, finess: str) -> dict:
    payload = queries.get_payload(conn, finess, "document")
    return {"finess": finess, "name": orjson.loads(payload)["name"] if payload else None}


def _elsewhere(finess: str, asked: Kind, actual: Kind) -> str:
    return (
        f"{finess} is {actual.article} {actual.noun}, not {asked.article} {asked.noun}: "
        f"see {blueprint.url_prefix}/{actual.path}/{finess}"
    )


def _extend(document: str, **extra: object) -> orjson.Fragment:
    """The stored JSON object text with `extra` keys added, without parsing it again."""
    # PostgreSQL prints jsonb with nothing after the closing brace of the object.
    return orjson.Fragment(document.encode()[:-1] + b"," + orjson.dumps(extra)[1:])


def next_url(cursor: str | None) -> str | None:
    """This request's URL with `cursor` set: the same search, resumed after this page."""
    if cursor is None:
        return None
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    base = current_app.config["SETTINGS"].public_base_url or request.host_url
    return f"{base.rstrip('/')}{request.path}?{urlencode([*args, ('cursor', cursor)])}"


def json_response(body: object) -> Response:
    return Response(orjson.dumps(body), mimetype="application/json")
