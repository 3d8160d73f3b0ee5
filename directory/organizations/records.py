"""The normalised FINESS structure record every FINESS parser produces, whatever the file generation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Kind = Literal["EJ", "EG"]


@dataclass
class OrganizationRecord:
    """One FINESS structure: a legal entity (EJ) or a geographic establishment (EG).

    Strings are trimmed and empty strings become None. Codes are kept as published (strings).
    `department` is the FINESS département code (`01`…`95`, `2A`, `2B`, `9A`…`9J`).
    """

    finess: str
    kind: Kind
    name: str
    source: Literal["finess+", "etalab"]
    parent_finess: str | None = None  # EG: FINESS number of its legal entity
    name_long: str | None = None
    alias: str | None = None  # complément de raison sociale / complementDenominationEg
    siren: str | None = None
    siret: str | None = None
    category_code: str | None = None  # categetab / categorieentiteGeographiqueExercice
    category_label: str | None = None
    category_aggregate_code: str | None = None  # categagretab (legacy only)
    category_aggregate_label: str | None = None
    legal_status_code: str | None = None  # statutjuridique / statutJuridique (EJ)
    legal_status_label: str | None = None
    ape_code: str | None = None
    mft_code: str | None = None
    mft_label: str | None = None
    sph_code: str | None = None
    sph_label: str | None = None
    street_number: str | None = None
    street_repeat: str | None = None  # compvoie: B, T, Q, C
    street_type: str | None = None
    street_name: str | None = None
    address_complement: str | None = None  # compldistrib / complementVoie
    locality: str | None = None  # lieuditbp / lieuDit
    postal_code: str | None = None
    city: str | None = None
    commune_insee: str | None = None  # 5 characters: 01053, 2A004, 97411, 98613
    department: str | None = None
    department_label: str | None = None
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    opened: date | None = None
    authorized: date | None = None
    closed: date | None = None
    authority_updated: date | None = None  # datemaj / dateDerniereMaj
    source_status: Literal["A", "I"] = "A"  # etatObjet; legacy extracts only carry open ones
    latitude: float | None = None  # WGS84
    longitude: float | None = None
    projected_x: float | None = None  # as published, easting
    projected_y: float | None = None
    crs: int | None = None  # EPSG code of the projected pair
    geocode_source: str | None = None  # e.g. "BAN 96", sourcecoordet text
    education_number: str | None = None  # numuai / numeroEducationNationale
    technical_id: str | None = None  # FINESS+ pmSmsseId (EJ) or egeId (EG)
    parent_technical_id: str | None = None  # FINESS+ pmSmsseId of an EG's EJ
    extra: dict = field(default_factory=dict)  # roleEge, events, typeBudget… kept as published
