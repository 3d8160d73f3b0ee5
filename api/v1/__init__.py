"""JSON API under /api/v1: its flask-smorest wiring, OpenAPI document and docs page."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask
from flask_smorest import Api

from api.v1.schemas import PROBLEM_JSON, ProblemSchema

SWAGGER_UI_CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"


class V1Api(Api):
    """flask-smorest, with errors left to api/errors.py and documented as problem documents."""

    def _register_error_handlers(self) -> None:
        # flask-smorest would replace the app's HTTPException handler, for /fhir too; the app's
        # handler already turns its validation errors (exc.data["messages"]) into problem+json.
        pass

    def _register_responses(self) -> None:
        # The error responses flask-smorest refers to (422 of @arguments, the default response)
        # are problem documents here, not its own error body.
        for status in HTTPStatus:
            if status >= 400:
                self.spec.components.response(status.name, _problem(status.phrase), lazy=True)
        self.spec.components.response(
            self.DEFAULT_ERROR_RESPONSE_NAME, _problem("Error"), lazy=True
        )


def _problem(description: str) -> dict:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": ProblemSchema}}}


def register(app: Flask) -> None:
    """Attach the JSON API blueprints, /api/v1/openapi.json and the /api/v1/docs page to `app`."""
    from api.v1 import locations, offers, organizations, professionals, runs

    app.config.update(
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_CDN,
    )
    api = V1Api(
        app,
        spec_kwargs={
            "title": "Annuaire santé JSON API",
            "version": "1",
            "openapi_version": "3.0.3",
            "info": {
                "description": "FINESS legal entities and establishments, and RPPS/ADELI "
                "health professionals, as plain JSON. Lists "
                "are paged by an opaque `cursor`: follow `next` until it is null. Every error "
                "is an RFC 9457 problem document (application/problem+json)."
            },
        },
    )
    api.register_blueprint(organizations.blueprint)
    api.register_blueprint(professionals.blueprint)
    api.register_blueprint(runs.blueprint)
    api.register_blueprint(offers.blueprint)
    api.register_blueprint(locations.blueprint)
