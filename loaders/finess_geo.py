"""FINESS coordinates: the CRS a row names, projected ↔ WGS84, and picking the right pair.

FINESS publishes projected coordinates in the CRS of each territory (Lambert-93, several
UTM zones), named only inside free text. FINESS+ adds WGS84 values, but the two pairs are
sometimes swapped or inverted (ansforge/finess#24): the pair to trust is the one that
lands in the structure's territory.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from typing import NamedTuple

from pyproj import Transformer
from pyproj.exceptions import ProjError

from directory.organizations.territories import is_plausible, territory

WGS84 = 4326
# Lambert-93 named without its EPSG code: LAMBERT_93 (2016-2021), L93_METROPOLE.
LAMBERT_LABELS = ("LAMBERT", "L93")
EPSG_LABEL = re.compile(r"EPSG:(\d{4,5})")
# "UTM zone 21N", "UTM Zone 20N", "UTM zone 1S"; legacy "UTM_N20", "UTM_S38".
UTM_LABEL = re.compile(r"UTM[ _]?ZONE[ _]?(\d{1,2}) ?([NS])\b|UTM_([NS])(\d{1,2})\b")
# The French CRS of each UTM zone FINESS uses, when the label names no WGS84 datum
# (all GRS80-based; the older RRAF91/RGSPM06 codes differ by metres only).
FRENCH_UTM = {"20N": 5490, "21N": 32621, "22N": 2972, "38S": 4471, "40S": 2975, "1S": 32701}
# Beyond this gap, a published projected pair does not describe the published lon/lat.
PROJECTION_TOLERANCE_M = 1000.0
_THREAD = threading.local()


class GeoPick(NamedTuple):
    """WGS84 position of a structure, with the projected pair it was published with."""

    latitude: float
    longitude: float
    projected_x: float | None  # easting
    projected_y: float | None  # northing
    epsg: int | None


def crs_from_source(sourcecoordet: str | None) -> int | None:
    """EPSG code of the CRS named in an etalab `sourcecoordet`, or None when it names none.

    2016-2021: `1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,LAMBERT_93` (7th token);
    2024-2026: `1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)` (5th token),
    sometimes without the `EPSG:` prefix (`WGS84/UTM zone 21N …`, `L93_METROPOLE`).
    """
    if not sourcecoordet:
        return None
    tokens = sourcecoordet.split(",")
    position = 6 if len(tokens) >= 7 else 4
    label = tokens[position] if len(tokens) > position else tokens[-1]
    return _epsg_of_label(label.strip().upper())


@functools.lru_cache(maxsize=256)
def _epsg_of_label(label: str) -> int | None:
    if match := EPSG_LABEL.search(label):
        return int(match.group(1))
    if any(word in label for word in LAMBERT_LABELS):
        return 2154
    match = UTM_LABEL.search(label)
    if match is None:
        return None
    zone = match.group(1) or match.group(4)
    hemisphere = match.group(2) or match.group(3)
    if "WGS" in label:
        return (32600 if hemisphere == "N" else 32700) + int(zone)
    return FRENCH_UTM.get(f"{int(zone)}{hemisphere}")


def _transformer(source: int, target: int) -> Transformer:
    # Cached per thread: creating a Transformer costs milliseconds, and pyproj objects
    # must not be shared between threads.
    cache = _THREAD.__dict__.setdefault("transformers", {})
    if (source, target) not in cache:
        cache[source, target] = Transformer.from_crs(source, target, always_xy=True)
    return cache[source, target]


def to_wgs84(x: float, y: float, epsg: int) -> tuple[float, float]:
    """(latitude, longitude) of the projected point (x easting, y northing) in `epsg`.

    Points outside the projection's domain come back as infinities.
    """
    lon, lat = _transformer(epsg, WGS84).transform(x, y)
    return lat, lon


def from_wgs84(lat: float, lon: float, epsg: int) -> tuple[float, float]:
    """(x easting, y northing) of a WGS84 point in `epsg`."""
    return _transformer(WGS84, epsg).transform(lon, lat)


def coordinate_value(value: str | float | None) -> float | None:
    """A published coordinate as a finite float (decimal point or comma); None otherwise."""
    if value is None:
        return None
    try:
        number = float(value.strip().replace(",", ".") if isinstance(value, str) else value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def locate_projected(
    x: float, y: float, epsg: int | None, department: str | None
) -> GeoPick | None:
    """The WGS84 position of a published projected pair, or None when it fits no CRS.

    `epsg` is the CRS the row names (None: unknown); the territory's CRS is tried next,
    since a wrong label would otherwise move the point thousands of kilometres.
    """
    if x == 0 and y == 0:
        return None
    place = territory(department)
    for candidate in dict.fromkeys(c for c in (epsg, place and place.epsg) if c):
        try:
            lat, lon = to_wgs84(x, y, candidate)
        except ProjError:  # an EPSG code pyproj does not know
            continue
        if is_plausible(lat, lon, department):
            return GeoPick(lat, lon, x, y, candidate)
    return None


def pick_wgs84(
    coordinate_x: str | float | None,
    coordinate_y: str | float | None,
    latitude: str | float | None,
    longitude: str | float | None,
    department: str | None,
) -> GeoPick | None:
    """The WGS84 position of a FINESS+ address, whichever way its values were published.

    Either pair may hold the degrees, in either order (the March 2026 ANS sample has the
    Lambert-93 northing in `coordonneeX`; later files had degrees there). The first
    orientation that is a plausible lon/lat for the département wins; failing that, the
    non-degree pair is converted with the territory's CRS, both ways round. (0, 0),
    unparsable and implausible values give None.
    """
    projected = _pair(coordinate_x, coordinate_y)
    geographic = _pair(latitude, longitude)
    for degrees, other in ((geographic, projected), (projected, geographic)):
        if degrees is None:
            continue
        for lat, lon in (degrees, degrees[::-1]):
            if is_plausible(lat, lon, department):
                return _with_projection(lat, lon, other, department)
    for pair in (projected, geographic):
        if pair is None or _looks_like_degrees(pair):
            continue
        for x, y in (pair, pair[::-1]):
            if found := locate_projected(x, y, None, department):
                return found
    return None


def _with_projection(
    lat: float, lon: float, pair: tuple[float, float] | None, department: str | None
) -> GeoPick:
    """The position with the projected pair oriented as easting/northing, when it matches."""
    place = territory(department)
    if pair is None or place is None or _looks_like_degrees(pair):
        return GeoPick(lat, lon, None, None, None)
    expected_x, expected_y = from_wgs84(lat, lon, place.epsg)
    gap, x, y = min(
        (math.hypot(x - expected_x, y - expected_y), x, y) for x, y in (pair, pair[::-1])
    )
    if gap > PROJECTION_TOLERANCE_M:
        return GeoPick(lat, lon, None, None, None)
    return GeoPick(lat, lon, x, y, place.epsg)


def _pair(first: str | float | None, second: str | float | None) -> tuple[float, float] | None:
    a, b = coordinate_value(first), coordinate_value(second)
    if a is None or b is None or (a == 0 and b == 0):
        return None
    return a, b


def _looks_like_degrees(pair: tuple[float, float]) -> bool:
    return abs(pair[0]) <= 180 and abs(pair[1]) <= 180
