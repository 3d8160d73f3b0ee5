"""What the benchmarks share: where the data and database live, and a database URL."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from annuaire.db import resolve_database_url
from annuaire.settings import Settings

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
HOME = HERE / "var"


def settings() -> Settings:
    env = dict(os.environ)
    env.setdefault("ANNUAIRE_HOME", str(HOME))
    return Settings.from_env(env)


def database_url() -> str:
    return resolve_database_url(settings())


def machine() -> str:
    cpu = subprocess.run(
        ["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu or platform.processor()}), Python {platform.python_version()}"
