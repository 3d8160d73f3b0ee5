"""The sources file, cron expressions and file-name timestamps: what is accepted, and every
problem reported with its line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loaders.scheduling.config import ConfigError, load_sources, parse_duration, parse_sources
from loaders.scheduling.cron import CronError, cron_trigger, next_fire_time
from loaders.scheduling.local import name_stamp
from loaders.scheduling.verify import VerifyError, expected_digest

REPO = Path(__file__).resolve().parents[2]
KINDS = frozenset({"finess", "terminology"})

VALID = """\
[defaults]
timezone = "UTC"
retries = 1

[sources.finess-structures]
kind = "finess"
url = "https://user:secret@example.org/finess/latest.json.gz"
checksum_url = "https://example.org/finess/latest.json.gz.sha256"
schedule = "30 6 * * *"
max_age = "1d12h"

[sources.etalab]
kind = "finess"
glob = "incoming/etalab-cs1100507-*.csv"
schedule = "@daily"
removal_threshold = 0.02
min_rows = 90000
retries = 0
timezone = "Europe/Paris"
"""


def problems(text: str) -> list[tuple[int | None, str]]:
    _, found = parse_sources(text, Path("/etc/annuaire/sources.toml"), KINDS)
    return [(p.line, p.message) for p in found]


def test_a_valid_file_gives_its_sources(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(VALID)
    structures, etalab = load_sources(path, KINDS)
    assert (structures.name, structures.kind, structures.schedule) == (
        "finess-structures",
        "finess",
        "30 6 * * *",
    )
    assert structures.max_age == timedelta(hours=36)
    assert (structures.timezone, structures.retries, structures.timeout) == ("UTC", 1, 60.0)
    assert structures.public_location == "https://example.org/finess/latest.json.gz"
    assert structures.removal_threshold is None  # ANNUAIRE_REMOVAL_THRESHOLD applies
    assert etalab.glob == str(tmp_path / "incoming" / "etalab-cs1100507-*.csv")
    assert (structures.min_rows, etalab.min_rows) == (0, 90_000)
    assert (etalab.removal_threshold, etalab.retries, etalab.timezone) == (
        0.02,
        0,
        "Europe/Paris",
    )


def test_the_example_file_in_the_repository_is_valid() -> None:
    sources = load_sources(REPO / "sources.example.toml")
    assert len(sources) >= 3
    assert {"url", "glob"} <= {"url" if s.url else "glob" if s.glob else "path" for s in sources}


def test_every_problem_is_reported_with_its_line() -> None:
    text = """\
[defaults]
colour = "blue"

[sources.a]
kind = "finess"
url = "ftp://example.org/a"
schedule = "61 * * * *"

[sources.b]
kind = "rpps-ish"
path = "b.json"
glob = "b-*.json"
shedule = "@daily"
max_age = "3 days"
"""
    assert problems(text) == [
        (2, "unknown key 'colour' in [defaults]"),
        (6, "url 'ftp://example.org/a': expected an http(s) URL"),
        (7, problems(text)[2][1]),
        (9, 'schedule must be a cron expression such as "30 5 * * *"'),
        (10, "unknown kind 'rpps-ish' (expected finess, terminology)"),
        (12, "give exactly one of url, path or glob"),
        (13, problems(text)[6][1]),
        (14, "max_age: '3 days': expected a duration such as 36h, 90m, 2d or 1w"),
    ]
    assert "61" in problems(text)[2][1]
    assert "unknown key 'shedule'" in problems(text)[6][1]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[sources.a\nkind = 1\n", 1, "not valid TOML"),
        ("", None, "no source: add a [sources.NAME] table"),
        ('[sources."a b"]\nkind="finess"\npath="x"\nschedule="@daily"\n', 1, "source name"),
        ('[sources.a]\nkind="finess"\npath="x"\nchecksum_url="https://x/y"\nschedule="@daily"\n',
         4, "checksum_url goes with url only"),
        ('[sources.a]\nkind="finess"\npath="x"\nschedule="0 5 * * *"\ntimezone="Mars/Olympus"\n',
         5, "unknown time zone"),
        ('[sources.a]\nkind="finess"\npath="x"\nschedule="@daily"\nremoval_threshold=1.5\n',
         5, "removal_threshold must be a share from 0 to 1"),
        ('[sources.a]\nkind="finess"\npath="x"\nschedule="@daily"\ntimeout=0\n', 5, "timeout"),
        ('[sources.a]\nkind="finess"\npath="x"\nschedule="@daily"\nmin_rows=-1\n', 5, "min_rows"),
        ('[sources.a]\nkind="finess"\nschedule="@daily"\n', 1, "give exactly one of"),
        ('[sources]\na = { kind = "finess", path = "x", schedule = "@often" }\n', 2, "schedule"),
    ],
)  # fmt: skip
def test_a_problem_and_its_line(text: str, line: int | None, message: str) -> None:
    ((found_line, found_message),) = problems(text)
    assert found_line == line and message in found_message


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_sources(tmp_path / "missing.toml", KINDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("36h", timedelta(hours=36)), ("90m", timedelta(minutes=90)), ("2d", timedelta(days=2)),
     ("1w", timedelta(weeks=1)), ("1d12h", timedelta(hours=36)), (3600, timedelta(hours=1))],
)  # fmt: skip
def test_durations(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3 days", "h", "0s", -5, True, "12"])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_cron_weekdays_count_from_sunday() -> None:
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    weekdays = cron_trigger("0 5 * * 1-5", "UTC")
    assert next_fire_time(weekdays, sunday) == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # Mon
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    for sunday_expr in ("0 5 * * 0", "0 5 * * 7", "0 5 * * sun"):
        assert next_fire_time(cron_trigger(sunday_expr, "UTC"), saturday).day == 22


def test_cron_schedules_follow_their_time_zone() -> None:
    paris = cron_trigger("30 6 * * *", "Europe/Paris")
    fire = next_fire_time(paris, datetime(2026, 7, 1, tzinfo=UTC))
    assert fire is not None and fire.astimezone(UTC).hour == 4  # summer time, UTC+2


@pytest.mark.parametrize("expression", ["* * * *", "0 5 * * 8", "0 25 * * *", "@often"])
def test_bad_cron_expressions(expression: str) -> None:
    with pytest.raises(CronError):
        cron_trigger(expression, "UTC")


@pytest.mark.parametrize(
    ("name", "stamp"),
    [
        ("etalab-cs1100507-stock-20260512-0339.csv", "20260512033900"),
        ("finess-structures-journalier-20261102.json.gz", "20261102000000"),
        ("Extraction_RPPS_Profil4_202611010930.zip", "20261101093000"),
        ("cs1100507.csv", None),
        ("export-20261340.csv", None),  # not a date
    ],
)
def test_file_name_timestamps(name: str, stamp: str | None) -> None:
    assert name_stamp(name) == stamp


def test_checksum_files_name_their_file_or_hold_one_digest() -> None:
    a, b = "a" * 64, "b" * 64
    assert expected_digest(f"{a}  other.json\n{b} *data.json\n", "data.json") == b
    assert expected_digest(f"{a.upper()}\n", "data.json") == a
    with pytest.raises(VerifyError, match="none for data.json"):
        expected_digest(f"{a}  x\n{b}  y\n", "data.json")
    with pytest.raises(VerifyError, match="no hexadecimal digest"):
        expected_digest("<html>not found</html>", "data.json")
