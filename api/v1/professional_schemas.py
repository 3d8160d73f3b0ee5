"""Marshmallow schemas of /api/v1/professionals: search arguments (validated) and documents."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.v1.schemas import (
    DEFAULT_RADIUS_KM,
    AddressSchema,
    CodedSchema,
    Codes,
    LatLon,
    has_words,
)
from directory.search.params import DEFAULT_COUNT, MAX_COUNT, MAX_NEAR_KM

CODE = re.compile(r"[\w-]{1,20}")


def _codes(description: str, example: str) -> Codes:
    return Codes(
        lambda code: code if CODE.fullmatch(code) else None,
        "a code of letters, digits, - or _",
        metadata={
            "description": description + " Repeat it, or separate codes by commas, for any.",
            "example": [example],
        },
    )


class ProfessionalSearchArgs(Schema):
    q = fields.String(
        validate=has_words,
        metadata={
            "description": "Words of the name (family, given), each an accent- and "
            "case-insensitive word prefix: `mart jea` finds Jean MARTIN.",
            "example": "martin jean",
        },
    )
    profession = _codes(
        "Profession code (TRE_G15: 10 médecin, 21 pharmacien, 60 infirmier…).", "10"
    )
    specialty = _codes("Savoir-faire code (TRE_R38…: SM53 médecine générale…).", "SM53")
    mode = _codes(
        "Mode d'exercice of an activity (TRE_R23: L libéral, S salarié, B bénévole).", "L"
    )
    commune = fields.String(
        validate=has_words,
        metadata={
            "description": "INSEE commune code of an activity's structure, or the beginning of "
            "its city name.",
            "example": "75115",
        },
    )
    postcode = fields.String(
        validate=validate.Regexp(r"^\d{1,5}$", error="expected 1 to 5 digits"),
        metadata={"description": "Postal code of an activity's structure, or its beginning."},
    )
    department = _codes("Département code of an activity's structure (75, 2A, 971…).", "75")
    finess = fields.String(
        validate=validate.Regexp(r"^\d[\dAB]\d{7}$", error="expected a 9-character FINESS number"),
        metadata={"description": "FINESS number of an activity's establishment."},
    )
    siret = fields.String(
        validate=validate.Regexp(r"^\d{14}$", error="expected 14 digits"),
        metadata={"description": "SIRET of an activity's structure."},
    )
    near = LatLon(
        metadata={
            "description": "latitude,longitude: professionals with an activity within `radius` "
            "(structures whose position FINESS knows).",
            "example": "48.84,2.33",
        }
    )
    radius = fields.Float(
        validate=validate.Range(min=0, max=MAX_NEAR_KM, min_inclusive=False),
        metadata={"description": "Radius around `near`, in km.", "default": DEFAULT_RADIUS_KM},
    )
    limit = fields.Integer(
        load_default=DEFAULT_COUNT,
        validate=validate.Range(min=0, max=MAX_COUNT),
        metadata={"description": f"Items per page, at most {MAX_COUNT}."},
    )
    cursor = fields.String(metadata={"description": "Opaque position of a page, from `next`."})

    @validates_schema
    def _radius_needs_near(self, data: dict, **_kwargs: Any) -> None:
        if "radius" in data and "near" not in data:
            raise ValidationError("radius needs near=latitude,longitude", "radius")


def _coded() -> fields.Nested:
    return fields.Nested(CodedSchema, allow_none=True)


class ExerciseSchema(Schema):
    profession = _coded()
    category = _coded()
    practice_civility = _coded()
    family = fields.String(allow_none=True)
    given = fields.String(allow_none=True)


class SkillSchema(Schema):
    profession = fields.String(allow_none=True)
    type = _coded()
    code = fields.String()
    label = fields.String(allow_none=True)


class DiplomaSchema(Schema):
    type = _coded()
    diploma = _coded()
    authorization_type = _coded()
    discipline = _coded()


class MailboxSchema(Schema):
    address = fields.String()
    type = fields.String(allow_none=True, metadata={"description": "PER, CAB, ORG, APP"})
    structure = fields.String(allow_none=True)
    service = fields.String(allow_none=True)
    digitization = fields.String(allow_none=True)


class StructureAddressSchema(AddressSchema):
    distribution = fields.String(allow_none=True)
    country = fields.String(allow_none=True)


class StructureSchema(Schema):
    technical_id = fields.String(metadata={"description": "RPPS technical id of the structure"})
    organization_id = fields.String(
        metadata={"description": "Its FHIR Organization id: the FINESS number, else technical id"}
    )
    national_id = fields.String(allow_none=True, metadata={"description": "idNatSt"})
    name = fields.String(allow_none=True)
    sign = fields.String(allow_none=True)
    siret = fields.String(allow_none=True)
    siren = fields.String(allow_none=True)
    finess = fields.String(allow_none=True)
    legal_entity_finess = fields.String(allow_none=True)
    address = fields.Nested(StructureAddressSchema)
    coordinates = fields.Dict(allow_none=True, metadata={"description": "From FINESS, if known"})
    phone = fields.String(allow_none=True)
    phone2 = fields.String(allow_none=True)
    fax = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class ActivitySchema(Schema):
    id = fields.String(metadata={"description": "Also the FHIR PractitionerRole id"})
    idnps = fields.String()
    profession = _coded()
    category = _coded()
    mode = _coded()
    role = _coded()
    genre = _coded()
    sector = _coded()
    pharmacist_section = _coded()
    registration_authority = fields.String(allow_none=True)
    structure = fields.Nested(StructureSchema, allow_none=True)
    mailboxes = fields.List(fields.Nested(MailboxSchema))


class ProfessionalSchema(Schema):
    """A health professional (RPPS or ADELI), as stored at load time."""

    idnps = fields.String(metadata={"example": "810100000001"})
    identifier_type = fields.String(metadata={"description": "RPPS or ADELI"})
    rpps = fields.String(allow_none=True)
    adeli = fields.String(allow_none=True)
    family = fields.String(allow_none=True)
    given = fields.String(allow_none=True)
    civility = _coded()
    practice_civility = _coded()
    exercises = fields.List(fields.Nested(ExerciseSchema))
    skills = fields.List(fields.Nested(SkillSchema))
    diplomas = fields.List(fields.Nested(DiplomaSchema))
    mailboxes = fields.List(fields.Nested(MailboxSchema))
    removed = fields.String(metadata={"description": "When the person left the register"})


class ProfessionalReadSchema(ProfessionalSchema):
    activities = fields.List(fields.Nested(ActivitySchema))


class ProfessionalPageSchema(Schema):
    items = fields.List(fields.Nested(ProfessionalSchema))
    total = fields.Integer(allow_none=True)
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})
