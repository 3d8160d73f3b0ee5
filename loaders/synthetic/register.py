"""The synthetic register: legal entities and their establishments, drawn deterministically.

Two passes read the same stream of skeletons (kind, département, size and state of each
legal entity): the first plans the groups, which the FINESS+ flux writes before the
entities; the second draws the entities in full, one at a time. Every draw comes from a
`random.Random` seeded from `seed`, so a seed gives one register, byte for byte.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate, count

from directory.organizations.finess_number import luhn_check_digit, make_finess
from directory.organizations.territories import NUMBER_PREFIX
from loaders.synthetic.addresses import draw_address, draw_contact
from loaders.synthetic.catalogue import CATEGORIES, KINDS, Category, Kind
from loaders.synthetic.model import (
    PUBLIC_STATUSES,
    Activity,
    Address,
    Contact,
    Cooperation,
    Establishment,
    Ght,
    LegalEntity,
)
from loaders.synthetic.names import VOCABULARY, fill
from loaders.synthetic.places import DEPARTMENTS, Commune, Department, build_communes

LEGAL_ENTITIES_AT_SCALE_1 = 100_000
CLOSED = 0.08  # legal entities closed, with all their establishments
CLOSED_SITE = 0.04  # establishments closed under an open legal entity
ELSEWHERE = 0.03  # establishments in another département than their legal entity
GHT_SIZE = 14  # public hospitals per GHT: ~135 GHT at scale 1, as in the real register
EARLIEST = date(1950, 1, 1)
# FINESS+ dates many entities migrated from the old system 2001-01-01 (ANS sample).
MIGRATED = date(2001, 1, 1)
ARHGOS_NATURES = frozenset({"AMF", "ASR", "AASA"})
DIRECTIONS = ("Nord", "Sud", "Est", "Ouest", "Centre", "Littoral", "Montagne")
# The first legal entities visit every département, overseas and Corsica first, so that
# even a tiny register covers every territory.
COVERAGE = sorted(DEPARTMENTS, key=lambda d: (not d.overseas, d.code not in ("2A", "2B")))
_DEPARTMENT_WEIGHTS = list(accumulate(d.population for d in DEPARTMENTS))
_KIND_WEIGHTS = list(accumulate(k.weight for k in KINDS))
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Skeleton:
    pm_id: int
    kind: Kind
    department: Department
    sites: int
    closed: bool
    gco: str


@dataclass(frozen=True)
class _Parent:
    """What an establishment takes from its legal entity."""

    kind: Kind
    department: Department
    commune: Commune
    address: Address
    contact: Contact
    siren: str
    closed: date | None


def _between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _siren(rng: random.Random, public: bool) -> str:
    payload = ("2" if public else str(rng.randint(3, 8))) + f"{rng.randrange(10**7):07d}"
    return payload + luhn_check_digit(payload)


class Register:
    def __init__(self, seed: int, scale: float, day: date) -> None:
        self.seed = seed
        self.day = day
        self.count = max(1, round(LEGAL_ENTITIES_AT_SCALE_1 * scale))
        self.communes = build_communes(random.Random(f"{seed}/communes"))
        self._commune_weights = {
            code: list(accumulate(c.weight for c in communes))
            for code, communes in self.communes.items()
        }
        stamp = random.Random(f"{seed}/stamp")
        self.generated_at = datetime.combine(
            day, time(*(stamp.randrange(n) for n in (6, 60, 60, 10**6)))
        )

    def skeletons(self) -> Iterator[Skeleton]:
        rng = random.Random(f"{self.seed}/skeletons")
        for index in range(self.count):
            covering = index < len(COVERAGE)
            if covering:
                department = COVERAGE[index]
            else:
                department = rng.choices(DEPARTMENTS, cum_weights=_DEPARTMENT_WEIGHTS)[0]
            kind = rng.choices(KINDS, cum_weights=_KIND_WEIGHTS)[0]
            # The second entity is closed whatever the draw: the smallest register has one.
            closed = index == 1 or rng.random() < CLOSED
            sites = rng.choice(kind.sites)
            if closed and rng.random() < 0.3:  # closed long ago, establishments gone
                sites = 0
            if covering:  # an establishment in the département it covers
                sites = max(sites, 1)
            gco = rng.choice(kind.gco) if kind.gco else ""
            yield Skeleton(index + 1, kind, department, sites, closed, gco)

    def groups(self) -> tuple[list[Ght], list[Cooperation]]:
        """The GHTs and cooperation groups, planned over the skeletons."""
        hospitals: dict[str, list[int]] = defaultdict(list)
        health: dict[str, list[tuple[int, int]]] = defaultdict(list)  # (pm id, first ege id)
        cooperations: list[tuple[int, str, str]] = []
        next_ege = 1
        for skeleton in self.skeletons():
            code = skeleton.department.code
            if not skeleton.closed:
                if skeleton.kind.hospital:
                    hospitals[code].append(skeleton.pm_id)
                if skeleton.kind.sph and skeleton.sites:
                    health[code].append((skeleton.pm_id, next_ege))
                if skeleton.gco:
                    cooperations.append((skeleton.pm_id, code, skeleton.gco))
            next_ege += skeleton.sites
        rng = random.Random(f"{self.seed}/groups")
        ghts: list[Ght] = []
        for department in DEPARTMENTS:
            members = hospitals[department.code]
            parts = max(1, round(len(members) / GHT_SIZE)) if members else 0
            for part in range(parts):
                name = department.name.title() if parts == 1 else DIRECTIONS[part % len(DIRECTIONS)]
                roles = tuple((pm, "M" if i else "S") for i, pm in enumerate(members[part::parts]))
                gcc_id = len(ghts) + 1
                external_id = f"{rng.randint(11, 94)}{gcc_id:03d}"
                ghts.append(Ght(gcc_id, f"{department.code} {name}", external_id, roles))
        groups = []
        for pm_id, code, kind in cooperations:
            partners = [partner for partner in health[code] if partner[0] != pm_id]
            # Many groups list no member, as in ANS's sample.
            chosen = rng.sample(partners, min(len(partners), rng.choice((0, 0, 2, 3, 5))))
            groups.append(
                Cooperation(
                    pm_id,
                    kind,
                    tuple(sorted(pm for pm, _ in chosen)),
                    tuple(sorted(ege for _, ege in chosen[: len(chosen) // 2])),
                )
            )
        return ghts, groups

    def legal_entities(self) -> Iterator[LegalEntity]:
        rng = random.Random(f"{self.seed}/entities")
        sequences: Counter[str] = Counter()  # last sequence used per FINESS number prefix
        ege_ids = count(1)
        for skeleton in self.skeletons():
            yield self._legal_entity(rng, skeleton, sequences, ege_ids)

    def _legal_entity(
        self,
        rng: random.Random,
        skeleton: Skeleton,
        sequences: Counter[str],
        ege_ids: Iterator[int],
    ) -> LegalEntity:
        kind, department = skeleton.kind, skeleton.department
        finess = self._finess(sequences, department)
        commune = self._commune(rng, department)
        if rng.random() < 0.15:
            created = MIGRATED
        else:
            created = _between(rng, EARLIEST, self.day - 3 * 365 * DAY)
        closed = _between(rng, created + 365 * DAY, self.day - DAY) if skeleton.closed else None
        name, long_name = fill(rng, kind.names, city=commune.name, department=department.name)
        status = rng.choice(kind.statuses)
        siren = "" if rng.random() < 0.03 else _siren(rng, status in PUBLIC_STATUSES)
        address = draw_address(rng, commune)
        contact = draw_contact(rng, commune)
        parent = _Parent(kind, department, commune, address, contact, siren, closed)
        return LegalEntity(
            pm_id=skeleton.pm_id,
            finess=finess,
            kind=kind,
            status=status,
            name=name,
            long_name=long_name,
            siren=siren,
            created=created,
            closed=closed,
            updated=self._updated(rng, closed),
            address=address,
            contact=contact,
            padded=rng.random() < (0.3 if closed else 0.02),
            gco=skeleton.gco,
            establishments=tuple(
                self._establishment(rng, parent, rank, sequences, next(ege_ids))
                for rank in range(skeleton.sites)
            ),
        )

    def _establishment(
        self, rng: random.Random, parent: _Parent, rank: int, sequences: Counter[str], ege_id: int
    ) -> Establishment:
        kind = parent.kind
        category = CATEGORIES[rng.choice(kind.others if rank and kind.others else kind.mains)]
        department, commune = parent.department, parent.commune
        if rank and rng.random() < ELSEWHERE:
            department = rng.choices(DEPARTMENTS, cum_weights=_DEPARTMENT_WEIGHTS)[0]
        if rank:
            commune = self._commune(rng, department)
        # The head office usually is the first establishment's address too.
        same_place = rank == 0 and rng.random() < 0.8
        address = parent.address if same_place else draw_address(rng, commune)
        name, long_name = fill(rng, category.names, city=commune.name, department=department.name)
        quirk = rng.random()
        if quirk < 0.005:  # a `;` in a name: the legacy CSV must quote it
            long_name = f"{long_name[:50]}; SITE {rng.randint(2, 9)}"
        elif quirk < 0.015:  # double spaces, as in "CENTRE HOSPITALIER  DE CAYENNE"
            long_name = long_name.replace(" ", "  ", 1)
        ends = [end for end in (parent.closed, category.closed_on) if end]
        opened = _between(rng, EARLIEST, min(ends, default=self.day) - 60 * DAY)
        if ends:
            closed = _between(rng, opened + 30 * DAY, min(ends))
        elif rng.random() < CLOSED_SITE:
            closed = _between(rng, opened + 30 * DAY, self.day - DAY)
        else:
            closed = None
        nic = f"{rng.randint(1, 300):04d}"
        siret = ""
        if parent.siren and rng.random() < 0.75:
            siret = parent.siren + nic + luhn_check_digit(parent.siren + nic)
        uai = ""
        if category.code in ("183", "189") and rng.random() < 0.5:
            uai = f"{rng.randrange(10**7):07d}{rng.choice('ABCEFGHJKLMNPRSTUVWXYZ')}"
        return Establishment(
            ege_id=ege_id,
            finess=self._finess(sequences, department),
            category=category,
            name=name,
            long_name=long_name,
            complement=f"SITE {rng.choice(VOCABULARY['person'])}" if rng.random() < 0.04 else "",
            address=address,
            contact=parent.contact if same_place else draw_contact(rng, commune),
            siret=siret,
            ape=category.ape if rng.random() < 0.55 else "",
            tariff=rng.choice(category.tariffs),
            sph=kind.sph if category.health else "",
            uai=uai,
            opened=opened,
            authorised=opened if rng.random() < 0.6 else _between(rng, opened - 400 * DAY, opened),
            closed=closed,
            agreement=_between(rng, opened, self.day) if rng.random() < 0.15 else None,
            updated=self._updated(rng, closed),
            padded=rng.random() < (0.3 if closed else 0.02),
            activities=self._activities(rng, category, opened, closed),
        )

    def _finess(self, sequences: Counter[str], department: Department) -> str:
        prefix = NUMBER_PREFIX.get(department.code, department.code + "0")
        sequences[prefix] += 1
        return make_finess(prefix, sequences[prefix])

    def _commune(self, rng: random.Random, department: Department) -> Commune:
        communes = self.communes[department.code]
        return rng.choices(communes, cum_weights=self._commune_weights[department.code])[0]

    def _updated(self, rng: random.Random, closed: date | None) -> datetime:
        """`dateDerniereMaj`: after the closure for closed records, the last years otherwise."""
        if closed:
            return datetime.combine(min(closed + rng.randint(0, 20) * DAY, self.day - DAY), time())
        moment = _between(rng, date(2015, 1, 1), self.day - DAY)
        if moment.year < 2023 and rng.random() < 0.5:
            return datetime.combine(moment, time())
        return datetime.combine(
            moment, time(rng.randrange(7, 20), rng.randrange(60), rng.randrange(60))
        )

    def _activities(
        self, rng: random.Random, category: Category, opened: date, closed: date | None
    ) -> tuple[Activity, ...]:
        drawn = rng.choice(category.per_site) if category.activities else 0
        activities = []
        # With replacement: one place often holds several authorisations of one type.
        for kind in rng.choices(category.activities, k=drawn):
            start = None if rng.random() < 0.05 else _between(rng, opened, closed or self.day)
            active = closed is None and rng.random() < 0.93
            ended = closed
            if not closed and not active:
                ended = _between(rng, start or opened, self.day - DAY)
            arhgos = None
            if kind.nature in ARHGOS_NATURES and rng.random() < 0.8:
                arhgos = f"{rng.randint(11, 94)}-{rng.randint(10, 99)}-{rng.randint(100, 99999)}"
            capacity = rng.randint(*kind.capacity) if kind.capacity else None
            activities.append(Activity(kind, start, ended, active, capacity, arhgos))
        return tuple(activities)
