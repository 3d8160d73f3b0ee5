"""Liveness (/health) and readiness (/ready) for load balancers and health checks."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import orjson
import psycopg
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

blueprint = Blueprint("health", __name__)


@blueprint.get("/health")
def health():  # noqa: ANN201
    with current_app.extensions["engine"].connect() as conn:
        conn.execute(text("SELECT 1"))
    return jsonify(status="ok")


@cache
def _schema_heads() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from annuaire.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


@blueprint.get("/ready")
def ready() -> Response:
    """Ready when the database answers, its schema is current and every configured source's
    data is younger than its max_age; else 503 with the reasons (a problem document)."""
    from loaders.scheduling.config import ConfigError, configured_sources
    from loaders.scheduling.status import source_status

    reasons: list[str] = []
    checks: dict = {"database": "ok", "schema": None, "sources": []}
    try:
        configured = configured_sources(current_app.config["SETTINGS"].sources)
    except ConfigError as exc:
        configured = []
        reasons.append(f"the sources file is invalid: {'; '.join(map(str, exc.problems))}")
    try:
        with current_app.extensions["engine"].connect() as conn:
            revisions = {
                r for (r,) in conn.execute(text("SELECT version_num FROM alembic_version"))
            }
            now = datetime.now(UTC)
            statuses = [
                source_status(conn.connection.driver_connection, s, now) for s in configured
            ]
    except (SQLAlchemyError, psycopg.Error) as exc:
        cause = getattr(exc, "orig", None) or exc
        reasons.insert(0, f"the database does not answer ({type(cause).__name__})")
        checks["database"] = "unreachable"
        return _not_ready(reasons, checks)
    checks["schema"] = sorted(revisions)
    if revisions != _schema_heads():
        reasons.append(
            f"the schema is at {', '.join(sorted(revisions)) or 'nothing'}, not at "
            f"{', '.join(sorted(_schema_heads()))}: run annuaire db upgrade"
        )
    for status in statuses:
        checks["sources"].append(status.as_dict())
        if reason := status.staleness():
            reasons.append(reason)
    if reasons:
        return _not_ready(reasons, checks)
    return Response(orjson.dumps({"status": "ready", **checks}), mimetype="application/json")


def _not_ready(reasons: list[str], checks: dict) -> Response:
    body = {
        "type": "about:blank",
        "title": "Not ready",
        "status": 503,
        "detail": "; ".join(reasons),
        "checks": checks,  # an extension member (RFC 9457 3.2): what was found, check by check
    }
    return Response(orjson.dumps(body), status=503, mimetype="application/problem+json")


@blueprint.get("/")
def index():  # noqa: ANN201
    return jsonify(
        service="annuaire",
        fhir="/fhir/metadata",
        api="/api/v1/openapi.json",
        docs="/api/v1/docs",
    )
