"""Driving the production server with wrk: shared by the HTTP benchmarks."""

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from api.server import DEFAULT_THREADS, SERVERS, default_workers
from benchmarks.common import database_url, machine

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


def lua_script(paths: list[str], pause_ms: int = 0) -> str:
    """GETs of the paths in random order; each connection pauses `pause_ms` between them."""
    quoted = ",\n".join(f'"{p}"' for p in paths)
    pause = f"delay = function()\n  return {pause_ms}\nend\n" if pause_ms else ""
    return f'paths = {{\n{quoted}\n}}\nrequest = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n{pause}'


def run_wrk(paths: list[str], seconds: int, connections: int) -> dict[str, str]:
    return run_wrk_script(lua_script(paths), seconds, connections)


def run_wrk_script(lua: str, seconds: int, connections: int) -> dict[str, str]:
    """wrk with the Lua script `lua` making its requests: throughput, latency percentiles, and
    requests and non-2xx answers counted."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
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
    total = re.search(r"(\d+) requests in", out)
    return {
        "requests": total.group(1) if total else "0",
        "rps": rps.group(1) if rps else "?",
        "p50": latency.get("50", "?"),
        "p90": latency.get("90", "?"),
        "p99": latency.get("99", "?"),
        "errors": errors.group(1) if errors else "0",
    }


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """The load and the server: seconds per scenario, wrk connections, server processes and
    threads (unset: those of `annuaire serve`)."""
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server", choices=SERVERS, help="production server (default: granian)")
    parser.add_argument("--workers", type=int, help="server processes (default: the server's)")
    parser.add_argument(
        "--threads", type=int, help=f"request threads per process (default: {DEFAULT_THREADS})"
    )


def _server_flags(server: argparse.Namespace | None) -> list[str]:
    return [
        flag
        for name in ("server", "workers", "threads")
        if server is not None and getattr(server, name) is not None
        for flag in (f"--{name}", str(getattr(server, name)))
    ]


def describe_server(server: argparse.Namespace) -> str:
    name = server.server or "granian"
    workers = server.workers or default_workers(name)
    return f"{name} {workers} workers x {server.threads or DEFAULT_THREADS} thread(s)"


def wait_until_up(process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"the server exited at start (code {process.returncode}): is port {PORT} "
                "still held by a previous run's server?"
            )
        try:
            urllib.request.urlopen(f"{BASE}/health", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


@contextmanager
def serving(database_url: str, server: argparse.Namespace | None = None) -> Iterator[None]:
    """`annuaire serve` on PORT for the duration of the block, with the `--server`,
    `--workers` and `--threads` of `server` (`add_server_options`), else its defaults."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    env = {**os.environ, "ANNUAIRE_DATABASE_URL": database_url}
    annuaire = Path(sys.executable).with_name("annuaire")
    process = subprocess.Popen(
        [str(annuaire), "serve", "--port", str(PORT), "--no-schedule", *_server_flags(server)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(process)
        yield
    finally:
        process.terminate()
        process.wait(20)


def prewarm(database_url: str, tables: tuple[str, ...]) -> None:
    """Read `tables` into PostgreSQL's page cache, their indexes first, as a server up for
    a while would have them (as much as the cache holds): the figures are then those of
    the steady state, not of the first minutes after a restart."""
    if not tables:
        return
    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        pages = conn.execute(
            """SELECT sum(pg_prewarm(r.oid)) FROM unnest(%s::text[]) WITH ORDINALITY t(name, n)
               CROSS JOIN LATERAL (
                   SELECT indexrelid AS oid, 0 AS heap FROM pg_index
                   WHERE indrelid = t.name::regclass
                   UNION ALL SELECT t.name::regclass, 1) r""",
            (list(tables),),
        ).fetchone()[0]
        cache = conn.execute("SHOW shared_buffers").fetchone()[0]
    print(
        f"prewarmed {', '.join(tables)}: {pages * 8 / 1024:,.0f} MB in "
        f"{time.monotonic() - started:.0f} s (shared_buffers {cache})"
    )


def benchmark(
    description: str,
    sample_paths: Callable[[str, random.Random], dict[str, list[str]]],
    tables: tuple[str, ...] = (),
) -> None:
    """The command line of an HTTP benchmark: sample request paths from the benchmark
    database, prewarm the `tables` it reads, serve it, and report every scenario."""
    parser = argparse.ArgumentParser(description=description)
    add_server_options(parser)
    args = parser.parse_args()
    url = database_url()
    paths = sample_paths(url, random.Random(1))
    prewarm(url, tables)
    with serving(url, args):
        report(paths, args)


def report(scenarios: dict[str, list[str]], args: argparse.Namespace) -> None:
    """Run each scenario (after a 3 s warm-up) and print a Markdown table row per scenario."""
    print(
        f"machine: {machine()}; {describe_server(args)}; wrk 2 threads, "
        f"{args.connections} connections, {args.seconds} s per scenario"
    )
    print("| scenario | req/s | p50 | p90 | p99 | non-2xx |\n|---|---|---|---|---|---|")
    for name, paths in scenarios.items():
        run_wrk(paths, 3, args.connections)
        r = run_wrk(paths, args.seconds, args.connections)
        print(
            f"| {name} | {r['rps']} | {r['p50']} | {r['p90']} | {r['p99']} | {r['errors']} |",
            flush=True,
        )
