"""FHIR search parameters: their declaration, and their values parsed by pure functions (tokens,
strings, dates, near, counts)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, Literal, TypeVar

from directory.errors import InvalidParameter, NotSupported

DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
SUPPORTED_DATE_PREFIXES = ("eq", "gt", "lt", "ge", "le")
MAX_COUNT = 1000
DEFAULT_COUNT = 50
MAX_NEAR_KM = 1000.0

Query = TypeVar("Query")
StringMode = Literal["prefix", "contains", "exact"]
STRING_MODIFIERS: dict[str, StringMode] = {"": "prefix", "contains": "contains", "exact": "exact"}


@dataclass(frozen=True)
class SearchParam(Generic[Query]):
    """One FHIR search parameter of a resource: the parser and the CapabilityStatement read it."""

    name: str
    type: str  # FHIR search parameter type
    documentation: str
    apply: Callable[[Query, str, str], Query]  # (query, value, modifier) → narrowed query
    modifiers: tuple[str, ...] = ()
    # The applier reads the modifier itself: `_has:Type:reference:param` is no fixed list.
    any_modifier: bool = False


@dataclass(frozen=True)
class TextFilter:
    """Alternatives (OR) for one text field, matched as `mode`."""

    mode: StringMode
    values: tuple[str, ...]


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    km: float


@dataclass(frozen=True)
class DateBound:
    """`value` compared with `op` (gt, ge, lt, le)."""

    op: str
    value: datetime


def lookup_param(params: dict[str, SearchParam], name: str) -> SearchParam:
    param = params.get(name)
    if param is None:
        raise NotSupported(
            f"unknown search parameter {name!r}; supported: {', '.join(sorted(params))}"
        )
    return param


def apply_param(params: dict[str, SearchParam], query: Query, key: str, value: str) -> Query:
    """`query` narrowed by one `name[:modifier]=value` of a search request; an unknown
    parameter or modifier, or an empty value, is a 400."""
    name, _, modifier = key.partition(":")
    param = lookup_param(params, name)
    if modifier and modifier not in param.modifiers and not param.any_modifier:
        raise NotSupported(f"modifier :{modifier} is not supported on {name}")
    if value == "":
        raise InvalidParameter(f"{name} has an empty value")
    return param.apply(query, value, modifier)


def reverse_chain(
    resource_type: str,
    target: str,
    reference: str,
    target_params: dict[str, SearchParam],
    empty_target: object,
    field: str,
) -> SearchParam:
    """`_has:<target>:<reference>:<param>=value` (FHIR reverse chaining): the resources that a
    `target` meeting `param=value` points at through its `reference` parameter. The target's
    query goes to `field`, a tuple of them: repeated, each must hold (AND), each on its own
    target resource."""
    form = f"_has:{target}:{reference}:<{target} parameter>"

    def apply(q: Any, value: str, modifier: str) -> Any:
        kind, _, rest = modifier.partition(":")
        via, _, key = rest.partition(":")
        if (kind, via) != (target, reference) or not key:
            raise NotSupported(f"_has:{modifier} is not supported on {resource_type}; use {form}")
        inner = apply_param(target_params, empty_target, key, value)
        return replace(q, **{field: (*getattr(q, field), inner)})

    return SearchParam(
        "_has", "special",
        f"Reverse chaining, {form}: the {resource_type} resources that a {target} meeting the "
        f"parameter points at as {reference} (any {target} search parameter, modifiers "
        "included); repeated, each holds",
        apply, any_modifier=True,
    )  # fmt: skip


def split_or(value: str) -> tuple[str, ...]:
    """Comma-separated alternatives (`\\,` escapes a comma inside a value)."""
    parts = [p.replace("\\,", ",").strip() for p in re.split(r"(?<!\\),", value)]
    if not all(parts):
        raise InvalidParameter(f"empty value in {value!r}")
    return tuple(parts)


def parse_text(value: str, modifier: str) -> TextFilter:
    """A string parameter: no modifier is a prefix match, or :contains, or :exact."""
    return TextFilter(STRING_MODIFIERS[modifier], split_or(value))


def parse_date_bounds(name: str, raw: str) -> tuple[DateBound, ...]:
    """A FHIR date search value → one or two bounds (eq on a day is a range)."""
    prefix = raw[:2] if raw[:2] in DATE_PREFIXES else "eq"
    text = raw[2:] if raw[:2] in DATE_PREFIXES else raw
    if prefix not in SUPPORTED_DATE_PREFIXES:
        raise InvalidParameter(
            f"{name}: prefix {prefix!r} is not supported (use eq, gt, ge, lt, le)"
        )
    start, end = _date_range(name, text)
    return {
        "eq": (DateBound("ge", start), DateBound("lt", end)),
        "gt": (DateBound("ge", end),),
        "ge": (DateBound("ge", start),),
        "lt": (DateBound("lt", start),),
        "le": (DateBound("lt", end),),
    }[prefix]


def _date_range(name: str, text: str) -> tuple[datetime, datetime]:
    """The instant range a date of some precision stands for: 2026 → [2026-01-01, 2027-01-01)."""
    try:
        if re.fullmatch(r"\d{4}", text):
            start = datetime(int(text), 1, 1, tzinfo=UTC)
            return start, start.replace(year=start.year + 1)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            start = datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
            return start, (start + timedelta(days=32)).replace(day=1)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start, start + timedelta(days=1)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidParameter(f"{name}: {text!r} is not a FHIR date or dateTime") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    precision = timedelta(seconds=1) if moment.microsecond == 0 else timedelta(milliseconds=1)
    return moment, moment + precision


def parse_near(raw: str) -> Near:
    """`lat|lon|distance|unit` (distance in km by default; unit km or m)."""
    parts = raw.split("|")
    if len(parts) not in (2, 3, 4):
        raise InvalidParameter("near must be latitude|longitude|distance|unit")
    try:
        lat, lon = float(parts[0]), float(parts[1])
        distance = float(parts[2]) if len(parts) > 2 and parts[2] else 10.0
    except ValueError as exc:
        raise InvalidParameter(f"near: {raw!r} has a value that is not a number") from exc
    unit = parts[3] if len(parts) == 4 and parts[3] else "km"
    if unit not in ("km", "m"):
        raise InvalidParameter("near: the unit must be km or m")
    km = distance / 1000 if unit == "m" else distance
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidParameter("near: latitude must be within ±90 and longitude within ±180")
    if not 0 < km <= MAX_NEAR_KM:
        raise InvalidParameter(f"near: the distance must be above 0 and at most {MAX_NEAR_KM:g} km")
    return Near(lat, lon, km)


def parse_count(raw: str | None) -> int:
    """_count: default 50; above the maximum it is lowered to it, as FHIR allows."""
    if raw is None:
        return DEFAULT_COUNT
    if not raw.isdigit():
        raise InvalidParameter(f"_count must be a whole number, not {raw!r}")
    return max(0, min(int(raw), MAX_COUNT))


def parse_boolean(name: str, raw: str) -> bool:
    if raw not in ("true", "false"):
        raise InvalidParameter(f"{name} must be true or false, not {raw!r}")
    return raw == "true"


# Appliers shared by the parameter tables of every resource: each narrows a frozen query
# dataclass by appending to, or setting, one of its fields.


def append(field: str, convert: Callable[[str], object]) -> Callable[[Any, str, str], Any]:
    def apply(q: Any, value: str, _modifier: str) -> Any:
        return replace(q, **{field: (*getattr(q, field), convert(value))})

    return apply


def text(field: str) -> Callable[[Any, str, str], Any]:
    def apply(q: Any, value: str, modifier: str) -> Any:
        return replace(q, **{field: (*getattr(q, field), parse_text(value, modifier))})

    return apply


def active(q: Any, value: str, _modifier: str) -> Any:
    return replace(q, active=parse_boolean("active", value))


def last_updated(q: Any, value: str, _modifier: str) -> Any:
    return replace(q, last_updated=(*q.last_updated, *parse_date_bounds("_lastUpdated", value)))


def references(resource_type: str) -> Callable[[str], tuple[str, ...]]:
    """A reference parameter's ids: `Type/id` or a bare id, comma-separated."""

    def convert(value: str) -> tuple[str, ...]:
        return tuple(v.removeprefix(f"{resource_type}/") for v in split_or(value))

    return convert
