"""Every error answered in the shape of its API: OperationOutcome under /fhir, RFC 9457
problem documents elsewhere. Internal detail goes to the log, never to the client."""

from __future__ import annotations

import logging

import orjson
from flask import Flask, Response, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from directory.errors import DirectoryError
from terminology.outcomes import TerminologyError
from terminology.outcomes import operation_outcome as terminology_outcome

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
FHIR_CODES = {400: "invalid", 404: "not-found", 405: "not-supported", 406: "not-supported",
              413: "too-costly", 415: "not-supported", 503: "transient"}  # fmt: skip


def operation_outcome(status: int, code: str, message: str) -> Response:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }
    return Response(orjson.dumps(body), status=status, mimetype=FHIR_JSON)


def problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(orjson.dumps(body), status=status, mimetype="application/problem+json")


def error_response(status: int, fhir_code: str, title: str, message: str) -> Response:
    if request.path.startswith("/fhir"):
        return operation_outcome(status, fhir_code, message)
    return problem(status, title, message)


def register(app: Flask) -> None:
    @app.errorhandler(DirectoryError)
    def _directory_error(exc: DirectoryError) -> Response:
        return error_response(exc.status, exc.fhir_code, exc.title, exc.message)

    @app.errorhandler(TerminologyError)
    def _terminology_error(exc: TerminologyError) -> Response:
        body = terminology_outcome([exc.issue])
        return Response(orjson.dumps(body), status=exc.status, mimetype=FHIR_JSON)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = exc.description or exc.name
        # flask-smorest puts validation messages in exc.data
        messages = getattr(exc, "data", {}).get("messages")
        if messages:
            detail = "; ".join(
                f"{field}: {' '.join(errs) if isinstance(errs, list) else errs}"
                for location in messages.values()
                for field, errs in location.items()
            )
        return error_response(status, FHIR_CODES.get(status, "processing"), exc.name, detail)

    @app.errorhandler(OperationalError)
    def _database_error(exc: OperationalError) -> Response:
        log.error("database error on %s: %s", request.path, exc)
        if "statement timeout" in str(exc):
            return error_response(
                503, "too-costly", "Query too long", "the query took too long; narrow the search"
            )
        return error_response(
            503, "transient", "Database unavailable", "the database is unavailable; retry later"
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.path)
        return error_response(
            500, "exception", "Internal error", "internal error; it has been logged"
        )
