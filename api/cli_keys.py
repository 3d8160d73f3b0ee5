"""`annuaire keys create|list|revoke`: the API keys of bed-availability writers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NoReturn

import click
from sqlalchemy import Connection

from annuaire.settings import Settings
from directory.access import keys as access


def _fail(message: str) -> NoReturn:
    from api.cli import _fail as fail  # api/cli.py imports this module: late import

    fail(message)
    raise SystemExit(1)  # not reached: fail exits


@contextmanager
def _transaction() -> Iterator[Connection]:
    """A transaction on the migrated database; a KeyProblem is a one-line error, exit 1."""
    from api.cli import _ready_engine

    engine = _ready_engine(Settings.from_env())
    try:
        with engine.begin() as conn:
            yield conn
    except access.KeyProblem as exc:
        _fail(str(exc))
    finally:
        engine.dispose()


def _split(values: tuple[str, ...]) -> list[str]:
    """Values of a repeatable option, each of which may also be comma-separated."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group()
def keys() -> None:
    """API keys that may write bed availability (sent as Authorization: Bearer KEY)."""


@keys.command("create")
@click.option("--name", required=True, help="Who holds the key: shown in the write history.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    default=(access.CAPACITY_WRITE,),
    show_default=True,
    help="What the key may do (repeatable or comma-separated).",
)
@click.option(
    "--finess",
    "finess",
    multiple=True,
    required=True,
    help="FINESS numbers of the establishments whose locations it may write (comma-separated).",
)
def create(name: str, scopes: tuple[str, ...], finess: tuple[str, ...]) -> None:
    """Create a key; it is printed once, as the last word, and only its digest is kept."""
    with _transaction() as conn:
        key = access.create(conn, name, _split(scopes), _split(finess))
    click.echo(
        f"key {name} created for {', '.join(sorted(set(_split(finess))))}; "
        f"it is shown this once, keep it now: {key}"
    )


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@keys.command("list")
def list_keys() -> None:
    """Every key: name, scopes, establishments, created, revoked, last used (never the key)."""
    with _transaction() as conn:
        found = access.list_keys(conn)
    if not found:
        click.echo("no keys yet: annuaire keys create --name NAME --finess NUMBER,…")
        return
    click.echo(
        f"{'name':20}  {'scopes':15}  {'created (UTC)':16}  {'revoked (UTC)':16}  "
        f"{'last used (UTC)':16}  FINESS"
    )
    for k in found:
        click.echo(
            f"{k.name:20}  {','.join(k.scopes):15}  {_when(k.created_at):16}  "
            f"{_when(k.revoked_at):16}  {_when(k.last_used_at):16}  {','.join(k.finess)}"
        )


@keys.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the key NAME: its next request is refused (401)."""
    with _transaction() as conn:
        access.revoke(conn, name)
    click.echo(f"key {name} revoked")
