"""Where the synthetic professionals work: FINESS sites, cabinets, group practices, companies.

FINESS sites come from the synthetic FINESS register of the same seed and scale, drawn again
through loaders.synthetic.register without writing it: same FINESS numbers (site and legal
entity), names, addresses and phones as in the FINESS files. Cabinets are made for their
holder; group practices and companies are made by their first member and joined by later
ones, so their size follows from who works there.

A structure is kept as its 28 columns of the activity file (SIRET … Ancien identifiant),
already joined: it is written once per activity, and read back for MSSanté rows.
"""

from __future__ import annotations

import functools
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate, count
from typing import TypeVar

from directory.organizations.territories import INSEE_DEPARTMENT
from loaders.synthetic.model import PUBLIC_STATUSES, Address, Contact, Establishment, LegalEntity
from loaders.synthetic.names import STREET_TYPES, VOCABULARY, fill, postal
from loaders.synthetic.places import DEPARTMENTS, Commune, Department
from loaders.synthetic.register import Register
from loaders.synthetic.rpps_catalogue import STREET_TYPE_LABELS
from loaders.synthetic.rpps_names import family_name
from loaders.synthetic.rpps_numbers import siren, siret, technical_id
from loaders.synthetic.rpps_places import (
    CABINET_TITLES,
    COMPANIES,
    FINESS_KINDS,
    GROUPS,
    KIND_SECTORS,
    SIGNS,
    SOCIETIES,
)

T = TypeVar("T")
EMPTY_BLOCK = "|" * 27  # the 28 structure columns of an activity without a site
FRANCE = ("99000", "France")  # code and label of the country (INSEE COG)
_STREET_WEIGHTS = list(accumulate(weight for _, _, weight in STREET_TYPES))
_DEPARTMENT_WEIGHTS = list(accumulate(d.population for d in DEPARTMENTS))
# Words kept lower case in the mixed-case labels of communes: "Saint Martin sur Loire".
_SMALL_WORDS = frozenset(
    {"SUR", "SOUS", "LES", "LE", "LA", "EN", "DE", "DES", "DU", "D", "L", "ET"}
)


@dataclass(slots=True)
class Structure:
    block: str  # its 28 columns of the activity file, joined by "|"
    sector: str  # TRE_R02
    national_id: str  # idNatSt: 1 + FINESS, 3 + SIRET, 4 + RPPS rang
    domain: str  # MSSanté domain of its staff, "" when they use their profession's one


@dataclass(slots=True)
class _Pool:
    structures: list[Structure]
    cum_weights: list[float]


@functools.cache
def mixed_case(upper: str) -> str:
    """A commune or département as the RPPS labels it: "Saint Martin sur Loire"."""
    words = upper.split()
    return " ".join(
        word.lower() if index and word in _SMALL_WORDS else word.capitalize()
        for index, word in enumerate(words)
    )


def department_code(department: Department) -> str:
    """The INSEE code of a département (FINESS codes overseas ones 9A…9J)."""
    return INSEE_DEPARTMENT.get(department.code, department.code)


def slug(text: str) -> str:
    """`text` as an e-mail domain label: "CH DE PONTARLIER" → "ch-de-pontarlier"."""
    return "-".join(postal(text).lower().split())


def _block(
    identifiers: tuple[str, str, str, str, str],
    names: tuple[str, str, str],
    address: list[str],
    telecom: tuple[str, str, str, str],
    department: Department,
    national_id: str,
) -> str:
    return "|".join(
        (
            *identifiers,
            *names,
            *address,
            *telecom,
            department_code(department),
            mixed_case(department.name),
            national_id,
        )
    )


def _address_fields(
    complement: str,
    number: str,
    repetition: str,
    street_type: str,
    street: str,
    mention: str,
    commune: Commune,
    postal_code: str,
    cedex: bool,
) -> list[str]:
    """The address columns, from Complément point géographique to Libellé pays."""
    office = f"{postal_code} {commune.name}{' CEDEX' if cedex else ''}"
    street_label = STREET_TYPE_LABELS.get(street_type, "")
    return [
        complement,
        number,
        repetition,
        street_type,
        street_label,
        street,
        mention,
        office,
        postal_code,
        commune.insee,
        mixed_case(commune.name),
        *FRANCE,
    ]


def _finess_address(address: Address) -> list[str]:
    return _address_fields(
        address.complement,
        address.number,
        address.repetition,
        address.street_type,
        address.street,
        address.locality,
        address.commune,
        address.postal_code,
        address.cedex,
    )


