"""FHIR R4 API under /fhir: JSON only, OperationOutcome for every error."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from directory.errors import NotFound, NotSupported
from directory.offers.capacity import Displays, capacity_displays

blueprint = Blueprint("fhir", __name__)
FHIR_JSON = "application/fhir+json"
JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/json+fhir"}
RESOURCE_TYPES = (
    "Organization", "Practitioner", "PractitionerRole", "HealthcareService", "Location",
    "CodeSystem", "ValueSet", "ConceptMap",
)  # fmt: skip


def base_url() -> str:
    configured = current_app.config["SETTINGS"].public_base_url
    return (configured.rstrip("/") if configured else request.host_url.rstrip("/")) + "/fhir"


def capacity_labels() -> Displays:
    """The labels of capacity codes in the loaded terminology, for the locations served.
    Call it before taking a connection: it may read the terminology on one of its own, and
    requests that each held one while waiting for another would exhaust the pool."""
    return current_app.extensions["terminology"].derived("capacity displays", capacity_displays)


def fhir_response(body: bytes | str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype=FHIR_JSON)


@blueprint.before_request
def _negotiate() -> None:
    wanted = request.args.get("_format")
    if wanted and wanted not in JSON_FORMATS:
        raise NotSupported(f"_format={wanted}: this server speaks FHIR JSON only")


@blueprint.route("/<resource_type>", methods=["GET", "POST"])
@blueprint.route("/<resource_type>/<path:rest>", methods=["GET", "POST"])
def _unknown_type(resource_type: str, rest: str = "") -> Response:
    """What no route matched: another resource type, or an interaction not served."""
    if resource_type in RESOURCE_TYPES:
        raise NotFound(f"{request.method} {request.path} is not supported")
    raise NotFound(
        f"resource type {resource_type!r} is not supported here; "
        f"supported: {', '.join(RESOURCE_TYPES)}"
    )


# Route modules, registered on import.
from api.fhir import (  # noqa: E402,F401
    bulk_export,
    capability,
    healthcare_service,
    location,
    location_write,
    organization,
    practitioner,
    terminology_operations,
    terminology_resources,
)
