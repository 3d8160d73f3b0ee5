"""The synthetic NOS catalogue: TREs, the JDVs drawn from them and the ASS between them.

Numbers are chronological with the gaps of withdrawn NOS. Every feature a loader must cope
with appears at least once at any scale: hierarchical TREs, boolean-flag TREs, the three
FHIR shapes, smt.esante.gouv.fr canonicals, closed codes, multi-TRE and intensional JDVs.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import product
from typing import TypeVar

from loaders.synthetic.terminology_model import (
    Ass,
    Concept,
    Entry,
    Filter,
    Include,
    Jdv,
    Mapping,
    Nos,
    Shape,
    Tre,
    walk,
)
from loaders.synthetic.terminology_words import (
    COMPLEMENTS,
    DEFINITIONS,
    FLAG_PROPERTIES,
    HEADS,
    JDV_CONTEXTS,
    NOS_DOMAINS,
    NOS_SUBJECTS,
    QUALIFIERS,
    TAILS,
    acronym,
    camel,
    cut,
    designations,
)

AT_SCALE_1 = {"TRE": 300, "JDV": 250, "ASS": 50}
MINIMUM = {"TRE": 8, "JDV": 6, "ASS": 4}
RELEASE = datetime(2026, 10, 29, 12, 0)  # the monthly NOS publication the ZIP stands for
FIRST = datetime(2005, 1, 1)
NOON_STAMPS = 2016  # ANS stamps midnight before, noon since
# Concepts per TRE: (low, high, weight); ~80 on average, a few of a couple of thousand.
SIZES = ((2, 8, 35), (8, 30, 35), (30, 120, 20), (120, 600, 8), (600, 2500, 2))
EQUIVALENCES = (("equivalent", 80), ("wider", 8), ("narrower", 8), ("inexact", 4))
CLOSING_TRES = 0.4  # share of flat TREs with closed codes
CLOSED = 0.12  # share of codes closed in those
DEFINED = 0.08  # codes with a definition (descriptionMetier)
Role = TypeVar("Role")


@dataclass(frozen=True)
class Catalogue:
    tres: tuple[Tre, ...]
    jdvs: tuple[Jdv, ...]
    asses: tuple[Ass, ...]

    def entries(self) -> list[Entry]:
        """Every NOS in the order of its ZIP folder."""
        return sorted((*self.tres, *self.jdvs, *self.asses), key=lambda e: e.nos.folder + "/")


def _count(family: str, scale: float) -> int:
    return max(MINIMUM[family], round(AT_SCALE_1[family] * scale))


def _quota(count: int, share: float) -> int:
    return max(1, round(count * share))


def _moment(rng: random.Random, start: datetime, end: datetime = RELEASE) -> datetime:
    """A day in [start, end] (`end` when start is later), at the hour ANS stamped that year."""
    span = (end - start).days
    day = start.date() + timedelta(days=rng.randrange(span)) if span > 0 else end.date()
    return datetime(day.year, day.month, day.day, 12 if day.year >= NOON_STAMPS else 0)


def _slots(rng: random.Random, count: int, since: datetime) -> list[tuple[int, datetime]]:
    """(number, creation date) of `count` NOS of a family, both in chronological order."""
    numbers = sorted(rng.sample(range(1, count * 4 // 3 + 2), count))
    dates = sorted(_moment(rng, since, datetime(2025, 12, 31)) for _ in range(count))
    return list(zip(numbers, dates, strict=True))


def _roles(
    rng: random.Random, count: int, shares: dict[Role, float], among: Iterable[int]
) -> dict[Role, set[int]]:
    """Disjoint sets of slot indices drawn from `among`, each role taking its share of
    `count` slots and at least one."""
    pool = sorted(among)
    rng.shuffle(pool)
    roles, start = {}, 0
    for role, share in shares.items():
        size = _quota(count, share)
        roles[role] = set(pool[start : start + size])
        start += size
    return roles


def _role(index: int, roles: dict[Role, set[int]], default: Role) -> Role:
    return next((role for role, members in roles.items() if index in members), default)


def _newest(count: int) -> set[int]:
    """The slots published with an smt.esante.gouv.fr canonical: the latest ones."""
    return set(range(count - _quota(count, 0.15), count))


def _last_update(created: datetime, concepts: Iterable[Concept]) -> datetime:
    return max([created, *(c.updated for c in concepts)])


class _Labels:
    """Distinct concept labels for one TRE, from a few heads so the TRE reads as one topic."""

    def __init__(self, rng: random.Random, count: int, long_labels: bool) -> None:
        self.rng = rng
        self.heads = rng.sample(HEADS, min(len(HEADS), max(4, count // 40)))
        self.long_labels = long_labels
        self.seen: set[str] = set()

    def draw(self) -> str:
        rng = self.rng
        while True:
            label = f"{rng.choice(self.heads)} {rng.choice(COMPLEMENTS)}"
            if rng.random() < 0.35:
                label += f" {rng.choice(QUALIFIERS)}"
            if rng.random() < 0.15:
                label += f" ({acronym(label)})"
            if self.long_labels and rng.random() < 0.08:
                label = cut(f"{label} {rng.choice(TAILS)}", 150)
            if label not in self.seen:
                self.seen.add(label)
                return label


class _Codes:
    """Successive codes in one of the NOS styles: 01, 0001, SA01, 10, A."""

    def __init__(self, rng: random.Random, count: int, name: str) -> None:
        self.rng = rng
        self.style = rng.choices(("padded", "prefixed", "plain", "letter"), (50, 25, 20, 5))[0]
        if self.style == "letter" and count > 20:
            self.style = "padded"
        self.width = max(2, len(str(count * 2)) + rng.choice((0, 0, 1)))
        self.prefix = "".join(c for c in name if c.isupper())[:3]
        self.number = rng.choice((0, 1, 1, 1)) if self.style == "padded" else 1

    def next(self) -> str:
        number = self.number
        if self.style == "letter":
            self.number += 1
            return chr(64 + number)
        # Withdrawn codes leave gaps; "plain" codes run in tens like TRE_G15's.
        self.number += 10 if self.style == "plain" else self.rng.choice((1, 1, 1, 1, 2))
        if self.style == "padded":
            return f"{number:0{self.width}d}"
        if self.style == "prefixed":
            return f"{self.prefix}{number:02d}"
        return str(number)


def _valid(rng: random.Random, since: datetime) -> datetime:
    """When a code became valid: most with their TRE (or parent), some added later."""
    return since if rng.random() < 0.7 else _moment(rng, since)


def _concept(
    rng: random.Random,
    code: str,
    display: str,
    valid: datetime,
    *,
    closing: bool = False,
    flag: bool = False,
    children: tuple[Concept, ...] = (),
) -> Concept:
    updated = valid if rng.random() < 0.6 else _moment(rng, valid)
    ended = None
    if closing and rng.random() < CLOSED:
        ended = _moment(rng, valid + timedelta(days=30))
        updated = max(updated, ended)  # a closure is the code's last update (TRE_R249)
    definition = f"{display} : {rng.choice(DEFINITIONS)}" if rng.random() < DEFINED else None
    short, long = designations(display)
    return Concept(
        code=code,
        display=display,
        short=short,
        long=long,
        valid=valid,
        updated=updated,
        ended=ended,
        definition=definition,
        # Flagged codes stay open, so an `=` filter and its expansion agree in every reading.
        flagged=flag and ended is None and rng.random() < 0.6,
        children=children,
    )


def _flat_concepts(
    rng: random.Random, name: str, created: datetime, shape: Shape, flag: bool
) -> tuple[Concept, ...]:
    low, high, _ = rng.choices(SIZES, [weight for *_, weight in SIZES])[0]
    count = rng.randint(low, high)
    # The legacy export has no libellé long designation: keep its labels within 80 characters.
    labels = _Labels(rng, count, long_labels=shape != Shape.LEGACY)
    codes = _Codes(rng, count, name)
    closing = rng.random() < CLOSING_TRES
    return tuple(
        _concept(rng, codes.next(), labels.draw(), _valid(rng, created), closing=closing, flag=flag)
        for _ in range(count)
    )


def _tree_concepts(rng: random.Random, created: datetime) -> tuple[Concept, ...]:
    """Three levels coded like TRE_R401's: 4000 ⊃ 4300 ⊃ 4310; no child older than its
    parent."""
    labels = _Labels(rng, 60, long_labels=True)
    widths = ((3, 6), (2, 5), (0, 4))

    def level(prefix: str, since: datetime) -> tuple[Concept, ...]:
        if len(prefix) == len(widths):
            return ()
        concepts = []
        for digit in range(1, rng.randint(*widths[len(prefix)]) + 1):
            valid = _valid(rng, since)
            children = level(f"{prefix}{digit}", valid)
            code = f"{prefix}{digit}".ljust(4, "0")
            concepts.append(_concept(rng, code, labels.draw(), valid, children=children))
        return tuple(concepts)

    return level("", created)


def _descriptions(rng: random.Random, count: int) -> list[str]:
    pairs = [f"{subject} {domain}" for subject, domain in product(NOS_SUBJECTS, NOS_DOMAINS)]
    rng.shuffle(pairs)
    # Past the combinations (scale > 2.5), a numbered variant keeps names distinct.
    return [
        pairs[i % len(pairs)] + (f" {i // len(pairs) + 1}" if i >= len(pairs) else "")
        for i in range(count)
    ]


def draw_tres(rng: random.Random, scale: float) -> tuple[Tre, ...]:
    count = _count("TRE", scale)
    smt_url = _newest(count)
    features = _roles(rng, count, {"tree": 0.03, "flag": 0.05}, range(count))
    # The older export shapes only for NOS without the newer features.
    plain = set(range(count)) - smt_url - features["tree"] - features["flag"]
    shapes = _roles(rng, count, {Shape.LEGACY: 0.15, Shape.SMT_2024: 0.15}, plain)
    slots = _slots(rng, count, FIRST)
    tres = []
    for index, ((number, created), description) in enumerate(
        zip(slots, _descriptions(rng, count), strict=True)
    ):
        shape = _role(index, shapes, Shape.SMT)
        feature = _role(index, features, None)
        name = camel(description)
        flag = rng.choice(FLAG_PROPERTIES) if feature == "flag" else None
        if feature == "tree":
            concepts = _tree_concepts(rng, created)
        else:
            concepts = _flat_concepts(rng, name, created, shape, flag is not None)
        arc = "1.6.1" if index in smt_url else "2"
        nos = Nos(
            family="TRE",
            number=number,
            name=name,
            description=description,
            oid=f"1.2.250.1.213.{arc}.{number}",
            created=created,
            updated=_last_update(created, (c for c, _ in walk(concepts))),
            shape=shape,
            smt_url=index in smt_url,
        )
        tres.append(Tre(nos, concepts, feature == "tree", flag))
    return tuple(tres)


def _subset(rng: random.Random, concepts: Sequence[Concept]) -> tuple[Concept, ...]:
    """A third to all of `concepts`, in their order."""
    size = rng.randint(-(-len(concepts) // 3), len(concepts))
    return tuple(concepts[i] for i in sorted(rng.sample(range(len(concepts)), size)))


def _includes(
    rng: random.Random, tres: Sequence[Tre], kind: str
) -> tuple[list[Include], str | None]:
    """What a JDV of `kind` takes from the TREs, and the context its flag filter implies."""
    if kind == "flag":
        tre, flag = rng.choice([(t, t.flag) for t in tres if t.flag])
        picked = tuple(c for c in tre.flat() if c.flagged)
        return [Include(tre, picked, Filter(flag, "=", "true"))], flag.upper()
    if kind == "tree":
        tre = rng.choice([t for t in tres if t.hierarchical])
        root = rng.choice(tre.concepts)
        branch = tuple(c for c, _ in walk((root,)))
        return [Include(tre, branch, Filter("concept", "is-a", root.code))], None
    sources = rng.sample(list(tres), rng.randint(2, 3) if kind == "several" else 1)
    return [Include(tre, _subset(rng, tre.flat())) for tre in sources], None


def draw_jdvs(rng: random.Random, scale: float, tres: Sequence[Tre]) -> tuple[Jdv, ...]:
    count = _count("JDV", scale)
    smt_url = _newest(count)
    kinds = _roles(rng, count, {"flag": 0.02, "tree": 0.02, "several": 0.15}, range(count))
    # Intensional JDVs exist only on the SMT: never in the legacy shape.
    extensional = set(range(count)) - smt_url - kinds["flag"] - kinds["tree"]
    shapes = _roles(rng, count, {Shape.LEGACY: 0.2}, extensional)
    jdvs = []
    for index, (number, since) in enumerate(_slots(rng, count, FIRST)):
        kind = _role(index, kinds, "one")
        includes, flag_context = _includes(rng, tres, kind)
        context = flag_context or rng.choice(JDV_CONTEXTS)
        first = includes[0].tre.nos
        created = max(since, *(include.tre.nos.created for include in includes))
        nos = Nos(
            family="JDV",
            number=number,
            name=f"{'Ensemble' if len(includes) > 1 else ''}{first.name}-{context}",
            description=f"{first.description} - {context}",
            oid=f"1.2.250.1.213.3.4.{number}",
            created=created,
            updated=_last_update(created, (c for i in includes for c in i.concepts)),
            shape=_role(index, shapes, Shape.SMT),
            smt_url=index in smt_url,
        )
        jdvs.append(Jdv(nos, tuple(includes)))
    return tuple(jdvs)


def _mappings(rng: random.Random, source: Tre, target: Tre) -> tuple[Mapping, ...]:
    targets = target.flat()
    weights = [weight for _, weight in EQUIVALENCES]
    mappings = []
    for concept in _subset(rng, source.flat()):
        # One code in twenty maps to two target codes.
        width = 2 if rng.random() < 0.05 and len(targets) > 1 else 1
        for chosen in rng.sample(targets, width):
            mappings.append(Mapping(concept, chosen, rng.choices(EQUIVALENCES, weights)[0][0]))
    return tuple(mappings)


def draw_asses(rng: random.Random, scale: float, tres: Sequence[Tre]) -> tuple[Ass, ...]:
    count = _count("ASS", scale)
    smt_url = _newest(count)
    shapes = _roles(rng, count, {Shape.LEGACY: 0.3}, set(range(count)) - smt_url)
    asses = []
    for index, (number, since) in enumerate(_slots(rng, count, datetime(2012, 1, 1))):
        source, target = rng.sample(list(tres), 2)
        mappings = _mappings(rng, source, target)
        created = max(since, source.nos.created, target.nos.created)
        nos = Nos(
            family="ASS",
            number=number,
            name=f"{source.nos.name}-{target.nos.name}",
            description=f"Correspondance codes {source.nos.folder} / codes {target.nos.folder}",
            oid=f"1.2.250.1.213.4.1.{number}",
            created=created,
            updated=_last_update(created, (c for m in mappings for c in (m.source, m.target))),
            shape=_role(index, shapes, Shape.SMT),
            smt_url=index in smt_url,
        )
        asses.append(Ass(nos, source, target, mappings))
    return tuple(asses)


def draw_catalogue(rng: random.Random, scale: float) -> Catalogue:
    tres = draw_tres(rng, scale)
    return Catalogue(tres, draw_jdvs(rng, scale, tres), draw_asses(rng, scale, tres))
