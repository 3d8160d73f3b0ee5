"""Identifiers of the synthetic RPPS extract: RPPS, ADELI, SIREN/SIRET, technical ids.

Numbers drawn by index go through a fixed permutation, so they are unique without a
registry of the numbers already given, and look unordered like the real ones.
"""

from __future__ import annotations

from collections import Counter

from directory.organizations.finess_number import luhn_check_digit
from directory.organizations.territories import INSEE_DEPARTMENT
from loaders.synthetic.places import DEPARTMENTS, Department

RPPS_SPACE = 20_000_000  # RPPS numbers are "10" + 8 digits + key: 100… and 101…
SIREN_SPACE = 10_000_000  # "9" + 7 digits + key: the FINESS register's start with 2 to 8
TECHNICAL_SPACE = 10**13  # "R1" + 13 digits


def permute(index: int, space: int) -> int:
    """A fixed bijection of [0, space): mix the bits, walk the cycle back into range."""
    bits = max(space - 1, 1).bit_length()
    mask = (1 << bits) - 1
    value = index
    while True:
        for _ in range(2):  # an odd multiplier and a xorshift: both bijections on `bits`
            value = (value * 0x5BD1E995 + 0x1B873593) & mask
            value ^= value >> (bits // 2 + 1)
        if value < space:
            return value


def rpps_number(index: int) -> str:
    """The 11-digit RPPS number of the index-th person: 10, 8 digits, a Luhn key."""
    payload = f"10{permute(index, RPPS_SPACE):08d}"
    return payload + luhn_check_digit(payload)


def siren(index: int) -> str:
    payload = f"9{permute(index, SIREN_SPACE):07d}"
    return payload + luhn_check_digit(payload)


def siret(siren_number: str, establishment: int) -> str:
    payload = f"{siren_number}{establishment:04d}"
    return payload + luhn_check_digit(payload)


def technical_id(index: int) -> str:
    """An opaque `Identifiant technique de la structure` of a structure with an RPPS rang."""
    return f"R1{permute(index, TECHNICAL_SPACE):013d}"


def _adeli_prefix(department: Department) -> str:
    """ADELI numbers start with the département: 20 for Corsica, 97 or 98 overseas."""
    if department.code in ("2A", "2B"):
        return "20"
    return INSEE_DEPARTMENT.get(department.code, department.code)[:2]


_ADELI_PREFIXES = tuple(dict.fromkeys(_adeli_prefix(d) for d in DEPARTMENTS))


class AdeliNumbers:
    """ADELI numbers: département, profession, a 4-digit sequence, a key (9 digits)."""

    def __init__(self) -> None:
        self._sequences: Counter[tuple[str, str]] = Counter()

    def next(self, department: Department, profession: str) -> str:
        """The next number of the département; of the next département once 9,999 are given."""
        start = _ADELI_PREFIXES.index(_adeli_prefix(department))
        for offset in range(len(_ADELI_PREFIXES)):
            key = (_ADELI_PREFIXES[(start + offset) % len(_ADELI_PREFIXES)], profession)
            if self._sequences[key] < 9999:
                self._sequences[key] += 1
                payload = f"{key[0]}{profession}{self._sequences[key]:04d}"
                return payload + luhn_check_digit(payload)
        raise ValueError(f"no ADELI number left for profession {profession}")
