"""Marshmallow schemas of /api/v1/locations/{id}/capacity and …/history: arguments and
responses. Both are dumped through these schemas, so what the OpenAPI document says is what
is served."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

DEFAULT_HISTORY = 50
MAX_HISTORY = 1000


def _code(description: str) -> fields.String:
    return fields.String(allow_none=True, metadata={"description": description})


class IndicatorSchema(Schema):
    """One capacity indicator: its coded dimensions (NOS codes; null where absent), its count,
    and who last wrote it."""

    class Meta:
        ordered = True

    capacity_type = _code("capacityType (J187 NatureCapacite): 01 bed, 02 place")
    status = _code("capacityStatus (J188 TypeStatutCapacite): 02 available, 05 closed…")
    temporality = _code("temporalityCapacity (J189): 01 now, 02–05 forecasts")
    gender = _code("genderCapacityAvailable (J190): 01 women, 02 men, 04 undetermined")
    closing_type = _code("capacityClosingType (J191)")
    additional_bed_type = _code("additionalBedType (J192)")
    crisis_type = _code("crisisType (J194): 02 Plan blanc")
    temporary_assignment = _code("temporaryAssignement (J195): 01 none, 02 Covid+, 03 Covid-")
    nb = fields.Integer(metadata={"description": "nbCapacity"})
    updated_at = fields.DateTime(
        allow_none=True, metadata={"description": "capacityUpdateDate: when the source updated it"}
    )
    source_type = _code("capacitySourceType (J193): 01 manual, 02 bed management…")
    comment = fields.String(allow_none=True)
    labels = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "The labels of its codes, by field (capacity_type, status…), from "
            "the loaded terminology (TRE_R329 to TRE_R337); empty without it"
        },
    )
    written_by = fields.String(
        allow_none=True,
        metadata={"description": "The API key that wrote it last; null: the ROR extract"},
    )
    written_at = fields.DateTime(metadata={"description": "When it changed here"})


class CapacitySchema(Schema):
    class Meta:
        ordered = True

    location = fields.String(metadata={"description": "The Location id"})
    version = fields.Integer(metadata={"description": "Its version (the FHIR ETag)"})
    last_updated = fields.DateTime(metadata={"description": "Its last change here"})
    items = fields.List(fields.Nested(IndicatorSchema))


class HistoryArgs(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_HISTORY,
        validate=validate.Range(min=1, max=MAX_HISTORY),
        metadata={"description": f"Writes per page, newest first, at most {MAX_HISTORY}."},
    )
    cursor = fields.String(
        metadata={"description": "Opaque position of a page, as found in `next`."}
    )


class WriteSchema(Schema):
    """One operation of a capacity write."""

    class Meta:
        ordered = True

    id = fields.Integer()
    version = fields.Integer(
        attribute="version_id", metadata={"description": "The Location version it made"}
    )
    at = fields.DateTime()
    actor = fields.String(metadata={"description": "The name of the API key"})
    operation = fields.String(validate=validate.OneOf(("add", "replace", "delete")))
    before = fields.Dict(
        allow_none=True,
        metadata={"description": "The indicator before (its FHIR extension); null: none"},
    )
    after = fields.Dict(
        allow_none=True,
        metadata={"description": "The indicator after (its FHIR extension); null: deleted"},
    )


class HistoryPageSchema(Schema):
    items = fields.List(fields.Nested(WriteSchema))
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})
