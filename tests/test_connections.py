"""What every connection of the application is set up with, once, at connect time."""

from __future__ import annotations

from sqlalchemy import Engine, text

from annuaire.db import reading


def test_statements_are_planned_for_their_values_within_the_time_limit(engine: Engine) -> None:
    # psycopg prepares a statement run five times; a generic plan would then ignore the
    # values that decide the best plan of a search.
    for pool in (engine, reading(engine)):
        with pool.connect() as conn:
            for _ in range(7):  # past psycopg's prepare threshold
                mode = conn.execute(text("SELECT current_setting('plan_cache_mode')")).scalar()
            assert mode == "force_custom_plan"
            assert conn.execute(text("SHOW statement_timeout")).scalar() != "0"
            assert conn.execute(text("SHOW timezone")).scalar() == "UTC"
