"""Marshmallow schemas of /api/v1: query arguments (validated here) and responses (documented).

Responses are written from the stored JSON documents, not dumped through these schemas; the
response schemas exist for the OpenAPI document, and a test keeps them in step with the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from directory.organizations.territories import FINESS_DEPARTMENT, territory
from directory.search.params import DEFAULT_COUNT, MAX_COUNT, MAX_NEAR_KM
from directory.search.text import words

PROBLEM_JSON = "application/problem+json"
DEFAULT_RADIUS_KM = 10.0
STATUSES = ("open", "closed", "all")
CATEGORY_CODE = re.compile(r"\d{3}")


class Codes(fields.List):
    """A repeatable parameter whose values may also be comma-separated (a=1&a=2,3), each made
    canonical by `canonical` (None for an unknown code). One message names every bad code."""

    def __init__(self, canonical: Callable[[str], str | None], expected: str, **kwargs: Any):
        super().__init__(fields.String(), **kwargs)
        self.canonical = canonical
        self.expected = expected

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        given = super()._deserialize(value, attr, data, **kwargs)
        raw = [part.strip() for item in given for part in item.split(",")]
        codes = {code: self.canonical(code) for code in raw}
        unknown = [code for code, canonical in codes.items() if canonical is None]
        if unknown:
            raise ValidationError(f"{', '.join(map(repr, unknown))}: expected {self.expected}")
        return [canonical for canonical in codes.values() if canonical]


class LatLon(fields.String):
    """`latitude,longitude` in decimal degrees (WGS84)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[float, float]:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            lat, lon = (float(part) for part in text.split(","))
        except ValueError:
            raise ValidationError(
                f"{text!r}: expected latitude,longitude, e.g. 48.84,2.33"
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError("latitude must be within ±90 and longitude within ±180")
        return lat, lon


def finess_department(code: str) -> str | None:
    """The FINESS département code of a FINESS or INSEE code (974 → 9D, 2a → 2A)."""
    finess = FINESS_DEPARTMENT.get(code, code.upper())
    return finess if len(finess) == 2 and territory(finess) else None


def _category(code: str) -> str | None:
    return code if CATEGORY_CODE.fullmatch(code) else None


def has_words(text: str) -> None:
    if not words(text):
        raise ValidationError("needs at least one letter or digit")


class OrganizationSearchArgs(Schema):
    q = fields.String(
        validate=has_words,
        metadata={
            "description": "Words of the name (short, long or alias), each matched as an "
            "accent- and case-insensitive word prefix: `hopital neck` finds HÔPITAL NECKER.",
            "example": "hopital necker",
        },
    )
    commune = fields.String(
        validate=has_words,
        metadata={
            "description": "INSEE commune code (5 characters: 01053, 2A004, 97411) or the "
            "beginning of the city name (accents and case ignored).",
            "example": "75115",
        },
    )
    postcode = fields.String(
        validate=validate.Regexp(r"^\d{1,5}$", error="expected 1 to 5 digits"),
        metadata={"description": "Postal code or its beginning (`75` finds every 75xxx)."},
    )
    department = Codes(
        finess_department,
        "a département code: 01…95, 2A, 2B, 9A…9F, 9J (or INSEE 971…976, 986)",
        metadata={
            "description": "Département, FINESS code (01…95, 2A, 2B, 9A…9F, 9J) or overseas "
            "INSEE code (971…976, 986). Repeat it or separate codes by commas for any of them.",
            "example": ["9D"],
        },
    )
    category = Codes(
        _category,
        "a 3-digit FINESS category code",
        metadata={
            "description": "FINESS category code (3 digits; 355 = Centre Hospitalier). Repeat "
            "it or separate codes by commas for any of them.",
            "example": ["355"],
        },
    )
    status = fields.String(
        load_default="open",
        validate=validate.OneOf(STATUSES),
        metadata={"description": "open (default), closed (closed or removed) or all."},
    )
    near = LatLon(
        metadata={
            "description": "latitude,longitude (WGS84): only structures within `radius`, "
            "nearest first, each with its `distance_km`.",
            "example": "48.84,2.33",
        },
    )
    radius = fields.Float(
        validate=validate.Range(min=0, max=MAX_NEAR_KM, min_inclusive=False),
        metadata={
            "description": f"Search radius around `near`, in km (at most {MAX_NEAR_KM:g}).",
            "default": DEFAULT_RADIUS_KM,
        },
    )
    limit = fields.Integer(
        load_default=DEFAULT_COUNT,
        validate=validate.Range(min=0, max=MAX_COUNT),
        metadata={"description": f"Items per page, at most {MAX_COUNT}; 0 gives only the total."},
    )
    cursor = fields.String(
        metadata={"description": "Opaque position of a page, as found in `next`."}
    )

    @validates_schema
    def _radius_needs_near(self, data: dict, **_kwargs: Any) -> None:
        if "radius" in data and "near" not in data:
            raise ValidationError("radius needs near=latitude,longitude", "radius")


class ProblemSchema(Schema):
    """RFC 9457 problem document."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Not found"})
    status = fields.Integer(metadata={"example": 404})
    detail = fields.String(metadata={"description": "What was wrong, for a human."})


class CodedSchema(Schema):
    code = fields.String()
    label = fields.String(allow_none=True)


class AddressSchema(Schema):
    number = fields.String(allow_none=True)
    repetition = fields.String(allow_none=True, metadata={"description": "B, T, Q, C"})
    street_type = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    complement = fields.String(allow_none=True)
    locality = fields.String(allow_none=True, metadata={"description": "Lieu-dit or BP"})
    postal_code = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    commune_insee = fields.String(allow_none=True)
    department = fields.String(allow_none=True, metadata={"description": "FINESS code"})
    department_label = fields.String(allow_none=True)


class ProjectedSchema(Schema):
    x = fields.Float()
    y = fields.Float()
    epsg = fields.Integer(allow_none=True)


class CoordinatesSchema(Schema):
    latitude = fields.Float(metadata={"description": "WGS84"})
    longitude = fields.Float(metadata={"description": "WGS84"})
    projected = fields.Nested(ProjectedSchema, allow_none=True)
    source = fields.String(allow_none=True)


def _coded(description: str) -> fields.Nested:
    return fields.Nested(CodedSchema, allow_none=True, metadata={"description": description})


class OrganizationSchema(Schema):
    """A FINESS legal entity or establishment, as stored at load time."""

    finess = fields.String(metadata={"example": "010000024"})
    type = fields.String(validate=validate.OneOf(("legal_entity", "establishment")))
    name = fields.String()
    long_name = fields.String(allow_none=True)
    alias = fields.String(allow_none=True)
    open = fields.Boolean(metadata={"description": "false once closed or removed"})
    legal_entity_finess = fields.String(allow_none=True)
    siren = fields.String(allow_none=True)
    siret = fields.String(allow_none=True)
    category = _coded("FINESS category (establishments)")
    category_aggregate = _coded("Category aggregate (legacy extracts)")
    legal_status = _coded("Legal status (legal entities)")
    ape_code = fields.String(allow_none=True)
    pricing_mode = _coded("Mode de fixation des tarifs")
    public_service = _coded("Service public hospitalier")
    address = fields.Nested(AddressSchema)
    coordinates = fields.Nested(CoordinatesSchema, allow_none=True)
    phone = fields.String(allow_none=True)
    fax = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    opened = fields.Date(allow_none=True)
    authorized = fields.Date(allow_none=True)
    closed = fields.Date(allow_none=True)
    authority_updated = fields.Date(allow_none=True)
    education_number = fields.String(allow_none=True)
    finess_plus_id = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "finess+ or etalab"})
    removed = fields.String(
        metadata={"description": "When the structure left the register (removed ones only)"}
    )


class OrganizationHitSchema(OrganizationSchema):
    distance_km = fields.Float(metadata={"description": "Distance from `near` (with near only)"})


class OrganizationPageSchema(Schema):
    items = fields.List(fields.Nested(OrganizationHitSchema))
    total = fields.Integer(metadata={"description": "Matches of the whole search"})
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})


class NamedLinkSchema(Schema):
    finess = fields.String()
    name = fields.String(allow_none=True)


class EstablishmentLinkSchema(NamedLinkSchema):
    open = fields.Boolean()


class GroupLinkSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "GCC (GHT) or GCO"})
    name = fields.String(allow_none=True)
    type_code = fields.String(allow_none=True)


class LinksSchema(Schema):
    legal_entity = fields.Nested(
        NamedLinkSchema, metadata={"description": "Its legal entity (establishments only)"}
    )
    establishments = fields.List(
        fields.Nested(EstablishmentLinkSchema),
        metadata={"description": "Its establishments (legal entities only)"},
    )
    groups = fields.List(
        fields.Nested(GroupLinkSchema),
        metadata={"description": "Groups that list this structure itself as a member"},
    )
    activities = fields.List(
        fields.Dict(), metadata={"description": "Authorised and exercised activities"}
    )


class OrganizationReadSchema(OrganizationSchema):
    links = fields.Nested(LinksSchema)
