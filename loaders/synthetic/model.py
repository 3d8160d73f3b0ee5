"""The synthetic register's records, independent of the file formats they are written in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from loaders.synthetic.catalogue import ActivityType, Category, Kind
from loaders.synthetic.places import Commune

# Public legal statuses (TRE_R72): their SIREN starts with 2 (public-law bodies).
PUBLIC_STATUSES = frozenset({"03", "04", "13", "14", "17", "21"})
# Employers of the hospital civil service: FINESS+ gives them a `fonctionPublique`.
HOSPITAL_SERVICE_STATUSES = frozenset({"13", "14", "21"})


@dataclass(frozen=True)
class Geocode:
    lat: float
    lon: float
    x: float  # projected in `epsg`, the CRS of the territory
    y: float
    epsg: int
    geocoder: str  # BAN, BDADRESSE, ADMIN-EXPRESS-2023 (commune centroid), MAPS 06-11-2024
    level: str  # first token of the legacy `sourcecoordet`
    score: float | None  # 0–1; None for commune centroids and manual placements
    ban_key: str  # `cleInInteropBAN`: commune_street_number, or the commune alone
    swapped: bool  # FINESS+ publishes this pair the other way round (ansforge/finess#24)


@dataclass(frozen=True)
class Address:
    number: str
    street_type: str  # TRE-R35 code
    street: str
    repetition: str  # B, T, Q: bis, ter, quater
    complement: str  # building, floor: `compldistrib`
    locality: str  # lieu-dit or post box: `lieuditbp`
    commune: Commune
    postal_code: str
    cedex: bool
    geocode: Geocode | None


@dataclass(frozen=True)
class Contact:
    phone: str  # 10 digits, "" when none
    fax: str
    email: str
    published_phone: str  # the phone as FINESS+ publishes it: sometimes two numbers, or dotted


@dataclass(frozen=True)
class Activity:
    type: ActivityType
    start: date | None
    ended: date | None  # effective end, for stopped activities
    active: bool
    capacity: int | None
    arhgos: str | None  # authorisation number of the ARHGOS system, health activities only


@dataclass(frozen=True)
class Establishment:
    ege_id: int
    finess: str
    category: Category
    name: str
    long_name: str
    complement: str  # complément de raison sociale
    address: Address
    contact: Contact
    siret: str
    ape: str  # NAF without the dot, "" when unknown
    tariff: str  # TRE_R74
    sph: str  # TRE_R73, "" when not concerned
    uai: str  # Éducation nationale number
    opened: date
    authorised: date
    closed: date | None
    agreement: date | None  # date of a convention, the only engagement drawn
    updated: datetime
    padded: bool  # FINESS+ still publishes it with fixed-width padded strings
    activities: tuple[Activity, ...]


@dataclass(frozen=True)
class LegalEntity:
    pm_id: int
    finess: str
    kind: Kind
    status: str  # TRE_R72
    name: str
    long_name: str
    siren: str
    created: date
    closed: date | None
    updated: datetime
    address: Address
    contact: Contact
    padded: bool
    gco: str  # TRE-R372 type when the entity is a cooperation group, else ""
    establishments: tuple[Establishment, ...]

    @property
    def ape(self) -> str:
        """NAF code; health entities closed before NAF rev. 2 (2008) keep their rev. 1 code."""
        if self.closed and self.closed.year < 2008 and self.kind.sph:
            return "85.1A"
        return f"{self.kind.ape[:2]}.{self.kind.ape[2:]}"


@dataclass(frozen=True)
class Ght:
    """A groupement hospitalier de territoire, the FINESS+ `gcc` groups."""

    gcc_id: int
    name: str
    external_id: str
    members: tuple[tuple[int, str], ...]  # (pmSmsseId, role: S support, M member)


@dataclass(frozen=True)
class Cooperation:
    """A cooperation group (GCS…), the FINESS+ `gco` entries."""

    pm_id: int
    type: str  # TRE-R372
    pm_members: tuple[int, ...]
    ege_members: tuple[int, ...]
