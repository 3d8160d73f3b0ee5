"""Full-scale ROR loads: the synthetic national extract (first load, unchanged reload), with
the peak memory of this process (the loader) and the table sizes.

The FINESS register of the same seed is loaded first (load_finess.py), so that establishments
merge into FINESS organizations as in production.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from annuaire.db import make_engine  # noqa: E402
from annuaire.migrate import upgrade  # noqa: E402
from benchmarks.common import DATA, database_url, machine, settings, timed_load  # noqa: E402
from loaders.synthetic.ror import generate_ror  # noqa: E402

ROR_DATA = DATA / "ror"
TABLES = ("healthcare_service", "location", "location_capacity")


def main() -> None:
    if not (ROR_DATA / "Location.ndjson").exists():
        started = time.monotonic()
        for path in generate_ror(ROR_DATA, scale=1.0, seed=42):
            print(path)
        print(f"generated full-scale data in {time.monotonic() - started:.0f} s")
    url = database_url()
    upgrade(make_engine(settings(), url))
    with psycopg.connect(url, autocommit=True) as conn:
        finess = "SELECT EXISTS (SELECT 1 FROM organization WHERE kind = 'EG')"
        if not conn.execute(finess).fetchone()[0]:
            raise SystemExit("load FINESS first: python benchmarks/load_finess.py")
        conn.execute(f"TRUNCATE {', '.join(TABLES)}, location_history")
        conn.execute("DELETE FROM practitioner_role WHERE source = 'ror'")
        conn.execute("DELETE FROM practitioner WHERE source = 'ror'")
        conn.execute("DELETE FROM organization WHERE kind IN ('OI', 'RG', 'RJ')")
        conn.execute("VACUUM ANALYZE organization")
    print(f"machine: {machine()}")
    print("| step | input | time | loader peak RSS | counts |\n|---|---|---|---|---|")
    timed_load(url, "ror", ROR_DATA, "ROR extract, first load")
    timed_load(url, "ror", ROR_DATA, "ROR extract, unchanged reload")
    with psycopg.connect(url) as conn:
        sizes = []
        for table in TABLES:
            rows, size = conn.execute(
                f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}"
            ).fetchone()
            sizes.append(f"{table} {rows:,} rows, {size}")
    print(f"rows and sizes: {'; '.join(sizes)}")


if __name__ == "__main__":
    main()
