"""Marshmallow schemas of /api/v1/runs and /api/v1/sources: arguments and responses.

Unlike the organization documents, runs and sources are dumped through these schemas, so
what the OpenAPI document says is what is served.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

RUN_STATUSES = ("running", "succeeded", "unchanged", "failed", "refused")
TRIGGERS = ("load", "manual", "scheduled", "startup", "approval")
DEFAULT_RUNS = 50
MAX_RUNS = 1000
REJECTION_SAMPLE = 20


class RunListArgs(Schema):
    source = fields.String(
        metadata={"description": "Only the runs of this source (its name in the sources file)."}
    )
    status = fields.String(
        validate=validate.OneOf(RUN_STATUSES), metadata={"description": "Only runs in this status."}
    )
    failed = fields.Boolean(
        load_default=False,
        metadata={"description": "Only the failed and refused runs (true) or every run (false)."},
    )
    limit = fields.Integer(
        load_default=DEFAULT_RUNS,
        validate=validate.Range(min=1, max=MAX_RUNS),
        metadata={"description": f"Runs per page, newest first, at most {MAX_RUNS}."},
    )
    cursor = fields.String(
        metadata={"description": "Opaque position of a page, as found in `next`."}
    )


class CountsSchema(Schema):
    new = fields.Integer()
    changed = fields.Integer()
    unchanged = fields.Integer()
    deactivated = fields.Integer(metadata={"description": "Records tombstoned by the run"})
    rejected = fields.Integer(metadata={"description": "Source rows refused by validation"})


class RunSchema(Schema):
    """One run: a load of a file, or a fetch of a configured source."""

    id = fields.Integer()
    source = fields.String(
        metadata={"description": "The configured source, or the kind for `annuaire load`"}
    )
    kind = fields.String(allow_none=True, metadata={"description": "finess, terminology…"})
    trigger = fields.String(validate=validate.OneOf(TRIGGERS))
    status = fields.String(validate=validate.OneOf(RUN_STATUSES))
    message = fields.String(allow_none=True, metadata={"description": "Why it failed, etc."})
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    duration_seconds = fields.Float(allow_none=True)
    scheduled_for = fields.DateTime(
        allow_none=True, metadata={"description": "The fire time a scheduled run answers for"}
    )
    location = fields.String(allow_none=True, metadata={"description": "URL or path fetched"})
    fetched = fields.Boolean(
        allow_none=True,
        metadata={"description": "false when the server said not modified; null for a load"},
    )
    file_name = fields.String()
    bytes = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    counts = fields.Nested(CountsSchema)
    approves = fields.Integer(
        allow_none=True, metadata={"description": "The refused run this one approved"}
    )
    approved_by = fields.Integer(
        allow_none=True, metadata={"description": "The run that loaded this refused one"}
    )


class RunPageSchema(Schema):
    items = fields.List(fields.Nested(RunSchema))
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})


class RejectionSchema(Schema):
    line = fields.Integer()
    reason = fields.String()
    raw = fields.String(metadata={"description": "The rejected row (cut at 2,000 characters)"})


class RunReadSchema(RunSchema):
    rejections = fields.List(
        fields.Nested(RejectionSchema),
        metadata={"description": f"The first {REJECTION_SAMPLE} rejected rows, by line"},
    )


class RunRefSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()


class FailureRefSchema(RunRefSchema):
    message = fields.String(allow_none=True)


class SourceSchema(Schema):
    """A configured source and where it stands."""

    name = fields.String()
    kind = fields.String()
    location = fields.String(metadata={"description": "URL (without credentials) or path"})
    schedule = fields.String(metadata={"description": "Cron expression"})
    timezone = fields.String()
    next_run = fields.DateTime(allow_none=True)
    last_success = fields.Nested(
        RunRefSchema,
        allow_none=True,
        metadata={"description": "The latest run that loaded it or found it unchanged"},
    )
    last_failure = fields.Nested(
        FailureRefSchema,
        allow_none=True,
        metadata={"description": "The latest failed or refused run"},
    )
    consecutive_failures = fields.Integer(
        metadata={"description": "Failed or refused runs since the last success"}
    )
    awaiting_approval = fields.Integer(
        allow_none=True, metadata={"description": "A refused run `annuaire runs approve` loads"}
    )
    running = fields.Integer(allow_none=True, metadata={"description": "A run going on now"})
    data_age_seconds = fields.Integer(
        allow_none=True, metadata={"description": "Time since the last success; null: never"}
    )
    max_age_seconds = fields.Integer(allow_none=True)
    fresh = fields.Boolean(
        allow_none=True,
        metadata={"description": "Data younger than max_age (null without max_age)"},
    )


class SourceListSchema(Schema):
    items = fields.List(fields.Nested(SourceSchema))
