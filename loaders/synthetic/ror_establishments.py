"""The ROR description of the synthetic FINESS register, one legal entity at a time: its EJ,
the establishments (EG) the ROR covers, their internal organisations, locations with their
capacity indicators, offers, and the roles of the doctors the RPPS places there. Each entity
is drawn and written at once: memory holds one entity, never the extract.

Hospitals are organised in pôles and services (OI); a service's offers share its bed-hosting
zones (locations with capacity) and its consultation location. Other establishments provide
their offers themselves, from one or two locations. One establishment in a hundred is unknown
to FINESS: a primary care site known by its SIRET (idNatSt 3 + SIRET), under a legal entity
known by its SIREN.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, count
from math import ceil

from directory.organizations.identifiers import IDNST_SYSTEM, SIRENE_SYSTEM, identifiers
from directory.practitioners.systems import SECTOR
from loaders.synthetic.addresses import draw_address
from loaders.synthetic.model import Address, Establishment, LegalEntity
from loaders.synthetic.names import fill
from loaders.synthetic.places import Commune
from loaders.synthetic.ror_capacity import extension, indicators
from loaders.synthetic.ror_catalogue import (
    ACTIVITIES,
    BEDS,
    CARE_MODES,
    HOSPITAL_TYPES,
    POOLS,
    PROFILES,
    REGION_OF,
    ROR_ONLY,
    ROR_ONLY_NAMES,
    STAYING,
    Activity,
    Profile,
)
from loaders.synthetic.ror_practitioners import Doctor
from loaders.synthetic.ror_resources import (
    Place,
    Stamps,
    address,
    concept,
    establishment_category,
    healthcare_service,
    internal,
    legal_status,
    location,
    national_identifiers,
    organization,
    practitioner,
    practitioner_role,
)
from loaders.synthetic.rpps_numbers import siren, siret
from loaders.synthetic.rpps_structures import mixed_case

FIRST_IDS = {
    "Organization": 1_000_001,
    "Location": 2_000_001,
    "HealthcareService": 3_000_001,
    "Practitioner": 4_000_001,
    "PractitionerRole": 5_000_001,
}
ROLLOUT = datetime(2015, 1, 1, tzinfo=UTC)  # the oldest creation dates
OFFERS_PER_SERVICE = 9
SERVICES_PER_POLE = 6
OFFERS_PER_ZONE = 8  # bed-hosting zones of a unit: one per eight staying offers
ROR_ONLY_EVERY = 100  # one establishment unknown to FINESS per hundred FINESS ones
ROR_ONLY_SIRENS = 5_000_000  # SIREN indices clear of the RPPS generator's companies
MAIN_MODE = 0.55  # share of an activity's offers in its usual care mode
ZIPF_OFFSET = 2  # weight of the rank-th activity of a pool: 1 / (rank + offset)


def _draws(codes: tuple[str, ...]) -> tuple[list[Activity], list[float]]:
    """A pool's activities and cumulated weights: the common ones, listed first, favoured."""
    weights = accumulate(1 / (rank + ZIPF_OFFSET) for rank in range(len(codes)))
    return [ACTIVITIES[code] for code in codes], list(weights)


_POOL_DRAWS = {name: _draws(codes) for name, codes in POOLS.items()}


@dataclass
class Offer:
    activity: Activity
    mode: str
    locations: list[str] = field(default_factory=list)
    id: str = ""


@dataclass
class Unit:
    """What offers hang from: a hospital service, or the establishment itself."""

    provider: str  # Organization id
    name: str
    code: str  # UF code, "" for an establishment
    offers: list[Offer]


@dataclass(frozen=True)
class Site:
    """What the locations and offers of one establishment share."""

    id: str
    national_id: str  # idNatSt: 1 + FINESS, or 3 + SIRET
    name: str
    region: str
    department: str
    address: Address
    profile: Profile


