"""The FINESS+ structures flux (`finess-structures-journalier-YYYYMMDD.json.gz`).

Shaped like ANS's sample `exemple-finess-structures-journalier-20260309.json`: `gcc`, `gco`,
then `pmej` with their `ege`, keys in the sample's order, optional keys left out when empty.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from typing import BinaryIO

from loaders.synthetic.jsonflux import JsonFlux, moment_text
from loaders.synthetic.model import (
    HOSPITAL_SERVICE_STATUSES,
    Address,
    Contact,
    Cooperation,
    Establishment,
    Geocode,
    Ght,
    LegalEntity,
)
from loaders.synthetic.names import STREET_TYPES

# Registration stamps FINESS+ gave the history it took over (ANS sample).
ENTITY_MIGRATION = datetime(2025, 10, 21, 18, 36, 29)
ESTABLISHMENT_MIGRATION = datetime(2023, 3, 15, 11, 21, 1)
GROUP_MIGRATION = datetime(2025, 10, 21, 19, 19, 5)
GHT_CREATION = date(2017, 1, 1)
STREET_WORDS = {code: word for code, word, _ in STREET_TYPES}


def _padded(text: str, width: int, padded: bool) -> str:
    """Legacy records keep the old fixed-width strings: "POLYCLINIQUE D'AMBERIEU         "."""
    return text.ljust(width) if padded else text


def _coordinates(geocode: Geocode) -> dict:
    # ANS's sample puts the projected northing in coordonneeX and the easting in
    # coordonneeY; the swapped records carry the WGS84 pair there instead.
    projected = (f"{geocode.y:.2f}", f"{geocode.x:.2f}")
    geographic = (f"{geocode.lat:.6f}", f"{geocode.lon:.6f}")
    first, second = (geographic, projected) if geocode.swapped else (projected, geographic)
    coordinates = {
        "coordonneeX": first[0],
        "coordonneeY": first[1],
        "directionLatitude": second[0],
        "directionLongitude": second[1],
        "cleInInteropBAN": geocode.ban_key,
    }
    if geocode.score is not None:
        coordinates["scoreBAN"] = repr(geocode.score)
    return coordinates


def _address(address: Address, usage: str, padded: bool) -> dict:
    item: dict = {"usageAdresse": usage}
    if address.number:
        item["numeroVoie"] = address.number
    if address.street_type:
        item["typeVoie"] = _padded(address.street_type, 4, padded)
    if address.street:
        item["libelleVoie"] = _padded(address.street, 21, padded)
    if address.repetition:
        item["complementVoie"] = address.repetition
    if address.complement:
        item["complementPointGeographique"] = address.complement
    if address.locality:
        item["lieuDit"] = address.locality
    item["cogCommune"] = address.commune.insee
    item["ligneAcheminement"] = address.commune.name + (" CEDEX" if address.cedex else "")
    words = (address.number + address.repetition, STREET_WORDS.get(address.street_type, ""))
    line = " ".join(part for part in (*words, address.street) if part)
    if line:
        item["ligneQuatre"] = line
    item["codePostal"] = address.postal_code
    if address.geocode:
        item["coordonneesGeographique"] = _coordinates(address.geocode)
    return item


def _contacts(contact: Contact) -> list[dict]:
    telecom = {}
    if contact.published_phone:
        telecom["telephone"] = contact.published_phone
    if contact.fax:
        telecom["telecopie"] = contact.fax
    if contact.email:
        telecom["courriel"] = contact.email
    return [{"typeContact": {"roleContact": "01"}, "telecom": telecom}] if telecom else []


def _ght(flux: JsonFlux, ght: Ght) -> dict:
    return {
        "gccId": str(ght.gcc_id),
        "nomGcc": ght.name,
        "typeGcc": "001",
        "gccIdentifiantExterne": ght.external_id,
        "engagement": [],
        "evenement": [flux.event(GROUP_MIGRATION, GHT_CREATION, "003", "003", ("GR", ght.gcc_id))],
        "pmejDuGcc": [{"pmSmsseId": str(pm), "typeRoleEntiteGroupe": r} for pm, r in ght.members],
        "egeDuGcc": [],
        "etatObjet": "A",
        "dateDerniereMaj": moment_text(GROUP_MIGRATION),
    }


def _cooperation(group: Cooperation) -> dict:
    return {
        "pmSmsseId": str(group.pm_id),
        "typeGco": group.type,
        "pmejDuGco": [
            {"pmSmsseId": str(pm), "typeRoleEntiteGroupe": "M"} for pm in group.pm_members
        ],
        "egeDuGco": [{"egeId": str(ege), "typeRoleEntiteGroupe": "M"} for ege in group.ege_members],
    }


class StructuresFlux:
    def __init__(
        self,
        stream: BinaryIO,
        generated_at: datetime,
        ghts: list[Ght],
        cooperations: list[Cooperation],
    ) -> None:
        self.flux = JsonFlux(stream, generated_at)
        self.engagements = count(1)
        self.flux.array("gcc")
        for ght in ghts:
            self.flux.add(_ght(self.flux, ght))
        self.flux.array("gco")
        for group in cooperations:
            self.flux.add(_cooperation(group))
        self.flux.array("pmej")

    def write(self, entity: LegalEntity) -> None:
        self.flux.add(self._pmej(entity))

    def close(self) -> None:
        self.flux.close()

    def _pmej(self, entity: LegalEntity) -> dict:
        info: dict = {
            "pmSmsseId": str(entity.pm_id),
            "codeApe": entity.ape,
            "dateCreation": entity.created.isoformat(),
        }
        if entity.closed:
            info["dateFermeture"] = entity.closed.isoformat()
        info["denominationLonguePmSmsse"] = _padded(entity.long_name, 60, entity.padded)
        info["denominationPm"] = _padded(entity.name, 32, entity.padded)
        info["numFinessPm"] = entity.finess
        if entity.status in HOSPITAL_SERVICE_STATUSES:
            info["fonctionPublique"] = "01"
        if entity.siren:
            info["siren"] = entity.siren
        info["statutJuridique"] = entity.status
        if entity.gco:
            info["typeGroupeGco"] = entity.gco
        info["typePersonneMorale"] = "01"
        subject = ("PM", entity.pm_id)
        events = [self.flux.event(ENTITY_MIGRATION, entity.created, "001", "001", subject)]
        if entity.closed:  # 002: left the FINESS scope, 005: closed
            code = "002" if entity.pm_id % 3 == 0 else "005"
            events.append(self.flux.event(ENTITY_MIGRATION, entity.closed, code, code, subject))
        return {
            "informationsGeneralesPMEJ": info,
            "adresse": [_address(entity.address, "02", entity.padded)],
            "contact": _contacts(entity.contact),
            "engagement": [],
            "evenement": events,
            "ege": [self._ege(establishment) for establishment in entity.establishments],
            "etatObjet": "I" if entity.closed else "A",
            "dateDerniereMaj": moment_text(entity.updated),
        }

    def _ege(self, establishment: Establishment) -> dict:
        e = establishment
        info: dict = {"egeId": str(e.ege_id)}
        if e.complement:
            info["complementDenominationEg"] = e.complement
        if e.closed:
            info["dateFermeture"] = e.closed.isoformat()
        info["dateOuverture"] = e.opened.isoformat()
        info["datePremiereAutorisation"] = e.authorised.isoformat()
        info["nomEgeCourt"] = _padded(e.name, 32, e.padded)
        info["nomEgeLong"] = _padded(e.long_name, 60, e.padded)
        if e.uai:
            info["numeroEducationNationale"] = e.uai
        info["numFinessEge"] = e.finess
        if e.sph:
            info["espic"] = [e.sph]
        if e.siret:
            info["siret"] = e.siret
        subject = ("EG", e.ege_id)
        migration = ESTABLISHMENT_MIGRATION
        events = [
            self.flux.event(migration, e.opened, "003", "003", subject),
            self.flux.event(migration, e.authorised, "007", "007", subject),
        ]
        if e.closed:  # état 100 closed, 101 closed before opening
            state = "101" if (e.closed - e.opened).days < 365 else "100"
            events.append(self.flux.event(migration, e.closed, state, "005", subject))
        engagements = []
        if e.agreement:
            engagements.append(
                {
                    "engagementId": str(next(self.engagements)),
                    "typeEngagement": "CONV",
                    "sousTypeEngagement": "ASE",
                    "dateEffetEngagement": e.agreement.isoformat(),
                    "dateSignatureEngagement": e.agreement.isoformat(),
                    "autoriteRegulationEngagement": [],
                }
            )
        return {
            "informationsGeneralesEGE": info,
            "categorieentiteGeographiqueExercice": e.category.code,
            "modefixationtarifaire": e.tariff,
            "typeBudget": ["01"],
            "adresse": [_address(e.address, "03", e.padded)],
            "contact": _contacts(e.contact),
            "engagement": engagements,
            "evenement": events,
            "roleEge": [],
            "etatObjet": "I" if e.closed else "A",
            "dateDerniereMaj": moment_text(e.updated),
        }
