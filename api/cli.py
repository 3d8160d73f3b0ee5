"""The `annuaire` command: serve, load, runs, generate, db."""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import click

from annuaire.db import DatabaseUnavailable, make_engine, raw_url
from annuaire.migrate import current_revision, upgrade
from annuaire.settings import Settings, documented_settings
from api.server import DEFAULT_THREADS, SERVERS, ServerName

# platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _ready_engine(settings: Settings):  # noqa: ANN202
    """An engine on a migrated database, or a one-line error and exit."""
    try:
        engine = make_engine(settings)
        upgrade(engine)
    except DatabaseUnavailable as exc:
        _fail(str(exc))
    return engine


@click.group()
def main() -> None:
    """Directory and reference data of French health (FINESS, RPPS, ROR, terminologies)."""


def load_file(
    settings: Settings,
    source: str,
    path: Path,
    force: bool,
    quiet: bool = False,
    min_rows: int = 0,
) -> int:
    """Load one file; prints a summary and returns the exit code (shared by load and serve)."""
    from loaders.base import BadFile
    from loaders.pipeline import LoadBusy, LoadRefused, run_load
    from loaders.registry import SOURCES

    engine = _ready_engine(settings)
    started = time.monotonic()
    progress = (lambda _m: None) if quiet else (lambda m: click.echo(m, err=True))
    try:
        result = run_load(
            raw_url(engine),
            source,
            path,
            SOURCES[source],
            force=force,
            threshold=float(settings.removal_threshold),
            history_days=int(settings.history_days),
            min_rows=min_rows,
            progress=progress,
        )
    except LoadBusy as exc:
        click.echo(f"error: {exc}", err=True)
        return 3
    except (BadFile, LoadRefused) as exc:
        click.echo(
            f"error: {path.name}: {exc}" if isinstance(exc, LoadRefused) else f"error: {exc}",
            err=True,
        )
        return 2
    c = result.counts
    click.echo(
        f"run {result.run_id}: {path.name} loaded in {time.monotonic() - started:.1f} s: "
        f"{c.new:,} new, {c.changed:,} changed, {c.unchanged:,} unchanged, "
        f"{c.deactivated:,} deactivated, {c.rejected:,} rejected"
    )
    if c.rejected:
        click.echo(f"  see the rejected rows with: annuaire runs --rejections {result.run_id}")
    return 0


SOURCE_NAMES = ["finess", "rpps", "ror", "terminology"]


@main.command()
@click.argument("source", type=click.Choice(SOURCE_NAMES))
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Load even if the snapshot removes more than ANNUAIRE_REMOVAL_THRESHOLD (5 %) of "
    "the records, or holds fewer than --min-rows.",
)
@click.option(
    "--min-rows",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Refuse a snapshot holding fewer records (a truncated file).",
)
def load(source: str, path: Path, force: bool, min_rows: int) -> None:
    """Load a source file: annuaire load finess finess-structures-….json.gz

    A FINESS or RPPS file is a full snapshot of what it covers; a terminology file is a full snapshot of what it covers; a terminology file (NOS ZIP, SVS XML,
    .tabs, FHIR JSON, Bundle, NDJSON or package .tgz) replaces the resource versions it holds.
    """
    sys.exit(load_file(Settings.from_env(), source, path, force, min_rows=min_rows))