def _sector(entity: LegalEntity, kind: str) -> str:
    if kind != "hospital":
        return KIND_SECTORS[kind]
    if entity.status in PUBLIC_STATUSES:
        return "SA01"
    return "SA03" if entity.kind.sph == "2" else "SA04"  # ESPIC take part in public service


def _finess(entity: LegalEntity, site: Establishment, sector: str, domains: set[str]) -> Structure:
    """A FINESS site as the RPPS shows it: FINESS site and legal entity, the site's name,
    address and phones; its MSSanté domain, unique among `domains`."""
    contact: Contact = site.contact
    national_id = "1" + site.finess
    domain = slug(site.name) + ".mssante.fr"
    if domain in domains:  # two sites of one name: the FINESS number tells them apart
        domain = f"{slug(site.name)}-{site.finess}.mssante.fr"
    domains.add(domain)
    block = _block(
        (site.siret, "", site.finess, entity.finess, "F" + site.finess),
        (site.long_name, "", site.complement),
        _finess_address(site.address),
        (contact.phone, "", contact.fax, contact.email),
        site.address.commune.department,
        national_id,
    )
    return Structure(block, sector, national_id, domain)


def _pools(entries: dict[str, list[tuple[Structure, float]]]) -> dict[str, _Pool]:
    return {
        key: _Pool([s for s, _ in items], list(accumulate(w for _, w in items)))
        for key, items in entries.items()
    }


