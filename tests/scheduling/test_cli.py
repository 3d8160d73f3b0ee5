"""The commands: sources check|run, runs [--source] [--failed], run show, runs approve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from api.cli import main
from tests.scheduling.conftest import FileServer, first_establishment, structures

SOURCES = """\
[sources.structures]
kind = "finess"
url = "{url}"
schedule = "0 5 * * *"
timezone = "UTC"
removal_threshold = 0.0
retries = 0
"""


@pytest.fixture
def annuaire(clean_db: str, tmp_path: Path, http: FileServer):  # noqa: ANN201
    """`annuaire ARGS…` on the test database, with a sources file serving the fixture."""
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES.format(url=http.serve("/s.json", structures())))
    env = {
        "ANNUAIRE_DATABASE_URL": clean_db,
        "ANNUAIRE_HOME": str(tmp_path / "home"),
        "ANNUAIRE_SOURCES": str(sources),
    }

    def _annuaire(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env)

    return _annuaire


def test_sources_check_lists_the_sources(annuaire) -> None:  # noqa: ANN001
    result = annuaire("sources", "check")
    assert result.exit_code == 0, result.output
    assert "structures: finess from http://127.0.0.1:" in result.stdout
    assert "1 source(s), no problem" in result.stdout


def test_sources_check_reports_problems_line_by_line(annuaire, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.toml"
    bad.write_text('[sources.a]\nkind = "finess"\nurl = "https://x/y"\nschedule = "@sometimes"\n')
    result = annuaire("sources", "check", "--file", str(bad))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{bad}:4: schedule '@sometimes'")
    assert result.stderr == f"error: {bad}: 1 problem(s)\n"


def run_id(result: Result) -> int:
    """The id a `sources run` or `runs approve` reports (`run N: …`)."""
    return int(re.search(r"^run (\d+)", result.output, re.M)[1])  # type: ignore[index]


def test_sources_run_says_loaded_then_unchanged(annuaire) -> None:  # noqa: ANN001
    loaded = annuaire("sources", "run", "structures")
    assert loaded.exit_code == 0, loaded.output
    assert re.fullmatch(r"run \d+: structures loaded: \d+ new, .*, 6 rejected\n", loaded.stdout)
    unchanged = annuaire("sources", "run", "structures")
    assert unchanged.exit_code == 0
    assert unchanged.stdout == (
        f"run {run_id(loaded) + 1}: structures unchanged: not modified since the last run\n"
    )


def test_sources_run_of_an_unknown_source_is_an_error(annuaire) -> None:  # noqa: ANN001
    result = annuaire("sources", "run", "nothing")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no source 'nothing' in ")
    assert "(it has: structures)" in result.stderr


def test_a_failed_run_exits_non_zero_with_its_reason(annuaire, http: FileServer) -> None:  # noqa: ANN001
    http.routes["/s.json"].fail_first = 99
    result = annuaire("sources", "run", "structures")
    assert result.exit_code == 1
    assert "structures failed: " in result.stderr and "HTTP 500" in result.stderr


def test_a_refused_run_is_approved_from_the_command_line(annuaire, http: FileServer) -> None:  # noqa: ANN001
    assert annuaire("sources", "run", "structures").exit_code == 0
    http.serve("/s.json", structures(drop=(first_establishment(),)), etag='"v2"')
    refused = annuaire("sources", "run", "structures")
    assert refused.exit_code == 2
    number = run_id(refused)
    assert f"run {number}: structures refused: this snapshot would remove 1 of" in refused.stderr
    assert f"to load it anyway: annuaire runs approve {number}" in refused.stderr

    listed = annuaire("runs", "--source", "structures", "--failed")
    assert listed.exit_code == 0
    header, row, message = listed.stdout.splitlines()
    assert row.split()[0] == str(number) and row.split()[4:6] == ["refused", "manual"]
    assert "would remove 1 of" in message

    shown = annuaire("run", "show", str(number))
    assert shown.exit_code == 0
    assert f"to approve     annuaire runs approve {number}" in shown.stdout

    approved = annuaire("runs", "approve", str(number))
    assert approved.exit_code == 0, approved.output
    assert approved.stdout.startswith(f"run {number + 1} (approves run {number}) loaded: 0 new")
    again = annuaire("runs", "approve", str(number))
    assert again.exit_code == 1
    assert again.stderr == f"error: run {number} was approved by run {number + 1}\n"


def test_run_show_gives_a_sample_of_rejected_rows(annuaire) -> None:  # noqa: ANN001
    loaded = annuaire("sources", "run", "structures")
    shown = annuaire("run", "show", str(run_id(loaded)), "--rejections", "2")
    assert shown.exit_code == 0
    assert "status         succeeded" in shown.stdout and "trigger        manual" in shown.stdout
    assert "rejected rows (2 of 6):" in shown.stdout
    assert shown.stdout.count("\n  line ") == 2


def test_unknown_runs_are_errors(annuaire) -> None:  # noqa: ANN001
    shown = annuaire("run", "show", "999999")
    assert (shown.exit_code, shown.stderr) == (1, "error: no run 999999\n")
    approved = annuaire("runs", "approve", "999999")
    assert (approved.exit_code, approved.stderr) == (1, "error: no run 999999\n")


def test_runs_without_a_sources_file_say_how_to_set_one(clean_db: str) -> None:
    result = CliRunner().invoke(
        main, ["sources", "check"], env={"ANNUAIRE_DATABASE_URL": clean_db, "ANNUAIRE_SOURCES": ""}
    )
    assert result.exit_code == 1
    assert result.stderr == "error: no sources file: set ANNUAIRE_SOURCES or pass --file\n"


def test_load_refuses_a_file_below_min_rows_unless_forced(annuaire, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "structures.json"
    path.write_bytes(structures())
    refused = annuaire("load", "finess", str(path), "--min-rows", "100000")
    assert refused.exit_code == 2
    assert "holds" in refused.stderr and "fewer than the 100,000" in refused.stderr
    forced = annuaire("load", "finess", str(path), "--min-rows", "100000", "--force")
    assert forced.exit_code == 0, forced.output
    assert re.match(r"run \d+: structures.json loaded in .* s: \d+ new", forced.stdout)
