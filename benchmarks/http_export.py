"""Bulk export ($export) of the whole directory on the production server (granian): the
kick-off that cuts every type into files, the manifest, and the download of one file of the
largest resources (locations, with their indicators) and of one file of organizations; then
the kick-off of a delta since a given instant; then a client's full sync of every professional
(Practitioner and PractitionerRole: kick-off, manifest, every file downloaded by `--clients`
parallel connections), the design's "full sync of all professionals ≤ 60 s"; then the ROR's
regional extract of offers with the records they reference, downloaded the same way.

Needs the data of load_finess.py, load_rpps.py and load_ror.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import database_url, machine  # noqa: E402
from benchmarks.wrk import PORT, serving  # noqa: E402

BASE = f"http://127.0.0.1:{PORT}/fhir"


def _timed(request: urllib.request.Request | str) -> tuple[float, bytes, Message]:
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        body = response.read()
        # the headers as a Message: names are case-insensitive (the server sends them lowercase)
        return time.perf_counter() - started, body, response.headers


def _kick_off(query: str = "") -> tuple[float, str]:
    request = urllib.request.Request(f"{BASE}/$export{query}", headers={"Prefer": "respond-async"})
    seconds, _, headers = _timed(request)
    return seconds, headers["Content-Location"]


def _download(url: str) -> tuple[int, int]:
    """One file read to its end as a client would save it: (bytes, resources)."""
    size = lines = 0
    with urllib.request.urlopen(url, timeout=300) as response:
        while chunk := response.read(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return size, lines


def sync(label: str, query: str, clients: int) -> None:
    """A client's whole extract: kick-off, manifest, every file by `clients` connections."""
    started = time.perf_counter()
    _, status = _kick_off(query)
    _, body, _ = _timed(status)
    urls = [output["url"] for output in json.loads(body)["output"]]
    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(_download, urls))
    seconds = time.perf_counter() - started
    size, lines = sum(d[0] for d in done), sum(d[1] for d in done)
    print(
        f"{label}, {clients} connections: {len(urls)} files, {lines:,} resources, "
        f"{size / 1e9:.2f} GB in {seconds:.1f} s ({size / 1e6 / seconds:.0f} MB/s)"
    )


# The ROR documentation's regional extract: a region's offers (TRE_R30 code 11, the largest
# region) with every record they reference.
REGION_FILTER = quote(
    "HealthcareService?_tag=https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/"
    "TRE-R30-RegionOM|11",
    safe="",
)
REGIONAL = (
    f"?_type=HealthcareService&_typeFilter={REGION_FILTER}&includeAssociatedData=_myCompleteExtract"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--since", default="2026-11-24T00:00:00Z", help="the delta's _since")
    parser.add_argument("--clients", type=int, default=2, help="parallel downloads of the sync")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with serving(database_url()):
        seconds, status = _kick_off()
        print(f"kick-off of every type: {seconds:.2f} s")
        seconds, body, _ = _timed(status)
        outputs = json.loads(body)["output"]
        totals: dict[str, int] = {}
        for output in outputs:
            totals[output["type"]] = totals.get(output["type"], 0) + output["count"]
        print(f"manifest: {seconds * 1000:.0f} ms, {len(outputs)} files, {totals}")
        for kind in ("Location", "Organization"):
            output = next(o for o in outputs if o["type"] == kind)
            seconds, body, _ = _timed(output["url"])
            lines = body.count(b"\n")
            print(
                f"one {kind} file: {lines:,} resources, {len(body) / 1e6:.0f} MB in {seconds:.1f} s"
            )
        seconds, _ = _kick_off(f"?_since={args.since}")
        print(f"kick-off of a delta since {args.since}: {seconds:.2f} s")
        sync(
            "full sync of every professional", "?_type=Practitioner,PractitionerRole", args.clients
        )
        sync("regional extract of offers, _myCompleteExtract", REGIONAL, args.clients)


if __name__ == "__main__":
    main()
