"""The FHIR resources of the synthetic ROR extract, in the shapes of the ROR IG profiles:
Organization (EJ, EG, internal organisation), Location, HealthcareService, PractitionerRole,
Practitioner. Every resource carries the ROR technical data: profile, `meta.lastUpdated`,
the region tag (TRE_R30) and the creation-date extension."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from directory.offers.systems import (
    ACTIVITY_FIELD,
    CARE_MODE,
    COMMUNE,
    COMMUNE_COG,
    LOCATION_FUNCTION,
    LOCATION_ID_TYPE,
    LOCATION_IDENTIFIER_TYPE,
    LOCATION_PROFILE,
    OFFER_TYPE,
    OI_SYSTEM,
    OPERATIONAL_ACTIVITY,
    ORGANIZATION_PROFILE,
    PATIENT_TYPE,
    PUBLIC,
    REGION,
    SENSITIVE_UNIT,
    SERVICE_IDENTIFIER_TYPE,
    SERVICE_PROFILE,
    SYNC_ID_TYPE,
    ror_extension,
)
from directory.organizations.identifiers import IDENTIFIER_TYPE_SYSTEM
from directory.practitioners.systems import IDNPS_SYSTEM, PROFESSION, SKILL_SYSTEMS, nos
from loaders.synthetic.model import Address
from loaders.synthetic.names import STREET_TYPES
from loaders.synthetic.ror_catalogue import (
    CARE_MODES,
    FIELDS,
    LOCATION_FUNCTIONS,
    OFFER_TYPES,
    PUBLICS,
    Activity,
)

CREATION_DATE = ror_extension("ror-meta-creation-date")
COORDINATE_RELIABILITY = ror_extension("ror-coordinate-reliability")
PSYCHIATRIC_SECTOR = ror_extension("ror-healthcareservice-psychiatric-sector")
EXERCISE_MODE = ror_extension("ror-practitionerrole-unit-exercise-mode")
PRACTITIONER_PROFILE = ror_extension("ror-practitioner")
ROLE_PROFILE = ror_extension("ror-practitionerrole")
ESTABLISHMENT_CATEGORY = nos("TRE_R66", "CategorieEtablissement")
LEGAL_STATUS = nos("TRE_R72", "FinessStatutJuridique")
OI_TYPE = nos("TRE_R207", "TypeOrganisationInterne")
OI_TYPES = {"1": "Pôle", "2": "Structure interne ou Service"}
EXERCISE_MODES = nos("TRE_R23", "ModeExercice")
AGE_UNIT = nos("TRE_R247", "UcumUniteMesure")
STREET_WORDS = {code: word for code, word, _ in STREET_TYPES}


def stamp(moment: datetime) -> str:
    """`meta.lastUpdated` as the ROR writes it: 2025-04-08T13:05:27.000+00:00 (UTC)."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}.000+00:00"


def reference(kind: str, id_: str) -> dict:
    return {"reference": f"{kind}/{id_}"}


