"""French territories as FINESS codes them: département codes, INSEE prefixes, CRS, extents."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Territory:
    name: str
    epsg: int  # CRS of the projected coordinates FINESS publishes for it
    # WGS84 extent (min_lon, min_lat, max_lon, max_lat) used to tell plausible coordinates.
    extent: tuple[float, float, float, float]


METROPOLE = Territory("France métropolitaine", 2154, (-5.6, 41.2, 10.0, 51.3))
OVERSEAS: dict[str, Territory] = {
    # Guadeloupe extent includes Saint-Barthélemy and Saint-Martin, coded 9A by FINESS.
    "9A": Territory("Guadeloupe", 5490, (-63.2, 15.8, -60.9, 18.2)),
    "9B": Territory("Martinique", 5490, (-61.3, 14.3, -60.7, 14.95)),
    "9C": Territory("Guyane", 2972, (-54.7, 2.0, -51.5, 5.9)),
    "9D": Territory("La Réunion", 2975, (55.1, -21.45, 55.9, -20.8)),
    "9E": Territory("Saint-Pierre-et-Miquelon", 32621, (-56.5, 46.7, -56.0, 47.2)),
    "9F": Territory("Mayotte", 4471, (44.9, -13.1, 45.4, -12.5)),
    "9J": Territory("Wallis-et-Futuna", 32701, (-178.3, -14.5, -176.0, -13.1)),
}

# FINESS overseas département code → INSEE département code (commune codes start with it).
INSEE_DEPARTMENT = {
    "9A": "971",
    "9B": "972",
    "9C": "973",
    "9D": "974",
    "9E": "975",
    "9F": "976",
    "9J": "986",
}
FINESS_DEPARTMENT = {insee: finess for finess, insee in INSEE_DEPARTMENT.items()}
# Prefix of the FINESS numbers a département assigns (9A → 9701…, Mayotte 9F → 9805…).
NUMBER_PREFIX = {
    "9A": "9701",
    "9B": "9702",
    "9C": "9703",
    "9D": "9704",
    "9E": "9705",
    "9F": "9805",
    "9J": "9806",
}


def territory(department: str | None) -> Territory | None:
    """The territory of a FINESS département code; None when unknown."""
    if department is None:
        return None
    if department in OVERSEAS:
        return OVERSEAS[department]
    if department in ("2A", "2B") or (department.isdigit() and 1 <= int(department) <= 95):
        return METROPOLE
    return None


def insee_commune(department: str, commune: str) -> str:
    """INSEE commune code from FINESS département + 3-digit commune (9J + 613 → 98613)."""
    prefix = INSEE_DEPARTMENT.get(department)
    if prefix:
        return prefix + commune[-2:]
    return department + commune


def department_of_commune(insee: str) -> str | None:
    """FINESS département code of an INSEE commune code (97411 → 9D, 2A004 → 2A)."""
    if insee[:3] in FINESS_DEPARTMENT:
        return FINESS_DEPARTMENT[insee[:3]]
    return insee[:2] if len(insee) == 5 else None


def is_plausible(lat: float, lon: float, department: str | None) -> bool:
    """Whether (lat, lon) lies in the département's territory (any territory if unknown)."""
    places = [territory(department)] if territory(department) else [METROPOLE, *OVERSEAS.values()]
    return any(
        p.extent[0] <= lon <= p.extent[2] and p.extent[1] <= lat <= p.extent[3] for p in places
    )
