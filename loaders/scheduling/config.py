"""The sources file (ANNUAIRE_SOURCES): what to fetch, from where, when; read and checked here.

A TOML file with an optional `[defaults]` table and one `[sources.NAME]` table per source.
Every problem is reported with its line, so that `annuaire sources check` can list them all
at once rather than stop at the first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from loaders.scheduling.cron import CronError, cron_trigger

DEFAULT_TIMEZONE = "Europe/Paris"  # the national sources publish on French time
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
LOCATIONS = ("url", "path", "glob")
SHARED_KEYS = {"timezone", "timeout", "retries", "removal_threshold", "max_age"}
SOURCE_KEYS = {"kind", "schedule", "checksum_url", "min_rows", *LOCATIONS, *SHARED_KEYS}


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ConfigError(Exception):
    """The sources file cannot be used; `problems` lists every reason, with its line."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        super().__init__(f"{path}: " + "; ".join(map(str, problems)))
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class SourceConfig:
    """One configured source. Exactly one of `url`, `path` and `glob` is set; `path` and
    `glob` are absolute (relative ones are read from the sources file's folder)."""

    name: str
    kind: str
    schedule: str
    timezone: str = DEFAULT_TIMEZONE
    url: str | None = None
    path: Path | None = None
    glob: str | None = None
    checksum_url: str | None = None
    removal_threshold: float | None = None  # None: ANNUAIRE_REMOVAL_THRESHOLD
    min_rows: int = 0  # a snapshot holding fewer records is refused until approved
    max_age: timedelta | None = None  # None: /ready does not check this source's age
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES

    @property
    def location(self) -> str:
        return self.url or (str(self.path) if self.path else self.glob or "")

    @property
    def public_location(self) -> str:
        """The location without credentials (a URL may carry user:password@)."""
        if not self.url:
            return self.location
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.schedule, self.timezone)


def parse_duration(value: object) -> timedelta:
    """`36h`, `90m`, `2d`, `1w`, `1d12h` or a number of seconds; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 36h")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower().replace(" ", "")
        pieces = DURATION.findall(text)
        if "".join(number + unit for number, unit in pieces) != text:
            raise ValueError(f"{value!r}: expected a duration such as 36h, 90m, 2d or 1w")
        seconds = sum(float(number) * DURATION_UNITS[unit] for number, unit in pieces)
    else:
        raise ValueError("expected a duration such as 36h")
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit in ("w", "d", "h", "m"):
        size = DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


class _Lines:
    """Finds the line of a table or key in the file's text (tomllib gives values only)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, *names: str) -> int | None:
        """The line of `[a.b]`, else of `b = { … }` (an inline table)."""
        header = r"\s*\.\s*".join(_quoted(name) for name in names)
        found = self._first(re.compile(rf"^\s*\[\s*{header}\s*\]"))
        if found is None and names:
            found = self._first(_assignment(names[-1]))
        return found

    def key(self, table: tuple[str, ...], key: str) -> int | None:
        """The line of `key = …` in `table` (the table's own line if not found there)."""
        start = self.table(*table) if table else 0
        if start is None:
            return None
        pattern = _assignment(key)
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if re.match(r"^\s*\[", line):
                break
            if pattern.match(line):
                return number
        return start or None

    def _first(self, pattern: re.Pattern) -> int | None:
        return next((i + 1 for i, line in enumerate(self.lines) if pattern.match(line)), None)


def _quoted(name: str) -> str:
    """A TOML key as written: bare, "double-quoted" or 'single-quoted'."""
    return rf"""(?:{re.escape(name)}|"{re.escape(name)}"|'{re.escape(name)}')"""


def _assignment(key: str) -> re.Pattern:
    return re.compile(rf"^\s*{_quoted(key)}\s*=")


