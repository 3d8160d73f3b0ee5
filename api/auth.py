"""Who may write: the `Authorization: Bearer` API key of a write request, checked against
the scope the endpoint needs and the establishment of the location written.

Reads never come here. Refusals answer an OperationOutcome (401 with `WWW-Authenticate` for a
missing, unknown or revoked key; 403 for a key without the scope or the establishment), and
each one is logged with the key's name (or 'anonymous'), the target and the reason.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from flask import abort, current_app, request

from api.errors import operation_outcome
from directory.access.keys import Grant, KeyRefused, verify

log = logging.getLogger(__name__)
REALM = 'Bearer realm="annuaire"'


def refuse(status: int, key_name: str | None, target: str, reason: str) -> NoReturn:
    """Log the refused write and answer it (401 or 403)."""
    log.warning(
        "refused write: key=%s target=%s reason=%s", key_name or "anonymous", target, reason
    )
    code = "login" if status == 401 else "forbidden"
    response = operation_outcome(status, code, reason)
    if status == 401:
        response.headers["WWW-Authenticate"] = REALM
    abort(response)


def require_key(scope: str, target: str) -> Grant:
    """The grant of the request's key, which must hold `scope`; a refusal otherwise."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        refuse(401, None, target, "an API key is required: Authorization: Bearer <key>")
    try:
        with current_app.extensions["engine"].connect() as conn:
            grant = verify(conn, key.strip())
    except KeyRefused as exc:
        refuse(401, exc.name, target, f"the API key is {exc}")
    if scope not in grant.scopes:
        refuse(403, grant.name, target, f"the API key {grant.name} lacks the scope {scope}")
    return grant


def require_establishment(grant: Grant, finess: str | None, target: str) -> None:
    """Refuse (403) a write to a location of an establishment the key does not name."""
    if finess is None or finess not in grant.finess:
        refuse(
            403,
            grant.name,
            target,
            f"the API key {grant.name} may not write {target}: its establishment "
            f"(FINESS {finess or 'unknown'}) is not among the key's",
        )
