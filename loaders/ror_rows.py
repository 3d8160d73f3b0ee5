"""ROR resources → the rows of our tables: organizations the FINESS does not know, offers,
locations, practitioners RPPS does not know, and practitioner roles.

Each builder takes a resource whose code systems are already mended and whose references
point at our ids, and returns the column values (lifecycle columns excepted). Resources are
stored as the ROR publishes them (a location without its capacity extensions, which readers
add from location_capacity); the other columns exist for search.
"""

from __future__ import annotations

from directory.offers.systems import (
    COMMUNE_COG,
    IDNST_SYSTEM,
    LOCATION_IDENTIFIER_TYPE,
    PATIENT_TYPE,
    SUPPORTED_CAPACITY,
    SYNC_ID_TYPE,
)
from directory.organizations.fhir import GEOLOCATION_EXTENSION, INSEE_EXTENSION
from directory.organizations.identifiers import FINESS_SYSTEM
from directory.organizations.rows import token_forms
from directory.organizations.territories import department_of_commune
from directory.practitioners.systems import IDENTIFIER_TYPE_SYSTEM, IDNPS_SYSTEM, RPPS_SYSTEM
from directory.search.text import normalize
from loaders.ror_fhir import (
    codings,
    concept_tokens,
    extensions,
    first_code,
    identifier_tokens,
    region,
    tag_tokens,
)
from loaders.ror_links import Establishment, RorOrganization, reference_id

# UCUM units of an age range, in years.
YEARS = {"a": 1.0, "mo": 1 / 12, "wk": 7 / 365.25, "d": 1 / 365.25}
EXERCISE_MODE = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitionerrole-unit-exercise-mode"


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _first_address(resource: dict) -> dict:
    address = resource.get("address")
    if isinstance(address, list):
        address = address[0] if address else None
    return address if isinstance(address, dict) else {}


def _address_commune(address: dict) -> str | None:
    for extension in address.get("extension") or ():
        if isinstance(extension, dict) and extension.get("url") == INSEE_EXTENSION:
            coding = extension.get("valueCoding")
            return _text(coding.get("code")) if isinstance(coding, dict) else None
    return None


def _geolocation(address: dict) -> tuple[float | None, float | None]:
    for extension in address.get("extension") or ():
        if isinstance(extension, dict) and extension.get("url") == GEOLOCATION_EXTENSION:
            parts = {
                p.get("url"): p.get("valueDecimal")
                for p in extension.get("extension") or ()
                if isinstance(p, dict)
            }
            return _coordinate(parts.get("latitude")), _coordinate(parts.get("longitude"))
    return None, None