class _Checker:
    """Builds the SourceConfigs of a parsed file, collecting problems as it goes."""

    def __init__(self, text: str, folder: Path, kinds: frozenset[str]) -> None:
        self.lines = _Lines(text)
        self.folder = folder
        self.kinds = kinds
        self.problems: list[Problem] = []

    def problem(self, table: tuple[str, ...], key: str | None, message: str) -> None:
        line = self.lines.key(table, key) if key else self.lines.table(*table)
        self.problems.append(Problem(line, message))

    def sources(self, document: dict[str, Any]) -> list[SourceConfig]:
        for key in document:
            if key not in ("defaults", "sources"):
                line = self.lines.table(key) or self.lines.key((), key)
                self.problems.append(
                    Problem(line, f"unknown table {key!r}: expected [defaults] or [sources.NAME]")
                )
        defaults = document.get("defaults", {})
        if not isinstance(defaults, dict):
            self.problem(("defaults",), None, "defaults must be a table")
            defaults = {}
        shared = self.shared(("defaults",), defaults, {})
        for key in sorted(set(defaults) - SHARED_KEYS):
            self.problem(("defaults",), key, f"unknown key {key!r} in [defaults]")
        sources = document.get("sources", {})
        if not isinstance(sources, dict) or not sources:
            self.problems.append(Problem(None, "no source: add a [sources.NAME] table"))
            return []
        found = []
        for name, table in sources.items():
            source = self.source(name, table, shared)
            if source is not None:
                found.append(source)
        return found

    def shared(self, where: tuple[str, ...], table: dict, inherited: dict) -> dict:
        """The keys a source may inherit from [defaults], checked."""
        values = dict(inherited)
        if "timezone" in table:
            zone = table["timezone"]
            try:
                ZoneInfo(str(zone))
                values["timezone"] = str(zone)
            except (ZoneInfoNotFoundError, ValueError):
                self.problem(where, "timezone", f"unknown time zone {zone!r}")
        if "timeout" in table:
            value = table["timeout"]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                self.problem(where, "timeout", "timeout must be a positive number of seconds")
            else:
                values["timeout"] = float(value)
        if "retries" in table:
            value = table["retries"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.problem(where, "retries", "retries must be a whole number, 0 or more")
            else:
                values["retries"] = value
        if "removal_threshold" in table:
            value = table["removal_threshold"]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                self.problem(
                    where, "removal_threshold", "removal_threshold must be a share from 0 to 1"
                )
            else:
                values["removal_threshold"] = float(value)
        if "max_age" in table:
            try:
                values["max_age"] = parse_duration(table["max_age"])
            except ValueError as exc:
                self.problem(where, "max_age", f"max_age: {exc}")
        return values

    def source(self, name: str, table: object, shared: dict) -> SourceConfig | None:
        where = ("sources", name)
        before = len(self.problems)
        if not isinstance(table, dict):
            self.problem(where, None, f"sources.{name} must be a table")
            return None
        if not NAME.fullmatch(name):
            self.problem(where, None, f"source name {name!r}: use letters, digits, '-', '_', '.'")
        for key in sorted(set(table) - SOURCE_KEYS):
            self.problem(
                where, key, f"unknown key {key!r} (expected one of {_listed(SOURCE_KEYS)})"
            )
        values = self.shared(where, table, shared)
        kind = table.get("kind")
        if kind is None:
            self.problem(where, None, f"source {name!r} has no kind ({_listed(self.kinds)})")
        elif not isinstance(kind, str) or kind not in self.kinds:
            self.problem(where, "kind", f"unknown kind {kind!r} (expected {_listed(self.kinds)})")
        self.schedule(where, table, values)
        self.location(where, table, values)
        if "min_rows" in table:
            value = table["min_rows"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.problem(where, "min_rows", "min_rows must be a whole number, 0 or more")
            else:
                values["min_rows"] = value
        if len(self.problems) > before:
            return None
        return SourceConfig(name=name, kind=kind, schedule=table["schedule"], **values)

    def schedule(self, where: tuple[str, ...], table: dict, values: dict) -> None:
        schedule = table.get("schedule")
        if not isinstance(schedule, str):
            self.problem(where, "schedule" if "schedule" in table else None,
                         "schedule must be a cron expression such as \"30 5 * * *\"")  # fmt: skip
            return
        try:
            cron_trigger(schedule, values.get("timezone", DEFAULT_TIMEZONE))
        except CronError as exc:
            self.problem(where, "schedule", f"schedule {exc}")

    def location(self, where: tuple[str, ...], table: dict, values: dict) -> None:
        given = [key for key in LOCATIONS if key in table]
        if len(given) != 1:
            self.problem(where, given[1] if len(given) > 1 else None,
                         "give exactly one of url, path or glob")  # fmt: skip
            return
        key = given[0]
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(where, key, f"{key} must be a non-empty string")
            return
        if key == "url":
            if not _is_http(value):
                self.problem(where, "url", f"url {value!r}: expected an http(s) URL")
            values["url"] = value
        elif key == "path":
            values["path"] = (self.folder / Path(value).expanduser()).resolve()
        else:
            values["glob"] = str(self.folder / Path(value).expanduser())
        checksum = table.get("checksum_url")
        if checksum is not None:
            if key != "url":
                self.problem(where, "checksum_url", "checksum_url goes with url only")
            elif not isinstance(checksum, str) or not _is_http(checksum):
                self.problem(where, "checksum_url", "checksum_url must be an http(s) URL")
            else:
                values["checksum_url"] = checksum


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _listed(names: object) -> str:
    return ", ".join(sorted(names))  # type: ignore[arg-type]


def _known_kinds() -> frozenset[str]:
    from loaders.registry import SOURCES

    return frozenset(SOURCES)


def parse_sources(
    text: str, path: Path, kinds: frozenset[str] | None = None
) -> tuple[list[SourceConfig], list[Problem]]:
    """The valid sources of `text` (the content of `path`) and every problem found."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return [], [Problem(int(match[1]) if match else None, f"not valid TOML: {message}")]
    checker = _Checker(text, path.parent, kinds if kinds is not None else _known_kinds())
    found = checker.sources(document)
    return found, sorted(checker.problems, key=lambda problem: problem.line or 0)


def load_sources(path: Path, kinds: frozenset[str] | None = None) -> list[SourceConfig]:
    """Every source of the file at `path`; ConfigError when anything in it is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [Problem(None, f"cannot read the file: {exc}")]) from exc
    sources, problems = parse_sources(text, path, kinds)
    if problems:
        raise ConfigError(path, problems)
    return sources


def find_source(sources: list[SourceConfig], name: str) -> SourceConfig | None:
    return next((source for source in sources if source.name == name), None)


def configured_sources(setting: str | None) -> list[SourceConfig]:
    """The sources of ANNUAIRE_SOURCES (none when it is unset); ConfigError if it is bad."""
    return load_sources(Path(setting)) if setting else []
