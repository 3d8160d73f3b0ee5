"""How the ROR's organizations and practitioners become ours: which one FINESS or RPPS
already knows, the id each gets, and the establishment above any of them.

A ROR legal entity (EJ) or establishment (EG) whose FINESS number FINESS knows is FINESS's
organization (id = FINESS number): one Organization, not two. The others get the id
"ror-<ROR id>" and the kind RJ, RG or OI (internal organisation). A ROR practitioner whose
IDNPS RPPS knows is RPPS's. Offers and locations then point at our ids, and at the
establishment found by walking `partOf` up from their organization.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from directory.offers.systems import IDNST_SYSTEM, OI_SYSTEM
from directory.organizations.identifiers import FINESS_SYSTEM
from directory.practitioners.systems import IDNPS_SYSTEM
from loaders.ror_fhir import codings

ROR_ONLY_KIND = {"EJ": "RJ", "EG": "RG", "OI": "OI"}
LEGAL_ENTITY_TYPES = ("StatutJuridique", "LEGAL-ENTITY")
ESTABLISHMENT_TYPES = ("CategorieEtablissement", "GEOGRAPHICAL-ENTITY")
INTERNAL_TYPES = ("TypeOrganisationInterne", "INTERNAL")
MAX_DEPTH = 32  # partOf chains are a few levels deep; a longer one is a cycle


def reference_id(reference: object, resource_type: str) -> str | None:
    """The id a Reference points at, when it is a reference to `resource_type`
    ("Organization/12", an absolute URL, or a versioned reference)."""
    if isinstance(reference, list):  # PractitionerRole.healthcareService is 0..* in R4
        reference = reference[0] if reference else None
    if not isinstance(reference, dict) or not isinstance(reference.get("reference"), str):
        return None
    parts = reference["reference"].split("/_history/")[0].rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type and parts[-1]:
        return parts[-1]
    return None


def _system(value: object) -> str:
    return value.rstrip("/").replace("http://", "https://") if isinstance(value, str) else ""


@dataclass(frozen=True)
class RorOrganization:
    """What the first pass keeps of a ROR Organization."""

    ror_id: str
    kind: str  # EJ, EG or OI, as the ROR describes it
    finess: str | None
    part_of: str | None  # the ROR id of the organization above


def describe(resource: dict) -> RorOrganization:
    """The kind, FINESS number and parent of a ROR Organization (`id` present)."""
    identifiers = [i for i in resource.get("identifier") or () if isinstance(i, dict)]
    finess = next(
        (i["value"] for i in identifiers
         if _system(i.get("system")) == FINESS_SYSTEM and isinstance(i.get("value"), str)),
        None,
    )  # fmt: skip
    if finess is None:  # idNatSt "1" + FINESS number
        finess = next(
            (i["value"][1:] for i in identifiers
             if i.get("system") == IDNST_SYSTEM and isinstance(i.get("value"), str)
             and len(i["value"]) == 10 and i["value"].startswith("1")),
            None,
        )  # fmt: skip
    types = " ".join(f"{c.get('system')} {c.get('code')}" for c in codings(resource.get("type")))
    part_of = reference_id(resource.get("partOf"), "Organization")
    if any(_system(i.get("system")) == OI_SYSTEM for i in identifiers) or any(
        t in types for t in INTERNAL_TYPES
    ):
        kind = "OI"
    elif any(t in types for t in ESTABLISHMENT_TYPES):
        kind = "EG"
    elif any(t in types for t in LEGAL_ENTITY_TYPES) or part_of is None:
        kind = "EJ"  # a legal entity has nothing above it
    else:
        kind = "EG"
    return RorOrganization(str(resource["id"]), kind, finess, part_of)


def idnps(resource: dict) -> str | None:
    """The IDNPS of a ROR Practitioner (identifier idNatPs)."""
    return next(
        (i["value"] for i in resource.get("identifier") or ()
         if isinstance(i, dict) and i.get("system") == IDNPS_SYSTEM
         and isinstance(i.get("value"), str) and i["value"].strip()),
        None,
    )  # fmt: skip


@dataclass(frozen=True)
class Establishment:
    """The establishment above an offer or a location."""

    id: str  # our id
    finess: str | None  # its FINESS number (API key scopes compare against it)


class Links:
    """Our ids of the ROR's organizations and practitioners."""

    def __init__(
        self,
        organizations: dict[str, RorOrganization],
        known_finess: set[str],
        practitioners: dict[str, str],
        known_idnps: set[str],
    ) -> None:
        self.organizations = organizations
        self.known_finess = known_finess
        self.practitioners = practitioners  # ROR id -> IDNPS
        self.known_idnps = known_idnps

    @classmethod
    def read(
        cls,
        conn: psycopg.Connection,
        organizations: dict[str, RorOrganization],
        practitioners: dict[str, str],
    ) -> Links:
        """Ask the database which FINESS numbers and IDNPS it already has."""
        numbers = sorted({o.finess for o in organizations.values() if o.finess})
        known_finess = {
            row[0]
            for row in conn.execute(
                "SELECT id FROM organization WHERE id = ANY(%s) AND kind IN ('EJ', 'EG') "
                "AND removed_at IS NULL",
                (numbers,),
            )
        }
        known_idnps = {
            row[0]
            for row in conn.execute(
                "SELECT id FROM practitioner WHERE id = ANY(%s) AND source = 'rpps' "
                "AND removed_at IS NULL",
                (sorted(set(practitioners.values())),),
            )
        }
        return cls(organizations, known_finess, practitioners, known_idnps)

    def in_finess(self, organization: RorOrganization) -> bool:
        return organization.kind != "OI" and organization.finess in self.known_finess

    def organization_id(self, ror_id: str | None) -> str | None:
        """Our id of a ROR organization; None when the extract does not hold it."""
        organization = self.organizations.get(ror_id) if ror_id else None
        if organization is None:
            return None
        if self.in_finess(organization):
            return organization.finess
        return f"ror-{organization.ror_id}"

    def establishment(self, ror_id: str | None) -> Establishment | None:
        """The establishment (EG) at or above a ROR organization, walking partOf."""
        seen = 0
        organization = self.organizations.get(ror_id) if ror_id else None
        while organization is not None and seen < MAX_DEPTH:
            if organization.kind == "EG":
                return Establishment(self.organization_id(organization.ror_id), organization.finess)
            if organization.kind == "EJ":
                return None
            organization = self.organizations.get(organization.part_of or "")
            seen += 1
        return None

    def practitioner_id(self, ror_id: str | None) -> str | None:
        """The IDNPS a ROR practitioner is stored under."""
        return self.practitioners.get(ror_id) if ror_id else None
