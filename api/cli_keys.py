"""`annuaire keys create|list|revoke`: API keys of bed-availability writers. Being written."""

import click


@click.group()
def keys() -> None:
    """API keys that may write bed availability."""
