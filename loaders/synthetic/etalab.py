"""The legacy etalab extracts: cs1100501 (legal entities) and cs1100507 (establishments,
then their coordinates), as finess.md §1.2–1.5 describes them.

No header; line 1 is the manifest `finess;etalab;111;YYYY-MM-DD`; `;` separated, RFC 4180
quoting, UTF-8, LF. The extracts hold open structures only. `structureet` lines end with `;`
(empty `numuai`); the `geolocalisation` lines come after all of them.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from typing import TextIO

from directory.organizations.nomenclature import LEGAL_STATUS_LABELS, SPH_LABELS
from loaders.synthetic.catalogue import TARIFF_LABELS
from loaders.synthetic.model import Address, Establishment, Geocode, LegalEntity

FLUX_NUMBER = "111"
# CRS as the 2026 `sourcecoordet` names it (token 5).
CRS_LABELS = {
    2154: "EPSG:2154 RGF93 / Lambert-93 (Métropole)",
    5490: "EPSG:5490 RGAF09/UTM Zone 20N (Antilles)",
    2972: "EPSG:2972 RGFG95/UTM zone 22N (Guyane)",
    2975: "EPSG:2975 RGR92/UTM zone 40S (Réunion)",
    4471: "EPSG:4471 RGM04/UTM zone 38S (Mayotte)",
    32621: "WGS84/UTM zone 21N (St-Pierre-et-Miquelon)",
    32701: "WGS84/UTM zone 1S (Wallis-et-Futuna)",
}
OLD_METROPOLE_LABEL = "L93_METROPOLE"  # a few rows still carry it
SAINT = re.compile(r"\bSAINT(E?)\b")


class _Etalab(csv.Dialect):
    """RFC 4180 with `;`: fields holding `;` or `"` are quoted, their quotes doubled."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    quoting = csv.QUOTE_MINIMAL
    lineterminator = "\n"
    skipinitialspace = False


def _routing(address: Address) -> str:
    """`ligneacheminement`: postal code and locality, La Poste abbreviating SAINT to ST."""
    locality = SAINT.sub(lambda match: "ST" + match.group(1), address.commune.name)
    return f"{address.postal_code} {locality}" + (" CEDEX" if address.cedex else "")


def _source(establishment: Establishment, geocode: Geocode) -> str:
    """`sourcecoordet`: precision level, producer, score, geocoder, CRS."""
    score = "." if geocode.score is None else str(round(geocode.score * 100))
    label = CRS_LABELS[geocode.epsg]
    if geocode.epsg == 2154 and establishment.ege_id % 200 == 0:
        label = OLD_METROPOLE_LABEL
    return f"{geocode.level},ATLASANTE,{score},{geocode.geocoder},{label}"


class EtalabExtracts:
    """Writes both extracts; `spool` is a scratch text file (read-write, `newline=""`) that
    holds the geolocalisation lines until the establishments are all written."""

    def __init__(self, entities: TextIO, establishments: TextIO, spool: TextIO, day: date) -> None:
        self.establishments_stream = establishments
        self.spool = spool
        self.entities = csv.writer(entities, _Etalab)
        self.establishments = csv.writer(establishments, _Etalab)
        manifest = ["finess", "etalab", FLUX_NUMBER, day.isoformat()]
        self.entities.writerow(manifest)
        self.establishments.writerow(manifest)
        self.geolocations = csv.writer(spool, _Etalab)

    def write(self, entity: LegalEntity) -> None:
        if entity.closed:
            return
        self.entities.writerow(self._entity(entity))
        for establishment in entity.establishments:
            if establishment.closed:
                continue
            self.establishments.writerow(self._establishment(entity, establishment))
            geocode = establishment.address.geocode
            if geocode:
                self.geolocations.writerow(
                    [
                        "geolocalisation",
                        establishment.finess,
                        f"{geocode.x:.1f}",
                        f"{geocode.y:.1f}",
                        _source(establishment, geocode),
                        establishment.updated.date().isoformat(),
                    ]
                )

    def close(self) -> None:
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, self.establishments_stream)

    @staticmethod
    def _entity(entity: LegalEntity) -> list[str]:
        a = entity.address
        department = a.commune.department
        # The legacy extract gives a category to hospitals only (e.g. 355 for a CH).
        head = entity.establishments[0].category if entity.establishments else None
        category = head if head and entity.kind.hospital else None
        return [
            "structureej", entity.finess, entity.name, entity.long_name, "",
            a.number, a.street_type, a.street, a.repetition, a.complement, a.locality,
            a.commune.number, _routing(a), department.code, department.name,
            entity.contact.phone, entity.status, LEGAL_STATUS_LABELS[entity.status],
            category.code if category else "", category.label if category else "",
            entity.siren, entity.kind.ape, entity.created.isoformat(),
        ]  # fmt: skip

    @staticmethod
    def _establishment(entity: LegalEntity, e: Establishment) -> list[str]:
        a = e.address
        department = a.commune.department
        return [
            "structureet", e.finess, entity.finess, e.name, e.long_name, e.complement,
            a.complement, a.number, a.street_type, a.street, a.repetition, a.locality,
            a.commune.number, department.code, department.name, _routing(a),
            e.contact.phone, e.contact.fax,
            e.category.code, e.category.label, e.category.aggregate, e.category.aggregate_label,
            e.siret, e.ape, e.tariff, TARIFF_LABELS[e.tariff], e.sph, SPH_LABELS.get(e.sph, ""),
            e.opened.isoformat(), e.authorised.isoformat(), e.updated.date().isoformat(), e.uai,
        ]  # fmt: skip
