"""The lines of the public RPPS extract files: headers and rows, in the real layout.

`|` separated, no quoting, every line (header included) ends with `|` (rpps.md §1.2, §1.3,
§1.7). Column names are verbatim, in order: the current 56-column Personne_activite.
"""

from __future__ import annotations

from collections.abc import Iterable

from loaders.synthetic.rpps_catalogue import (
    CATEGORIES,
    CIVILITIES,
    GENRES,
    MODES,
    PROFESSIONS,
    ROLES,
    SAVOIR_FAIRE_TYPES,
    SECTIONS,
    SECTORS,
    TITLES,
)
from loaders.synthetic.rpps_people import Person
from loaders.synthetic.rpps_structures import EMPTY_BLOCK

_COORD = "(coord. structure)"
ACTIVITY_COLUMNS = (
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    f"Complément destinataire {_COORD}",
    f"Complément point géographique {_COORD}",
    f"Numéro Voie {_COORD}",
    f"Indice répétition voie {_COORD}",
    f"Code type de voie {_COORD}",
    f"Libellé type de voie {_COORD}",
    f"Libellé Voie {_COORD}",
    f"Mention distribution {_COORD}",
    f"Bureau cedex {_COORD}",
    f"Code postal {_COORD}",
    f"Code commune {_COORD}",
    f"Libellé commune {_COORD}",
    f"Code pays {_COORD}",
    f"Libellé pays {_COORD}",
    f"Téléphone {_COORD}",
    f"Téléphone 2 {_COORD}",
    f"Télécopie {_COORD}",
    f"Adresse e-mail {_COORD}",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
    "Code rôle",
    "Libellé rôle",
    "Code genre activité",
    "Libellé genre activité",
)
_PERSON = (
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Nom d'exercice",
    "Prénom d'exercice",
)
DIPLOMA_COLUMNS = (
    *_PERSON,
    "Code type diplôme obtenu",
    "Libellé type diplôme obtenu",
    "Code diplôme obtenu",
    "Libellé diplôme obtenu",
    "Code type autorisation",
    "Libellé type autorisation",
    "Code discipline autorisation",
    "Libellé discipline autorisation",
)
SAVOIR_FAIRE_COLUMNS = (
    *_PERSON,
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
)
_BAL = "structure BAL"
MAILBOX_COLUMNS = (
    "Type de BAL",
    "Adresse BAL",
    "Type Identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Type identifiant structure",
    "Identification Structure",
    "Service de rattachement",
    "Civilité d'exercice",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Catégorie profession",
    "Libellé de catégorie profession",
    "Code Profession",
    "Libellé Profession",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Dématérialisation",
    f"Raison Sociale {_BAL}",
    f"Enseigne commerciale {_BAL}",
    f"L2COMPLEMENTLOCALISATION {_BAL}",
    f"L3COMPLEMENTDISTRIBUTION {_BAL}",
    f"L4NUMEROVOIE {_BAL}",
    f"L4COMPLEMENTNUMEROVOIE {_BAL}",
    f"NL4TYPEVOIE {_BAL}",
    f"L4LIBELLEVOIE {_BAL}",
    f"L5LIEUDITMENTION {_BAL}",
    f"L6LIGNEACHEMINEMENT {_BAL}",
    f"Code postal {_BAL}",
    f"Département {_BAL}",
    f"Pays {_BAL}",
)


def line(fields: Iterable[str]) -> str:
    return "|".join(fields) + "|\n"


def activity_lines(person: Person) -> str:
    """One line per activity of each exercice; one line without a site for an exercice
    without activity."""
    lines = []
    identity = (person.id_type, person.identifier, person.idnps)
    civility = (person.civility, CIVILITIES[person.civility], person.family, person.given)
    for exercice in person.exercices:
        profession = exercice.profession
        kind, code, label = exercice.savoir_faire[0] if exercice.savoir_faire else ("", "", "")
        prefix = "|".join(
            (
                *identity,
                exercice.title,
                TITLES.get(exercice.title, ""),
                *civility,
                profession.code,
                PROFESSIONS[profession.code],
                exercice.category,
                CATEGORIES[exercice.category],
                kind,
                SAVOIR_FAIRE_TYPES.get(kind, ""),
                code,
                label,
            )
        )
        if not exercice.activities:
            authority = f"{profession.authority}//"
            lines.append(f"{prefix}|||{EMPTY_BLOCK}|{authority}|||||||||\n")
        for a in exercice.activities:
            block = a.structure.block if a.structure else EMPTY_BLOCK
            lines.append(
                "|".join(
                    (
                        prefix,
                        a.mode,
                        MODES[a.mode],
                        block,
                        a.authority,
                        a.sector,
                        SECTORS.get(a.sector, ""),
                        a.section,
                        SECTIONS.get(a.section, ""),
                        a.role,
                        ROLES[a.role],
                        a.genre,
                        GENRES[a.genre],
                    )
                )
                + "|\n"
            )
    return "".join(lines)


def diploma_lines(person: Person) -> str:
    identity = "|".join(
        (person.id_type, person.identifier, person.idnps, person.family, person.given)
    )
    return "".join(f"{identity}|{'|'.join(row)}|\n" for row in person.diplomas)


def savoir_faire_lines(person: Person) -> str:
    identity = "|".join(
        (person.id_type, person.identifier, person.idnps, person.family, person.given)
    )
    lines = []
    for exercice in person.exercices:
        profession = exercice.profession.code
        category = exercice.category
        for kind, code, label in exercice.savoir_faire:
            fields = (
                profession,
                PROFESSIONS[profession],
                category,
                CATEGORIES[category],
                kind,
                SAVOIR_FAIRE_TYPES[kind],
                code,
                label,
            )
            lines.append(f"{identity}|{'|'.join(fields)}|\n")
    return "".join(lines)
