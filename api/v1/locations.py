"""ROR locations under /api/v1/locations: their current capacity indicators, with who wrote
each, and the audit trail of the writes (who, when, operation, before, after)."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE
from werkzeug.exceptions import BadRequest

from api.fhir import capacity_labels
from api.v1.location_schemas import CapacitySchema, HistoryArgs, HistoryPageSchema
from api.v1.organizations import next_url
from directory.errors import NotFound
from directory.offers import history
from directory.offers.capacity import indicator_labels

blueprint = Blueprint(
    "locations", __name__, url_prefix="/api/v1", description="ROR locations and their capacity."
)


def _known(conn, location_id: str) -> history.LocationState:  # noqa: ANN001
    state = history.location_state(conn, location_id)
    if state is None:
        raise NotFound(f"no location {location_id}")
    return state


@blueprint.route("/locations/<location_id>/capacity")
@blueprint.response(200, CapacitySchema)
@blueprint.alt_response(404, response="NOT_FOUND")
def location_capacity(location_id: str) -> dict:
    """Current capacity of a location

    Its active indicators (beds or places by status, temporality, gender…), each with its
    count, the date its source updated it, the API key that wrote it (null: the ROR
    extract), and the labels of its codes when the terminology is loaded.
    """
    with current_app.extensions["engine"].connect() as conn:
        state = _known(conn, location_id)
        items = history.current_capacity(conn, location_id)
    displays = capacity_labels()
    for item in items:
        item["labels"] = indicator_labels(item, displays)
    return {
        "location": state.id,
        "version": state.version_id,
        "last_updated": state.last_updated,
        "items": items,
    }


@blueprint.route("/locations/<location_id>/history")
@blueprint.arguments(HistoryArgs(), location="query", unknown=RAISE)
@blueprint.response(200, HistoryPageSchema)
@blueprint.alt_response(400, response="BAD_REQUEST")
@blueprint.alt_response(404, response="NOT_FOUND")
def location_history(args: dict, location_id: str) -> dict:
    """Write history of a location

    Every capacity write through the FHIR PATCH, newest first: who (the API key), when, the
    operation, and the indicator before and after.
    """
    cursor = args.get("cursor")
    if cursor is not None and not cursor.isdigit():
        raise BadRequest(f"cursor {cursor!r} is not one this API gave")
    limit = args["limit"]
    with current_app.extensions["engine"].connect() as conn:
        _known(conn, location_id)
        rows = history.audit_trail(conn, location_id, limit + 1, int(cursor) if cursor else None)
    page = rows[:limit]
    more = len(rows) > limit
    return {"items": page, "next": next_url(str(page[-1]["id"]) if more else None)}
