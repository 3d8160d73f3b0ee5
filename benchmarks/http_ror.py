"""HTTP benchmark of the ROR offers: the production server (granian) under 16 concurrent
connections from wrk, then bed updates from 8 concurrent writers: alone, while 16
connections search flat out, and while searches run at a steady 70 a second.

Read scenarios: Location and HealthcareService read by id, the SAS search (point + 30 km +
activity + beds available), HealthcareService search with chained capacity criteria, Location
near 10 km with a bed available. Writes: the ROR protocol's conditional PATCH of one indicator
(replace) by sync identifier, with an API key naming the 200 establishments written. No update may be
lost: every accepted write must have made exactly one new version of its location and one
history row. Needs the data of load_ror.py and `wrk` on the PATH (Debian package wrk).
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson  # noqa: E402
import psycopg  # noqa: E402

from annuaire.db import make_engine  # noqa: E402
from benchmarks.common import database_url, settings  # noqa: E402
from benchmarks.wrk import (  # noqa: E402
    add_server_options,
    lua_script,
    prewarm,
    report,
    run_wrk_script,
    serving,
)
from directory.access import keys  # noqa: E402
from directory.offers.systems import DIMENSIONS, SUPPORTED_CAPACITY  # noqa: E402

KEY_NAME = "benchmark-writer"
BY_COLUMN = {d.column: d for d in DIMENSIONS}


def _activity(tokens: list[str]) -> str:
    return next(t for t in tokens if "|" not in t)


def sample_paths(url: str, rng: random.Random) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        locations = conn.execute(
            "SELECT id, latitude, longitude FROM location TABLESAMPLE SYSTEM (10) "
            "WHERE latitude IS NOT NULL AND active LIMIT 3000"
        ).fetchall()
        services = conn.execute(
            "SELECT s.id, s.specialty_tokens, l.latitude, l.longitude "
            "FROM healthcare_service s TABLESAMPLE SYSTEM (2) "
            "JOIN location l ON l.id = s.location_ids[1] "
            "WHERE s.active AND l.latitude IS NOT NULL AND s.specialty_tokens <> '{}' LIMIT 3000"
        ).fetchall()
    rng.shuffle(locations)
    sas = [
        f"/api/v1/offers/search?lat={lat + rng.uniform(-0.1, 0.1):.5f}"
        f"&lon={lon + rng.uniform(-0.1, 0.1):.5f}&radius_km=30"
        f"&activity={quote(_activity(tokens))}&beds_available=true"
        for _, tokens, lat, lon in services
    ]
    chained = [
        f"/fhir/HealthcareService?specialty={quote(_activity(tokens))}"
        "&location.capacity-status=02&location.temporality-capacity=01"
        "&location.nb-capacity=gt0"
        for _, tokens, _, _ in services
    ]
    near = [
        f"/fhir/Location?near={lat:.5f}|{lon:.5f}|10|km&capacity-status=02"
        "&temporality-capacity=01&nb-capacity=gt0"
        for _, lat, lon in locations
    ]
    return {
        "Location read by id": [f"/fhir/Location/{id_}" for id_, _, _ in locations],
        "HealthcareService read by id": [f"/fhir/HealthcareService/{s[0]}" for s in services],
        "SAS search: point + 30 km + activity + beds available": sas,
        "HealthcareService search, chained capacity criteria": chained,
        "Location near 10 km with a bed available now": near,
    }


def _indicator(row: dict, nb: int) -> dict:
    parts: list[dict] = [
        {"url": "nbCapacity", "valueInteger": nb},
        {"url": "capacityUpdateDate", "valueDateTime": "2026-11-24T08:00:00Z"},
    ]
    for column, dimension in BY_COLUMN.items():
        if row[column]:
            coding = {"system": dimension.system, "code": row[column]}
            parts.append({"url": dimension.url, "valueCodeableConcept": {"coding": [coding]}})
    return {"url": SUPPORTED_CAPACITY, "extension": parts}


def _replace_body(row: dict, nb: int) -> bytes:
    """The vendor body of the ROR documentation: replace one indicator, selected by its coded
    dimensions, type as valueString, the indicator in an `extension` array."""
    criteria = " and ".join(
        f"extension.where(url = '{BY_COLUMN[c].url}' and valueCodeableConcept.coding.code = "
        f"'{row[c]}')"
        for c in BY_COLUMN
        if row[c]
    )
    path = f"Location.extension.where(url='{SUPPORTED_CAPACITY}').where({criteria})"
    operation = [
        {"name": "type", "valueString": "replace"},
        {"name": "path", "valueString": path},
        {"name": "value", "part": [{"extension": [_indicator(row, nb)]}]},
    ]
    return orjson.dumps(
        {"resourceType": "Parameters", "parameter": [{"name": "operation", "part": operation}]}
    )


def write_script(url: str, rng: random.Random) -> tuple[str, str]:
    """The Lua script of the writers (conditional PATCHes of existing indicators of 200
    establishments, a large bed-management vendor's) and a fresh key naming them."""
    columns = ", ".join(f"c.{column}" for column in BY_COLUMN)
    with psycopg.connect(url, autocommit=True) as conn:
        finess = [
            f
            for (f,) in conn.execute(
                "SELECT finess FROM (SELECT DISTINCT finess FROM location "
                "WHERE finess > '' AND sync_identifier IS NOT NULL) f ORDER BY md5(finess) LIMIT 200"
            )
        ]
        cursor = conn.execute(
            f"SELECT l.sync_identifier, {columns} FROM location_capacity c "
            "JOIN location l ON l.id = c.location_id "
            "WHERE c.active AND c.status = '02' AND l.finess = ANY(%s) "
            "AND l.sync_identifier IS NOT NULL",
            (finess,),
        )
        names = [d.name for d in cursor.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cursor]
        conn.execute("DELETE FROM api_key WHERE name = %s", (KEY_NAME,))
    with make_engine(settings(), url).begin() as conn:
        key = keys.create(conn, KEY_NAME, ["capacity:write"], finess)
    requests = ",\n".join(
        f'{{"/fhir/Location?identifier={quote(row["sync_identifier"], safe="")}", '
        f"[==[{_replace_body(row, rng.randint(0, 30)).decode()}]==]}}"
        for row in rows
    )
    lua = (
        f"requests = {{\n{requests}\n}}\n"
        'wrk.method = "PATCH"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        'wrk.headers["Content-Type"] = "application/fhir+json"\n'
        "request = function()\n"
        "  local r = requests[math.random(#requests)]\n"
        '  return wrk.format("PATCH", r[1], nil, r[2])\n'
        "end\n"
    )
    return lua, key


def _versions(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT (SELECT sum(version_id) FROM location), (SELECT count(*) FROM location_history)"
        ).fetchone()


@dataclass(frozen=True)
class SearchLoad:
    """Searches run while the writers write: `connections` wrk connections, each pausing
    `pause_ms` between two searches (0: as fast as the server answers)."""

    connections: int
    pause_ms: int = 0

    def __str__(self) -> str:
        if not self.pause_ms:
            return f"{self.connections} connections"
        return f"{self.connections} connections pausing {self.pause_ms} ms"


# The SAS search flat out on 16 connections (both cores busy), then at a steady pace: about
# 70 searches a second, some 20 times the national SAS peak (3,000 calls an hour, 4 searches
# a call: 3.3 a second, ror_sas.md §4.7).
SEARCH_LOADS = (SearchLoad(16), SearchLoad(4, 40))


def bed_updates(
    url: str, searches: list[str], load: SearchLoad | None, seconds: int, rng: random.Random
) -> None:
    """8 writers, alone (no load given) or while searches run; then the no-lost-update
    check."""
    lua, _ = write_script(url, rng)
    before = _versions(url)
    found: dict[str, dict[str, str]] = {}
    if load is not None:
        script = lua_script(searches, load.pause_ms)
        searching = threading.Thread(
            target=lambda: found.update(search=run_wrk_script(script, seconds, load.connections))
        )
        searching.start()
    writes = run_wrk_script(lua, seconds, 8)
    if load is not None:
        searching.join()
    after = _versions(url)
    accepted = int(writes["requests"]) - int(writes["errors"])
    context = f"while {load} run the SAS search" if load else "alone"
    print("\n| scenario | req/s | p50 | p90 | p99 | non-2xx |\n|---|---|---|---|---|---|")
    print(
        f"| bed updates, 8 writers (conditional PATCH replace), {context} | {writes['rps']} | "
        f"{writes['p50']} | {writes['p90']} | {writes['p99']} | {writes['errors']} |"
    )
    if load is not None:
        search = found["search"]
        print(
            f"| SAS search meanwhile, {load} | {search['rps']} | {search['p50']} | "
            f"{search['p90']} | {search['p99']} | {search['errors']} |"
        )
    versions, history = after[0] - before[0], after[1] - before[1]
    # wrk stops counting at the deadline: up to one write per writer is still in flight then.
    complete = versions == history and accepted <= versions <= accepted + 8
    verdict = "no update lost" if complete else "MISMATCH"
    print(
        f"\naccepted writes {accepted:,}; new location versions {versions:,}; "
        f"new history rows {history:,}: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_server_options(parser)
    args = parser.parse_args()
    url = database_url()
    rng = random.Random(1)
    paths = sample_paths(url, rng)
    prewarm(url, ("location", "location_capacity", "healthcare_service", "sas_offer"))
    with serving(url, args):
        report(paths, args)
        sas = paths["SAS search: point + 30 km + activity + beds available"]
        bed_updates(url, sas, None, args.seconds, rng)
        for load in SEARCH_LOADS:
            bed_updates(url, sas, load, args.seconds, rng)


if __name__ == "__main__":
    main()
