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


def test_reads_run_without_parallel_workers_and_writes_may(engine: Engine) -> None:
    setting = text("SHOW max_parallel_workers_per_gather")
    with reading(engine).connect() as conn:
        assert conn.execute(setting).scalar() == "0"
    with engine.connect() as conn:  # the writer's pool (loads) keeps the default
        assert conn.execute(setting).scalar() != "0"


def test_reads_are_planned_for_data_in_memory(engine: Engine) -> None:
    # 1.1, not the default 4: see annuaire.db.READ_PLANNING (a name search that walked
    # 45,000 index entries rather than fetch 920 rows).
    with reading(engine).connect() as conn:
        assert conn.execute(text("SHOW random_page_cost")).scalar() == "1.1"
