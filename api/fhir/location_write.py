"""Bed availability writes, the ROR protocol that bed-management software speaks:
`PATCH /fhir/Location?identifier=<idNatSt>/<sync id>` and `PATCH /fhir/Location/<id>` with a
FHIRPath Patch of capacity indicators; plus what the ROR lacks: ETag / If-Match, and the
history of the writes at `GET /fhir/Location/<id>/_history[/<version>]`.

Writes need an API key with the capacity:write scope naming the location's establishment
(api/auth.py). Answers: 200 with the Location after the write, ETag and Last-Modified; 400
(bad body, bad code, invalid indicator), 404 (no such location, or a replace of an indicator
absent: send an add), 412 (several locations match, or a stale If-Match), always with an
OperationOutcome whose `expression` says what was wrong, as the ROR's do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlencode

import orjson
from flask import Response, current_app, g, request
from sqlalchemy import Connection
from werkzeug.http import http_date

from api.auth import require_establishment, require_key
from api.fhir import base_url, blueprint, capacity_labels, fhir_response
from api.fhir.capacity_patch import parse_patch
from directory.access.keys import CAPACITY_WRITE
from directory.errors import InvalidParameter, NotFound
from directory.offers import history
from directory.offers.capacity import Displays, with_labels
from directory.offers.resources import instant
from directory.offers.writes import (
    BadPatch,
    Locked,
    Target,
    WriteError,
    apply_patch,
    check_operation,
    value_set_check,
)
from directory.search.params import MAX_COUNT

log = logging.getLogger(__name__)
PATCH_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")
DEFAULT_HISTORY = 50


@blueprint.errorhandler(WriteError)
def _write_refused(exc: WriteError) -> Response:
    log.info(
        "write not applied: key=%s target=%s status=%s reason=%s",
        g.get("write_key", "anonymous"),
        g.get("write_target", request.path),
        exc.status,
        exc.message,
    )
    issue: dict = {"severity": "error", "code": exc.fhir_code, "diagnostics": exc.message}
    if exc.expression:
        issue["expression"] = list(exc.expression)
    body = {"resourceType": "OperationOutcome", "issue": [issue]}
    return fhir_response(orjson.dumps(body), exc.status)


@contextmanager
def _transaction() -> Iterator[Connection]:
    """A read-committed transaction on a pooled connection (the pool is in autocommit for
    reads; the level goes back to autocommit when the connection returns to it)."""
    with current_app.extensions["engine"].connect() as conn:
        conn.execution_options(isolation_level="READ COMMITTED")
        with conn.begin():
            yield conn


class UnsupportedPatch(WriteError):
    status = 415
    fhir_code = "not-supported"
    title = "Unsupported media type"


def _body() -> object:
    mimetype = request.mimetype
    if mimetype and mimetype not in PATCH_TYPES:
        raise UnsupportedPatch(
            f"Content-Type {mimetype}: send a FHIRPath Patch Parameters as application/fhir+json"
            " (JSON Patch is not supported)"
        )
    try:
        return orjson.loads(request.get_data())
    except orjson.JSONDecodeError as exc:
        raise BadPatch(f"the body is not JSON: {exc}") from None


def _etag(version_id: int) -> str:
    return f'W/"{version_id}"'


def _with_version(response: Response, version_id: int, last_updated: datetime) -> Response:
    response.headers["ETag"] = _etag(version_id)
    response.headers["Last-Modified"] = http_date(last_updated)
    return response


def _patch(target: Target) -> Response:
    g.write_target = str(target)
    grant = require_key(CAPACITY_WRITE, str(target))
    g.write_key = grant.name
    operations = parse_patch(_body())
    check = value_set_check(current_app.extensions["terminology"])
    for operation in operations:
        check_operation(operation, check)

    def authorize(locked: Locked) -> None:
        require_establishment(grant, locked.finess, f"Location/{locked.id}")

    labels = capacity_labels()  # before the transaction: it may take a connection of its own
    with _transaction() as conn:
        written = apply_patch(
            conn,
            target,
            operations,
            grant.name,
            request.headers.get("If-Match"),
            authorize,
            labels,
        )
    log.info(
        "capacity written: key=%s Location/%s version %s: %s",
        grant.name,
        written.location_id,
        written.version_id,
        ", ".join(o.kind for o in operations),
    )
    response = fhir_response(orjson.dumps(written.resource))
    return _with_version(response, written.version_id, written.last_updated)


@blueprint.route("/Location", methods=["PATCH"])
def patch_location_by_identifier() -> Response:
    """The ROR's conditional patch: ?identifier=<value> or ?identifier=<system>|<value>."""
    given = request.args.getlist("identifier")
    if len(given) != 1 or not given[0].strip():
        raise BadPatch(
            "a conditional patch names one location: ?identifier=<idNatSt>/<sync id>",
            ("Location",),
        )
    system, _, value = given[0].strip().rpartition("|")
    return _patch(Target(identifier=value, system=system or None))


@blueprint.route("/Location/<location_id>", methods=["PATCH"])
def patch_location(location_id: str) -> Response:
    return _patch(Target(location_id=location_id))


def _count() -> int:
    raw = request.args.get("_count", str(DEFAULT_HISTORY))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_COUNT:
        raise InvalidParameter(f"_count={raw}: expected a number from 1 to {MAX_COUNT}")
    return int(raw)


def _entry(location_id: str, item: history.Version, labels: Displays) -> dict:
    url = f"{base_url()}/Location/{location_id}"
    return {
        "fullUrl": url,
        "resource": with_labels(item.resource, labels),
        "request": {"method": "PATCH", "url": f"Location/{location_id}"},
        "response": {
            "status": "200",
            "etag": _etag(item.version_id),
            "lastModified": instant(item.at),
        },
    }


@blueprint.get("/Location/<location_id>/_history")
def location_history(location_id: str) -> Response:
    """The versions the writes made, newest first (loads are not in it)."""
    count = _count()
    cursor = request.args.get("_cursor")
    if cursor is not None and not cursor.isdigit():
        raise InvalidParameter(f"_cursor={cursor}: not a cursor this server gave")
    labels = capacity_labels()
    with current_app.extensions["engine"].connect() as conn:
        if history.location_state(conn, location_id) is None:
            raise NotFound(f"Location/{location_id} is not known")
        found = history.versions(conn, location_id, count + 1, int(cursor) if cursor else None)
    page = found[:count]
    self_url = f"{base_url()}/Location/{location_id}/_history"
    query = urlencode(list(request.args.items(multi=True)))
    links = [{"relation": "self", "url": f"{self_url}?{query}" if query else self_url}]
    if len(found) > count:
        args = [("_count", str(count)), ("_cursor", str(page[-1].version_id))]
        links.append({"relation": "next", "url": f"{self_url}?{urlencode(args)}"})
    bundle = {
        "resourceType": "Bundle",
        "type": "history",
        "link": links,
        "entry": [_entry(location_id, item, labels) for item in page],
    }
    return fhir_response(orjson.dumps(bundle))


@blueprint.get("/Location/<location_id>/_history/<version_id>")
def location_version(location_id: str, version_id: str) -> Response:
    """The Location as a write left it."""
    found, labels = None, capacity_labels()
    if version_id.isdigit():
        with current_app.extensions["engine"].connect() as conn:
            found = history.version(conn, location_id, int(version_id))
    if found is None:
        raise NotFound(
            f"Location/{location_id} has no version {version_id} made by a write "
            f"(the current version: GET /fhir/Location/{location_id})"
        )
    response = fhir_response(orjson.dumps(with_labels(found.resource, labels)))
    return _with_version(response, found.version_id, found.at)
