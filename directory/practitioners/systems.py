"""Identifier and code systems of RPPS practitioners, as the Annuaire Santé FHIR API uses them."""

from __future__ import annotations

IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
RPPS_SYSTEM = "https://rpps.esante.gouv.fr"
IDENTIFIER_TYPE_SYSTEM = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
# Open data gives activities no identifier: ours is the stable key of the activity.
ROLE_IDENTIFIER_SYSTEM = "urn:annuaire:situation-exercice"
MAILBOX_TYPE_EXTENSION = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata"
EMAIL_TYPE_EXTENSION = (
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type"
)
AUTHORIZATION_EXTENSION = (
    "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/"
    "as-ext-practitioner-authorization"
)
PRACTITIONER_PROFILES = (
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner",
    "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-dp-practitioner",
)
ROLE_PROFILES = (
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner-role",
    "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-dp-practitionerrole",
)


def nos(table: str, name: str) -> str:
    """The canonical URL of a NOS terminology: nos("TRE_G15", "ProfessionSante")."""
    return f"https://mos.esante.gouv.fr/NOS/{table}-{name}/FHIR/{table.replace('_', '-')}-{name}"


PROFESSION = nos("TRE_G15", "ProfessionSante")
CATEGORY = nos("TRE_R09", "CategorieProfessionnelle")
CIVILITY = nos("TRE_R81", "Civilite")
PRACTICE_CIVILITY = nos("TRE_R11", "CiviliteExercice")
SKILL_TYPE = nos("TRE_R04", "TypeSavoirFaire")
MODE = nos("TRE_R23", "ModeExercice")
ROLE = nos("TRE_R21", "Fonction")
GENRE = nos("TRE_R22", "GenreActivite")
SECTOR = nos("TRE_R02", "SecteurActivite")
PHARMACIST_SECTION = nos("TRE_R06", "SectionTableauCNOP")
DIPLOMA_TYPE = nos("TRE_R14", "TypeDiplome")
DIPLOMA = nos("TRE_R48", "DiplomeEtatFrancais")
AUTHORIZATION_TYPE = nos("TRE_R07", "TypeAutorisation")
MAILBOX_TYPE = nos("TRE_R257", "TypeBAL")
MAILBOX_KIND = nos("TRE_R256", "TypeMessagerie")

# Savoir-faire code system by type of savoir-faire (TRE_R04). A type not listed here keeps
# its code without a system rather than a guessed one.
SKILL_SYSTEMS = {
    "S": nos("TRE_R38", "SpecialiteOrdinale"),
    "C": nos("TRE_R39", "Competence"),
    "CEX": nos("TRE_R40", "CompetenceExclusive"),
    "DSQ": nos("TRE_R42", "DESCnonQualifiant"),
    "CAPA": nos("TRE_R43", "CapaciteSavoirFaire"),
    "PAC": nos("TRE_R44", "QualificationPAC"),
    "FQ": nos("TRE_R45", "FonctionQualifiee"),
    "DEC": nos("TRE_R97", "DroitExerciceCompl"),
    "OP": nos("TRE_G13", "OrientationParticuliere"),
}
# Diploma code system by type of diploma (TRE_R14): only the state diplomas are certain.
DIPLOMA_SYSTEMS = {"DE": DIPLOMA}
