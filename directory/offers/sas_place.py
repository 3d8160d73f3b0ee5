"""Where the patient is, for the SAS search: a point, an INSEE commune or a postal code, and the
département whose default radius applies."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection, text

from directory.errors import InvalidParameter


@dataclass(frozen=True)
class Origin:
    """The point a search measures from, and its département."""

    latitude: float
    longitude: float
    department: str | None  # INSEE code (01, 2A, 974)
    source: str  # point, commune or postcode


def department_of_commune(insee: str) -> str:
    """The INSEE département of an INSEE commune code (01053 → 01, 2A004 → 2A, 97411 → 974)."""
    return insee[:3] if insee[:2] in ("97", "98") else insee[:2]


# Known positions in a commune or postcode: the ROR locations and the FINESS (or ROR)
# structures there. There is no commune table; their centroid stands for the commune.
_KNOWN_POSITIONS = """
SELECT avg(latitude) AS latitude, avg(longitude) AS longitude,
       mode() WITHIN GROUP (ORDER BY commune_insee) AS commune
FROM (
    SELECT latitude, longitude, commune_insee FROM location
    WHERE {column} = :value AND active AND latitude IS NOT NULL AND longitude IS NOT NULL
    UNION ALL
    SELECT latitude, longitude, commune_insee FROM organization
    WHERE {column} = :value AND active AND latitude IS NOT NULL AND longitude IS NOT NULL
) known"""

# The nearest located structure or location that names its commune (one KNN probe of each
# table's GiST index).
_NEAREST_COMMUNE = """
SELECT commune_insee FROM (
    (SELECT commune_insee, ll_to_earth(latitude, longitude) <-> ll_to_earth(:lat, :lon) AS d
     FROM organization WHERE latitude IS NOT NULL AND commune_insee IS NOT NULL
     ORDER BY ll_to_earth(latitude, longitude) <-> ll_to_earth(:lat, :lon) LIMIT 1)
    UNION ALL
    (SELECT commune_insee, ll_to_earth(latitude, longitude) <-> ll_to_earth(:lat, :lon)
     FROM location WHERE latitude IS NOT NULL AND commune_insee IS NOT NULL
     ORDER BY ll_to_earth(latitude, longitude) <-> ll_to_earth(:lat, :lon) LIMIT 1)
) nearest
ORDER BY d LIMIT 1"""


def _centroid(conn: Connection, column: str, value: str, source: str) -> Origin | None:
    row = conn.execute(text(_KNOWN_POSITIONS.format(column=column)), {"value": value}).one()
    if row.latitude is None:
        return None
    department = department_of_commune(row.commune) if row.commune else None
    # Rounded (to 0.1 m): the next page's cursor must find the very same search.
    latitude, longitude = round(float(row.latitude), 6), round(float(row.longitude), 6)
    return Origin(latitude, longitude, department, source)


def locate_commune(conn: Connection, insee: str) -> Origin:
    """The centroid of the known locations and structures of an INSEE commune."""
    origin = _centroid(conn, "commune_insee", insee, "commune")
    if origin is None:
        raise InvalidParameter(
            f"commune {insee}: no location or structure of this INSEE commune has a known "
            "position; give lat and lon"
        )
    return replace(origin, department=department_of_commune(insee))


def locate_postcode(conn: Connection, postcode: str) -> Origin:
    """The centroid of the known locations and structures of a postal code, in the
    département of most of them."""
    origin = _centroid(conn, "postal_code", postcode, "postcode")
    if origin is None:
        raise InvalidParameter(
            f"postcode {postcode}: no location or structure with this postal code has a known "
            "position; give lat and lon"
        )
    return origin


def locate_point(conn: Connection, latitude: float, longitude: float) -> Origin:
    """The point, in the département of the nearest known structure or location."""
    nearest = conn.execute(text(_NEAREST_COMMUNE), {"lat": latitude, "lon": longitude}).scalar()
    department = department_of_commune(nearest) if nearest else None
    return Origin(latitude, longitude, department, "point")
