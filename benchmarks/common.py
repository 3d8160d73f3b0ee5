"""What the benchmarks share: where the data and database live, and a database URL."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time
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


def timed_load(url: str, source: str, path: Path, label: str) -> None:
    """Load the folder `path` of `source` (guards off), and print a Markdown row: time, the
    peak memory of this process (the loader) and the counts."""
    from loaders.pipeline import run_load
    from loaders.registry import SOURCES

    started = time.monotonic()
    result = run_load(url, source, path, SOURCES[source], force=True, progress=print)
    c = result.counts
    size = sum(p.stat().st_size for p in path.iterdir()) / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"| {label} | {path.name}/ ({size:.0f} MB) | {time.monotonic() - started:.1f} s | "
        f"{peak:.0f} MB | new {c.new:,}, changed {c.changed:,}, unchanged {c.unchanged:,}, "
        f"deactivated {c.deactivated:,}, rejected {c.rejected:,} |",
        flush=True,
    )