def _coordinate(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _lines(address: dict) -> list[str]:
    return [line for line in address.get("line") or () if isinstance(line, str) and line.strip()]


def _insee_department(commune: str | None, postal_code: str | None) -> str | None:
    """The INSEE département code (as the SAS radius table keys it: 01…95, 2A, 2B, 971…)."""
    code = commune or (postal_code if postal_code and not postal_code.startswith("20") else None)
    if not code or len(code) != 5:
        return None
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def _names(resource: dict) -> list[str]:
    aliases = resource.get("alias") or ()
    names = [_text(resource.get("name")), *(_text(a) for a in aliases)]
    return list(dict.fromkeys(n for n in names if n))


def organization_row(
    resource: dict, organization: RorOrganization, our_id: str, parent_id: str | None
) -> dict:
    """An organization row for a ROR organization the FINESS does not know."""
    kind = {"EJ": "RJ", "EG": "RG"}.get(organization.kind, "OI")
    address = _first_address(resource)
    postal_code, city = _text(address.get("postalCode")), _text(address.get("city"))
    commune = _address_commune(address)
    latitude, longitude = _geolocation(address)
    names = _names(resource) or [our_id]
    active = resource.get("active") is not False
    category = next(
        (
            c
            for c in codings(resource.get("type"))
            if "CategorieEtablissement" in str(c.get("system"))
        ),
        None,
    )
    identifiers = [i for i in resource.get("identifier") or () if isinstance(i, dict)]
    national_id = next(
        (i.get("value") for i in identifiers if i.get("system") == IDNST_SYSTEM), None
    )
    identifier_types: dict[str, None] = {}
    for identifier in identifiers:
        identifier_types.update(dict.fromkeys(concept_tokens(identifier.get("type"))))
    document = {
        "ror_id": organization.ror_id,
        "type": "ror_organization",
        "kind": kind,
        "finess": organization.finess,
        "national_id": national_id,
        "name": names[0],
        "alias": names[1] if len(names) > 1 else None,
        "open": active,
        "parent_id": parent_id,
        "legal_entity_finess": None,
        "category": (
            {"code": category["code"], "label": category.get("display")} if category else None
        ),
        "address": {
            "lines": _lines(address),
            "postal_code": postal_code,
            "city": city,
            "commune_insee": commune,
        },
        "coordinates": (
            {"latitude": latitude, "longitude": longitude} if latitude is not None else None
        ),
        "source": "ROR",
    }
    return {
        "id": our_id,
        "kind": kind,
        "parent_id": parent_id,
        "technical_id": organization.ror_id,
        "name": names[0],
        "postal_code": postal_code,
        "department": department_of_commune(commune) if commune else None,
        "commune_insee": commune,
        "category_code": category["code"] if category else None,
        "source_status": "A" if active else "I",
        "closed": None,
        "latitude": latitude,
        "longitude": longitude,
        "resource": {**resource, "id": our_id},
        "document": document,
        "names": names,
        "name_norm": normalize(" ".join(names)),
        "address_norm": normalize(" ".join([*_lines(address), city or "", postal_code or ""])),
        "city_norm": normalize(city) or None,
        "identifier_tokens": identifier_tokens(identifiers),
        "identifier_type_tokens": list(identifier_types),
        "type_tokens": concept_tokens(resource.get("type")),
        "active": active,
    }


def _age_years(quantity: object) -> float | None:
    if not isinstance(quantity, dict):
        return None
    value, unit = quantity.get("value"), quantity.get("code") or quantity.get("unit") or "a"
    if not isinstance(value, int | float) or isinstance(value, bool) or unit not in YEARS:
        return None
    return round(float(value) * YEARS[unit], 4)


def service_row(
    resource: dict, organization_id: str | None, establishment: Establishment | None
) -> dict:
    """A healthcare_service row (a ROR offer)."""
    identifier = next(
        (i["value"] for i in resource.get("identifier") or ()
         if isinstance(i, dict) and isinstance(i.get("value"), str)),
        None,
    )  # fmt: skip
    name = _text(resource.get("name")) or identifier or resource["id"]
    patient_types: list[object] = []
    age_low = age_high = None
    for extension in extensions(resource, PATIENT_TYPE):
        for part in extension.get("extension") or ():
            if not isinstance(part, dict):
                continue
            if part.get("url") == "supportedPatientInfo":
                patient_types.append(part.get("valueCodeableConcept"))
            elif part.get("url") == "ageRange" and isinstance(part.get("valueRange"), dict):
                age_low = _age_years(part["valueRange"].get("low"))
                age_high = _age_years(part["valueRange"].get("high"))
    location_ids = dict.fromkeys(
        found
        for reference in resource.get("location") or ()
        if (found := reference_id(reference, "Location"))
    )
    return {
        "id": resource["id"],
        "identifier": identifier,
        "name": name,
        "name_norm": normalize(name),
        "organization_id": organization_id,
        "establishment_id": establishment.id if establishment else None,
        "location_ids": list(location_ids),
        "region": region(resource),
        "identifier_tokens": identifier_tokens(resource.get("identifier")),
        "tag_tokens": tag_tokens(resource),
        "specialty_tokens": concept_tokens(resource.get("specialty")),
        "characteristic_tokens": concept_tokens(resource.get("characteristic")),
        "service_type_tokens": concept_tokens(resource.get("type")),
        "category_tokens": concept_tokens(resource.get("category")),
        "patient_type_tokens": concept_tokens(*patient_types),
        "age_low": age_low,
        "age_high": age_high,
        "resource": resource,
        "active": resource.get("active") is not False,
    }


def without_capacity(resource: dict) -> dict:
    """The location as stored: its supported-capacity extensions are location_capacity rows."""
    kept = [
        e
        for e in resource.get("extension") or ()
        if not (isinstance(e, dict) and e.get("url") == SUPPORTED_CAPACITY)
    ]
    stored = {k: v for k, v in resource.items() if k != "extension"}
    if kept:
        stored["extension"] = kept
    return stored


def _sync_identifier(identifiers: object) -> str | None:
    for identifier in identifiers if isinstance(identifiers, list) else ():
        if not isinstance(identifier, dict) or not isinstance(identifier.get("value"), str):
            continue
        types = codings(identifier.get("type"))
        if any(c["code"] == SYNC_ID_TYPE and c.get("system") in (LOCATION_IDENTIFIER_TYPE, None)
               for c in types):  # fmt: skip
            return identifier["value"]
    return None


def location_row(
    resource: dict, organization_id: str | None, establishment: Establishment | None
) -> dict:
    """A location row; `resource` is the location without its capacity extensions."""
    address = resource.get("address") if isinstance(resource.get("address"), dict) else {}
    postal_code, city = _text(address.get("postalCode")), _text(address.get("city"))
    commune = next(
        (first_code(e.get("valueCodeableConcept")) for e in extensions(resource, COMMUNE_COG)),
        None,
    ) or _address_commune(address)
    position = resource.get("position") if isinstance(resource.get("position"), dict) else {}
    latitude, longitude = (
        _coordinate(position.get("latitude")),
        _coordinate(position.get("longitude")),
    )
    if latitude is None or longitude is None:
        latitude = longitude = None
    name = _text(resource.get("name"))
    operational = resource.get("operationalStatus")
    return {
        "id": resource["id"],
        "sync_identifier": _sync_identifier(resource.get("identifier")),
        "name": name,
        "name_norm": normalize(" ".join(_names(resource))),
        "status": _text(resource.get("status")),
        "operational_status": _text(operational.get("code"))
        if isinstance(operational, dict)
        else None,
        "identifier_tokens": identifier_tokens(resource.get("identifier")),
        "type_tokens": concept_tokens(resource.get("type")),
        "tag_tokens": tag_tokens(resource),
        "postal_code": postal_code,
        "city_norm": normalize(city) or None,
        "commune_insee": commune,
        "department": _insee_department(commune, postal_code),
        "latitude": latitude,
        "longitude": longitude,
        "organization_id": organization_id,
        "establishment_id": establishment.id if establishment else None,
        "finess": establishment.finess if establishment else None,
        "region": region(resource),
        "resource": resource,
        "active": resource.get("status") != "inactive",
    }


def _mailboxes(resource: dict) -> list[str]:
    return list(
        dict.fromkeys(
            t["value"].strip().lower()
            for t in resource.get("telecom") or ()
            if isinstance(t, dict)
            and t.get("system") == "email"
            and isinstance(t.get("value"), str)
        )
    )


def practitioner_row(resource: dict, idnps: str) -> dict:
    """A practitioner row for a ROR practitioner RPPS does not know (id = IDNPS)."""
    names = [n for n in resource.get("name") or () if isinstance(n, dict)]
    name = names[0] if names else {}
    family = _text(name.get("family"))
    given = " ".join(g for g in name.get("given") or () if isinstance(g, str)) or None
    id_type, number = idnps[0], idnps[1:]
    identifiers = token_forms(IDNPS_SYSTEM, idnps)
    identifier_types = token_forms(IDENTIFIER_TYPE_SYSTEM, "IDNPS")
    if id_type == "8":
        identifiers += token_forms(RPPS_SYSTEM, number)
        identifier_types += token_forms(IDENTIFIER_TYPE_SYSTEM, "RPPS")
    mailboxes = _mailboxes(resource)
    return {
        "id": idnps,
        "id_type": id_type,
        "identifier": number,
        "family": family,
        "given": given,
        "family_norm": normalize(family),
        "given_norm": normalize(given),
        "name_norm": normalize(f"{family or ''} {given or ''}"),
        "identifier_tokens": identifiers,
        "identifier_type_tokens": identifier_types,
        "qualification_tokens": concept_tokens(
            *(q.get("code") for q in resource.get("qualification") or () if isinstance(q, dict))
        ),
        "mailbox_tokens": mailboxes,
        "resource": {**resource, "id": idnps},
        "document": {
            "idnps": idnps,
            "identifier_type": {"8": "RPPS", "0": "ADELI"}.get(id_type, id_type),
            "rpps": number if id_type == "8" else None,
            "adeli": number if id_type == "0" else None,
            "family": family,
            "given": given,
            "civility": None,
            "practice_civility": None,
            "exercises": [],
            "skills": [],
            "diplomas": [],
            "mailboxes": [{"address": m} for m in mailboxes],
            "source": "ror",
        },
        "active": resource.get("active") is not False,
        "source": "ror",
    }


def role_row(
    resource: dict,
    practitioner_id: str,
    organization_id: str | None,
    finess: str | None,
    service_id: str | None,
) -> dict:
    """A practitioner_role row of source 'ror' (one situation opérationnelle)."""
    mode = next(
        (first_code(e.get("valueCodeableConcept")) for e in extensions(resource, EXERCISE_MODE)),
        None,
    )
    organization_tokens = [organization_id] if organization_id else []
    if finess:
        organization_tokens += token_forms(FINESS_SYSTEM, finess)
    return {
        "id": resource["id"],
        "practitioner_id": practitioner_id,
        "organization_id": organization_id,
        "profession_code": first_code(resource.get("code")),
        "mode_code": mode,
        "postal_code": None,
        "commune_insee": None,
        "department": None,
        "city_norm": None,
        "identifier_tokens": identifier_tokens(resource.get("identifier")),
        "role_tokens": concept_tokens(
            resource.get("code"),
            resource.get("specialty"),
            *(e.get("valueCodeableConcept") for e in extensions(resource, EXERCISE_MODE)),
        ),
        "organization_tokens": list(dict.fromkeys(organization_tokens)),
        "mailbox_tokens": _mailboxes(resource),
        "resource": resource,
        "document": {
            "id": resource["id"],
            "idnps": practitioner_id,
            "profession": {"code": first_code(resource.get("code")), "label": None},
            "mode": {"code": mode, "label": None} if mode else None,
            "healthcare_service_id": service_id,
            "organization_id": organization_id,
            "structure": None,
            "mailboxes": [],
            "source": "ror",
        },
        "active": resource.get("active") is not False,
        "source": "ror",
        "healthcare_service_id": service_id,
    }
