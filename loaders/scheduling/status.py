"""How each configured source stands: last success and failure, age of its data, next run.

Read by `GET /api/v1/sources` and `GET /ready`. The age of a source's data is the time since
its last run that loaded it or found it unchanged: either way the data was then what the
source publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg import Connection

from loaders.scheduling.config import SourceConfig, format_duration
from loaders.scheduling.cron import next_fire_time
from loaders.scheduling.history import Standing, standing


@dataclass(frozen=True)
class SourceStatus:
    source: SourceConfig
    standing: Standing
    next_run: datetime | None
    age: timedelta | None  # None: never loaded

    @property
    def fresh(self) -> bool | None:
        """Whether the data is younger than the source's max_age (None: no max_age)."""
        if self.source.max_age is None:
            return None
        return self.age is not None and self.age <= self.source.max_age

    def staleness(self) -> str | None:
        """Why the source makes the service not ready, or None."""
        if self.fresh is not False:
            return None
        assert self.source.max_age is not None
        limit = format_duration(self.source.max_age)
        if self.age is None:
            reason = f"{self.source.name}: never loaded (max_age {limit})"
        else:
            reason = (
                f"{self.source.name}: data {_rounded(self.age)} old, older than its max_age {limit}"
            )
        failure = self.standing.last_failure
        if self.standing.consecutive_failures and failure:
            reason += (
                f"; {self.standing.consecutive_failures} failed run(s) since the last success, "
                f"latest run {failure['id']}: {failure['message']}"
            )
        return reason

    def as_dict(self) -> dict:
        s = self.standing
        return {
            "name": self.source.name,
            "kind": self.source.kind,
            "location": self.source.public_location,
            "schedule": self.source.schedule,
            "timezone": self.source.timezone,
            "next_run": self.next_run,
            "last_success": s.last_success,
            "last_failure": s.last_failure,
            "consecutive_failures": s.consecutive_failures,
            "awaiting_approval": s.awaiting_approval,
            "running": s.running,
            "data_age_seconds": round(self.age.total_seconds()) if self.age else None,
            "max_age_seconds": (
                round(self.source.max_age.total_seconds()) if self.source.max_age else None
            ),
            "fresh": self.fresh,
        }


def source_status(conn: Connection, source: SourceConfig, now: datetime) -> SourceStatus:
    found = standing(conn, source.name)
    success = found.last_success
    age = max(now - success["at"], timedelta(0)) if success else None
    return SourceStatus(source, found, next_fire_time(source.trigger(), now), age)


def _rounded(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours / 24:.1f} d" if hours >= 48 else f"{hours:.1f} h"
