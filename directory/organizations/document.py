"""FINESS structure → the plain JSON document of the JSON API (links are added when read)."""

from __future__ import annotations

from directory.organizations import nomenclature as nom
from directory.organizations.records import OrganizationRecord


def _coded(code: str | None, label: str | None) -> dict | None:
    return {"code": code, "label": label} if code else None


def organization_document(record: OrganizationRecord) -> dict:
    coordinates = None
    if record.latitude is not None and record.longitude is not None:
        coordinates = {
            "latitude": record.latitude,
            "longitude": record.longitude,
            "projected": (
                {"x": record.projected_x, "y": record.projected_y, "epsg": record.crs}
                if record.projected_x is not None
                else None
            ),
            "source": record.geocode_source,
        }
    return {
        "finess": record.finess,
        "type": "legal_entity" if record.kind == "EJ" else "establishment",
        "name": record.name,
        "long_name": record.name_long,
        "alias": record.alias,
        "open": record.source_status == "A" and record.closed is None,
        "legal_entity_finess": record.parent_finess,
        "siren": record.siren,
        "siret": record.siret,
        "category": _coded(
            record.category_code,
            nom.label(nom.CATEGORY_LABELS, record.category_code, record.category_label),
        ),
        "category_aggregate": _coded(
            record.category_aggregate_code, record.category_aggregate_label
        ),
        "legal_status": _coded(
            record.legal_status_code,
            nom.label(nom.LEGAL_STATUS_LABELS, record.legal_status_code, record.legal_status_label),
        ),
        "ape_code": record.ape_code,
        "pricing_mode": _coded(record.mft_code, record.mft_label),
        "public_service": _coded(
            record.sph_code, nom.label(nom.SPH_LABELS, record.sph_code, record.sph_label)
        ),
        "address": {
            "number": record.street_number,
            "repetition": record.street_repeat,
            "street_type": record.street_type,
            "street": record.street_name,
            "complement": record.address_complement,
            "locality": record.locality,
            "postal_code": record.postal_code,
            "city": record.city,
            "commune_insee": record.commune_insee,
            "department": record.department,
            "department_label": record.department_label,
        },
        "coordinates": coordinates,
        "phone": record.phone,
        "fax": record.fax,
        "email": record.email,
        "opened": record.opened.isoformat() if record.opened else None,
        "authorized": record.authorized.isoformat() if record.authorized else None,
        "closed": record.closed.isoformat() if record.closed else None,
        "authority_updated": (
            record.authority_updated.isoformat() if record.authority_updated else None
        ),
        "education_number": record.education_number,
        "finess_plus_id": record.technical_id,
        "source": record.source,
    }
