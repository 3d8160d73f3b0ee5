"""HTTP benchmark: the production server (granian) under 16 concurrent connections from wrk.

Scenarios: Organization read by id, name prefix search, near search 10 km. Needs the data of
load_finess.py and `wrk` on the PATH (Debian package wrk).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from benchmarks.wrk import benchmark  # noqa: E402


def sample_paths(url: str, rng: random.Random) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        ids = [
            r[0] for r in conn.execute("SELECT id FROM organization ORDER BY random() LIMIT 5000")
        ]
        names = [
            r[0]
            for r in conn.execute(
                "SELECT split_part(name_norm, ' ', 1 + (random() * 2)::int) FROM organization "
                "WHERE active ORDER BY random() LIMIT 2000"
            )
            if r[0] and len(r[0]) >= 3
        ]
        points = conn.execute(
            "SELECT latitude, longitude FROM organization WHERE latitude IS NOT NULL "
            "ORDER BY random() LIMIT 2000"
        ).fetchall()
    near = [
        f"/fhir/Organization?near={lat + rng.uniform(-0.05, 0.05):.4f}|{lon + rng.uniform(-0.05, 0.05):.4f}|10|km"
        for lat, lon in points
    ]
    names = [f"/fhir/Organization?name={n[: rng.randint(3, 6)]}" for n in names]
    return {
        "read by id": [f"/fhir/Organization/{i}" for i in ids],
        "name prefix search": names,
        "name prefix search, _total=none": [f"{p}&_total=none" for p in names],
        "near 10 km": near,
        "near 10 km, _total=none": [f"{p}&_total=none" for p in near],
    }


if __name__ == "__main__":
    benchmark(__doc__, sample_paths, ("organization",))
