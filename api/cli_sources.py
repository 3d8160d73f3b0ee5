"""Commands of scheduled ingestion: sources check|run, schedule, run show, runs approve."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import click

from annuaire.settings import Settings

STATUS_CODES = {"loaded": 0, "unchanged": 0, "failed": 1, "refused": 2, "skipped": 3}
REJECTION_SAMPLE = 20
STOP_WAIT_SECONDS = 10
OFF = ("0", "false", "no", "off")  # values of ANNUAIRE_SERVE_SCHEDULE that turn it off

file_option = click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sources file (TOML); default: ANNUAIRE_SOURCES.",
)


def _fail(message: str, code: int = 1) -> NoReturn:
    from api.cli import _fail as fail  # api/cli.py imports this module: late import

    fail(message, code)
    raise SystemExit(code)  # not reached: fail exits


def _database_url(settings: Settings) -> str:
    from annuaire.db import raw_url
    from api.cli import _ready_engine

    engine = _ready_engine(settings)
    url = raw_url(engine)
    engine.dispose()
    return url


def _sources_file(settings: Settings, file: Path | None) -> Path:
    if file is None and not settings.sources:
        _fail("no sources file: set ANNUAIRE_SOURCES or pass --file")
    return file or Path(settings.sources or "")


def load_configured(settings: Settings, file: Path | None = None) -> tuple[Path, list]:
    """The sources of the file, or every problem in it and exit (shared with serve)."""
    from loaders.scheduling.config import ConfigError, load_sources

    path = _sources_file(settings, file)
    try:
        return path, load_sources(path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"{path}:{problem.line or 1}: {problem.message}", err=True)
        _fail(f"{path}: {len(exc.problems)} problem(s); see annuaire sources check")


def _context(settings: Settings, database_url: str, quiet: bool = False):  # noqa: ANN202
    from loaders.scheduling.run import RunContext

    return RunContext(
        database_url=database_url,
        home=settings.home_path,
        removal_threshold=float(settings.removal_threshold),
        history_days=int(settings.history_days),
        progress=(lambda _m: None) if quiet else (lambda m: click.echo(m, err=True)),
    )


@click.group()
def sources() -> None:
    """The sources file (ANNUAIRE_SOURCES): check it, or run one source now."""


@sources.command("check")
@file_option
def sources_check(file: Path | None) -> None:
    """Check the sources file: every problem with its line, or the sources and next runs."""
    from datetime import UTC, datetime

    from loaders.scheduling.config import parse_sources
    from loaders.scheduling.cron import next_fire_time

    path = _sources_file(Settings.from_env(), file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}")
    found, problems = parse_sources(text, path)
    for problem in problems:
        click.echo(f"{path}:{problem.line or 1}: {problem.message}")
    if problems:
        _fail(f"{path}: {len(problems)} problem(s)")
    now = datetime.now(UTC)
    for source in found:
        next_run = next_fire_time(source.trigger(), now)
        when = f"{next_run:%Y-%m-%d %H:%M %Z}" if next_run else "never"
        click.echo(
            f"{source.name}: {source.kind} from {source.public_location}, "
            f"'{source.schedule}' ({source.timezone}), next run {when}"
        )
    click.echo(f"{path}: {len(found)} source(s), no problem")


@sources.command("run")
@click.argument("name")
@file_option
def sources_run(name: str, file: Path | None) -> None:
    """Run one source now as the schedule would: fetch, verify, load, record.

    Exit code: 0 loaded or unchanged, 1 failed, 2 refused by a guard (see annuaire runs
    approve), 3 another process is running this source.
    """
    from loaders.scheduling.config import find_source
    from loaders.scheduling.run import run_source

    settings = Settings.from_env()
    path, configured = load_configured(settings, file)
    source = find_source(configured, name)
    if source is None:
        names = ", ".join(s.name for s in configured)
        _fail(f"no source {name!r} in {path} (it has: {names})")
    outcome = run_source(_context(settings, _database_url(settings)), source, "manual")
    run = f"run {outcome.run_id}: " if outcome.run_id else ""
    line = f"{run}{name} {outcome.outcome}: {outcome.message}"
    if outcome.outcome == "refused":
        line += f"\n  to load it anyway: annuaire runs approve {outcome.run_id}"
    click.echo(line, err=STATUS_CODES[outcome.outcome] != 0)
    sys.exit(STATUS_CODES[outcome.outcome])


@click.command()
@file_option
@click.option("--parent-pid", type=int, hidden=True, help="Stop when this process is gone.")
def schedule(file: Path | None, parent_pid: int | None) -> None:
    """Run the schedule of the sources file alone, in the foreground (a separate worker).

    Every source runs on its cron; a run missed while no process was up runs once now.
    """
    from loaders.scheduling.scheduler import SourceScheduler, run_until_stopped

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # Our runs say what they do; the libraries' own INFO lines repeat it, or say nothing useful.
    for noisy in ("alembic", "apscheduler", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = Settings.from_env()
    path, configured = load_configured(settings, file)
    scheduler = SourceScheduler(_context(settings, _database_url(settings), True), configured)
    caught_up = scheduler.start()
    click.echo(f"scheduling {len(configured)} source(s) of {path}", err=True)
    for source in configured:
        when = scheduler.next_runs().get(source.name)
        click.echo(f"  {source.name}: next run {f'{when:%Y-%m-%d %H:%M %Z}' if when else 'never'}",
                   err=True)  # fmt: skip
    if caught_up:
        click.echo(f"  missed while down, running now: {', '.join(caught_up)}", err=True)
    run_until_stopped(scheduler, parent_pid)


def start_schedule_process(settings: Settings, database_url: str) -> subprocess.Popen | None:
    """`annuaire schedule` in a process of its own, for `annuaire serve`; None when there
    is nothing to schedule. A process rather than a thread: the server forks its workers
    from the serving process, and forking a running scheduler is asking for trouble."""
    if not settings.sources or settings.serve_schedule.strip().lower() in OFF:
        return None
    load_configured(settings)  # a bad file stops serve now, with its problems listed
    command = [sys.executable, "-c", "from api.cli import main; main(prog_name='annuaire')"]
    # The child reads its settings from the environment, as any command does: these very
    # settings, with the database this process resolved (the embedded one included).
    own = {
        f"ANNUAIRE_{name.upper()}": value
        for name, value in {**settings.__dict__, "database_url": database_url}.items()
        if value is not None
    }
    env = {**os.environ, **own}
    return subprocess.Popen([*command, "schedule", "--parent-pid", str(os.getpid())], env=env)


def stop_schedule_process(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()


@click.group("run")
def run_group() -> None:
    """One run of a source: annuaire run show ID."""


@run_group.command("show")
@click.argument("run_id", type=int)
@click.option(
    "--rejections", default=REJECTION_SAMPLE, show_default=True, help="Rejected rows to show."
)
def run_show(run_id: int, rejections: int) -> None:
    """Everything about one run, with a sample of its rejected rows and their reasons."""
    import psycopg

    from loaders.runs import get_run, list_rejections

    with psycopg.connect(_database_url(Settings.from_env())) as conn:
        run = get_run(conn, run_id)
        if run is None:
            _fail(f"no run {run_id}")
        sample = list_rejections(conn, run_id, rejections) if run["rejected"] else []
    for label, value in _described(run):
        click.echo(f"{label:14} {value}")
    if sample:
        click.echo(f"rejected rows ({len(sample)} of {run['rejected']:,}):")
        for r in sample:
            click.echo(f"  line {r['line']}: {r['reason']}")


def _described(run: dict) -> list[tuple[str, str]]:
    finished = run["finished_at"]
    duration = f"{(finished - run['started_at']).total_seconds():.1f} s" if finished else "running"
    fetched = {True: "yes", False: "no (not modified)", None: "-"}[run["fetched"]]
    lines = [
        ("run", str(run["id"])),
        ("source", f"{run['source']} ({run['kind'] or run['source']})"),
        ("trigger", run["trigger"]),
        ("status", run["status"]),
        ("started", f"{run['started_at']:%Y-%m-%d %H:%M:%S %Z}"),
        ("duration", duration),
        ("scheduled for", f"{run['scheduled_for']:%Y-%m-%d %H:%M %Z}" if run["scheduled_for"] else "-"),
        ("location", run["location"] or "-"),
        ("fetched", fetched),
        ("file", run["file_name"] or "-"),
        ("bytes", f"{run['bytes']:,}" if run["bytes"] is not None else "-"),
        ("sha256", run["sha256"] or "-"),
        ("counts", f"{run['new']:,} new, {run['changed']:,} changed, {run['unchanged']:,} "
                   f"unchanged, {run['deactivated']:,} deactivated, {run['rejected']:,} rejected"),
    ]  # fmt: skip
    if run["message"]:
        lines.append(("message", run["message"]))
    if run["approves"]:
        lines.append(("approves", f"run {run['approves']}"))
    if run["approved_by"]:
        lines.append(("approved by", f"run {run['approved_by']}"))
    elif run["status"] == "refused" and run["file_path"]:
        lines.append(("to approve", f"annuaire runs approve {run['id']}"))
    return lines


@click.command("approve")
@click.argument("run_id", type=int)
def runs_approve(run_id: int) -> None:
    """Load the file of a refused run anyway (guards off), as a new run that approves it."""
    from loaders.scheduling.approve import ApprovalError, approve_run

    settings = Settings.from_env()
    try:
        outcome = approve_run(_context(settings, _database_url(settings)), run_id)
    except ApprovalError as exc:
        _fail(str(exc))
    click.echo(
        f"run {outcome.run_id} (approves run {run_id}) {outcome.outcome}: {outcome.message}",
        err=outcome.outcome != "loaded",
    )
    sys.exit(STATUS_CODES[outcome.outcome])


def register(main: click.Group, runs: click.Group) -> None:
    main.add_command(sources)
    main.add_command(schedule)
    main.add_command(run_group)
    runs.add_command(runs_approve)