@main.group(invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, help="How many runs to list.")
@click.option("--rejections", "run_id", type=int, help="List the rejected rows of this run.")
@click.option("--source", help="Only the runs of this source.")
@click.option("--failed", is_flag=True, help="Only the failed and refused runs.")
@click.pass_context
def runs(
    ctx: click.Context, limit: int, run_id: int | None, source: str | None, failed: bool
) -> None:
    """List the loads: when, which file, status and counts (annuaire runs approve ID: load a
    refused one anyway)."""
    import psycopg

    from loaders.runs import list_rejections, list_runs

    if ctx.invoked_subcommand is not None:
        return
    engine = _ready_engine(Settings.from_env())
    with psycopg.connect(raw_url(engine)) as conn:
        if run_id is not None:
            for r in list_rejections(conn, run_id, limit):
                click.echo(f"line {r['line']}: {r['reason']}")
            return
        rows = list_runs(conn, limit, source=source, failed=failed)
    if not rows:
        click.echo(
            "no runs match" if source or failed else "no loads yet: annuaire load finess PATH"
        )
        return
    click.echo(
        f"{'run':>4}  {'started (UTC)':19}  {'secs':>6}  {'status':9}  {'trigger':9}  {'new':>7} "
        f"{'changed':>7} {'unchanged':>9} {'deactiv.':>8} {'rejected':>8}  source/file"
    )
    for r in rows:
        secs = (r["finished_at"] - r["started_at"]).total_seconds() if r["finished_at"] else 0
        click.echo(
            f"{r['id']:>4}  {r['started_at']:%Y-%m-%d %H:%M:%S}  {secs:>6.1f}  {r['status']:9}  "
            f"{r['trigger']:9}  {r['new']:>7,} {r['changed']:>7,} {r['unchanged']:>9,} "
            f"{r['deactivated']:>8,} {r['rejected']:>8,}  {r['source']}/{r['file_name']}"
            + (f"\n      {r['message']}" if r["message"] else "")
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--server",
    "server_name",
    type=click.Choice(SERVERS),
    default="granian",
    show_default=True,
    help="The production server: granian (Rust HTTP, keep-alive) or gunicorn.",
)
@click.option(
    "--workers",
    type=int,
    help="Server processes.  [default: granian, one per core; gunicorn, two per core]",
)
@click.option(
    "--threads",
    default=DEFAULT_THREADS,
    show_default=True,
    type=int,
    help="Request threads per process. More keep a process serving while one request waits "
    "on a slow query or streams a bulk-export file, but lengthen the tail of the others "
    "(threads of one process take turns at Python's lock).",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load the FINESS+, RPPS, ROR and terminology demo files of --demo-dir before serving.",
)
@click.option(
    "--demo-dir", type=click.Path(path_type=Path), default=Path("demo"), show_default=True
)
@click.option(
    "--no-schedule",
    is_flag=True,
    help="Do not run the schedule of ANNUAIRE_SOURCES (another process runs it).",
)
def serve(
    host: str,
    port: int,
    server_name: ServerName,
    workers: int | None,
    threads: int,
    demo: bool,
    demo_dir: Path,
    no_schedule: bool,
) -> None:
    """Serve the FHIR and JSON APIs with a production server (granian or gunicorn), and run the
    schedule of ANNUAIRE_SOURCES in a process beside it unless --no-schedule."""
    from api.cli_sources import start_schedule_process, stop_schedule_process
    from api.server import port_in_use, run_server

    if problem := port_in_use(host, port):
        _fail(f"cannot serve on {host}:{port}: {problem.strerror or problem}")
    settings = Settings.from_env()
    engine = _ready_engine(settings)
    if demo:
        # The FINESS+ generation is the live one; the legacy extracts in demo/ are there to
        # try `annuaire load` on, since loading both generations makes them replace each other.
        files = [
            *(("finess", p) for p in sorted(demo_dir.glob("finess-structures-*"))),
            *(("finess", p) for p in sorted(demo_dir.glob("finess-activites-*"))),
            # after FINESS, so that RPPS activities at FINESS sites link to their Organization
            *(("rpps", p) for p in sorted(demo_dir.glob("PS_LibreAcces_*.zip"))),
            *(("ror", p) for p in sorted(demo_dir.glob("ror-export-*.zip"))),
            *(("terminology", p) for p in sorted(demo_dir.glob("nos-*.zip"))),
            *(("terminology", p) for p in sorted(demo_dir.glob("cim-*.json.gz"))),
        ]
        if not files:
            _fail(f"no demo files in {demo_dir}")
        for source, path in files:
            if load_file(settings, source, path, force=True, quiet=True) != 0:
                _fail(f"demo file {path} did not load")
    # Workers connect to the database this process resolved (the embedded one included).
    settings = Settings(**{**settings.__dict__, "database_url": raw_url(engine)})
    engine.dispose()
    scheduler = None if no_schedule else start_schedule_process(settings, raw_url(engine))
    click.echo(f"serving on http://{host}:{port}/  (FHIR: /fhir, JSON API docs: /api/v1/docs)")
    try:
        run_server(settings, host, port, workers, threads, server_name)
    finally:
        stop_schedule_process(scheduler)


@main.command()
@click.argument("source", type=click.Choice(SOURCE_NAMES))
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--scale", default=1.0, show_default=True, help="1.0 = national volumes.")
@click.option("--seed", default=42, show_default=True)
def generate(source: str, out_dir: Path, scale: float, seed: int) -> None:
    """Write synthetic source files in the real formats (for benchmarks and tests)."""
    from loaders.synthetic import generator

    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for path in generator(source)(out_dir, scale=scale, seed=seed):
        click.echo(f"{path}  {path.stat().st_size:,} bytes")
    click.echo(f"generated in {time.monotonic() - started:.1f} s")


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations (serve and load do it themselves)."""
    engine = _ready_engine(Settings.from_env())
    click.echo(f"schema at revision {current_revision(engine)}")


@main.command()
def config() -> None:
    """List the ANNUAIRE_* environment variables, their defaults and meaning."""
    for name, default, help_text in documented_settings():
        click.echo(f"{name} (default: {default or 'unset'})\n    {help_text}")


@main.command("tx-tests")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--server", help="FHIR base URL to test; default: this application, in-process.")
@click.option("--suite", "suites", multiple=True, help="Run only this suite (repeatable).")
@click.option("--filter", "name_filter", help="Run only the tests whose name contains this.")
@click.option(
    "--mode",
    "modes",
    multiple=True,
    help="Also run this mode's tests (repeatable, e.g. flat); general is on unless !general.",
)
@click.option(
    "--externals",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The server's own messages, in the format of messages-tx.fhir.org.json.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the expected/ and actual/ answers of failing tests here.",
)
def tx_tests(
    folder: Path,
    server: str | None,
    suites: tuple[str, ...],
    name_filter: str | None,
    modes: tuple[str, ...],
    externals: Path | None,
    output: Path | None,
) -> None:
    """Run the HL7 terminology ecosystem test cases (a tx-ecosystem tests/ folder)."""
    from functools import partial

    from terminology.conformance.cases import FolderError
    from terminology.conformance.runner import run_folder, serve_in_background

    run = partial(
        run_folder,
        folder,
        suites=suites,
        name_filter=name_filter,
        modes=modes,
        externals_file=externals,
        output=output,
        echo=click.echo,
    )
    try:
        if server:
            sys.exit(run(server))
        from api import create_app

        settings = Settings.from_env()
        # the same application as `serve`, on an ephemeral local port for the time of the run
        with serve_in_background(create_app(settings, _ready_engine(settings))) as root:
            code = run(f"{root}/fhir")
        sys.exit(code)
    except FolderError as exc:
        _fail(str(exc))


# Scheduled ingestion: sources check|run, schedule, run show, runs approve (api/cli_sources.py).
from api.cli_sources import register  # noqa: E402

register(main, runs)

# API keys of the writers of bed availability: keys create|list|revoke (api/cli_keys.py).
from api.cli_keys import keys  # noqa: E402

main.add_command(keys)
