"""The ROR source: a national extract of FHIR resources → organizations, offers, locations
with their capacity indicators, practitioners and their roles.

`annuaire load ror PATH` takes NDJSON files of a bulk export, Bundles, a folder of either or
a zip of either (loaders/ror_input.py). The extract is read twice: a first pass keeps the
organizations (kind, FINESS number, parent) and the practitioners' IDNPS; then the database
says which of them FINESS and RPPS already have (loaders/ror_links.py); the second pass maps
every resource to its rows (loaders/ror_rows.py), references rewritten to our ids.

The extract is a full snapshot of the resource types it holds: an offer, location,
indicator, organization or role missing from it becomes a tombstone. Repairs of known defects
(capacity codes as `code`, `valueInt` strings, value set URLs as systems…) are counted in the
run's message and their first lines listed with the rejections, as `repaired: …`.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path

import orjson
import psycopg

from directory.offers import capacity, systems
from directory.offers.capacity import CapacityError, Indicator, read_indicator
from directory.offers.systems import SUPPORTED_CAPACITY
from loaders import ror_fhir, ror_links, ror_rows, rpps, runs
from loaders.base import BadFile, Rejected, raw
from loaders.finess import ORGANIZATIONS
from loaders.pipeline import SourceFile, StagingContext
from loaders.ror_fhir import Notes, extensions, needs_repair, point_to, repair_systems
from loaders.ror_input import Entry, Part, entries, find_parts
from loaders.ror_links import Links, RorOrganization, describe, idnps, reference_id
from loaders.ror_versions import record_load_versions
from loaders.target import Candidate, Kept, Target


def _tombstone(resource_type: str, *kept: str, status: str | None = None) -> str:
    """The SET clause of a removed record: its resource shrinks to its id, profiles,
    identifiers and the `kept` elements, marked inactive."""
    elements = "".join(f", '{name}', t.resource->'{name}'" for name in kept)
    inactive = f"'status', '{status}'" if status else "'active', false"
    return f"""resource = json_strip_nulls(json_build_object(
            'resourceType', '{resource_type}', 'id', t.id,
            'meta', json_build_object('lastUpdated', %(stamp_text)s::text,
                                      'profile', t.resource->'meta'->'profile',
                                      'tag', t.resource->'meta'->'tag'),
            'identifier', t.resource->'identifier', {inactive}{elements}))"""


TOKENS = ("identifier_tokens", "tag_tokens")
SERVICES = Target(
    table="healthcare_service",
    columns=(
        "id", "identifier", "name", "name_norm", "organization_id", "establishment_id",
        "location_ids", "region", "identifier_tokens", "tag_tokens", "specialty_tokens",
        "characteristic_tokens", "service_type_tokens", "category_tokens",
        "patient_type_tokens", "age_low", "age_high", "resource", "content_hash", "active",
    ),
    json_columns=frozenset({"resource"}),
    array_columns=frozenset({
        "location_ids", *TOKENS, "specialty_tokens", "characteristic_tokens",
        "service_type_tokens", "category_tokens", "patient_type_tokens",
    }),
    stamped_resource="resource",
    tombstone_sql=_tombstone("HealthcareService", "name", "providedBy"),
)  # fmt: skip
LOCATIONS = Target(
    table="location",
    columns=(
        "id", "sync_identifier", "name", "name_norm", "status", "operational_status",
        "identifier_tokens", "type_tokens", "tag_tokens", "postal_code", "city_norm",
        "commune_insee", "department", "latitude", "longitude", "organization_id",
        "establishment_id", "finess", "region", "resource", "content_hash", "active",
    ),
    json_columns=frozenset({"resource"}),
    array_columns=frozenset({*TOKENS, "type_tokens"}),
    stamped_resource="resource",
    tombstone_sql=_tombstone("Location", "name", "managingOrganization", status="inactive")
    + ", status = 'inactive'",
    after_swap=record_load_versions,
)  # fmt: skip
CAPACITIES = Target(
    table="location_capacity",
    columns=(
        "id", "location_id", *(d.column for d in systems.DIMENSIONS), "nb", "updated_at",
        "source_type", "comment", "written_by", "content_hash", "active",
    ),
    # A bed count written through the API after the extract was made stays.
    keep_newer="updated_at",
)  # fmt: skip
ROR_SCOPE = frozenset({"ror"})  # the `source` of the practitioners and roles it loads
# RPPS's targets, with the columns a ROR record sets and the encodings Python rows need (RPPS
# builds its rows in SQL).
PRACTITIONERS = replace(
    rpps.PRACTITIONERS,
    columns=(*rpps.PRACTITIONERS.columns, "source"),
    json_columns=frozenset({"resource", "document"}),
    array_columns=frozenset(
        {"identifier_tokens", "identifier_type_tokens", "qualification_tokens", "mailbox_tokens"}
    ),
)
ROLES = replace(
    rpps.ROLES,
    columns=(*rpps.ROLES.columns, "source", "healthcare_service_id"),
    json_columns=frozenset({"resource", "document"}),
    array_columns=frozenset(
        {"identifier_tokens", "role_tokens", "organization_tokens", "mailbox_tokens"}
    ),
)
ROR_KINDS = frozenset({"OI", "RG", "RJ"})
# What a snapshot holding resources of a type covers.
SCOPES: dict[str, dict[Target, frozenset[str] | None]] = {
    "Organization": {ORGANIZATIONS: ROR_KINDS},
    "HealthcareService": {SERVICES: None},
    "Location": {LOCATIONS: None, CAPACITIES: None},
    "Practitioner": {PRACTITIONERS: ROR_SCOPE},
    "PractitionerRole": {ROLES: ROR_SCOPE},
}
FIRST_PASS = frozenset({"Organization", "Practitioner"})
# Codes the NOS deprecated that extracts still carry: kept, and counted.
DEPRECATED = {
    ("gender", "03"): "genderCapacityAvailable 03 (Indifférencié), deprecated on 2025-08-28, kept",
    ("status", "07"): "capacityStatus 07 (Opérationnel), deprecated on 2025-01-31, kept",
}
# Part of every content hash: a change of the mapping rewrites every record on the next load.
MAPPING_VERSION = hashlib.sha1(
    "".join(
        inspect.getsource(module)
        for module in (capacity, systems, ror_fhir, ror_links, ror_rows, sys.modules[__name__])
    ).encode()
).digest()


@dataclass
class Extract:
    """What the first pass learnt of an extract."""

    parts: list[Part]
    types: Counter[str]
    organizations: dict[str, RorOrganization]
    practitioners: dict[str, str]  # ROR id -> IDNPS


def survey(path: Path) -> Extract:
    """First pass: the resource types, the organizations and the practitioners' IDNPS."""
    parts = find_parts(path)
    extract = Extract(parts, Counter(), {}, {})
    for part in parts:
        for entry in entries(part, only=FIRST_PASS):
            if entry.resource_type:
                extract.types[entry.resource_type] += 1
            resource = entry.resource
            if resource is None or not isinstance(resource.get("id"), str):
                continue
            if entry.resource_type == "Organization":
                extract.organizations[resource["id"]] = describe(resource)
            elif entry.resource_type == "Practitioner" and (number := idnps(resource)):
                extract.practitioners[resource["id"]] = number
    return extract


