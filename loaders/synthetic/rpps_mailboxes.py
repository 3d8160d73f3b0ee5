"""MSSanté mailboxes of the synthetic extract (`Extraction_Correspondance_MSSante`).

PER: the personal mailbox of a share of the professionals (most doctors, fewer nurses), at the
site of their first activity; CAB: the shared mailbox of some cabinets (RPPS rang); ORG: the
mailboxes of FINESS sites (secretariat, services). Addresses are unique: a bitmap of their
hashes (8 MB whatever the scale) spots a homonym, who gets their identifier as a suffix.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator

from loaders.synthetic.names import postal
from loaders.synthetic.rpps_catalogue import CATEGORIES, PROFESSIONS
from loaders.synthetic.rpps_people import Person
from loaders.synthetic.rpps_structures import Structure

# Share of the professionals with a personal mailbox, by profession.
PERSONAL_SHARE = {"10": 0.75, "21": 0.55, "40": 0.45, "50": 0.6, "60": 0.25, "70": 0.35}
PERSONAL_SHARE_OTHERS = 0.08
CABINET_SHARE = 0.05  # cabinets known by an RPPS rang with a shared mailbox
SITE_SHARE = 0.5  # FINESS sites of the kinds below with mailboxes
SITE_KINDS = frozenset({"hospital", "clinic", "dialysis", "health_centre", "msp", "elderly"})
DIGITISED = 0.4  # mailboxes accepting dematerialised documents
# Domains of the professionals' own mailboxes, when their site has none.
PROFESSION_DOMAINS = {
    "10": "medecin.mssante.fr",
    "21": "pharmacien.mssante.fr",
    "40": "chirurgien-dentiste.mssante.fr",
    "50": "sage-femme.mssante.fr",
    "60": "infirmier.mssante.fr",
    "70": "masseur-kinesitherapeute.mssante.fr",
}
OTHER_DOMAIN = "paramedical.mssante.fr"
SERVICES = (
    "Urgences",
    "Cardiologie",
    "Pédiatrie",
    "Médecine interne",
    "Chirurgie viscérale",
    "Réanimation",
    "Gériatrie",
    "Maternité",
    "Psychiatrie adulte",
    "Oncologie",
    "Bloc opératoire",
    "Consultations externes",
)
# (local part, service de rattachement) of the sites' mailboxes.
SITE_MAILBOXES = (
    ("secretariat", "Secrétariat médical"),
    ("accueil", "Accueil"),
    ("urgences", "Urgences"),
    ("consultations", "Consultations externes"),
    ("imagerie", "Imagerie médicale"),
    ("laboratoire", "Laboratoire"),
    ("pharmacie", "Pharmacie à usage intérieur"),
    ("direction", "Direction"),
    ("dim", "Département d'information médicale"),
    ("admissions", "Admissions"),
)
_BITS = 26  # 2^26 bits: under 1 % false alarms for a million addresses


def _local(text: str) -> str:
    """A name as the local part of an address: "D'ALMEIDA" → "d-almeida"."""
    return "-".join(postal(text).lower().split())


def _site_columns(structure: Structure) -> list[str]:
    """The 13 columns describing the mailbox's structure, from its activity-file columns."""
    c = structure.block.split("|")
    # raison sociale, enseigne, L2 complément destinataire, L3 complément point
    # géographique, L4 numéro, indice, type de voie, libellé, L5 mention, L6 bureau, code
    # postal, département, pays
    return [c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[13], c[14], c[15], c[16], c[25], c[19]]


class Mailboxes:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}/rpps-mailboxes")
        self._seen = bytearray(1 << (_BITS - 3))

    def _unique(self, local: str, domain: str, suffix: str) -> str:
        """local@domain, or local.suffix@domain when taken (`suffix` is the holder's own)."""
        address = f"{local}@{domain}"
        if self._mark(address):
            address = f"{local}.{suffix}@{domain}"
            self._mark(address)
        return address

    def _mark(self, address: str) -> bool:
        """Record `address`; whether it may have been seen before."""
        bit = zlib.crc32(address.encode()) & ((1 << _BITS) - 1)
        index, mask = bit >> 3, 1 << (bit & 7)
        seen = bool(self._seen[index] & mask)
        self._seen[index] |= mask
        return seen

    def for_person(self, person: Person) -> list[list[str]]:
        """The PER and CAB rows of `person`: at the site of their first activity."""
        rng, rows = self.rng, []
        exercice = person.exercices[0]
        structure = next((a.structure for a in exercice.activities if a.structure), None)
        if structure is None:
            return rows
        code = exercice.profession.code
        savoir_faire = exercice.savoir_faire[0][1:] if exercice.savoir_faire else ("", "")
        identity = [
            person.id_type,
            person.identifier,
            person.idnps,
            structure.national_id[0],
            structure.national_id,
        ]
        professional = [
            exercice.title,
            person.family,
            person.given,
            exercice.category,
            CATEGORIES[exercice.category],
            code,
            PROFESSIONS[code],
            *savoir_faire,
        ]
        if rng.random() < PERSONAL_SHARE.get(code, PERSONAL_SHARE_OTHERS):
            domain = structure.domain or PROFESSION_DOMAINS.get(code, OTHER_DOMAIN)
            local = f"{_local(person.given)}.{_local(person.family)}"
            service = rng.choice(SERVICES) if structure.domain and rng.random() < 0.6 else ""
            rows.append(
                [
                    "PER",
                    self._unique(local, domain, person.identifier),
                    *identity,
                    service,
                    *professional,
                    self._digitised(),
                    *_site_columns(structure),
                ]
            )
        if structure.national_id[0] == "4" and rng.random() < CABINET_SHARE:
            domain = PROFESSION_DOMAINS.get(code, OTHER_DOMAIN)
            local = f"cabinet.{_local(person.family)}"
            rows.append(
                [
                    "CAB",
                    self._unique(local, domain, person.identifier),
                    *identity,
                    "",
                    *professional,
                    self._digitised(),
                    *_site_columns(structure),
                ]
            )
        return rows

    def for_sites(self, sites: list[tuple[str, Structure]]) -> Iterator[list[str]]:
        """The ORG rows of the FINESS sites: one to three service mailboxes each."""
        rng = self.rng
        for kind, structure in sites:
            if kind not in SITE_KINDS or rng.random() >= SITE_SHARE:
                continue
            for local, service in rng.sample(SITE_MAILBOXES, rng.randint(1, 3)):
                yield [
                    "ORG",
                    self._unique(local, structure.domain, structure.national_id),
                    "",
                    "",
                    "",
                    structure.national_id[0],
                    structure.national_id,
                    service,
                    *[""] * 9,
                    self._digitised(),
                    *_site_columns(structure),
                ]

    def _digitised(self) -> str:
        return "true" if self.rng.random() < DIGITISED else "false"
