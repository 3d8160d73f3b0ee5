"""The schedule: every configured source run on its cron, in background threads (APScheduler).

Any number of processes may run the same schedule (`annuaire serve` on several machines, or
`annuaire schedule` beside them): each fire of a source is run once, by whichever process
takes the source's advisory lock first (see loaders/scheduling/run.py). A fire missed while
no process was up is caught up once at start-up, decided from the run records: if the
latest fire time has no run since, the source runs now.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from loaders.scheduling import history
from loaders.scheduling.config import SourceConfig
from loaders.scheduling.cron import previous_fire_time
from loaders.scheduling.run import RunContext, RunOutcome, run_source

log = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 2.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def missed_fire(conn: psycopg.Connection, source: SourceConfig, now: datetime) -> datetime | None:
    """The fire time of `source` to catch up at start-up, or None if nothing was missed.

    A source never run is due at once; otherwise when its latest fire time up to `now` has
    no run started since."""
    fire = previous_fire_time(source.trigger(), now)
    last = history.last_started(conn, source.name)
    if last is None:
        return fire or now
    if fire is not None and last < fire:
        return fire
    return None


class SourceScheduler:
    """Runs `sources` on their schedules, in a background thread pool, until shut down."""

    def __init__(
        self,
        context: RunContext,
        sources: list[SourceConfig],
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.context = context
        self.sources = sources
        self.now = now
        self.scheduler = BackgroundScheduler(timezone=UTC)

    def start(self) -> list[str]:
        """Schedule every source, and run those that missed a fire now; returns their names."""
        for source in self.sources:
            trigger = source.trigger()
            self.scheduler.add_job(
                self.run_fire,
                trigger,
                args=(source, trigger),
                id=source.name,
                name=source.name,
                # One run of a source at a time in this process (the advisory lock sees to
                # the others); fires missed while it ran are merged into one, run late.
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        caught_up = self._catch_up()
        self.scheduler.start()
        return caught_up

    def _catch_up(self) -> list[str]:
        now = self.now()
        caught_up = []
        with psycopg.connect(self.context.database_url, autocommit=True) as conn:
            for source in self.sources:
                fire = missed_fire(conn, source, now)
                if fire is None:
                    continue
                caught_up.append(source.name)
                self.scheduler.add_job(
                    run_source,
                    "date",
                    run_date=now,
                    args=(self.context, source, "startup", fire),
                    id=f"{source.name}@startup",
                    name=f"{source.name} (missed {fire:%Y-%m-%d %H:%M %Z})",
                    misfire_grace_time=None,
                )
        return caught_up

    def run_fire(self, source: SourceConfig, trigger: CronTrigger) -> RunOutcome:
        """What the cron job of `source` does when it fires."""
        # The fire time this run answers for: the latest one, as a late or coalesced run
        # stands for it (and two processes compute the same one).
        fire = previous_fire_time(trigger, self.now()) or self.now()
        return run_source(self.context, source, "scheduled", fire)

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    def shutdown(self, wait: bool = False) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)


def run_until_stopped(scheduler: SourceScheduler, parent_pid: int | None = None) -> None:
    """Block while `scheduler` runs: until Ctrl-C, SIGTERM, or the end of `parent_pid` (the
    `annuaire serve` that started this process, should it die without stopping us)."""

    def _terminate(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        while parent_pid is None or os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        log.info("the serving process is gone; stopping the schedule")
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
