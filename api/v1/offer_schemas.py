"""Marshmallow schemas of /api/v1/offers/search: the SAS search arguments (validated) and its
answer (documented; the answer is written by directory/offers/sas.py, not dumped)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.v1.organizations import INSEE_COMMUNE
from api.v1.schemas import CodedSchema, Codes
from directory.offers.sas import GENDER_LABELS
from directory.search.params import MAX_NEAR_KM

CODE = re.compile(r"[A-Za-z0-9_.-]{1,20}")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
DEFAULT_MIN_RESULTS = 5
DEFAULT_MAX_RADIUS_KM = 100.0


def _codes(description: str, example: str) -> Codes:
    return Codes(
        lambda code: code if CODE.fullmatch(code) else None,
        "a NOS code of letters, digits, '.', '-' or '_'",
        metadata={
            "description": description + " Repeat it, or separate codes by commas, for any.",
            "example": [example],
        },
    )


def _gender(code: str) -> str | None:
    return code if code in GENDER_LABELS else None


def _km(description: str, **kwargs: Any) -> fields.Float:
    return fields.Float(
        validate=validate.Range(min=0, max=MAX_NEAR_KM, min_inclusive=False),
        metadata={"description": f"{description} In km, above 0, at most {MAX_NEAR_KM:g}."},
        **kwargs,
    )


class OfferSearchArgs(Schema):
    lat = fields.Float(
        validate=validate.Range(min=-90, max=90),
        metadata={"description": "Latitude of the patient (WGS84), with `lon`.", "example": 46.2},
    )
    lon = fields.Float(
        validate=validate.Range(min=-180, max=180),
        metadata={"description": "Longitude of the patient (WGS84), with `lat`.", "example": 5.22},
    )
    commune = fields.String(
        validate=validate.Regexp(INSEE_COMMUNE, error="expected an INSEE commune code (01053)"),
        metadata={
            "description": "INSEE commune code of the patient instead of `lat`/`lon`: the search "
            "starts from the centroid of the known locations and structures of the commune.",
            "example": "01053",
        },
    )
    postcode = fields.String(
        validate=validate.Regexp(r"^\d{5}$", error="expected a 5-digit postal code"),
        metadata={
            "description": "Postal code of the patient instead of `lat`/`lon`: the centroid of "
            "the known locations and structures with this postal code.",
            "example": "01000",
        },
    )
    radius_km = _km(
        "Search radius. Default: the département's radius from ANNUAIRE_SAS_RADII (the SAS "
        "table), else 20 km."
    )
    adaptive = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Grow the radius until `min_results` establishments are found, up to "
            "`max_radius_km`: by the département's enlargement step, or doubling a given "
            "`radius_km`."
        },
    )
    min_results = fields.Integer(
        load_default=DEFAULT_MIN_RESULTS,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": "Establishments an adaptive search looks for."},
    )
    max_radius_km = _km("Largest radius of an adaptive search.", load_default=DEFAULT_MAX_RADIUS_KM)
    activity = _codes("Operational activity (J17, TRE_R211: 356 USINV…).", "356")
    care_mode = _codes("Care mode (J19, TRE_R213: 28 hospitalisation complète…).", "28")
    field = _codes("Field of activity (J20, TRE_R227: 01 MCO, 04 médico-social…).", "01")
    offer_type = _codes("Offer type (J238, TRE_R244).", "157")
    public = _codes("Public taken in charge (J29, TRE_R239).", "10")
    age = fields.Float(
        validate=validate.Range(min=0, max=150),
        metadata={"description": "Age of the patient in years: within the offer's age range."},
    )
    beds_available = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Only offers with a bed or place available now (status 02, "
            "temporality 01, count above 0) on one of their locations."
        },
    )
    gender = Codes(
        _gender,
        "a TRE_R332 gender code: 01, 02, 03 or 04",
        metadata={
            "description": "Gender of the available bed (implies beds_available): 01 femme, "
            "02 homme, 04 indéterminé. A bed of gender 03 (indifférencié, deprecated but still "
            "sent) or of no gender answers every gender; asking for 03 accepts any bed.",
            "example": ["01"],
        },
    )
    crisis = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Only offers with extra beds of the Plan blanc (status 06 "
            "supplémentaire, crisis type 02, count above 0)."
        },
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Establishments per page, at most {MAX_LIMIT}."},
    )
    cursor = fields.String(metadata={"description": "Opaque position of a page, from `next`."})

    @validates_schema
    def _one_place(self, data: dict, **_kwargs: Any) -> None:
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("lat and lon go together", "lat" if "lat" in data else "lon")
        places = [p for p in ("lat", "commune", "postcode") if p in data]
        if len(places) != 1:
            raise ValidationError(
                "give exactly one place: lat and lon, commune or postcode", "place"
            )


class FacetSchema(CodedSchema):
    count = fields.Integer(metadata={"description": "Matching establishments with this code"})


class FacetsSchema(Schema):
    activity = fields.List(fields.Nested(FacetSchema))
    care_mode = fields.List(fields.Nested(FacetSchema))
    field = fields.List(fields.Nested(FacetSchema))
    offer_type = fields.List(fields.Nested(FacetSchema))
    public = fields.List(fields.Nested(FacetSchema))
    beds_available = fields.List(
        fields.Nested(FacetSchema),
        metadata={"description": "code true: matching establishments with a bed available now"},
    )


def _coded(description: str) -> fields.Nested:
    return fields.Nested(CodedSchema, allow_none=True, metadata={"description": description})


class FigureSchema(Schema):
    location_id = fields.String(metadata={"description": "The location (FHIR Location id)"})
    available = fields.Integer(metadata={"description": "nbCapacity"})
    updated_at = fields.String(allow_none=True, metadata={"description": "capacityUpdateDate, UTC"})
    stale = fields.Boolean(
        metadata={
            "description": "Older than ANNUAIRE_CAPACITY_STALE_AFTER (or undated): call to check"
        }
    )
    capacity_type = _coded("J187: 01 lit, 02 place")


class BedSchema(FigureSchema):
    gender = _coded("J190: 01 femme, 02 homme, 03 indifférencié, 04 indéterminé; null: none")
    temporary_assignment = _coded("J195: 01 aucune, 02 Covid+, 03 Covid-")


class ExtraBedSchema(FigureSchema):
    temporality = _coded("J189: 01 courant, 02–05 prévisionnel")
    additional_bed_type = _coded("J192: 01 mobilisé, 02–03 mobilisable")


class AgeRangeSchema(Schema):
    low = fields.Float(allow_none=True, metadata={"description": "Years; null: no lower bound"})
    high = fields.Float(allow_none=True, metadata={"description": "Years; null: no upper bound"})


def _codes_out(description: str) -> fields.List:
    return fields.List(fields.Nested(CodedSchema), metadata={"description": description})


class OfferHitSchema(Schema):
    id = fields.String(metadata={"description": "Also the FHIR HealthcareService id"})
    identifier = fields.String(allow_none=True, metadata={"description": "identifiantOffre"})
    name = fields.String()
    distance_km = fields.Float(metadata={"description": "From the place to the offer's location"})
    activity = _codes_out("J17 operational activities")
    care_mode = _codes_out("J19 care modes")
    field = _codes_out("J20 fields of activity")
    offer_type = _codes_out("J238 offer types")
    public = _codes_out("J29 publics")
    age_range = fields.Nested(AgeRangeSchema)
    beds = fields.List(
        fields.Nested(BedSchema),
        metadata={"description": "Available-now indicators of its locations, every gender"},
    )
    extra_beds = fields.List(
        fields.Nested(ExtraBedSchema),
        metadata={"description": "Plan blanc extra-bed indicators of its locations"},
    )
    stale = fields.Boolean(metadata={"description": "One of its figures is stale"})


class EstablishmentHitSchema(Schema):
    establishment_id = fields.String(
        metadata={"description": "Its Organization id: the FINESS number, or ror-<ROR id>"}
    )
    name = fields.String(allow_none=True)
    finess = fields.String(allow_none=True)
    category = fields.Nested(CodedSchema, allow_none=True)
    address = fields.Dict(
        allow_none=True,
        metadata={
            "description": "As its organization document has it: the FINESS address fields, or "
            "the ROR address lines of an establishment FINESS does not know"
        },
    )
    distance_km = fields.Float(metadata={"description": "To its nearest matching offer"})
    offers = fields.List(fields.Nested(OfferHitSchema))


class PlaceSchema(Schema):
    latitude = fields.Float()
    longitude = fields.Float()
    department = fields.String(
        allow_none=True, metadata={"description": "INSEE département whose radius applies"}
    )
    source = fields.String(metadata={"description": "point, commune or postcode"})


class OfferSearchPageSchema(Schema):
    place = fields.Nested(PlaceSchema)
    radius_km = fields.Float(metadata={"description": "The radius searched"})
    radius_source = fields.String(
        metadata={"description": "given, department (ANNUAIRE_SAS_RADII), default or adaptive"}
    )
    total = fields.Integer(metadata={"description": "Matching establishments within the radius"})
    items = fields.List(fields.Nested(EstablishmentHitSchema))
    facets = fields.Nested(FacetsSchema)
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})
