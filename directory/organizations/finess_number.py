"""FINESS numbers: 9 characters, département prefix, Luhn check digit."""

from __future__ import annotations

import re

FINESS_PATTERN = re.compile(r"^[0-9][0-9AB][0-9]{7}$")


def luhn_check_digit(payload: str) -> str:
    """The Luhn digit that completes the 8-digit `payload` into a valid number."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the check digit will sit to the right
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def finess_problem(number: str) -> str | None:
    """Why `number` is not a valid FINESS number, or None when it is.

    Corsican numbers (2A…, 2B…) are checked by pattern only: the digit substitution the
    national register uses for their Luhn key is not published.
    """
    if not FINESS_PATTERN.match(number):
        return f"FINESS number {number!r} is not 9 characters of the form [0-9][0-9AB][0-9]{{7}}"
    if not number.isdigit():
        return None
    if luhn_check_digit(number[:8]) != number[8]:
        return f"FINESS number {number!r} has a wrong check digit"
    return None


def make_finess(prefix: str, sequence: int) -> str:
    """A valid FINESS number from a number prefix and a sequence (synthetic data).

    Prefixes as the register uses them: `010` (Ain), `2A0` (Corse-du-Sud), `9701`
    (Guadeloupe, FINESS département 9A), `9704` (La Réunion, 9D), `9805` (Mayotte, 9F)…
    """
    payload = prefix + str(sequence).zfill(8 - len(prefix))
    if len(payload) != 8:
        raise ValueError(f"sequence {sequence} does not fit after prefix {prefix!r}")
    if not payload.isdigit():
        return payload + str(sequence % 10)
    return payload + luhn_check_digit(payload)
