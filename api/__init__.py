"""The Flask application: FHIR R4 under /fhir, the JSON API under /api/v1, health."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine

from annuaire.db import make_engine, reading
from annuaire.settings import Settings
from terminology.store import StoredResources


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Flask:
    """Wire blueprints, error handlers and the database engine; nothing else happens here."""
    from api import errors, fhir, health, v1

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.extensions["engine"] = reading(engine or make_engine(settings))
    # Terminology indexes, built on first use (or by warm()) and shared by every request.
    app.extensions["terminology"] = StoredResources(
        app.extensions["engine"], float(settings.terminology_refresh_seconds)
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    errors.register(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(fhir.blueprint, url_prefix="/fhir")
    v1.register(app)
    return app
