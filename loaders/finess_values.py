"""Published FINESS values read as Python values, for the FINESS+ and legacy etalab parsers.

FINESS pads values with spaces, fills unknown dates with 1900-01-01 and writes phone numbers
with separators: each helper takes a value as published and gives it clean, None when absent.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any, Literal

from directory.organizations.finess_number import finess_problem

PLACEHOLDER_DATE = "1900-01-01"  # the XSD default FINESS fills unknown dates with
PHONE_SEPARATORS = str.maketrans("", "", " .-")


def text(value: object) -> str | None:
    """A published value as trimmed text; None when absent or blank (FINESS pads with spaces)."""
    if isinstance(value, str):  # nearly always: the flux publishes every value as a string
        return value.strip() or None
    return None if value is None else str(value).strip() or None


def iso_date(value: object, name: str) -> date | None:
    """A `YYYY-MM-DD` date (a `YYYY-MM-DD HH:MM:SS` timestamp gives its day).

    None when blank or the 1900-01-01 placeholder; ValueError naming `name` when malformed.
    """
    day = text(value)
    if day is not None and len(day) > 10 and day[10] in " T":
        day = day[:10]
    if day is None or day == PLACEHOLDER_DATE:
        return None
    if len(day) == 10:  # fromisoformat alone would take 20200204 or 2020-W06
        with contextlib.suppress(ValueError):
            return date.fromisoformat(day)
    raise ValueError(f"{name} {value!r} is not a YYYY-MM-DD date")


def phone_number(value: object) -> str | None:
    """A 10-digit French number without separators; None for anything else (two numbers…)."""
    digits = (text(value) or "").translate(PHONE_SEPARATORS)
    return digits if len(digits) == 10 and digits.isdigit() else None


def routing_line(value: object) -> tuple[str | None, str | None]:
    """(postal code, city) of a La Poste routing line `01440 VIRIAT`; `CEDEX n` stays in the city."""
    line = text(value)
    if line is None:
        return None, None
    head, _, tail = line.partition(" ")
    if len(head) == 5 and head.isdigit():
        return head, text(tail)
    return None, line


def finess_number(value: object, name: str) -> str:
    """The FINESS number in `value`; ValueError naming `name` when missing or invalid."""
    number = text(value)
    if number is None:
        raise ValueError(f"{name} is missing")
    if problem := finess_problem(number):
        raise ValueError(f"{name}: {problem}")
    return number


def checked_finess(value: object, name: str) -> tuple[str | None, str | None]:
    """(number, None) when `value` is a valid FINESS number, else (None, why)."""
    try:
        return finess_number(value, name), None
    except ValueError as exc:
        return None, str(exc)


def object_status(value: object) -> Literal["A", "I"]:
    """A FINESS+ `etatObjet`: A (active, also when absent) or I (inactive); else ValueError."""
    status = text(value) or "A"
    if status not in ("A", "I"):
        raise ValueError(f"etatObjet {value!r} is neither A nor I")
    return status  # type: ignore[return-value]


def trimmed(value: Any) -> Any:
    """A published JSON value with strings trimmed and null, blank or empty members dropped."""
    # Hot path (every activity is trimmed whole): string members are stripped inline
    # rather than through a call each.
    kind = type(value)
    if kind is str:
        return value.strip()
    if kind is dict:
        kept = {}
        for name, member in value.items():
            member = member.strip() if type(member) is str else trimmed(member)
            if member or member == 0:
                kept[name] = member
        return kept
    if kind is list:
        items = []
        for member in value:
            member = member.strip() if type(member) is str else trimmed(member)
            if member or member == 0:
                items.append(member)
        return items
    return value
