"""FHIR Bulk Data export (https://hl7.org/fhir/uv/bulkdata/export.html) of the directory
resources: kick-off (GET or POST /fhir/$export and /fhir/<Type>/$export, with _type,
_since, _typeFilter and includeAssociatedData; directory.export.selection), status and manifest
(GET /fhir/$export-poll-status?_jobId=…, the ROR's URL; DELETE cancels), and the files
(GET /fhir/$export-file/<job>/<Type>/<part>.ndjson). The job is ready at kick-off: the
manifest lists one file per part of at most ANNUAIRE_EXPORT_PART_SIZE resources, each
streamed from PostgreSQL when downloaded (directory.export)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from flask import Response, current_app, request
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import MultiDict

from api.fhir import base_url, blueprint, capacity_labels
from directory.errors import InvalidParameter, NotFound, NotSupported
from directory.export import jobs
from directory.export.models import EXPORTED
from directory.export.selection import Selection, associated_data, split_type_filters
from directory.export.stream import ndjson
from directory.offers.resources import instant
from directory.search.params import split_or
from loaders.scheduling.config import parse_duration

NDJSON = "application/fhir+ndjson"
# The ROR's own clients ask for application/fhir+json or application/json (its documented
# deviation from Bulk Data): accepted, and the files are NDJSON whatever the value.
OUTPUT_FORMATS = {
    NDJSON,
    "application/ndjson",
    "ndjson",
    "application/fhir+json",
    "application/json",
}
PARAMETERS = {"_type", "_since", "_typeFilter", "includeAssociatedData", "_outputFormat"}
IGNORED = {"_format"}  # the blueprint's, checked before


@dataclass(frozen=True)
class ExportSettings:
    part_size: int
    lifetime: timedelta


@blueprint.record_once
def _read_settings(state: BlueprintSetupState) -> None:
    # At start-up, so that a bad value stops the server with its reason rather than failing
    # every kick-off.
    settings = state.app.config["SETTINGS"]
    part_size = settings.parsed("export_part_size", _positive)
    lifetime = settings.parsed("export_expiry", parse_duration)
    state.app.extensions["export"] = ExportSettings(part_size, lifetime)


def _positive(raw: str) -> int:
    number = int(raw)
    if number < 1:
        raise ValueError("must be a positive number of resources")
    return number


def _preferences() -> set[str]:
    """The Prefer header's preferences: `respond-async, handling=lenient` → both."""
    header = request.headers.get("Prefer", "")
    return {p.strip().lower().replace(" ", "") for p in re.split("[,;]", header) if p.strip()}


def _arguments() -> MultiDict:
    """The kick-off's parameters: the query string of a GET, the Parameters body of a POST
    (Bulk Data 2.0: each parameter by name, with a valueString, valueInstant or valueCode)."""
    if request.method == "GET":
        return request.args
    try:
        body = orjson.loads(request.get_data())
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter(f"the request body is not JSON: {exc}") from None
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise InvalidParameter("the request body must be a FHIR Parameters resource")
    parameters = body.get("parameter", [])
    if not isinstance(parameters, list):
        raise InvalidParameter("Parameters.parameter must be a list")
    pairs = []
    for parameter in parameters:
        if isinstance(parameter, dict):
            values = [v for k, v in parameter.items() if k.startswith("value")]
            if len(values) == 1 and isinstance(values[0], str):
                pairs.append((parameter.get("name", ""), values[0]))
                continue
        raise InvalidParameter(
            f"{parameter!r}: each parameter has a name and one valueString, valueInstant or "
            "valueCode"
        )
    return MultiDict(pairs)


def _check_parameters(args: MultiDict, lenient: bool) -> None:
    """Bulk Data: an unsupported parameter is an error, unless the client prefers lenience."""
    unsupported = sorted(set(args) - PARAMETERS - IGNORED)
    if unsupported and not lenient:
        raise NotSupported(
            f"$export does not support {', '.join(unsupported)} (supported: "
            f"{', '.join(sorted(PARAMETERS))}); send Prefer: handling=lenient to have them "
            "ignored"
        )


def _types(args: MultiDict, exportable: tuple[str, ...]) -> tuple[str, ...]:
    """The types asked for with _type (every exportable one without it), in manifest order."""
    asked = {t for value in args.getlist("_type") for t in split_or(value)}
    unknown = sorted(asked - set(exportable))
    if unknown:
        raise InvalidParameter(
            f"_type: {', '.join(unknown)} cannot be exported here; "
            f"exportable: {', '.join(exportable)}"
        )
    return tuple(t for t in exportable if t in asked) if asked else exportable


