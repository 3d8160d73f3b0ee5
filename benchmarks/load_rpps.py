"""RPPS loads on the synthetic PS_LibreAcces extract: first load, the vacuum that follows,
unchanged reload, and reload of the extract with about 1 % of its activity lines changed;
with the peak memory of this process (the loader) and the database size. Each load prints
its steps as it goes.

    python benchmarks/load_rpps.py [--scale S]

Scale 1 (the default) is the real extract's size, in benchmarks/data/rpps/; another scale
goes to benchmarks/data/rpps-<S>/. At scale 1 the FINESS register of the same seed is
expected loaded first (load_finess.py), so that structures with a FINESS number link to
FINESS organizations as in production.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from annuaire.db import make_engine  # noqa: E402
from annuaire.migrate import upgrade  # noqa: E402
from benchmarks.common import DATA, database_url, machine, settings, timed_load  # noqa: E402
from loaders.synthetic.rpps import generate_rpps  # noqa: E402

ACTIVITY = "PS_LibreAcces_Personne_activite_*.txt"
PHONE, GIVEN = 40, 8  # field positions in the activity line


def changed_copy(extract: Path, out: Path) -> Path:
    """The extract with 1 activity line in 500 removed, the phone of 1 in 100 and the given
    name of 1 in 200 changed (the other files linked, unchanged)."""
    out.mkdir(exist_ok=True)
    for file in extract.iterdir():
        target = out / file.name
        if target.exists() and target.stat().st_mtime >= file.stat().st_mtime:
            continue  # written from this extract already
        if file.match(ACTIVITY):
            with file.open("rb") as lines, target.open("wb") as copy:
                for n, line in enumerate(lines):
                    fields = line.split(b"|")
                    if n and n % 500 == 7:
                        continue
                    if n and n % 100 == 50:
                        fields[PHONE] = b"0100000000"
                    elif n and n % 200 == 51:
                        fields[GIVEN] += b"E"
                    copy.write(b"|".join(fields))
        else:
            target.unlink(missing_ok=True)
            target.symlink_to(file.resolve())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    scale = parser.parse_args().scale
    extract = DATA / ("rpps" if scale == 1 else f"rpps-{scale:g}")
    if not any(extract.glob(ACTIVITY)):
        started = time.monotonic()
        for path in generate_rpps(extract, scale=scale, seed=42):
            print(path)
        print(f"generated the extract in {time.monotonic() - started:.0f} s")
    changed = changed_copy(extract, extract.with_name(extract.name + "-changed"))
    url = database_url()
    upgrade(make_engine(settings(), url))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE practitioner, practitioner_role")
        conn.execute("DELETE FROM organization WHERE kind = 'RS'")
        conn.execute("VACUUM ANALYZE organization")
        rows = {
            part: sum(1 for _ in path.open("rb")) - 1
            for part in ("Personne_activite", "SavoirFaire", "Dipl_AutExerc")
            for path in extract.glob(f"PS_LibreAcces_{part}_*.txt")
        }
    print(f"machine: {machine()}")
    print(f"lines: {', '.join(f'{k} {v:,}' for k, v in rows.items())}")
    print("| step | input | time | loader peak RSS | counts |\n|---|---|---|---|---|")
    timed_load(url, "rpps", extract, "RPPS extract, first load")
    # What autovacuum would do meanwhile (the new rows' hint bits and visibility map), done
    # at once so that it neither slows the reload nor goes unseen.
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) practitioner, practitioner_role, organization")
    print(f"| vacuum after the first load | | {time.monotonic() - started:.1f} s | | |")
    timed_load(url, "rpps", extract, "RPPS extract, unchanged reload")
    timed_load(url, "rpps", changed, "RPPS extract, reload with ~1 % of activity lines changed")
    with psycopg.connect(url) as conn:
        size = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('practitioner')),"
            " pg_size_pretty(pg_total_relation_size('practitioner_role')),"
            " pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
    print(f"sizes: practitioner {size[0]}, practitioner_role {size[1]}, database {size[2]}")


if __name__ == "__main__":
    main()
