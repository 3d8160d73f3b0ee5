"""Cron expressions as operators write them, turned into APScheduler triggers.

APScheduler 3 numbers weekdays from Monday = 0, where cron has Sunday = 0 (and 7): `1-5`
would silently mean Tuesday to Saturday. The day-of-week field is therefore rewritten with
day names before APScheduler sees it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# How far back to look for the previous fire time: near first, since a frequent schedule
# would take many steps to walk a long window.
LOOKBACKS = (timedelta(hours=2), timedelta(days=2), timedelta(days=33), timedelta(days=367 * 5))


class CronError(ValueError):
    """The expression is not a valid 5-field cron schedule; the message says why."""


def _day(token: str) -> int:
    name = token.lower()[:3]
    if name in DAY_NAMES:
        return DAY_NAMES.index(name)
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7
    raise CronError(f"day of week {token!r}: expected 0-7 (0 and 7 are Sunday) or mon…sun")


def _weekdays(field: str) -> str:
    """A cron day-of-week field as APScheduler day names (`1-5` → `mon,tue,wed,thu,fri`)."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        if step_text and not step_text.isdigit() or step_text == "0":
            raise CronError(f"day of week {part!r}: bad step")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _day(start), _day(end)
            if end.strip() == "7":
                last = 7  # 5-7: Friday to Sunday
        else:
            first = last = _day(span)
            if step_text:
                last = 6
        if last < first:
            raise CronError(f"day of week {part!r}: the range ends before it starts")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(DAY_NAMES[day] for day in sorted(days))


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """The trigger of a 5-field cron expression (minute hour day month weekday) or an alias
    such as @daily, in `timezone`. Raises CronError."""
    text = ALIASES.get(expression.strip().lower(), expression)
    parts = text.split()
    if len(parts) != 5:
        raise CronError(
            f"{expression!r}: expected 5 fields (minute hour day month weekday) or @daily…"
        )
    minute, hour, day, month, weekday = parts
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_weekdays(weekday),
            timezone=ZoneInfo(timezone),
        )
    except CronError:
        raise
    except ValueError as exc:
        raise CronError(f"{expression!r}: {exc}") from exc


def previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest time at or before `now` when `trigger` fires (None beyond five years)."""
    for lookback in LOOKBACKS:
        found = None
        fire = trigger.get_next_fire_time(None, now - lookback)
        while fire is not None and fire <= now:
            found = fire
            fire = trigger.get_next_fire_time(fire, fire)
        if found is not None:
            return found
    return None


def next_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    return trigger.get_next_fire_time(None, now)
