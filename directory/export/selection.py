"""What an export holds of each type: every record of the types asked for, or those matching
their `_typeFilter` searches; with `includeAssociatedData=_myCompleteExtract`, also the
records those reference, as the ROR's regional extracts of offers give them.

A selection is recorded with its job as the client wrote it and turned into SQL again for
each download, so that the kick-off's part counts and the files apply the same conditions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import ColumnElement, Select, and_, any_, func, or_, select, true, union

from directory.errors import InvalidParameter, NotSupported
from directory.export.models import EXPORTED
from directory.offers.fhir_search import LOCATION_PARAMS, SERVICE_PARAMS
from directory.offers.models import HealthcareService, Location
from directory.offers.queries import (
    LocationQuery,
    ServiceQuery,
    location_filters,
    offers_at,
    service_search_filters,
)
from directory.organizations.fhir_search import ORGANIZATION_PARAMS
from directory.organizations.models import Organization
from directory.organizations.queries import OrganizationQuery, organization_filters
from directory.practitioners.fhir_search import PRACTITIONER_PARAMS, ROLE_PARAMS
from directory.practitioners.models import PractitionerRole
from directory.practitioners.queries import (
    PractitionerQuery,
    RoleQuery,
    names_holding,
    practitioner_filters,
    role_filters,
)
from directory.search.params import SearchParam, apply_param

# The ROR's value of includeAssociatedData (its CodeSystem ror-include-associated-data).
COMPLETE_EXTRACT = "_myCompleteExtract"


@dataclass(frozen=True)
class Searchable:
    """A type's FHIR search: its parameters, parsed as its search endpoint parses them, and
    its conditions in the form that suits a whole set rather than a page (the offers at
    the locations chained criteria match, the names :contains terms match)."""

    params: dict[str, SearchParam]
    empty: Any
    filters: Callable[[Any], list[ColumnElement]]


SEARCHABLE: dict[str, Searchable] = {
    "Organization": Searchable(ORGANIZATION_PARAMS, OrganizationQuery(), organization_filters),
    "HealthcareService": Searchable(
        SERVICE_PARAMS, ServiceQuery(), lambda q: service_search_filters(q, offers_at)
    ),
    "Location": Searchable(LOCATION_PARAMS, LocationQuery(), location_filters),
    "Practitioner": Searchable(
        PRACTITIONER_PARAMS, PractitionerQuery(), lambda q: practitioner_filters(q, names_holding)
    ),
    "PractitionerRole": Searchable(ROLE_PARAMS, RoleQuery(), role_filters),
}

S, L, R = HealthcareService, Location, PractitionerRole
# (from, to, the ids of `to` that the rows of `from` whose ids are `ids` reference). Listed so
# that every link into a type comes before the links out of it.
LINKS: tuple[tuple[str, str, Callable[[Select], Select]], ...] = (
    ("HealthcareService", "Location", lambda ids: select(func.unnest(S.location_ids)).where(S.id.in_(ids))),
    ("HealthcareService", "Organization", lambda ids: select(S.organization_id).where(S.id.in_(ids))),
    ("HealthcareService", "PractitionerRole", lambda ids: select(R.id).where(R.healthcare_service_id.in_(ids))),
    ("Location", "Organization", lambda ids: select(L.organization_id).where(L.id.in_(ids))),
    ("PractitionerRole", "Practitioner", lambda ids: select(R.practitioner_id).where(R.id.in_(ids))),
    ("PractitionerRole", "Organization", lambda ids: select(R.organization_id).where(R.id.in_(ids))),
)  # fmt: skip

# Where one filter ends and the next starts in a comma-separated _typeFilter value: before a
# type's name and its `?` (a comma inside a search value is one of its alternatives).
_NEXT_FILTER = re.compile(r",(?=[A-Z][A-Za-z]*\?)")


def split_type_filters(value: str) -> list[str]:
    return [part for part in _NEXT_FILTER.split(value) if part]


def parse_type_filter(value: str) -> tuple[str, Any]:
    """`Type?search` → (Type, its query): the parameters of the type's search endpoint, result
    parameters (_count, _include, _sort…) excepted; a bad one is a 400."""
    resource_type, separator, search = value.partition("?")
    if not separator or resource_type not in SEARCHABLE:
        raise InvalidParameter(
            f"_typeFilter: {value!r} is not a search of an exported type, such as "
            "HealthcareService?_tag=<system>|<code> (exported types: "
            f"{', '.join(SEARCHABLE)})"
        )
    pairs = parse_qsl(search, keep_blank_values=True)
    if not pairs:
        raise InvalidParameter(f"_typeFilter: {value!r} gives no search parameter")
    searchable, query = SEARCHABLE[resource_type], SEARCHABLE[resource_type].empty
    for key, text in pairs:
        query = apply_param(searchable.params, query, key, text)
    return resource_type, query


@dataclass(frozen=True)
class Selection:
    """The records an export holds: of each of `types`, every present one, or with
    `filters` (`Type?search`, as _typeFilter gives them) those matching any filter of their
    type; with `associated`, also every record they reference, directly or not (an offer's
    locations, organization and roles, a role's practitioner and organization, a location's
    organization, an organization's parents)."""

    types: tuple[str, ...]
    filters: tuple[str, ...] = ()
    associated: bool = False

    def __post_init__(self) -> None:
        for value, (resource_type, _) in zip(self.filters, self._parsed, strict=True):
            if resource_type not in self.types:
                raise InvalidParameter(
                    f"_typeFilter: {value!r} filters {resource_type}, which is not exported "
                    f"(_type: {', '.join(self.types)})"
                )

    @cached_property
    def _parsed(self) -> list[tuple[str, Any]]:
        """(type, query) of each filter, parsed once."""
        return [parse_type_filter(value) for value in self.filters]

    def _own(self, resource_type: str) -> ColumnElement | None:
        """Its filters' condition; None: every record of the type."""
        searchable = SEARCHABLE[resource_type]
        queries = [q for t, q in self._parsed if t == resource_type]
        if not queries:
            return None
        return or_(*(and_(true(), *searchable.filters(q)) for q in queries))

    @cached_property
    def _linked(self) -> dict[str, list[Select]]:
        """The ids of each type that the held records reference."""
        held: dict[str, list[Select]] = {}
        for resource_type in self.types:
            model = EXPORTED[resource_type]
            own = self._own(resource_type)
            present = select(model.id).where(model.removed_at.is_(None))
            held[resource_type] = [present if own is None else present.where(own)]
        linked: dict[str, list[Select]] = {}
        for source, target, referenced in LINKS:
            ids = held.get(source, []) + linked.get(source, [])
            if ids:
                linked.setdefault(target, []).append(referenced(union(*ids).scalar_subquery()))
        return linked

    def exported(self) -> tuple[str, ...]:
        """The types with files, in manifest order."""
        wanted = set(self.types) | (set(self._linked) if self.associated else set())
        return tuple(t for t in EXPORTED if t in wanted)

    def condition(self, resource_type: str) -> ColumnElement | None:
        """What the export holds of one of its types; None: every record."""
        own = self._own(resource_type) if resource_type in self.types else None
        if resource_type in self.types and own is None:
            return None
        linked = self._linked.get(resource_type) if self.associated else None
        if not linked:
            return own
        ids = union(*linked).scalar_subquery()
        if resource_type == "Organization":
            ids = _with_parents(ids)
        held = EXPORTED[resource_type].id.in_(ids)
        return held if own is None else or_(own, held)

    def to_json(self) -> dict:
        return {
            "types": list(self.types),
            "filters": list(self.filters),
            "associated": self.associated,
        }

    @classmethod
    def from_json(cls, data: dict) -> Selection:
        return cls(tuple(data["types"]), tuple(data["filters"]), data["associated"])


def _with_parents(ids: Any) -> Select:
    """The organizations of `ids` and their parents, up to the legal entity. The ids are
    gathered into an array first: the planner then expects a few and looks each organization
    up by its key, level after level, rather than hash the whole table at every level (5 s
    for a region's 13 k organizations)."""
    o = Organization
    gathered = o.id == any_(func.array(ids))
    tree = select(o.id, o.parent_id).where(gathered).cte("organizations", recursive=True)
    tree = tree.union(select(o.id, o.parent_id).where(o.id == tree.c.parent_id))
    return select(tree.c.id)


def associated_data(values: list[str], lenient: bool) -> bool:
    """includeAssociatedData: `_myCompleteExtract` asks for the referenced records; another
    value is not supported (ignored when the client prefers lenience)."""
    unsupported = sorted({v for v in values if v != COMPLETE_EXTRACT})
    if unsupported and not lenient:
        raise NotSupported(
            f"includeAssociatedData={','.join(unsupported)} is not supported: only "
            f"{COMPLETE_EXTRACT} (the records the exported ones reference)"
        )
    return COMPLETE_EXTRACT in values
