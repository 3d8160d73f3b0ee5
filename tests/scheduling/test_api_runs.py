"""GET /api/v1/runs, /api/v1/runs/{id}, /api/v1/sources and /ready, over real runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from annuaire.settings import Settings
from loaders.scheduling.config import load_sources
from loaders.scheduling.run import RunContext, run_source
from tests.scheduling.conftest import FileServer, structures

SOURCES = """\
[sources.structures]
kind = "finess"
url = "{url}"
schedule = "0 5 * * *"
timezone = "UTC"
max_age = "1h"
retries = 0
"""


@pytest.fixture
def sources_file(tmp_path: Path, http: FileServer) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES.format(url=http.serve("/s.json", structures())))
    return path


def make_app(database_url: str, engine: Engine, sources: Path | None) -> Flask:
    from api import create_app

    settings = Settings(database_url=database_url, sources=str(sources) if sources else None)
    app = create_app(settings, engine)
    app.testing = True
    return app


@pytest.fixture
def client(clean_db: str, engine: Engine, sources_file: Path) -> FlaskClient:
    return make_app(clean_db, engine, sources_file).test_client()


@pytest.fixture
def run(context: RunContext, sources_file: Path) -> Callable[[], int]:
    """Runs the configured source now; returns the run id."""
    (configured,) = load_sources(sources_file)

    def _run() -> int:
        outcome = run_source(context, configured, "manual")
        assert outcome.run_id is not None
        return outcome.run_id

    return _run


def ok(client: FlaskClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def problem(client: FlaskClient, url: str, status: int) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def backdate(url: str, by: timedelta) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE load_run SET started_at = started_at - %s, finished_at = finished_at - %s",
            (by, by),
        )


def test_runs_are_listed_newest_first_with_their_record(
    client: FlaskClient, run: Callable[[], int], http: FileServer
) -> None:
    first = run()
    second = run()  # 304: unchanged
    body = ok(client, "/api/v1/runs")
    assert [item["id"] for item in body["items"]] == [second, first] and body["next"] is None
    newest, oldest = body["items"]
    assert (newest["status"], newest["fetched"], newest["trigger"]) == (
        "unchanged",
        False,
        "manual",
    )
    assert (oldest["status"], oldest["source"], oldest["kind"]) == (
        "succeeded",
        "structures",
        "finess",
    )
    assert oldest["counts"]["rejected"] == 6 and oldest["counts"]["new"] > 0
    assert oldest["location"] == http.url + "/s.json" and len(oldest["sha256"]) == 64
    assert oldest["duration_seconds"] >= 0 and oldest["finished_at"]


def test_runs_filter_and_page(
    client: FlaskClient, run: Callable[[], int], http: FileServer, context: RunContext
) -> None:
    run()
    run()
    http.routes["/s.json"].fail_first = 99
    http.routes["/s.json"].etag = '"v2"'
    failed = run()
    page = ok(client, "/api/v1/runs?limit=2")
    assert len(page["items"]) == 2 and page["next"]
    rest = ok(client, page["next"].replace("http://localhost", ""))
    assert len(rest["items"]) == 1 and rest["next"] is None
    assert [i["id"] for i in ok(client, "/api/v1/runs?failed=true")["items"]] == [failed]
    assert len(ok(client, "/api/v1/runs?status=unchanged")["items"]) == 1
    assert ok(client, "/api/v1/runs?source=other")["items"] == []


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/runs?cursor=abc", 400),
        ("/api/v1/runs?status=exploded", 422),
        ("/api/v1/runs?limit=0", 422),
        ("/api/v1/runs?colour=blue", 422),
        ("/api/v1/runs/999999", 404),
        ("/api/v1/runs/abc", 404),
    ],
)
def test_bad_run_requests_answer_problems(client: FlaskClient, url: str, status: int) -> None:
    problem(client, url, status)


def test_a_run_is_read_with_a_sample_of_its_rejections(
    client: FlaskClient, run: Callable[[], int]
) -> None:
    run_id = run()
    body = ok(client, f"/api/v1/runs/{run_id}")
    assert body["id"] == run_id and len(body["rejections"]) == 6
    first = body["rejections"][0]
    assert first["line"] > 0 and first["reason"] and "raw" in first
    assert "file_path" not in body  # a path on the server is nobody's business


def test_sources_show_success_failure_age_and_next_run(
    client: FlaskClient, run: Callable[[], int], http: FileServer
) -> None:
    (never,) = ok(client, "/api/v1/sources")["items"]
    assert never["name"] == "structures" and never["last_success"] is None
    assert never["fresh"] is False and never["next_run"].endswith("05:00:00+00:00")
    loaded = run()
    http.routes["/s.json"].fail_first = 99
    http.routes["/s.json"].etag = '"v2"'
    failed = run()
    (item,) = ok(client, "/api/v1/sources")["items"]
    assert item["last_success"]["id"] == loaded and item["last_failure"]["id"] == failed
    assert "HTTP 500" in item["last_failure"]["message"]
    assert item["consecutive_failures"] == 1 and item["fresh"] is True
    assert 0 <= item["data_age_seconds"] < 3600 and item["max_age_seconds"] == 3600
    assert item["location"] == http.url + "/s.json" and item["schedule"] == "0 5 * * *"


def test_without_a_sources_file_there_is_no_source(clean_db: str, engine: Engine) -> None:
    client = make_app(clean_db, engine, None).test_client()
    assert ok(client, "/api/v1/sources") == {"items": []}
    assert ok(client, "/ready")["status"] == "ready"


def test_a_bad_sources_file_answers_503(clean_db: str, engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text("[sources.a]\nkind = 'finess'\n")
    client = make_app(clean_db, engine, bad).test_client()
    assert "line 1" in problem(client, "/api/v1/sources", 503)["detail"]
    assert "sources file is invalid" in problem(client, "/ready", 503)["detail"]


def test_ready_needs_every_source_younger_than_its_max_age(
    client: FlaskClient, run: Callable[[], int], clean_db: str, http: FileServer
) -> None:
    body = problem(client, "/ready", 503)
    assert body["detail"] == "structures: never loaded (max_age 1h)"
    assert body["checks"]["database"] == "ok"
    run()
    ready = ok(client, "/ready")
    assert ready["status"] == "ready" and ready["sources"][0]["fresh"] is True
    backdate(clean_db, timedelta(hours=3))
    http.routes["/s.json"].fail_first = 99
    http.routes["/s.json"].etag = '"v2"'
    run()
    run()
    detail = problem(client, "/ready", 503)["detail"]
    assert detail.startswith("structures: data 3.0 h old, older than its max_age 1h")
    assert "2 failed run(s) since the last success" in detail and "HTTP 500" in detail


def test_ready_needs_the_schema_at_its_head(client: FlaskClient, clean_db: str) -> None:
    with psycopg.connect(clean_db, autocommit=True) as conn:
        (current,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
        try:
            detail = problem(client, "/ready", 503)["detail"]
        finally:
            conn.execute("UPDATE alembic_version SET version_num = %s", (current,))
    assert f"the schema is at 0001, not at {current}" in detail


def test_health_is_liveness_only(client: FlaskClient) -> None:
    assert ok(client, "/health") == {"status": "ok"}


def test_runs_and_sources_are_documented_as_served(
    client: FlaskClient, run: Callable[[], int]
) -> None:
    spec = ok(client, "/api/v1/openapi.json")
    assert {"/api/v1/runs", "/api/v1/runs/{run_id}", "/api/v1/sources"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    run_id = run()
    read = ok(client, f"/api/v1/runs/{run_id}")
    assert set(read) == set(schemas["RunRead"]["properties"])
    (source,) = ok(client, "/api/v1/sources")["items"]
    assert set(source) == set(schemas["Source"]["properties"])
    parameters = {p["name"] for p in spec["paths"]["/api/v1/runs"]["get"]["parameters"]}
    assert parameters == {"source", "status", "failed", "limit", "cursor"}
