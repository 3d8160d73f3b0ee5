"""French names of synthetic professionals: frequent names, particles, hyphens, a long tail.

As in France, where the 100 commonest family names are borne by a few percent of people, most
names are rare: the long tail (syllable-built names such as BEAUCHARD or MORINEAU, about
100,000 of them) keeps a name search as selective as on the real directory.
"""

from __future__ import annotations

import random
from itertools import accumulate

from loaders.synthetic.names import (
    COMPOUND_FEMALE,
    COMPOUND_MALE,
    FAMILY_HEADS,
    FAMILY_MIDDLES,
    FAMILY_NAMES,
    FAMILY_TAILS,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    NAME_PARTICLES,
)

# Zipf-like: MARTIN about 10 times as frequent as the 100th name.
_FREQUENT_WEIGHTS = list(accumulate(1 / (rank + 12) for rank in range(len(FAMILY_NAMES))))
_VOWELS = frozenset("AEIOUYÉÈÂÎÔ")


def _frequent(rng: random.Random) -> str:
    return rng.choices(FAMILY_NAMES, cum_weights=_FREQUENT_WEIGHTS)[0]


def _rare(rng: random.Random) -> str:
    return rng.choice(FAMILY_HEADS) + rng.choice(FAMILY_MIDDLES) + rng.choice(FAMILY_TAILS)


def family_name(rng: random.Random) -> str:
    """An upper-case family name, accents kept: DUBOIS, LE GALL, D'ALMEIDA, MARTIN-ROUX."""
    draw = rng.random()
    if draw < 0.3:
        return _frequent(rng)
    if draw < 0.87:
        return _rare(rng)
    if draw < 0.94:
        root = _rare(rng) if draw < 0.91 else _frequent(rng)
        particle = rng.choice(NAME_PARTICLES)
        if particle.endswith("'") and root[0] not in _VOWELS:  # D'ALMEIDA, but DE BEAUCHARD
            particle = "DE " if particle == "D'" else "LE "
        return particle + root
    return f"{_frequent(rng)}-{_frequent(rng) if draw < 0.97 else _rare(rng)}"


def given_name(rng: random.Random, female: bool) -> str:
    """An upper-case given name, sometimes compound (JEAN-PIERRE, MARIE-HÉLÈNE)."""
    names = GIVEN_NAMES_FEMALE if female else GIVEN_NAMES_MALE
    name = rng.choice(names)
    if rng.random() < 0.08:
        first = rng.choice(COMPOUND_FEMALE if female else COMPOUND_MALE)
        if first != name:
            return f"{first}-{name}"
    return name


def mixed_case(name: str) -> str:
    """Hélène, Jean-Pierre: how a minority of records spell their given name."""
    return "-".join(part.capitalize() for part in name.split("-"))