class Structures:
    """The sites of one synthetic RPPS extract, drawn as the professionals need them."""

    def __init__(self, seed: int, scale: float, day: date) -> None:
        register = Register(seed, scale, day)
        self._communes = register.communes
        self._commune_weights = {
            code: list(accumulate(c.weight for c in communes))
            for code, communes in self._communes.items()
        }
        domains: set[str] = set()
        # (kind, structure) of every open FINESS site: the ORG mailboxes of the MSSanté file.
        self.finess_sites: list[tuple[str, Structure]] = []
        by_department: dict[str, dict[str, list[tuple[Structure, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for entity in register.legal_entities():
            if entity.closed:
                continue
            for establishment in entity.establishments:
                kind, weight = FINESS_KINDS.get(establishment.category.code, ("", 0))
                if not kind or establishment.closed:
                    continue
                structure = _finess(entity, establishment, _sector(entity, kind), domains)
                self.finess_sites.append((kind, structure))
                department = establishment.address.commune.department.code
                for pool_kind in (kind, ""):  # "": the sites of any kind
                    by_department[pool_kind][department].append((structure, weight))
                    by_department[pool_kind][""].append((structure, weight))  # in France
        self._finess_pools = {kind: _pools(pools) for kind, pools in by_department.items()}
        self._shared: dict[tuple[str, str, str], list[Structure]] = {}
        self._opaque_ids = count()
        self._company_ids = count()

    def finess_site(
        self, rng: random.Random, kind: str, department: Department
    ) -> Structure | None:
        """A site of `kind` in `department`, else in France, else any site (small scales)."""
        pools = self._finess_pools.get(kind) or self._finess_pools.get("")
        if not pools:  # a register too small to have a single site
            return None
        pool = pools.get(department.code) or pools[""]
        return weighted(rng, pool.structures, pool.cum_weights)

    def cabinet(
        self,
        rng: random.Random,
        department: Department,
        holder: tuple[str, str],
        profession: str,
        rpps_rang: str,
        sector: str,
    ) -> Structure:
        """The individual cabinet of `holder` (family, given names): RPPS rang, or a SIRET."""
        family, given = holder
        sign = f"{SIGNS[profession]} {family}" if profession in SIGNS else ""
        title = CABINET_TITLES.get(profession, "") if rng.random() < 0.25 else ""
        names = (f"{family} {given}", sign, title)
        if rpps_rang:
            return self._ranked(rng, department, names, sector, rpps_rang)
        return self._company(rng, department, names, sector)

    def group(
        self, rng: random.Random, family: str, department: Department, founder_rang: str
    ) -> Structure:
        """A group practice of the profession family (SA08), founded on an RPPS rang."""
        mean, templates = GROUPS[family]

        def make() -> Structure:
            names = (self._name(rng, templates, department), "", "")
            if founder_rang:
                return self._ranked(rng, department, names, "SA08", founder_rang)
            return self._company(rng, department, names, "SA08")

        return self._join(rng, ("group", family, department.code), mean, make)

    def society(self, rng: random.Random, family: str, department: Department) -> Structure:
        """A SEL or SCP of the profession family (SA09), identified by its SIRET."""
        mean, templates = SOCIETIES[family]

        def make() -> Structure:
            names = (self._name(rng, templates, department), "", "")
            return self._company(rng, department, names, "SA09")

        return self._join(rng, ("society", family, department.code), mean, make)

    def company(self, rng: random.Random, kind: str, department: Department) -> Structure:
        """A company of `kind` outside FINESS (laboratory, optician, health insurance…)."""
        mean, variants = COMPANIES[kind]

        def make() -> Structure:
            sector, short, long = rng.choice(variants)
            names = (self._name(rng, ((short, long),), department), "", "")
            return self._company(rng, department, names, sector)

        return self._join(rng, ("company", kind, department.code), mean, make)

    def _join(
        self,
        rng: random.Random,
        key: tuple[str, str, str],
        mean: float,
        make: Callable[[], Structure],
    ) -> Structure:
        """An existing structure of `key`, or a new one once per `mean` members."""
        pool = self._shared.setdefault(key, [])
        if not pool or rng.random() * mean < 1:
            pool.append(make())
            return pool[-1]
        return rng.choice(pool)

    def _name(
        self, rng: random.Random, templates: tuple[tuple[str, str], ...], department: Department
    ) -> str:
        commune = self._commune(rng, department)
        _, name = fill(
            rng,
            templates,
            city=commune.name,
            department=department.name,
            surname=family_name(rng),
            other=family_name(rng),
        )
        return name

    def _ranked(
        self,
        rng: random.Random,
        department: Department,
        names: tuple[str, str, str],
        sector: str,
        rpps_rang: str,
    ) -> Structure:
        """A structure known by an RPPS rang: opaque R technical id, idNatSt 4 + rang."""
        technical = technical_id(next(self._opaque_ids))
        national_id = "4" + rpps_rang
        block = _block(
            ("", "", "", "", technical),
            names,
            self._address(rng, department),
            self._telecom(rng, department),
            department,
            national_id,
        )
        return Structure(block, sector, national_id, "")

    def _company(
        self, rng: random.Random, department: Department, names: tuple[str, str, str], sector: str
    ) -> Structure:
        """A structure known by its SIRET: technical id C + SIRET, idNatSt 3 + SIRET."""
        company = siren(next(self._company_ids))
        site = siret(company, rng.randint(1, 99))
        national_id = "3" + site
        block = _block(
            (site, company, "", "", "C" + site),
            names,
            self._address(rng, department),
            self._telecom(rng, department),
            department,
            national_id,
        )
        return Structure(block, sector, national_id, "")

    def _commune(self, rng: random.Random, department: Department) -> Commune:
        communes = self._communes[department.code]
        return weighted(rng, communes, self._commune_weights[department.code])

    def _address(self, rng: random.Random, department: Department) -> list[str]:
        commune = self._commune(rng, department)
        number = str(rng.randint(1, 180)) if rng.random() < 0.9 else ""
        repetition = rng.choice("BT") if number and rng.random() < 0.04 else ""
        street_type = weighted(rng, STREET_TYPES, _STREET_WEIGHTS)[0]
        draw = rng.random()
        complement = rng.choice(VOCABULARY["complement"]) if draw < 0.06 else ""
        mention = f"BP {rng.randint(1, 999)}" if draw > 0.98 else ""
        return _address_fields(
            complement,
            number,
            repetition,
            street_type,
            rng.choice(VOCABULARY["street"]),
            mention,
            commune,
            commune.postal_code,
            False,
        )

    def _telecom(self, rng: random.Random, department: Department) -> tuple[str, str, str, str]:
        """Phone, second phone (a mobile), fax, e-mail: often only the phone."""
        prefix = department.phone
        draw = rng.random()
        phone = _phone(rng, prefix) if prefix and draw < 0.8 else ""
        mobile = _phone(rng, rng.choice(("06", "07"))) if draw > 0.88 else ""
        fax = _phone(rng, prefix) if phone and draw < 0.1 else ""
        return phone, mobile, fax, ""


def weighted(rng: random.Random, population: Sequence[T], cum_weights: list[float]) -> T:
    """`rng.choices(population, cum_weights=…)[0]`, without its list: this runs per person."""
    return population[bisect(cum_weights, rng.random() * cum_weights[-1])]


def _phone(rng: random.Random, prefix: str) -> str:
    digits = 10 - len(prefix)
    return prefix + f"{rng.randrange(10**digits):0{digits}d}"


def draw_department(rng: random.Random) -> Department:
    """A département, weighted by its population."""
    return weighted(rng, DEPARTMENTS, _DEPARTMENT_WEIGHTS)
