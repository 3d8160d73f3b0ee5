"""HTTP benchmark: the production server (gunicorn) under 16 concurrent connections from wrk.

Scenarios: Organization read by id, name prefix search, near search 10 km. Needs the data of
load_finess.py and `wrk` on the PATH (Debian package wrk).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from benchmarks.common import database_url, machine  # noqa: E402

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


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


def lua_script(paths: list[str]) -> str:
    quoted = ",\n".join(f'"{p}"' for p in paths)
    return f'paths = {{\n{quoted}\n}}\nrequest = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n'


def run_wrk(paths: list[str], seconds: int, connections: int) -> dict[str, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(paths))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, BASE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    rps = re.search(r"Requests/sec:\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps.group(1) if rps else "?",
        "p50": latency.get("50", "?"),
        "p90": latency.get("90", "?"),
        "p99": latency.get("99", "?"),
        "errors": errors.group(1) if errors else "0",
    }


def wait_until_up(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/health", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    url = database_url()
    paths = sample_paths(url, random.Random(1))
    env = {**os.environ, "ANNUAIRE_DATABASE_URL": url}
    annuaire = Path(sys.executable).with_name("annuaire")
    server = subprocess.Popen(
        [str(annuaire), "serve", "--port", str(PORT), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up()
        print(
            f"machine: {machine()}; gunicorn {args.workers} sync workers; wrk 2 threads, "
            f"{args.connections} connections, {args.seconds} s per scenario"
        )
        print("| scenario | req/s | p50 | p90 | p99 | non-2xx |\n|---|---|---|---|---|---|")
        for name, scenario_paths in paths.items():
            run_wrk(scenario_paths, 3, args.connections)  # warm-up
            r = run_wrk(scenario_paths, args.seconds, args.connections)
            print(
                f"| {name} | {r['rps']} | {r['p50']} | {r['p90']} | {r['p99']} | {r['errors']} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(20)


if __name__ == "__main__":
    main()
