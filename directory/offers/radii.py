"""Default SAS search radius per département, from the operator's CSV (ANNUAIRE_SAS_RADII).

The file has the columns of the SAS table `SAS_Rayons_zones_de_recherche` (ansforge/
SAS-moteur-recherche, doc/data): `code` (INSEE département: 1, 01, 2A, 20A, 971…),
`cityDefaultRadius` and `enlargementValue` in km; other columns are ignored. Comma or
semicolon separated, UTF-8. A département whose radius is 0 (Mayotte and Guyane in the 2025
table: no SAS radius) has no default of its own and falls back to the built-in one, as do
départements the file does not list and every search when no file is configured.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("code", "cityDefaultRadius", "enlargementValue")
# Département codes as INSEE writes them, and as the SAS table does (1 for 01, 20A for 2A).
DEPARTMENT = re.compile(r"(\d{1,3}|2[AB]|20[AB])", re.IGNORECASE)


@dataclass(frozen=True)
class Radius:
    """A search radius and the step it grows by when a search finds too little (km)."""

    km: float
    enlargement_km: float


# Without a file: the median of the 2025 SAS table (24 of 101 départements, between the
# urban 5–10 km and the rural 30–50 km).
BUILT_IN = Radius(20.0, 10.0)


class RadiiError(ValueError):
    """The radii file cannot be used; the message names the file, the line and the fault."""


def department_code(code: str) -> str | None:
    """The INSEE département code of a code as the SAS table or INSEE write it (1 → 01,
    20A → 2A, 974 → 974); None when it is not one."""
    text = code.strip().upper()
    if not DEPARTMENT.fullmatch(text):
        return None
    if text in ("20A", "20B"):
        return text[0] + text[2]
    return text.zfill(2)


@dataclass(frozen=True)
class RadiusTable:
    by_department: dict[str, Radius]

    def radius(self, department: str | None) -> tuple[Radius, bool]:
        """The department's radius, and whether it came from the table (else built-in)."""
        found = self.by_department.get(department or "")
        return (found, True) if found else (BUILT_IN, False)


def _number(name: str, raw: str | None, where: str) -> float:
    try:
        value = float((raw or "").strip().replace(",", "."))
    except ValueError:
        raise RadiiError(f"{where}: {name} {raw!r} is not a number of km") from None
    if not math.isfinite(value) or value < 0:
        raise RadiiError(f"{where}: {name} {raw!r} must be a number of km, 0 or more")
    return value


def read_radii(path: Path) -> RadiusTable:
    """The table of `path`, checked whole: RadiiError on the first fault found."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RadiiError(f"{path}: cannot be read as a UTF-8 text file ({exc})") from None
    lines = text.splitlines()
    if not lines:
        raise RadiiError(f"{path}: the file is empty")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        raise RadiiError(f"{path}: line 1 lacks the column(s) {', '.join(missing)}")
    table: dict[str, Radius] = {}
    for row in reader:
        where = f"{path}: line {reader.line_num}"
        code = department_code(row["code"] or "")
        if code is None:
            raise RadiiError(f"{where}: code {row['code']!r} is not a département code")
        if code in table:
            raise RadiiError(f"{where}: département {code} is listed twice")
        km = _number("cityDefaultRadius", row["cityDefaultRadius"], where)
        enlargement = _number("enlargementValue", row["enlargementValue"], where)
        if km > 0:
            table[code] = Radius(km, enlargement)
    return RadiusTable(table)


@functools.lru_cache(maxsize=4)
def radius_table(path: str | None) -> RadiusTable:
    """The table of the configured file, read once per process; empty without a file."""
    return read_radii(Path(path).expanduser()) if path else RadiusTable({})
