"""Load benchmark: the synthetic whole-NOS ZIP and the 40 k-concept code system, first load
and unchanged reload, through `annuaire load terminology` (the shared pipeline).

Generates the files into benchmarks/data/terminology on first use.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from benchmarks.common import DATA, database_url, machine  # noqa: E402

FILES = (
    "nos-synthetique.zip",
    "cim-synthetique-codesystem.json",
    "cim-synthetique-valueset-2000.json",
)


def annuaire(*args: str, url: str) -> str:
    command = [str(Path(sys.executable).with_name("annuaire")), *args]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ANNUAIRE_DATABASE_URL": url},
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    folder = DATA / "terminology"
    url = database_url()
    if not all((folder / name).exists() for name in FILES):
        annuaire("generate", "terminology", str(folder), url=url)
    annuaire("db", "upgrade", url=url)
    with psycopg.connect(url) as conn:  # a first load means an empty terminology
        conn.execute("TRUNCATE terminology_resource, terminology_concept")
    print(f"machine: {machine()}")
    print("| file | size | first load | unchanged reload |\n|---|---|---|---|")
    for name in FILES:
        path = folder / name
        timings = []
        for _ in range(2):
            started = time.monotonic()
            summary = annuaire("load", "terminology", str(path), "--force", url=url)
            timings.append(f"{time.monotonic() - started:.1f} s ({summary.split(': ', 2)[-1]})")
        print(f"| {name} | {path.stat().st_size / 1e6:.1f} MB | {timings[0]} | {timings[1]} |")


if __name__ == "__main__":
    main()