def concept(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


@dataclass(frozen=True)
class Stamps:
    """The technical data every resource carries."""

    region: str  # TRE_R30
    updated: datetime
    created: datetime

    def meta(self, profile: str) -> dict:
        return {
            "lastUpdated": stamp(self.updated),
            "profile": [profile],
            "tag": [{"system": REGION, "code": self.region}],
        }

    def creation(self) -> dict:
        return {"url": CREATION_DATE, "valueDateTime": f"{self.created:%Y-%m-%dT%H:%M:%S}+00:00"}


def address(place: Address, city: str) -> dict:
    """An address with its ISO 21090 street parts, as the ROR profiles give them."""
    words = STREET_WORDS.get(place.street_type, "")
    line = " ".join(part for part in (place.number + place.repetition, words, place.street) if part)
    parts = [
        {"url": f"http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-{name}", "valueString": v}
        for name, v in (
            ("houseNumber", place.number),
            ("streetNameType", words),
            ("streetNameBase", place.street),
        )
        if v
    ]
    built: dict = {"use": "work", "type": "both"}
    if line:
        built["line"] = [line]
        if parts:
            built["_line"] = [{"extension": parts}]
    built.update({"city": city, "postalCode": place.postal_code, "country": "FRA"})
    return built


def organization(
    id_: str,
    stamps: Stamps,
    name: str,
    identifiers: list[dict],
    types: list[dict],
    part_of: str | None = None,
    place: dict | None = None,
) -> dict:
    resource: dict = {
        "resourceType": "Organization",
        "id": id_,
        "meta": stamps.meta(ORGANIZATION_PROFILE),
        "extension": [stamps.creation()],
        "identifier": identifiers,
        "active": True,
        "type": types,
        "name": name,
    }
    if place:
        resource["address"] = [place]
    if part_of:
        resource["partOf"] = reference("Organization", part_of)
    return resource


def national_identifiers(found: list[tuple[str, str, str]]) -> list[dict]:
    """(system, value, type code) triples, as directory.organizations.identifiers gives them."""
    return [
        {"type": concept(IDENTIFIER_TYPE_SYSTEM, kind), "system": system, "value": value}
        for system, value, kind in found
    ]


def legal_status(code: str) -> dict:
    return concept(LEGAL_STATUS, code)


def establishment_category(code: str, label: str) -> dict:
    return concept(ESTABLISHMENT_CATEGORY, code, label)


def internal(id_: str, stamps: Stamps, name: str, oi_type: str, value: str, part_of: str) -> dict:
    """An internal organisation (pôle, service) under `part_of`."""
    identifier = [{"system": OI_SYSTEM, "value": value}]
    types = [concept(OI_TYPE, oi_type, OI_TYPES[oi_type])]
    return organization(id_, stamps, name, identifier, types, part_of)


@dataclass(frozen=True)
class Place:
    """Where a location is: its address, commune and point."""

    address: dict
    commune: str  # COG
    commune_name: str
    lat: float
    lon: float


def location(
    id_: str,
    stamps: Stamps,
    name: str,
    function: str,
    functional_id: str,
    sync_id: str | None,
    place: Place,
    managing: str,
    status: str,
    capacity: list[dict],
) -> dict:
    identifiers = [
        {
            "type": concept(LOCATION_IDENTIFIER_TYPE, LOCATION_ID_TYPE, "Identifiant du lieu"),
            "value": functional_id,
        }
    ]
    if sync_id:
        identifiers.append(
            {
                "type": concept(
                    LOCATION_IDENTIFIER_TYPE, SYNC_ID_TYPE, "Identifiant externe de synchronisation"
                ),
                "value": sync_id,
            }
        )
    resource = {
        "resourceType": "Location",
        "id": id_,
        "meta": stamps.meta(LOCATION_PROFILE),
        "extension": [
            {
                "url": COMMUNE_COG,
                "valueCodeableConcept": concept(COMMUNE, place.commune, place.commune_name),
            },
            stamps.creation(),
            *capacity,
        ],
        "identifier": identifiers,
        "status": status,
        "name": name,
        "type": [concept(LOCATION_FUNCTION, function, LOCATION_FUNCTIONS[function])],
        "address": place.address,
        "position": {
            "extension": [{"url": COORDINATE_RELIABILITY, "valueBoolean": True}],
            "longitude": place.lon,
            "latitude": place.lat,
        },
        "managingOrganization": reference("Organization", managing),
    }
    if sync_id:
        resource["alias"] = [name.upper()]
    return resource


def _age(value: int) -> dict:
    return {"value": value, "system": AGE_UNIT, "code": "a"}


def healthcare_service(
    id_: str,
    stamps: Stamps,
    functional_id: str,
    name: str,
    activity: Activity,
    mode: str,
    offer_type: str,
    provided_by: str,
    locations: list[str],
    sensitive: bool,
    publics: tuple[str, ...],
    sector: str | None,
) -> dict:
    low, high = activity.ages
    patient_type = [{"url": "ageRange", "valueRange": {"low": _age(low), "high": _age(high)}}]
    patient_type += [
        {"url": "supportedPatientInfo", "valueCodeableConcept": concept(PUBLIC, p, PUBLICS[p])}
        for p in publics
    ]
    extensions = [
        {"url": SENSITIVE_UNIT, "valueBoolean": sensitive},
        {"url": PATIENT_TYPE, "extension": patient_type},
        stamps.creation(),
    ]
    if sector:
        extensions.append({"url": PSYCHIATRIC_SECTOR, "valueString": sector})
    resource: dict = {
        "resourceType": "HealthcareService",
        "id": id_,
        "meta": stamps.meta(SERVICE_PROFILE),
        "extension": extensions,
        "identifier": [
            {
                "type": concept(
                    SERVICE_IDENTIFIER_TYPE,
                    "35",
                    "Identifiant fonctionnel de l'offre connu par l'instance ROR",
                ),
                "value": functional_id,
            }
        ],
        "active": True,
        "providedBy": reference("Organization", provided_by),
    }
    if offer_type:
        resource["category"] = [concept(OFFER_TYPE, offer_type, OFFER_TYPES[offer_type])]
    resource["type"] = [concept(ACTIVITY_FIELD, activity.field, FIELDS[activity.field])]
    resource["specialty"] = [concept(OPERATIONAL_ACTIVITY, activity.code, activity.label)]
    if locations:
        resource["location"] = [reference("Location", ref) for ref in locations]
    resource["name"] = name
    resource["characteristic"] = [concept(CARE_MODE, mode, CARE_MODES[mode])]
    return resource


def practitioner(id_: str, stamps: Stamps, idnps: str, family: str, given: str) -> dict:
    return {
        "resourceType": "Practitioner",
        "id": id_,
        "meta": stamps.meta(PRACTITIONER_PROFILE),
        "extension": [stamps.creation()],
        "identifier": [
            {
                "type": concept(IDENTIFIER_TYPE_SYSTEM, "IDNPS"),
                "system": IDNPS_SYSTEM,
                "value": idnps,
            }
        ],
        "name": [{"family": family, "given": [given], "prefix": ["DR"]}],
    }


def practitioner_role(
    id_: str,
    stamps: Stamps,
    functional_id: str,
    practitioner_id: str,
    establishment: str,
    service: str,
    locations: list[str],
    specialty: tuple[str, str] | None,
) -> dict:
    resource: dict = {
        "resourceType": "PractitionerRole",
        "id": id_,
        "meta": stamps.meta(ROLE_PROFILE),
        "extension": [
            stamps.creation(),
            {"url": EXERCISE_MODE, "valueCodeableConcept": concept(EXERCISE_MODES, "S", "Salarié")},
        ],
        "identifier": [{"value": functional_id}],
        "active": True,
        "practitioner": reference("Practitioner", practitioner_id),
        "organization": reference("Organization", establishment),
        "code": [concept(PROFESSION, "10", "Médecin")],
        "healthcareService": [reference("HealthcareService", service)],
    }
    if specialty:
        resource["specialty"] = [concept(SKILL_SYSTEMS["S"], *specialty)]
    if locations:
        resource["location"] = [reference("Location", ref) for ref in locations]
    return resource
