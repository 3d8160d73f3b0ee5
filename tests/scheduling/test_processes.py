"""`annuaire schedule` as real processes: two started at once after a missed fire load it once;
`serve` starts one only when there is a schedule to run."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from annuaire.settings import Settings
from api.cli_sources import start_schedule_process, stop_schedule_process
from tests.scheduling.conftest import FileServer, query, structures, wait_for

SOURCES = """\
[sources.structures]
kind = "finess"
url = "{url}"
schedule = "0 5 * * *"
timezone = "UTC"
"""


class Logged:
    """A process whose standard error is collected line by line, as it comes."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def said(self, text: str) -> int:
        return sum(text in line for line in list(self.lines))


def settings_for(database_url: str, tmp_path: Path, sources: Path | None, **extra: str) -> Settings:
    return Settings(
        database_url=database_url,
        home=str(tmp_path / "home"),
        sources=str(sources) if sources else None,
        **extra,
    )


def test_two_schedule_processes_catch_up_a_missed_fire_once(
    clean_db: str, tmp_path: Path, http: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The slow answer keeps the first run going while the other process tries its own.
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.format(url=http.serve("/s.json", structures(), delay=2)))
    settings = settings_for(clean_db, tmp_path, sources)
    monkeypatch.setattr(subprocess, "Popen", _with_stderr(subprocess.Popen))
    processes = [Logged(start_schedule_process(settings, clean_db)) for _ in range(2)]  # type: ignore[arg-type]
    try:
        wait_for(lambda: all(p.said("scheduling 1 source(s)") for p in processes))
        wait_for(lambda: sum(p.said("structures: run ") and p.said(" loaded: ") for p in processes))
        logs = "".join(line for p in processes for line in p.lines)
    finally:
        for p in processes:
            stop_schedule_process(p.process)
    assert query(clean_db, "SELECT trigger, status FROM load_run") == [("startup", "succeeded")]
    assert http.routes["/s.json"].hits == 1
    # Each process that found the fire missed either ran it or saw the other one run it.
    assert logs.count("missed while down") == 1 + logs.count("structures: skipped")
    assert all(p.process.poll() is not None for p in processes)


def _with_stderr(popen: type[subprocess.Popen]):  # noqa: ANN202
    """Popen with the child's standard error piped to the test, as text."""

    def _popen(*args: object, **kwargs: object) -> subprocess.Popen:
        return popen(*args, stderr=subprocess.PIPE, text=True, **kwargs)  # type: ignore[call-overload]

    return _popen


def test_serve_starts_no_schedule_process_without_a_schedule(clean_db: str, tmp_path: Path) -> None:
    assert start_schedule_process(settings_for(clean_db, tmp_path, None), clean_db) is None
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.format(url="https://example.org/s.json"))
    off = settings_for(clean_db, tmp_path, sources, serve_schedule="false")
    assert start_schedule_process(off, clean_db) is None


def test_serve_refuses_a_bad_sources_file(clean_db: str, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text("[sources.a]\nkind = 'finess'\n")
    with pytest.raises(SystemExit) as stopped:
        start_schedule_process(settings_for(clean_db, tmp_path, sources), clean_db)
    assert stopped.value.code == 1
