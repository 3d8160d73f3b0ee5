"""Errors that carry their HTTP meaning; the API renders them as OperationOutcome or problem+json."""

from __future__ import annotations


class DirectoryError(Exception):
    status = 500
    fhir_code = "exception"
    title = "Internal error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameter(DirectoryError):
    status = 400
    fhir_code = "invalid"
    title = "Invalid parameter"


class NotSupported(DirectoryError):
    status = 400
    fhir_code = "not-supported"
    title = "Parameter not supported"


class NotFound(DirectoryError):
    status = 404
    fhir_code = "not-found"
    title = "Not found"


class Gone(DirectoryError):
    """A resource removed from its source: its tombstone is kept for deltas, a read says 410."""

    status = 410
    fhir_code = "deleted"
    title = "Gone"
