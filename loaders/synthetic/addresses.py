"""Addresses, geocodes and contacts of the synthetic structures, with the quirks of the
real files (post boxes and CEDEX, commune-centroid geocodes, swapped coordinate pairs,
phones written twice or dotted)."""

from __future__ import annotations

import random
from itertools import accumulate

from loaders.finess_geo import from_wgs84
from loaders.synthetic.model import Address, Contact, Geocode
from loaders.synthetic.names import STREET_TYPES, VOCABULARY, postal
from loaders.synthetic.places import Commune, near

NO_COORDINATES = 0.01
SWAPPED = 0.01
_STREET_WEIGHTS = list(accumulate(weight for _, _, weight in STREET_TYPES))


def draw_address(rng: random.Random, commune: Commune) -> Address:
    number = str(rng.randint(1, 250)) if rng.random() < 0.8 else ""
    street_type = ""
    if number or rng.random() < 0.6:
        street_type = rng.choices(STREET_TYPES, cum_weights=_STREET_WEIGHTS)[0][0]
    street = rng.choice(VOCABULARY["street"]) if street_type else ""
    draw = rng.random()
    if draw < 0.06:
        locality = f"BP {rng.randint(1, 999)}"
    elif draw < 0.08:
        locality = f"CS {rng.randint(10000, 99999)}"
    elif draw < 0.14 or not street:
        locality = rng.choice(VOCABULARY["locality"])
    else:
        locality = ""
    cedex = locality[:3] in ("BP ", "CS ") and rng.random() < 0.5
    lat, lon = near(rng, commune)
    return Address(
        number=number,
        street_type=street_type,
        street=street,
        repetition=rng.choice("BTQ") if number and rng.random() < 0.03 else "",
        complement=rng.choice(VOCABULARY["complement"]) if rng.random() < 0.03 else "",
        locality=locality,
        commune=commune,
        postal_code=commune.postal_code[:3] + f"{rng.randrange(100):02d}"
        if cedex
        else commune.postal_code,
        cedex=cedex,
        geocode=_geocode(rng, commune, lat, lon, number),
    )


def _geocode(
    rng: random.Random, commune: Commune, lat: float, lon: float, number: str
) -> Geocode | None:
    if rng.random() < NO_COORDINATES:
        return None
    department = commune.department
    draw = rng.random()
    score: float | None = None
    if department.code == "9J":  # no address base covers Wallis: placed on a map
        geocoder, level, key = "MAPS 06-11-2024", "4", commune.insee
    elif draw < 0.045:  # commune centroid, the weakest geocode
        geocoder, level, key = "ADMIN-EXPRESS-2023", "2", commune.insee
        lat, lon = commune.lat, commune.lon
    else:
        geocoder = "BDADRESSE" if draw < 0.135 else "BAN"
        level = "2" if department.overseas else "1"
        score = rng.uniform(0.8 if geocoder == "BAN" else 0.6, 1.0)
        key = f"{commune.insee}_{rng.randrange(10000):04d}_{int(number or 0):05d}"
    x, y = from_wgs84(lat, lon, department.epsg)
    swapped = rng.random() < SWAPPED
    return Geocode(lat, lon, x, y, department.epsg, geocoder, level, score, key, swapped)


def draw_contact(rng: random.Random, commune: Commune) -> Contact:
    prefix = commune.department.phone
    phone = _phone(rng, prefix) if prefix and rng.random() < 0.9 else ""
    fax = _phone(rng, prefix) if phone and rng.random() < 0.4 else ""
    email = ""
    if rng.random() < 0.15:
        email = (
            f"accueil{rng.randint(1, 99)}@{postal(commune.name).lower().replace(' ', '-')}-sante.fr"
        )
    published = phone
    draw = rng.random()
    if phone and draw < 0.004:  # two numbers in one field
        published = f"{phone}/{_phone(rng, prefix)}"
    elif phone and draw < 0.008:
        published = ".".join(phone[i : i + 2] for i in range(0, 10, 2))
    return Contact(phone, fax, email, published)


def _phone(rng: random.Random, prefix: str) -> str:
    digits = 10 - len(prefix)
    return prefix + f"{rng.randrange(10**digits):0{digits}d}"