class Extract:
    """Writes the ROR resources of the legal entities it is given, through `write`."""

    def __init__(
        self,
        seed: int,
        day: date,
        defect_rate: float,
        write: Callable[[dict], None],
        doctors: dict[str, list[Doctor]],
        communes: dict[str, list[Commune]],
    ) -> None:
        self.rng = random.Random(f"{seed}/ror")
        # Defects draw from their own stream: an extract differs from its defect-free twin by
        # the spoilt indicators only.
        self.defect_rng = random.Random(f"{seed}/ror-defects")
        self.moment = datetime.combine(day, time(2), tzinfo=UTC)  # the export's hour
        self.defect_rate = defect_rate
        self._write = write
        self.doctors = doctors
        self.communes = communes
        self.ids = {kind: count(first) for kind, first in FIRST_IDS.items()}
        self.functional: Counter[tuple[str, str]] = Counter()  # (region, kind) → last number
        self.counts: Counter[str] = Counter()  # resources and capacity indicators written
        self.practitioners: dict[str, str] = {}  # IDNPS → Practitioner id
        self._finess_sites = 0
        self._ror_only = 0

    def write(self, resource: dict) -> None:
        self.counts[resource["resourceType"]] += 1
        self._write(resource)

    def next_id(self, kind: str) -> str:
        return str(next(self.ids[kind]))

    def next_functional(self, region: str, kind: str) -> int:
        self.functional[region, kind] += 1
        return self.functional[region, kind]

    # Dates -------------------------------------------------------------------------------

    def stamps(self, region: str) -> Stamps:
        """Created since the rollout; updated since, most in the last year, some long ago
        (the ROR's freshness rule RE1.2 exists for those)."""
        rng = self.rng
        span = (self.moment - timedelta(days=30) - ROLLOUT).total_seconds()
        created = ROLLOUT + timedelta(seconds=rng.randrange(int(span)))
        draw = rng.random()
        if draw < 0.5:
            days = rng.uniform(0, 365)
        elif draw < 0.85:
            days = rng.uniform(365, 1100)
        else:
            days = rng.uniform(1100, 3000)
        updated = max(created, self.moment - timedelta(days=days))
        return Stamps(region, updated.replace(microsecond=0), created.replace(microsecond=0))

    # Legal entities ----------------------------------------------------------------------

    def entity(self, entity: LegalEntity) -> None:
        """The ROR resources of `entity`, if the ROR covers any of its establishments."""
        if entity.closed:
            return
        selected = []
        for site in entity.establishments:
            profile = PROFILES.get(site.category.code)
            region = REGION_OF.get(site.address.commune.department.code)
            if profile and region and not site.closed and self.rng.random() < profile.share:
                selected.append((site, profile, region))
        if not selected:
            return
        region = REGION_OF.get(entity.address.commune.department.code, selected[0][2])
        ej_id = self.next_id("Organization")
        self.write(
            organization(
                ej_id,
                self.stamps(region),
                entity.name,
                national_identifiers(identifiers(entity.finess, "EJ", entity.siren, None)),
                [legal_status(entity.status)],
                place=_address(entity.address),
            )
        )
        for site, profile, site_region in selected:
            self._finess_establishment(site, profile, site_region, ej_id)
        while self._finess_sites > self._ror_only * ROR_ONLY_EVERY:
            self._ror_only_establishment(selected[-1][0].address.commune.department.code)

    def _finess_establishment(
        self, site: Establishment, profile: Profile, region: str, ej_id: str
    ) -> None:
        self._finess_sites += 1
        eg_id = self.next_id("Organization")
        self.write(
            organization(
                eg_id,
                self.stamps(region),
                site.name,
                national_identifiers(identifiers(site.finess, "EG", None, site.siret)),
                [establishment_category(site.category.code, site.category.label)],
                ej_id,
                _address(site.address),
            )
        )
        department = site.address.commune.department.code
        here = Site(eg_id, "1" + site.finess, site.name, region, department, site.address, profile)
        offers = self._establishment(here)
        self._roles(here, offers, self.doctors.get(site.finess, []))

    def _ror_only_establishment(self, department: str) -> None:
        """A primary care site FINESS does not know, under a legal entity it does not know."""
        self._ror_only += 1
        rng = self.rng
        commune = rng.choice(self.communes[department])
        region = REGION_OF[department]
        company = siren(ROR_ONLY_SIRENS + self._ror_only)
        site_siret = siret(company, 1)
        name, _ = fill(rng, ROR_ONLY_NAMES, city=commune.name, department=commune.department.name)
        place = draw_address(rng, commune)
        ej_id, eg_id = self.next_id("Organization"), self.next_id("Organization")
        self.write(
            organization(
                ej_id,
                self.stamps(region),
                f"SELARL {name}",
                national_identifiers([(SIRENE_SYSTEM, company, "SIREN")]),
                [],
                place=_address(place),
            )
        )
        self.write(
            organization(
                eg_id,
                self.stamps(region),
                name,
                national_identifiers(
                    [
                        (IDNST_SYSTEM, "3" + site_siret, "IDNST"),
                        (SIRENE_SYSTEM, site_siret, "SIRET"),
                    ]
                ),
                [concept(SECTOR, "SA08", "Cabinet de groupe")],
                ej_id,
                _address(place),
            )
        )
        self._establishment(
            Site(eg_id, "3" + site_siret, name, region, department, place, ROR_ONLY)
        )

    # Establishments ----------------------------------------------------------------------

    def _establishment(self, site: Site) -> list[Offer]:
        """Internal organisations, locations and offers of `site`; its offers."""
        rng = self.rng
        total = rng.randint(*site.profile.offers)
        if site.profile.hospital:
            units = self._services(site, total)
        else:
            units = [
                Unit(site.id, site.name, "", [self._offer(site.profile) for _ in range(total)])
            ]
        place_base = _point(site.address)
        offers = []
        for unit in units:
            self._locations(site, unit, place_base)
            for offer in unit.offers:
                self._write_offer(site, unit, offer)
                offers.append(offer)
        return offers

    def _draw_activity(self, pool: str) -> Activity:
        activities, cum_weights = _POOL_DRAWS[pool]
        return self.rng.choices(activities, cum_weights=cum_weights)[0]

    def _draw_mode(self, activity: Activity) -> str:
        modes = activity.modes
        if len(modes) == 1 or self.rng.random() < MAIN_MODE:
            return modes[0]
        return self.rng.choice(modes[1:])

    def _offer(self, profile: Profile) -> Offer:
        pool = self.rng.choices([p for p, _ in profile.pools], [w for _, w in profile.pools])[0]
        activity = self._draw_activity(pool)
        return Offer(activity, self._draw_mode(activity))

    def _services(self, site: Site, total: int) -> list[Unit]:
        """Pôles and services of a hospital, written; the services with their offers."""
        rng = self.rng
        services = max(1, ceil(total / OFFERS_PER_SERVICE))
        poles: list[str] = []
        if services >= 4:
            for number in range(1, max(2, round(services / SERVICES_PER_POLE)) + 1):
                pole_id = self.next_id("Organization")
                poles.append(pole_id)
                self.write(
                    internal(
                        pole_id,
                        self.stamps(site.region),
                        f"PÔLE {number}",
                        "1",
                        f"{site.national_id}/P{number:02d}",
                        site.id,
                    )
                )
        units = []
        codes = rng.sample(range(1000, 10000), services)
        for index, code in enumerate(codes):
            size = total // services + (index < total % services)
            first = self._offer(site.profile)
            offers = [first]
            pool = next(p for p, _ in site.profile.pools if first.activity.code in POOLS[p])
            for _ in range(size - 1):
                activity = first.activity if rng.random() < 0.5 else self._draw_activity(pool)
                offers.append(Offer(activity, self._draw_mode(activity)))
            service_id = self.next_id("Organization")
            name = f"SERVICE {first.activity.label.upper()}"
            parent = poles[index % len(poles)] if poles else site.id
            self.write(
                internal(
                    service_id,
                    self.stamps(site.region),
                    name,
                    "2",
                    f"{site.national_id}/{code}",
                    parent,
                )
            )
            units.append(Unit(service_id, name, str(code), offers))
        return units

    # Locations ---------------------------------------------------------------------------

    def _locations(self, site: Site, unit: Unit, base: tuple[float, float]) -> None:
        """The locations of `unit`'s offers, written; each offer learns its location ids."""
        staying = [o for o in unit.offers if o.mode in STAYING]
        others = [o for o in unit.offers if o.mode not in STAYING]
        zones = ceil(len(staying) / OFFERS_PER_ZONE)
        for index, letter in zip(range(zones), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", strict=False):
            zone = staying[index::zones]
            beds = any(o.mode in BEDS for o in zone)
            if beds:
                installed = self.rng.randint(8, 30)
            elif any(o.mode == "46" for o in zone):  # médico-social lodging
                installed = self.rng.randint(12, 80)
            else:  # day or night places
                installed = self.rng.randint(4, 20)
            self._location(site, unit, base, zone, letter, installed, beds)
        if others and self.rng.random() < 0.7:
            self._location(site, unit, base, others, "", 0, False)

    def _location(
        self,
        site: Site,
        unit: Unit,
        base: tuple[float, float],
        offers: list[Offer],
        letter: str,
        installed: int,
        beds: bool,
    ) -> None:
        rng = self.rng
        location_id = self.next_id("Location")
        stamps = self.stamps(site.region)
        capacity = []
        if letter:  # a bed-hosting zone
            function = "001"
            name = f"{unit.name} - {CARE_MODES[offers[0].mode].split(' (')[0].upper()} {letter}"
            rows = indicators(rng, installed, beds, self.moment)
            capacity = [extension(row, self.defect_rng, self.defect_rate) for row in rows]
            self.counts["capacity indicators"] += len(rows)
            latest = max(row["updated_at"] for row in rows).replace(microsecond=0)
            stamps = Stamps(stamps.region, max(stamps.updated, latest), stamps.created)
            synced = rng.random() < (0.85 if beds else 0.6)
            sync_id = f"{site.national_id}/{unit.code or 'U'}{letter}" if synced else None
        else:
            function, name, sync_id = "002", f"{unit.name} - CONSULTATIONS", None
        status = rng.choices(("active", "suspended", "inactive"), (97, 2, 1))[0]
        commune = site.address.commune
        lat, lon = base
        place = Place(
            _address(site.address),
            commune.insee,
            mixed_case(commune.name),
            round(lat + rng.uniform(-0.002, 0.002), 6),
            round(lon + rng.uniform(-0.002, 0.002), 6),
        )
        functional_id = f"{site.region}/{self.next_functional(site.region, 'Location')}"
        self.write(
            location(
                location_id,
                stamps,
                name,
                function,
                functional_id,
                sync_id,
                place,
                unit.provider,
                status,
                capacity,
            )
        )
        for offer in offers:
            offer.locations.append(location_id)

    # Offers and roles --------------------------------------------------------------------

    def _write_offer(self, site: Site, unit: Unit, offer: Offer) -> None:
        rng = self.rng
        activity, mode = offer.activity, offer.mode
        offer.id = self.next_id("HealthcareService")
        number = self.next_functional(site.region, "HealthcareService")
        if unit.code:
            name = f"{unit.code}  {activity.label} - {CARE_MODES[mode].split(' (')[0].upper()}"
        else:
            name = f"{activity.label} - {site.name}"
        offer_type = activity.offer_type or (HOSPITAL_TYPES.get(mode, "") if unit.code else "")
        publics = activity.publics or (("07",) if rng.random() < 0.2 else ())
        sector = None
        if activity.field == "03" and len(site.department) == 2:  # DD[G|I]NN
            kind = "I" if activity.ages[1] <= 18 else "G"
            sector = f"{site.department}{kind}{rng.randint(1, 12):02d}"
        self.write(
            healthcare_service(
                offer.id,
                self.stamps(site.region),
                f"{site.region}/{number:07d}",
                name,
                activity,
                mode,
                offer_type,
                unit.provider,
                offer.locations,
                activity.sensitive or rng.random() < 0.005,
                publics,
                sector,
            )
        )

    def _roles(self, site: Site, offers: list[Offer], doctors: list[Doctor]) -> None:
        """The roles of the doctors the RPPS places at `site`, in its care offers."""
        care = [o for o in offers if o.activity.field in ("01", "02", "03")]
        if not care:
            return
        rng = self.rng
        for doctor in doctors:
            practitioner_id = self.practitioners.get(doctor.idnps)
            if practitioner_id is None:
                practitioner_id = self.next_id("Practitioner")
                self.practitioners[doctor.idnps] = practitioner_id
                self.write(
                    practitioner(
                        practitioner_id,
                        self.stamps(site.region),
                        doctor.idnps,
                        doctor.family,
                        doctor.given,
                    )
                )
            for offer in rng.sample(care, min(len(care), rng.choice((1, 1, 1, 2, 3)))):
                number = self.next_functional(site.region, "PractitionerRole")
                self.write(
                    practitioner_role(
                        self.next_id("PractitionerRole"),
                        self.stamps(site.region),
                        f"{site.region}/{number:07d}",
                        practitioner_id,
                        site.id,
                        offer.id,
                        offer.locations,
                        doctor.specialty,
                    )
                )


def _address(place: Address) -> dict:
    return address(place, mixed_case(place.commune.name))


def _point(place: Address) -> tuple[float, float]:
    """Where an establishment is: its geocode, else its commune's centre."""
    if place.geocode:
        return place.geocode.lat, place.geocode.lon
    return place.commune.lat, place.commune.lon