def _digest(data: bytes, *links: object) -> str:
    return hashlib.sha1(MAPPING_VERSION + data + orjson.dumps(links)).hexdigest()


def _stamp(value: object) -> datetime | None:
    try:
        return (
            datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
        )
    except ValueError:
        return None


class Mapper:
    """Second pass: every resource → candidates for its targets, or a rejection."""

    def __init__(self, links: Links, notes: Notes) -> None:
        self.links = links
        self.notes = notes
        self.location_dates: dict[str, datetime | None] = {}  # meta.lastUpdated of each
        self.mappers = {
            "Organization": self.organization,
            "HealthcareService": self.service,
            "Location": self.location,
            "Practitioner": self.practitioner,
            "PractitionerRole": self.role,
        }

    def rows(self, extract: Extract) -> Iterator[tuple[Target, Candidate | Rejected]]:
        for part in extract.parts:
            for entry in entries(part):
                yield from self.entry(entry)

    def entry(self, entry: Entry) -> Iterator[tuple[Target, Candidate | Rejected]]:
        resource = entry.resource
        if resource is None:
            yield ORGANIZATIONS, Rejected(entry.line, f"{entry.part}: {entry.problem}", entry.raw)
            return
        kind = entry.resource_type
        problem = None
        if kind not in SCOPES:
            problem = f"unknown resourceType {kind!r}" if kind else "no resourceType"
        elif not isinstance(resource.get("id"), str) or not resource["id"].strip():
            problem = f"{kind} without id"
        if problem:
            yield ORGANIZATIONS, Rejected(entry.line, f"{entry.part}: {problem}", raw(resource))
            return
        data = orjson.dumps(resource)
        if needs_repair(data):
            found: list[str] = []
            repair_systems(resource, found)
            for what in found:
                self.notes.add(entry.part, entry.line, what)
        yield from self.mappers[kind](entry, resource, data)

    def _organization_of(
        self, entry: Entry, resource: dict, element: str
    ) -> tuple[str | None, str | None]:
        """Our id of the organization `element` points at (rewritten), and its ROR id."""
        ror_id = reference_id(resource.get(element), "Organization")
        our_id = self.links.organization_id(ror_id)
        if ror_id and our_id is None:
            what = "a reference to an organization the extract does not hold, kept as it is"
            self.notes.add(entry.part, entry.line, what, label="noted")
        point_to(resource, element, "Organization", our_id)
        return our_id, ror_id

    def organization(self, entry: Entry, resource: dict, data: bytes) -> Iterator:
        organization = self.links.organizations.get(resource["id"]) or describe(resource)
        if self.links.in_finess(organization):
            return  # FINESS's record is this organization
        our_id = f"ror-{organization.ror_id}"
        parent_id, _ = self._organization_of(entry, resource, "partOf")
        build = partial(ror_rows.organization_row, resource, organization, our_id, parent_id)
        yield ORGANIZATIONS, Candidate(entry.line, our_id, _digest(data, our_id, parent_id), build)

    def service(self, entry: Entry, resource: dict, data: bytes) -> Iterator:
        our_id, ror_id = self._organization_of(entry, resource, "providedBy")
        establishment = self.links.establishment(ror_id)
        build = partial(ror_rows.service_row, resource, our_id, establishment)
        digest = _digest(data, our_id, establishment)
        yield SERVICES, Candidate(entry.line, resource["id"], digest, build)

    def location(self, entry: Entry, resource: dict, data: bytes) -> Iterator:
        location_id = resource["id"]
        our_id, ror_id = self._organization_of(entry, resource, "managingOrganization")
        establishment = self.links.establishment(ror_id)
        meta = resource.get("meta")
        self.location_dates[location_id] = _stamp(
            meta.get("lastUpdated") if isinstance(meta, dict) else None
        )
        for number, extension in enumerate(extensions(resource, SUPPORTED_CAPACITY), 1):
            try:
                indicator = read_indicator(extension)
            except CapacityError as exc:
                reason = f"{entry.part}: Location/{location_id}: capacity indicator {number}: {exc}"
                yield CAPACITIES, Rejected(entry.line, reason, raw(extension))
                continue
            for what in indicator.repairs:
                self.notes.add(entry.part, entry.line, what)
            for (column, code), what in DEPRECATED.items():
                if indicator.codes[column] == code:
                    self.notes.add(entry.part, entry.line, what, label="noted")
            yield CAPACITIES, self._indicator(entry.line, location_id, indicator)
        # The capacity is part of the location's digest: a change of it is a new version.
        build = partial(
            ror_rows.location_row, ror_rows.without_capacity(resource), our_id, establishment
        )
        digest = _digest(data, our_id, establishment)
        yield LOCATIONS, Candidate(entry.line, location_id, digest, build)

    @staticmethod
    def _indicator(line: int, location_id: str, indicator: Indicator) -> Candidate:
        row = {**indicator.row(location_id), "written_by": None, "active": True}
        return Candidate(line, row["id"], _digest(orjson.dumps(row)), lambda: row)

    def practitioner(self, entry: Entry, resource: dict, data: bytes) -> Iterator:
        number = idnps(resource)
        if number is None:
            reason = f"{entry.part}: Practitioner/{resource['id']} has no idNatPs identifier"
            yield PRACTITIONERS, Rejected(entry.line, reason, raw(resource))
            return
        if number in self.links.known_idnps:
            return  # RPPS's record is this practitioner
        build = partial(ror_rows.practitioner_row, resource, number)
        yield PRACTITIONERS, Candidate(entry.line, number, _digest(data), build)

    def role(self, entry: Entry, resource: dict, data: bytes) -> Iterator:
        ror_practitioner = reference_id(resource.get("practitioner"), "Practitioner")
        practitioner_id = self.links.practitioner_id(ror_practitioner)
        if practitioner_id is None:
            reason = (
                f"{entry.part}: PractitionerRole/{resource['id']}: its practitioner "
                f"{ror_practitioner or '(none)'} is not in the extract"
            )
            yield ROLES, Rejected(entry.line, reason, raw(resource))
            return
        point_to(resource, "practitioner", "Practitioner", practitioner_id)
        our_id, ror_id = self._organization_of(entry, resource, "organization")
        organization = self.links.organizations.get(ror_id or "")
        finess = (
            organization.finess if organization and self.links.in_finess(organization) else None
        )
        service_id = reference_id(resource.get("healthcareService"), "HealthcareService")
        build = partial(ror_rows.role_row, resource, practitioner_id, our_id, finess, service_id)
        digest = _digest(data, practitioner_id, our_id, finess)
        yield ROLES, Candidate(entry.line, resource["id"], digest, build)