def _selection(args: MultiDict, exportable: tuple[str, ...], lenient: bool) -> Selection:
    filters = [f for value in args.getlist("_typeFilter") for f in split_type_filters(value)]
    associated = [v for value in args.getlist("includeAssociatedData") for v in split_or(value)]
    return Selection(_types(args, exportable), tuple(filters), associated_data(associated, lenient))


def _since(args: MultiDict) -> datetime | None:
    """_since, a FHIR instant: a date and a time to the second at least, with its zone."""
    value = args.get("_since")
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidParameter(
            f"_since: {value!r} is not a FHIR instant such as 2026-05-01T08:00:00Z or "
            "2026-05-01T10:00:00%2B02:00 (a + in a URL must be written %2B)"
        )
    return moment


def _check_output_format(args: MultiDict) -> None:
    value = args.get("_outputFormat")
    if value is not None and value not in OUTPUT_FORMATS:
        raise NotSupported(
            f"_outputFormat={value}: exports are written as {NDJSON} (also accepted: "
            f"{', '.join(sorted(OUTPUT_FORMATS - {NDJSON}))})"
        )


def _kick_off(exportable: tuple[str, ...]) -> Response:
    preferences = _preferences()
    if "respond-async" not in preferences:
        raise InvalidParameter("$export runs asynchronously: send the header Prefer: respond-async")
    args, lenient = _arguments(), "handling=lenient" in preferences
    _check_parameters(args, lenient)
    selection, since = _selection(args, exportable, lenient), _since(args)
    _check_output_format(args)
    settings: ExportSettings = current_app.extensions["export"]
    kick_off_url = base_url() + request.full_path.removeprefix("/fhir").rstrip("?")
    with jobs.snapshot(current_app.extensions["engine"]) as conn:
        job = jobs.create_job(
            conn, kick_off_url, selection, since, settings.part_size, settings.lifetime
        )
    response = Response(status=202)
    response.headers["Content-Location"] = f"{base_url()}/$export-poll-status?_jobId={job.id}"
    return response


@blueprint.route("/$export", methods=["GET", "POST"])
def export_all() -> Response:
    return _kick_off(tuple(EXPORTED))


def export_type(resource_type: str) -> Response:
    """Not in Bulk Data (which exports at system, patient and group level): the system export
    of one type, as the ROR's clients ask it with _type."""
    return _kick_off((resource_type,))


# A route per type: /<resource_type>/$export would lose to /Organization/<id>.
for _type in EXPORTED:
    blueprint.add_url_rule(
        f"/{_type}/$export",
        "export_type",
        export_type,
        defaults={"resource_type": _type},
        methods=["GET", "POST"],
    )


def _job_id() -> str:
    job_id = request.args.get("_jobId")
    if not job_id:
        raise InvalidParameter("_jobId is required")
    return job_id


def _unknown_job(job_id: str) -> NotFound:
    return NotFound(f"export job {job_id!r} is not known (cancelled, expired or never made)")


def _job(job_id: str) -> jobs.Job:
    with current_app.extensions["engine"].connect() as conn:
        job = jobs.find_job(conn, job_id)
    if job is None:
        raise _unknown_job(job_id)
    return job


def manifest(job: jobs.Job) -> dict:
    files = f"{base_url()}/$export-file/{job.id}"
    return {
        "transactionTime": instant(job.transaction_time),
        "request": job.request,
        "requiresAccessToken": False,
        "output": [
            {"type": p.type, "url": f"{files}/{p.type}/{p.number}.ndjson", "count": p.count}
            for p in job.parts
        ],
        "error": [],
    }


@blueprint.get("/$export-poll-status")
def export_status() -> Response:
    job = _job(_job_id())
    response = Response(orjson.dumps(manifest(job)), mimetype="application/json")
    response.expires = job.expires_at
    return response


@blueprint.delete("/$export-poll-status")
def cancel_export() -> Response:
    job_id = _job_id()
    with current_app.extensions["engine"].connect() as conn:
        forgotten = jobs.forget_job(conn, job_id)
    if not forgotten:
        raise _unknown_job(job_id)
    return Response(status=202)


@blueprint.get("/$export-file/<job_id>/<resource_type>/<int:number>.ndjson")
def export_file(job_id: str, resource_type: str, number: int) -> Response:
    job = _job(job_id)
    part = job.part(resource_type, number)
    if part is None:
        raise NotFound(f"export job {job_id!r} has no file {resource_type}/{number}.ndjson")
    engine = current_app.extensions["engine"]
    return Response(ndjson(engine, job, part, capacity_labels()), mimetype=NDJSON)
