"""Full-scale FINESS loads: FINESS+ structures (first load, unchanged reload), etalab extracts."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from annuaire.db import make_engine  # noqa: E402
from annuaire.migrate import upgrade  # noqa: E402
from benchmarks.common import DATA, database_url, machine, settings  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402
from loaders.registry import SOURCES  # noqa: E402
from loaders.synthetic.finess import generate_finess  # noqa: E402


def timed_load(url: str, path: Path, label: str) -> None:
    started = time.monotonic()
    result = run_load(url, "finess", path, SOURCES["finess"], force=True)
    c = result.counts
    print(
        f"| {label} | {path.name} ({path.stat().st_size / 1e6:.0f} MB) | "
        f"{time.monotonic() - started:.1f} s | new {c.new:,}, changed {c.changed:,}, "
        f"unchanged {c.unchanged:,}, deactivated {c.deactivated:,}, rejected {c.rejected:,} |",
        flush=True,
    )


def main() -> None:
    if not any(DATA.glob("finess-structures-*.json.gz")):
        started = time.monotonic()
        DATA.mkdir(parents=True, exist_ok=True)
        generate_finess(DATA, scale=1.0, seed=42)
        print(f"generated full-scale data in {time.monotonic() - started:.0f} s")
    url = database_url()
    upgrade(make_engine(settings(), url))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE organization, finess_group, finess_activity")
    print(f"machine: {machine()}")
    print("| step | file | time | counts |\n|---|---|---|---|")
    structures = sorted(DATA.glob("finess-structures-*.json.gz"))[-1]
    timed_load(url, structures, "FINESS+ structures, first load")
    timed_load(url, structures, "FINESS+ structures, unchanged reload")
    for pattern, label in (("finess-activites-*.json.gz", "FINESS+ activities"),):
        for path in sorted(DATA.glob(pattern))[-1:]:
            timed_load(url, path, label)
    with psycopg.connect(url) as conn:
        size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    print(f"database size: {size[0]}")


if __name__ == "__main__":
    main()
