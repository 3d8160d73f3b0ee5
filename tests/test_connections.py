"""What every connection of the application is set up with, once, at connect time."""

from __future__ import annotations

from sqlalchemy import Engine, text

from annuaire.db import reading
from annuaire.settings import Settings


def test_every_connection_has_the_time_limit_and_utc(engine: Engine) -> None:
    limit = f"{int(Settings().statement_timeout_ms) // 1000}s"
    for pool in (engine, reading(engine)):
        with pool.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == limit
            assert conn.execute(text("SHOW timezone")).scalar() == "UTC"
