"""Legacy etalab FINESS extracts: cs1100501 (legal entities), cs1100502/cs1100507 (establishments).

Not quite CSV: line 1 is a manifest `finess;etalab;<n>;<YYYY-MM-DD>`, there is no header,
each line starts with its section tag and columns are positional (`;`, RFC 4180 quotes).
Encoding moved from Windows-1252 to UTF-8 over the years, so each line is decoded on its
own. In cs1100507 the `geolocalisation` lines follow all `structureet` lines: a first pass
keeps only the coordinates (a small dict), the second yields the establishments.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, NamedTuple

from directory.organizations.records import OrganizationRecord
from directory.organizations.territories import insee_commune, territory
from loaders.base import BadFile, Rejected, Row
from loaders.finess_geo import coordinate_value, crs_from_source, locate_projected
from loaders.finess_values import finess_number, iso_date, phone_number, routing_line, text
from loaders.sources import decode_line, open_binary, open_text_lines

MANIFEST = re.compile(r"finess;etalab;\d+;\d{4}-\d{2}-\d{2};?")
# Column names as in the official notices (etalab_cs1100501/502/507.pdf), section tag first.
ESTABLISHMENT_COLUMNS = (
    "section", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib",
    "numvoie", "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement",
    "libdepartement", "ligneacheminement", "telephone", "telecopie", "categetab",
    "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft", "libmft",
    "codesph", "libsph", "dateouv", "dateautor", "datemaj", "numuai",
)  # fmt: skip
# Same data as above in another order: compldistrib after compvoie, routing line before
# the département.
LEGAL_ENTITY_COLUMNS = (
    "section", "nofiness", "rs", "rslongue", "complrs", "numvoie", "typvoie", "voie", "compvoie",
    "compldistrib", "lieuditbp", "commune", "ligneacheminement", "departement",
    "libdepartement", "telephone", "statutjuridique", "libstatutjuridique", "categetab",
    "libcategetab", "siren", "codeape", "datecrea",
)  # fmt: skip
GEOLOCATION_COLUMNS = ("section", "nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj")
COLUMNS = {
    "structureet": ESTABLISHMENT_COLUMNS,
    "structureej": LEGAL_ENTITY_COLUMNS,
    "geolocalisation": GEOLOCATION_COLUMNS,
}
SECTION_KINDS = {"structureej": "EJ", "structureet": "EG"}
GEOLOCATION_PREFIX = b"geolocalisation;"
# The équipements, EML and activities extracts open with `structureet;nofinesset;nofinessej`.
LINK_SECTION_WIDTH = 3


class Geocode(NamedTuple):
    """A `geolocalisation` line, as kept between the two passes."""

    x: float | None
    y: float | None
    source: str | None  # sourcecoordet, naming the geocoder and the CRS
    updated: str | None


def etalab_kinds(path: Path) -> set[str]:
    """The kinds the extract holds: {"EJ"} (cs1100501) or {"EG"} (cs1100502, cs1100507).

    Told by the section of the first data line. BadFile when the manifest line is missing,
    there is no data line, or the extract is of another kind.
    """
    with closing(open_text_lines(path)) as lines:
        manifest = next(lines, "").lstrip("\ufeff")
        if not MANIFEST.fullmatch(manifest):
            raise BadFile(
                f"{path.name}: not a FINESS etalab extract: first line {manifest[:60]!r} "
                "is not 'finess;etalab;<n>;<YYYY-MM-DD>'"
            )
        first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise BadFile(f"{path.name}: the etalab extract has no data line")
    fields = first.split(";")
    kind = SECTION_KINDS.get(fields[0])
    if kind is None or len(fields) <= LINK_SECTION_WIDTH:
        raise BadFile(
            f"{path.name}: unsupported etalab extract: first data line starts "
            f"{first[:40]!r}; only cs1100501, cs1100502 and cs1100507 are read"
        )
    return {kind}


def parse_etalab(path: Path) -> Iterator[Row | Rejected]:
    """Structures of an etalab extract (OrganizationRecord, source "etalab", status "A").

    `line` is the physical line number (the manifest is line 1). A malformed line becomes
    Rejected and parsing goes on.
    """
    kinds = etalab_kinds(path)
    geocodes = _read_geocodes(path) if "EG" in kinds else {}
    with closing(open_text_lines(path)) as lines:
        next(lines)  # the manifest
        for number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                record = _record(line, kinds, geocodes)
            except ValueError as exc:
                yield Rejected(number, str(exc), line)
                continue
            if record is not None:
                yield Row(number, record)


def _read_geocodes(path: Path) -> dict[str, Geocode]:
    """First pass: the coordinates of every `geolocalisation` line, by FINESS number.

    Malformed lines are skipped here and rejected by the second pass.
    """
    geocodes = {}
    with open_binary(path) as stream:
        for raw in stream:
            if not raw.startswith(GEOLOCATION_PREFIX):
                continue
            try:
                row = _columns(decode_line(raw.rstrip(b"\r\n")))
            except ValueError:
                continue
            # Interned: a few hundred distinct texts repeat over ~100,000 lines.
            source, updated = row["sourcecoordet"], row["datemaj"]
            geocodes[row["nofinesset"] or ""] = Geocode(
                coordinate_value(row["coordxet"]),
                coordinate_value(row["coordyet"]),
                sys.intern(source) if source else None,
                sys.intern(updated) if updated else None,
            )
    return geocodes


def _record(line: str, kinds: set[str], geocodes: dict[str, Geocode]) -> OrganizationRecord | None:
    row = _columns(line)
    section = row["section"]
    if section == "geolocalisation":
        return None  # read by the first pass
    if SECTION_KINDS[section] not in kinds:
        raise ValueError(f"a {section} line in an extract of {'/'.join(sorted(kinds))}")
    if section == "structureej":
        return _legal_entity(row)
    return _establishment(row, geocodes.get(row["nofinesset"] or ""))


def _columns(line: str) -> dict[str, str | None]:
    """The named, trimmed fields of a line; ValueError when its shape is wrong."""
    try:
        fields = next(csv.reader((line,), delimiter=";", strict=True))
    except csv.Error as exc:
        raise ValueError(f"malformed quoting: {exc}") from None
    columns = COLUMNS.get(fields[0])
    if columns is None:
        raise ValueError(f"unknown section {fields[0][:30]!r}")
    # Some extracts end every line of a section with a parasite `;`.
    if len(fields) == len(columns) + 1 and not fields[-1]:
        fields.pop()
    if len(fields) != len(columns):
        raise ValueError(f"{fields[0]} line has {len(fields)} fields, expected {len(columns)}")
    return {name: text(value) for name, value in zip(columns, fields, strict=True)}


def _common(row: dict[str, str | None], number_column: str) -> dict[str, Any]:
    """Identity and address fields, named alike in both sections."""
    finess = finess_number(row[number_column], number_column)
    if row["rs"] is None:
        raise ValueError(f"structure {finess} has no name (rs)")
    department, commune = row["departement"], row["commune"]
    postal_code, city = routing_line(row["ligneacheminement"])
    return {
        "finess": finess,
        "name": row["rs"],
        "source": "etalab",
        "name_long": row["rslongue"],
        "alias": row["complrs"],
        "street_number": row["numvoie"],
        "street_repeat": row["compvoie"],
        "street_type": row["typvoie"],
        "street_name": row["voie"],
        "address_complement": row["compldistrib"],
        "locality": row["lieuditbp"],
        "postal_code": postal_code,
        "city": city,
        "commune_insee": insee_commune(department, commune) if department and commune else None,
        "department": department,
        "department_label": row["libdepartement"],
        "phone": phone_number(row["telephone"]),
    }


def _legal_entity(row: dict[str, str | None]) -> OrganizationRecord:
    return OrganizationRecord(
        kind="EJ",
        **_common(row, "nofiness"),
        siren=row["siren"],
        category_code=row["categetab"],
        category_label=row["libcategetab"],
        legal_status_code=row["statutjuridique"],
        legal_status_label=row["libstatutjuridique"],
        ape_code=row["codeape"],
        opened=iso_date(row["datecrea"], "datecrea"),
    )


def _establishment(row: dict[str, str | None], geocode: Geocode | None) -> OrganizationRecord:
    common = _common(row, "nofinesset")
    return OrganizationRecord(
        kind="EG",
        **common,
        parent_finess=finess_number(row["nofinessej"], "nofinessej"),
        siret=row["siret"],
        category_code=row["categetab"],
        category_label=row["libcategetab"],
        category_aggregate_code=row["categagretab"],
        category_aggregate_label=row["libcategagretab"],
        ape_code=row["codeape"],
        mft_code=row["codemft"],
        mft_label=row["libmft"],
        sph_code=row["codesph"],
        sph_label=row["libsph"],
        fax=phone_number(row["telecopie"]),
        opened=iso_date(row["dateouv"], "dateouv"),
        authorized=iso_date(row["dateautor"], "dateautor"),
        authority_updated=iso_date(row["datemaj"], "datemaj"),
        education_number=row["numuai"],
        **(_coordinates(geocode, common["department"]) if geocode else {}),
    )


def _coordinates(geocode: Geocode, department: str | None) -> dict[str, Any]:
    """Record fields of a `geolocalisation` line: projected as published, WGS84 converted.

    The CRS is the one `sourcecoordet` names, else the territory's; a pair that converts
    to no plausible place keeps its projected values and gets no latitude/longitude.
    """
    x, y = geocode.x, geocode.y
    if x is None or y is None or (x == 0 and y == 0):
        return {"geocode_source": geocode.source}
    named = crs_from_source(geocode.source)
    found = locate_projected(x, y, named, department)
    place = territory(department)
    return {
        "latitude": found.latitude if found else None,
        "longitude": found.longitude if found else None,
        "projected_x": x,
        "projected_y": y,
        "crs": found.epsg if found else named or (place.epsg if place else None),
        "geocode_source": geocode.source,
        "extra": {"geocoded": geocode.updated} if geocode.updated else {},
    }
