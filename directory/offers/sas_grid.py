"""The frame of the SAS projection (sas_offer, migration 0007): points as Earth-centred x, y, z
in metres, distances as chords, and the grid cells that stand in for a circle in the index."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6378168.0  # earthdistance's earth(), as the migration computes x, y, z
# Grid cells of sas_offer.cells, in hundredths of a degree (migration 0007 writes the same).
CELL_SIZES = (5, 10, 25, 100)
# A search reads the finest grid that covers its circle in at most this many cells. Each cell is
# one more GIN entry to merge; a coarser grid only adds candidates that the distance check then
# drops, which costs less (30 km around Paris on 500 k synthetic offers: 15 cells of 0.25° scan
# in half the time of 63 cells of 0.1°, for 2 % more candidates).
MAX_CELLS = 40


def xyz(latitude: float, longitude: float) -> tuple[float, float, float]:
    lat, lon = math.radians(latitude), math.radians(longitude)
    return (
        EARTH_RADIUS_M * math.cos(lat) * math.cos(lon),
        EARTH_RADIUS_M * math.cos(lat) * math.sin(lon),
        EARTH_RADIUS_M * math.sin(lat),
    )


def chord_m(km: float) -> float:
    """The straight-line length through the Earth of a great-circle distance."""
    angle = min(km * 1000 / EARTH_RADIUS_M, math.pi)
    return 2 * EARTH_RADIUS_M * math.sin(angle / 2)


def km_of_chord(chord: float) -> float:
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, chord / (2 * EARTH_RADIUS_M))) / 1000


def _longitude_spans(west: float, east: float) -> list[tuple[float, float]]:
    """[west, east] within [-180, 180], split where it crosses the antimeridian."""
    if east - west >= 360:
        return [(-180.0, 180.0)]
    if west < -180:
        return [(-180.0, east), (west + 360, 180.0)]
    if east > 180:
        return [(west, 180.0), (-180.0, east - 360)]
    return [(west, east)]


def cells(latitude: float, longitude: float, km: float) -> list[str]:
    """The grid cells (as sas_offer.cells names them) covering every point within `km`."""
    angle = km * 1000 / EARTH_RADIUS_M
    d_lat = math.degrees(angle) + 1e-9
    south, north = max(latitude - d_lat, -90.0), min(latitude + d_lat, 90.0)
    widest = math.cos(math.radians(max(abs(south), abs(north))))
    ratio = math.sin(min(angle, math.pi / 2)) / widest if widest > 1e-12 else 2.0
    d_lon = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio)) + 1e-9
    spans = _longitude_spans(longitude - d_lon, longitude + d_lon)
    for size in CELL_SIZES:
        step = size / 100
        rows = range(math.floor(south / step), math.floor(north / step) + 1)
        columns = dict.fromkeys(
            j
            for west, east in spans
            for j in range(math.floor(west / step), math.floor(east / step) + 1)
        )
        if len(rows) * len(columns) <= MAX_CELLS or size == CELL_SIZES[-1]:
            return [f"{size}|{i}|{j}" for i in rows for j in columns]
    raise AssertionError("unreachable: the coarsest grid always answers")