def _later_writes(url: str, location_dates: dict[str, datetime | None]) -> Iterator[Kept]:
    """Indicators written through the API that the extract does not hold but that are later
    than the extract's location: they stay (a load never undoes a later write)."""
    with psycopg.connect(url) as conn:
        written = conn.execute(
            "SELECT id, location_id, updated_at FROM location_capacity "
            "WHERE written_by IS NOT NULL AND removed_at IS NULL"
        ).fetchall()
    for key, location_id, updated_at in written:
        if location_id in location_dates and (
            location_dates[location_id] is None
            or updated_at is None
            or updated_at > location_dates[location_id]
        ):
            yield Kept(key)


def _read_rows(
    extract: Extract, scopes: dict[Target, frozenset[str] | None], context: StagingContext
) -> Iterator[tuple[Target, Candidate | Rejected | Kept]]:
    """The extract's rows, mapped with what the database knows (FINESS establishments, RPPS
    practitioners); the repairs are recorded on the run once every row is read."""
    with psycopg.connect(context.database_url) as conn:
        links = Links.read(conn, extract.organizations, extract.practitioners)
    context.progress(
        f"  {len(extract.organizations):,} organizations ({len(links.known_finess):,} FINESS "
        f"numbers known), {len(extract.practitioners):,} practitioners "
        f"({len(links.known_idnps):,} known to RPPS)"
    )
    notes = Notes()
    mapper = Mapper(links, notes)
    yield from mapper.rows(extract)
    if CAPACITIES in scopes:
        for kept in _later_writes(context.database_url, mapper.location_dates):
            yield CAPACITIES, kept
    runs.record_rejections(context.run_conn, context.run_id, notes.samples)
    if notes.counts:
        summary = notes.summary()
        runs.update_run(context.run_conn, context.run_id, message=summary)
        context.progress(f"  {summary}")


def open_ror(path: Path) -> SourceFile:
    """Survey a ROR extract; BadFile when it holds no resource of a type we load."""
    extract = survey(path)
    scopes: dict[Target, frozenset[str] | None] = {}
    for resource_type in extract.types:
        scopes.update(SCOPES.get(resource_type, {}))
    if not scopes:
        found = ", ".join(sorted(extract.types)) or "no FHIR resource"
        raise BadFile(
            f"{path.name}: no ROR resource (Organization, HealthcareService, Location, Practitioner, PractitionerRole): found {found}"
        )
    held = ", ".join(f"{n:,} {t}" for t, n in sorted(extract.types.items()))
    return SourceFile(
        f"ROR extract: {held}",
        scopes,
        read_rows=lambda context: _read_rows(extract, scopes, context),
    )
