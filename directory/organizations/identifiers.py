"""Identifier systems and types of FINESS structures, as the national FHIR APIs publish them."""

from __future__ import annotations

FINESS_SYSTEM = "https://finess.esante.gouv.fr"
IDNST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"
SIRENE_SYSTEM = "https://sirene.fr"
IDENTIFIER_TYPE_SYSTEM = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"


def identifiers(
    finess: str, kind: str, siren: str | None, siret: str | None
) -> list[tuple[str, str, str]]:
    """(system, value, type code) of every identifier of a structure."""
    found = [
        (FINESS_SYSTEM, finess, "FINEJ" if kind == "EJ" else "FINEG"),
        (IDNST_SYSTEM, "1" + finess, "IDNST"),
    ]
    if siren:
        found.append((SIRENE_SYSTEM, siren, "SIREN"))
    if siret:
        found.append((SIRENE_SYSTEM, siret, "SIRET"))
    return found
