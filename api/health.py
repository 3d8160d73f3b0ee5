"""Liveness and readiness for load balancers and `docker compose` health checks."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

blueprint = Blueprint("health", __name__)


@blueprint.get("/health")
def health():  # noqa: ANN201
    with current_app.extensions["engine"].connect() as conn:
        conn.execute(text("SELECT 1"))
    return jsonify(status="ok")


@blueprint.get("/")
def index():  # noqa: ANN201
    return jsonify(
        service="annuaire",
        fhir="/fhir/metadata",
        api="/api/v1/openapi.json",
        docs="/api/v1/docs",
    )
