"""The schedule across processes and restarts: one run per fire however many schedulers,
missed fires caught up once at start-up."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import psycopg

from loaders.scheduling.cron import previous_fire_time
from loaders.scheduling.run import Outcome, RunContext, RunOutcome, run_source
from loaders.scheduling.scheduler import SourceScheduler, missed_fire
from tests.scheduling.conftest import FileServer, query, source, structures, wait_for


def test_two_schedulers_racing_for_one_fire_load_once(
    context: RunContext, http: FileServer
) -> None:
    # Each thread has its own connections, as two processes would; the slow answer keeps
    # the first run going while the second one arrives.
    url = http.serve("/s.json", structures(), delay=0.3)
    configured = source(url)
    fire = previous_fire_time(configured.trigger(), datetime.now(UTC))
    start = threading.Barrier(2)
    outcomes: list[RunOutcome] = []

    def scheduler() -> None:
        start.wait()
        outcomes.append(run_source(context, configured, "scheduled", fire))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.outcome for o in outcomes) == [Outcome.LOADED, Outcome.SKIPPED]
    assert http.routes["/s.json"].hits == 1
    assert query(context.database_url, "SELECT trigger, status FROM load_run") == [
        ("scheduled", "succeeded")
    ]


def test_a_fire_already_run_is_skipped_by_a_later_scheduler(
    context: RunContext, http: FileServer
) -> None:
    configured = source(http.serve("/s.json", structures()))
    fire = previous_fire_time(configured.trigger(), datetime.now(UTC))
    assert run_source(context, configured, "scheduled", fire).outcome is Outcome.LOADED
    late = run_source(context, configured, "scheduled", fire)
    assert late.outcome is Outcome.SKIPPED and late.run_id is None
    assert http.routes["/s.json"].hits == 1


def test_a_source_never_run_is_due_at_start_up(context: RunContext, http: FileServer) -> None:
    configured = source(http.url + "/s.json")
    with psycopg.connect(context.database_url) as conn:
        assert missed_fire(conn, configured, datetime.now(UTC)) is not None


def backdate_runs(url: str, by: timedelta) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE load_run SET started_at = started_at - %s, finished_at = finished_at - %s",
            (by, by),
        )


def startup_runs(url: str) -> list[tuple]:
    return query(
        url, "SELECT status, scheduled_for FROM load_run WHERE trigger = 'startup' ORDER BY id"
    )


def test_a_restart_after_a_missed_fire_runs_it_once(context: RunContext, http: FileServer) -> None:
    configured = source(http.serve("/s.json", structures()))  # daily at 05:00 UTC
    assert run_source(context, configured, "scheduled").outcome is Outcome.LOADED
    backdate_runs(context.database_url, timedelta(days=2))  # the service was down since
    missed = previous_fire_time(configured.trigger(), datetime.now(UTC))

    first = SourceScheduler(context, [configured])
    try:
        assert first.start() == ["structures"]
        finished = wait_for(
            lambda: [r for r in startup_runs(context.database_url) if r[0] != "running"]
        )
    finally:
        first.shutdown(wait=True)
    assert finished == [("unchanged", missed)]  # 304: the file had not changed meanwhile

    second = SourceScheduler(context, [configured])  # restarted again: nothing missed now
    try:
        assert second.start() == []
    finally:
        second.shutdown(wait=True)
    assert len(startup_runs(context.database_url)) == 1


def test_no_catch_up_when_the_latest_fire_has_run(context: RunContext, http: FileServer) -> None:
    configured = source(http.serve("/s.json", structures()))
    assert run_source(context, configured, "scheduled").outcome is Outcome.LOADED
    with psycopg.connect(context.database_url) as conn:
        assert missed_fire(conn, configured, datetime.now(UTC)) is None
        # Seen from after the next fire time, that fire is missed.
        later = datetime.now(UTC) + timedelta(days=1, hours=1)
        assert missed_fire(conn, configured, later) == previous_fire_time(
            configured.trigger(), later
        )


def test_the_scheduler_lists_each_source_with_its_next_run(
    context: RunContext, http: FileServer
) -> None:
    configured = source(http.serve("/s.json", structures()))
    assert run_source(context, configured, "manual").outcome is Outcome.LOADED
    scheduler = SourceScheduler(context, [configured, source(http.url + "/t", name="other")])
    try:
        assert scheduler.start() == ["other"]  # never run
        next_runs = scheduler.next_runs()
    finally:
        scheduler.shutdown(wait=True)
    assert next_runs["structures"] is not None
    assert next_runs["structures"] > datetime.now(UTC)
    assert (next_runs["structures"].hour, next_runs["structures"].minute) == (5, 0)


def test_a_fire_runs_the_source_for_its_fire_time(context: RunContext, http: FileServer) -> None:
    configured = source(http.serve("/s.json", structures()))
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    scheduler = SourceScheduler(context, [configured], now=lambda: tomorrow)
    fired = scheduler.run_fire(configured, configured.trigger())
    assert fired.outcome is Outcome.LOADED
    fire = previous_fire_time(configured.trigger(), tomorrow)
    assert query(context.database_url, "SELECT trigger, scheduled_for FROM load_run") == [
        ("scheduled", fire)
    ]
    assert scheduler.run_fire(configured, configured.trigger()).outcome is Outcome.SKIPPED
