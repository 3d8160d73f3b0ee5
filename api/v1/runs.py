"""Runs and configured sources under /api/v1: the record of every load, and each source's standing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlencode

import psycopg
from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import RAISE
from werkzeug.exceptions import BadRequest, NotFound, ServiceUnavailable

from api.v1.run_schemas import (
    REJECTION_SAMPLE,
    RunListArgs,
    RunPageSchema,
    RunReadSchema,
    SourceListSchema,
)
from loaders import runs
from loaders.scheduling.config import ConfigError, configured_sources
from loaders.scheduling.status import source_status

blueprint = Blueprint(
    "runs",
    __name__,
    url_prefix="/api/v1",
    description="Loads and scheduled ingestion: every run, and each configured source.",
)
COUNTS = ("new", "changed", "unchanged", "deactivated", "rejected")


@blueprint.route("/runs")
@blueprint.arguments(RunListArgs(), location="query", unknown=RAISE)
@blueprint.response(200, RunPageSchema)
@blueprint.alt_response(400, response="BAD_REQUEST")
def list_runs(args: dict) -> dict:
    """List runs

    Every load and scheduled run, newest first: trigger, status, file, digest, counts,
    duration and error.
    """
    before = _cursor(args.get("cursor"))
    limit = args["limit"]
    with _connection() as conn:
        rows = runs.list_runs(
            conn,
            limit + 1,  # one more: is there a next page?
            source=args.get("source"),
            failed=args["failed"],
            status=args.get("status"),
            before=before,
        )
    page = rows[:limit]
    more = len(rows) > limit
    return {"items": [_run(r) for r in page], "next": _next_url(page[-1]["id"]) if more else None}


@blueprint.route("/runs/<int:run_id>")
@blueprint.response(200, RunReadSchema)
@blueprint.alt_response(404, response="NOT_FOUND")
def read_run(run_id: int) -> dict:
    """Read a run

    The run, with a sample of its rejected rows and their reasons.
    """
    with _connection() as conn:
        row = runs.get_run(conn, run_id)
        if row is None:
            raise NotFound(f"no run {run_id}")
        rejections = runs.list_rejections(conn, run_id, REJECTION_SAMPLE) if row["rejected"] else []
    return {**_run(row), "rejections": rejections}


@blueprint.route("/sources")
@blueprint.response(200, SourceListSchema)
@blueprint.alt_response(503, response="SERVICE_UNAVAILABLE")
def list_sources() -> dict:
    """List configured sources

    Each source of the sources file (ANNUAIRE_SOURCES) with its last success, last failure,
    the age of its data and its next run.
    """
    try:
        configured = configured_sources(current_app.config["SETTINGS"].sources)
    except ConfigError as exc:
        problems = "; ".join(map(str, exc.problems))
        raise ServiceUnavailable(f"the sources file is invalid: {problems}") from exc
    now = datetime.now(UTC)
    with _connection() as conn:
        return {"items": [source_status(conn, s, now).as_dict() for s in configured]}


@contextmanager
def _connection() -> Iterator[psycopg.Connection]:
    """The raw psycopg connection of a read connection (the run queries speak psycopg);
    its errors answer 503 as the SQLAlchemy ones do (api/errors.py)."""
    with current_app.extensions["engine"].connect() as conn:
        try:
            yield conn.connection.driver_connection  # type: ignore[misc]
        except psycopg.OperationalError as exc:
            raise ServiceUnavailable(
                "the database is unavailable or too slow; retry later"
            ) from exc


def _run(row: dict) -> dict:
    finished = row["finished_at"]
    return {
        **row,
        "duration_seconds": (
            round((finished - row["started_at"]).total_seconds(), 3) if finished else None
        ),
        "counts": {name: row[name] for name in COUNTS},
    }


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise BadRequest(f"cursor {cursor!r} is not one this API gave")
    return int(cursor)


def _next_url(last_id: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    base = current_app.config["SETTINGS"].public_base_url or request.host_url
    return f"{base.rstrip('/')}{request.path}?{urlencode([*args, ('cursor', str(last_id))])}"
