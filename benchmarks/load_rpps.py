"""Full-scale RPPS loads: the synthetic PS_LibreAcces extract (first load, unchanged reload),
with the peak memory of this process (the loader) and the database size.

The FINESS register of the same seed is loaded first (load_finess.py), so that structures with
a FINESS number link to FINESS organizations as in production.
"""

from __future__ import annotations

import resource
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
from loaders.synthetic.rpps import generate_rpps  # noqa: E402

RPPS_DATA = DATA / "rpps"


def timed_load(url: str, path: Path, label: str) -> None:
    started = time.monotonic()
    result = run_load(url, "rpps", path, SOURCES["rpps"], force=True, progress=print)
    c = result.counts
    size = sum(p.stat().st_size for p in path.iterdir()) / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"| {label} | {path.name}/ ({size:.0f} MB) | {time.monotonic() - started:.1f} s | "
        f"{peak:.0f} MB | new {c.new:,}, changed {c.changed:,}, unchanged {c.unchanged:,}, "
        f"deactivated {c.deactivated:,}, rejected {c.rejected:,} |",
        flush=True,
    )


def main() -> None:
    if not any(RPPS_DATA.glob("PS_LibreAcces_Personne_activite_*.txt")):
        started = time.monotonic()
        for path in generate_rpps(RPPS_DATA, scale=1.0, seed=42):
            print(path)
        print(f"generated full-scale data in {time.monotonic() - started:.0f} s")
    url = database_url()
    upgrade(make_engine(settings(), url))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE practitioner, practitioner_role")
        conn.execute("DELETE FROM organization WHERE kind = 'RS'")
        conn.execute("VACUUM ANALYZE organization")
        rows = {
            part: sum(1 for _ in path.open("rb")) - 1
            for part in ("Personne_activite", "SavoirFaire", "Dipl_AutExerc")
            for path in RPPS_DATA.glob(f"PS_LibreAcces_{part}_*.txt")
        }
    print(f"machine: {machine()}")
    print(f"lines: {', '.join(f'{k} {v:,}' for k, v in rows.items())}")
    print("| step | input | time | loader peak RSS | counts |\n|---|---|---|---|---|")
    timed_load(url, RPPS_DATA, "RPPS extract, first load")
    timed_load(url, RPPS_DATA, "RPPS extract, unchanged reload")
    with psycopg.connect(url) as conn:
        size = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('practitioner')),"
            " pg_size_pretty(pg_total_relation_size('practitioner_role')),"
            " pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    print(f"sizes: practitioner {size[0]}, practitioner_role {size[1]}, database {size[2]}")


if __name__ == "__main__":
    main()
