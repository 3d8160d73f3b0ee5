"""URLs of the ROR profiles, extensions, identifier types and code systems, and the eight coded
dimensions of a capacity indicator: shared by the loader, the FHIR API, the bed writes and the
SAS search, so that they read and write the same shapes."""

from __future__ import annotations

from dataclasses import dataclass

from directory.practitioners.systems import nos

ROR_IG = "https://interop.esante.gouv.fr/ig/fhir/ror"


def ror_extension(name: str) -> str:
    """The URL of a ROR extension: ror_extension("ror-commune-cog")."""
    return f"{ROR_IG}/StructureDefinition/{name}"


SUPPORTED_CAPACITY = ror_extension("ror-location-supported-capacity")
RESIDENTIAL_CAPACITY = ror_extension("ror-location-residential-capacity")
EQUIPMENT = ror_extension("ror-location-equipment")
COMMUNE_COG = ror_extension("ror-commune-cog")
PATIENT_TYPE = ror_extension("ror-healthcareservice-patient-type")
SENSITIVE_UNIT = ror_extension("ror-healthcareservice-sensitive-unit")
LOCATION_PROFILE = ror_extension("ror-location")
SERVICE_PROFILE = ror_extension("ror-healthcareservice")
ORGANIZATION_PROFILE = ror_extension("ror-organization")

IDNST_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"  # identifiant national de structure
OI_SYSTEM = "https://oi.esante.gouv.fr"  # internal organisations' identifiers
# Location identifier types (TRE_R354): 25 the functional id, 26 the bed-management sync id.
LOCATION_IDENTIFIER_TYPE = nos("TRE_R354", "TypeIdentifiantRessourceOperationnelle")
LOCATION_ID_TYPE = "25"
SYNC_ID_TYPE = "26"
SERVICE_IDENTIFIER_TYPE = nos("TRE_R355", "TypeIdentifiantOffre")
REGION = nos("TRE_R30", "RegionOM")  # meta.tag of every resource: the source regional ROR
COMMUNE = nos("TRE_R13", "CommuneOM")

OPERATIONAL_ACTIVITY = nos("TRE_R211", "ActiviteOperationnelle")  # specialty, J17
CARE_MODE = nos("TRE_R213", "ModePriseEnCharge")  # characteristic, J19
ACTIVITY_FIELD = nos("TRE_R227", "ChampActivite")  # type, J20
OFFER_TYPE = nos("TRE_R244", "CategorieOrganisation")  # category, J238
PUBLIC = nos("TRE_R239", "PublicPrisEnCharge")  # patient type, J29
LOCATION_FUNCTION = nos("TRE_R343", "FonctionLieu")  # Location.type, J198

UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Dimension:
    """One coded dimension of a capacity indicator.

    `column` in location_capacity; `url` of the sub-extension; `system` the NOS code system
    instance data carry; `value_set` the ROR value set codes are validated against when the
    terminology is loaded; `param` the FHIR search parameter on Location; `required` as the
    ROR profile says."""

    column: str
    url: str
    system: str
    value_set: str
    param: str | None
    required: bool


def _value_set(number: int, name: str) -> str:
    return nos(f"JDV_J{number}", f"{name}-ROR")


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "capacity_type", "capacityType", nos("TRE_R329", "NatureCapacite"),
        _value_set(187, "NatureCapacite"), "capacity-type", True,
    ),
    Dimension(
        "status", "capacityStatus", nos("TRE_R330", "TypeStatutCapacite"),
        _value_set(188, "TypeStatutCapacite"), "capacity-status", True,
    ),
    Dimension(
        "temporality", "temporalityCapacity", nos("TRE_R331", "TemporaliteCapacite"),
        _value_set(189, "TemporaliteCapacite"), "temporality-capacity", True,
    ),
    Dimension(
        "gender", "genderCapacityAvailable", nos("TRE_R332", "GenreCapacite"),
        _value_set(190, "GenreCapacite"), "gender-capacity-available", False,
    ),
    Dimension(
        "closing_type", "capacityClosingType", nos("TRE_R333", "TypeFermetureCapacite"),
        _value_set(191, "TypeFermetureCapacite"), "capacity-closing-type", False,
    ),
    Dimension(
        "additional_bed_type", "additionalBedType", nos("TRE_R334", "TypeLitSupplementaire"),
        _value_set(192, "TypeLitSupplementaire"), "additional-bed-type", False,
    ),
    Dimension(
        "crisis_type", "crisisType", nos("TRE_R336", "TypeCrise"),
        _value_set(194, "TypeCrise"), "crisis-type", False,
    ),
    Dimension(
        "temporary_assignment", "temporaryAssignement", nos("TRE_R337", "AffectationTemporaire"),
        _value_set(195, "AffectationTemporaire"), "temporary-assignement", True,
    ),
)  # fmt: skip
DIMENSION_BY_URL = {d.url: d for d in DIMENSIONS}
# Not part of an indicator's key: its payload.
SOURCE_TYPE = Dimension(
    "source_type", "capacitySourceType", nos("TRE_R335", "TypeSourceCapacite"),
    _value_set(193, "TypeSourceCapacite"), None, True,
)  # fmt: skip
NB_CAPACITY = "nbCapacity"
UPDATE_DATE = "capacityUpdateDate"
COMMENT = "comment"

# The codes the SAS search and the summaries read.
AVAILABLE = "02"  # capacityStatus Disponible
NOW = "01"  # temporalityCapacity Courant
SUPPLEMENTARY = "06"  # capacityStatus Supplémentaire
PLAN_BLANC = "02"  # crisisType SSE (Plan blanc)


def capacity_key(location_id: str, codes: dict[str, str]) -> str:
    """location_capacity.id: the location and the eight dimension codes ('' when absent)."""
    return "|".join([location_id, *(codes.get(d.column) or "" for d in DIMENSIONS)])
