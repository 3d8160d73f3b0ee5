"""FINESS structure → FHIR R4 Organization shaped as the Annuaire Santé `as-dp-organization`."""

from __future__ import annotations

from directory.organizations import nomenclature as nom
from directory.organizations.identifiers import IDENTIFIER_TYPE_SYSTEM, identifiers
from directory.organizations.records import OrganizationRecord

PROFILE = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-dp-organization"
TYPES_EXTENSION = (
    "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-organization-types"
)
ORGANIZATION_TYPE_SYSTEM = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-3307"
USE_PERIOD_EXTENSION = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-use-period"
GEOLOCATION_EXTENSION = "http://hl7.org/fhir/StructureDefinition/geolocation"
INSEE_EXTENSION = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
COMMUNE_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"


def type_codings(record: OrganizationRecord) -> list[tuple[str, str, str, str | None]]:
    """(slice name, system, code, display) of every `type` of the structure."""
    kind = "LEGAL-ENTITY" if record.kind == "EJ" else "GEOGRAPHICAL-ENTITY"
    found = [("organizationType", ORGANIZATION_TYPE_SYSTEM, kind, None)]
    slices = (
        ("categorieEtablissement", nom.CATEGORY_SYSTEM, record.category_code,
         nom.label(nom.CATEGORY_LABELS, record.category_code, record.category_label)),
        ("statutJuridiqueINSEE", nom.LEGAL_STATUS_SYSTEM, record.legal_status_code,
         nom.label(nom.LEGAL_STATUS_LABELS, record.legal_status_code, record.legal_status_label)),
        ("activiteINSEE", nom.APE_SYSTEM, record.ape_code, None),
        ("sphParticipation", nom.SPH_SYSTEM, record.sph_code,
         nom.label(nom.SPH_LABELS, record.sph_code, record.sph_label)),
    )  # fmt: skip
    found.extend(s for s in slices if s[2])
    return found


def address_line(record: OrganizationRecord) -> list[str]:
    street = " ".join(
        part
        for part in (record.street_number, record.street_repeat, record.street_type,
                     record.street_name)
        if part
    )  # fmt: skip
    return [line for line in (street, record.address_complement, record.locality) if line]


def _address(record: OrganizationRecord) -> dict:
    address: dict = {"use": "work", "type": "both"}
    extensions = []
    if record.latitude is not None and record.longitude is not None:
        extensions.append(
            {
                "url": GEOLOCATION_EXTENSION,
                "extension": [
                    {"url": "latitude", "valueDecimal": record.latitude},
                    {"url": "longitude", "valueDecimal": record.longitude},
                ],
            }
        )
    if record.commune_insee:
        extensions.append(
            {
                "url": INSEE_EXTENSION,
                "valueCoding": {"system": COMMUNE_SYSTEM, "code": record.commune_insee},
            }
        )
    if extensions:
        address["extension"] = extensions
    lines = address_line(record)
    if lines:
        address["line"] = lines
    if record.city:
        address["city"] = record.city
    if record.postal_code:
        address["postalCode"] = record.postal_code
    address["country"] = "FRA"
    return address


def organization_resource(record: OrganizationRecord) -> dict:
    """The FHIR Organization of a structure; `meta.lastUpdated` is set when it is stored."""
    resource: dict = {
        "resourceType": "Organization",
        "id": record.finess,
        "meta": {"profile": [PROFILE]},
    }
    if record.opened or record.closed:
        period = {}
        if record.opened:
            period["start"] = record.opened.isoformat()
        if record.closed:
            period["end"] = record.closed.isoformat()
        resource["extension"] = [{"url": USE_PERIOD_EXTENSION, "valuePeriod": period}]
    resource["identifier"] = [
        {
            "use": "official",
            "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": type_code}]},
            "system": system,
            "value": value,
        }
        for system, value, type_code in identifiers(
            record.finess, record.kind, record.siren, record.siret
        )
    ]
    resource["active"] = record.source_status == "A" and record.closed is None
    resource["type"] = [
        {
            "extension": [{"url": TYPES_EXTENSION, "valueCode": slice_name}],
            "coding": [
                {"system": system, "code": code, **({"display": display} if display else {})}
            ],
        }
        for slice_name, system, code, display in type_codings(record)
    ]
    resource["name"] = record.name
    aliases = [a for a in (record.name_long, record.alias) if a and a != record.name]
    if aliases:
        resource["alias"] = aliases
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", record.phone), ("fax", record.fax), ("email", record.email))
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    resource["address"] = [_address(record)]
    if record.parent_finess:
        resource["partOf"] = {"reference": f"Organization/{record.parent_finess}"}
    return resource
