"""SAS search of care offers under /api/v1/offers: offers near a patient that fit, with the
beds available now, nearest establishment first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Response, current_app
from flask.blueprints import BlueprintSetupState
from flask_smorest import Blueprint
from sqlalchemy import Connection

from api.v1.offer_schemas import OfferSearchArgs, OfferSearchPageSchema
from api.v1.organizations import SEARCH_ARGS, json_response, next_url
from directory.offers import sas, sas_place
from directory.offers.radii import RadiusTable, radius_table
from loaders.scheduling.config import parse_duration
from terminology.context import Context
from terminology.store import StoredResources

blueprint = Blueprint("offers", __name__, url_prefix="/api/v1", description="ROR care offers.")


@dataclass(frozen=True)
class SasSettings:
    radii: RadiusTable
    stale_after: timedelta


@blueprint.record_once
def _read_settings(state: BlueprintSetupState) -> None:
    # At start-up, so that a bad radii file or duration stops the server with its reason
    # rather than failing searches one by one.
    settings = state.app.config["SETTINGS"]
    stale_after = settings.parsed("capacity_stale_after", parse_duration)
    state.app.extensions["sas"] = SasSettings(radius_table(settings.sas_radii), stale_after)


def _origin(conn: Connection, args: dict) -> sas_place.Origin:
    if "commune" in args:
        return sas_place.locate_commune(conn, args["commune"].upper())
    if "postcode" in args:
        return sas_place.locate_postcode(conn, args["postcode"])
    return sas_place.locate_point(conn, args["lat"], args["lon"])


def parse_search(origin: sas_place.Origin, args: dict) -> sas.SasQuery:
    """Validated arguments (OfferSearchArgs) → the SAS search."""
    return sas.SasQuery(
        origin=origin,
        radius=sas.RadiusRule(
            km=args.get("radius_km"),
            adaptive=args["adaptive"],
            min_results=args["min_results"],
            max_km=args["max_radius_km"],
        ),
        filters=sas.OfferFilters(
            codes=tuple((name, tuple(args[name])) for name in sas.FILTER_SYSTEMS if args.get(name)),
            age=args.get("age"),
            beds_available=args["beds_available"],
            genders=tuple(args.get("gender", ())),
            crisis=args["crisis"],
        ),
        count=args["limit"],
    )


def _sas_displays(stored: StoredResources) -> dict[tuple[str, str], str]:
    systems = {*sas.FILTER_SYSTEMS.values(), *(d.system for d in sas.DIMENSION.values())}
    return Context(stored, []).displays(systems)


def _labels() -> sas.Label:
    """Labels of codes from the loaded terminologies (None for a code they do not hold),
    gathered once per terminology load and before the search takes its connection: a
    lookup then never waits for a connection of its own."""
    known = current_app.extensions["terminology"].derived("SAS labels", _sas_displays)
    return lambda system, code: known.get((system, code))


@blueprint.route("/offers/search")
@blueprint.arguments(OfferSearchArgs(), error_status_code=400, **SEARCH_ARGS)
@blueprint.response(200, OfferSearchPageSchema)
def search_offers(args: dict) -> Response:
    """SAS search of care offers

    Establishments nearest first, each with its offers that fit every filter (repeat a filter
    or separate codes by commas for any of them), their beds available now by gender with
    their update time and a `stale` flag, and facet counts over every match within the
    radius. Give one place: `lat` and `lon`, `commune` or `postcode`.
    """
    settings: SasSettings = current_app.extensions["sas"]
    labels = _labels()
    with current_app.extensions["engine"].connect() as conn:
        origin = _origin(conn, args)
        page = sas.search(
            conn, parse_search(origin, args), settings.radii, settings.stale_after,
            args.get("cursor"), labels,
        )  # fmt: skip
    return json_response(
        {
            "place": {
                "latitude": origin.latitude,
                "longitude": origin.longitude,
                "department": origin.department,
                "source": origin.source,
            },
            "radius_km": page.radius_km,
            "radius_source": page.radius_source,
            "total": page.total,
            "items": page.items,
            "facets": page.facets,
            "next": next_url(page.next_cursor),
        }
    )
