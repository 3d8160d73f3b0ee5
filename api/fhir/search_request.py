"""A FHIR search request parsed once: the query object plus the result parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace

from directory.errors import InvalidParameter, NotSupported
from directory.search.params import SearchParam, apply_param, parse_count

RESULT_PARAMS = {
    "_count", "_total", "_elements", "_summary", "_include", "_revinclude", "_sort", "_cursor",
}  # fmt: skip
IGNORED_PARAMS = {"_format", "_pretty"}
TOTAL_MODES = {"none", "estimate", "accurate"}


@dataclass(frozen=True)
class SearchRequest:
    query: object
    cursor: str | None
    includes: tuple[str, ...]
    revincludes: tuple[str, ...]
    elements: tuple[str, ...]
    summary: str | None  # a value of `summaries`, or "count"


def parse_search(
    args: list[tuple[str, str]],
    params: dict[str, SearchParam],
    empty_query: object,
    sorts: dict[str, str],
    includes: tuple[str, ...],
    revincludes: tuple[str, ...],
    summaries: tuple[str, ...] = (),
) -> SearchRequest:
    """Turn request arguments into a query; any unknown parameter or bad value is a 400.

    `_summary=count` (the total, no entries) works for every resource; the other `_summary`
    values are for the caller to honour, and only those in `summaries` are accepted.
    """
    query = empty_query
    single: dict[str, str] = {}
    found_includes: list[str] = []
    found_revincludes: list[str] = []
    for key, value in args:
        name = key.partition(":")[0]
        if name in IGNORED_PARAMS:
            continue
        if name in RESULT_PARAMS:
            if name == "_include":
                found_includes.append(_allowed("_include", value, includes))
            elif name == "_revinclude":
                found_revincludes.append(_allowed("_revinclude", value, revincludes))
            elif name in single:
                raise InvalidParameter(f"{name} may be given once")
            else:
                single[name] = value
            continue
        query = apply_param(params, query, key, value)

    # Without _total, the total is given only when free (see directory.search.paging).
    total_mode = single.get("_total", "free")
    if "_total" in single and total_mode not in TOTAL_MODES:
        raise InvalidParameter("_total must be none, estimate or accurate")
    changes: dict = {"count": parse_count(single.get("_count")), "total": total_mode}
    summary = parse_summary(single.get("_summary"), ("count", *summaries))
    if summary == "count":  # the total is the whole answer
        changes.update(count=0, total=total_mode if total_mode == "estimate" else "accurate")
    if "_sort" in single:
        changes["sort"] = sorts[_allowed("_sort", single["_sort"], tuple(sorts))]
        if changes["sort"] == "distance" and getattr(query, "near", None) is None:
            raise InvalidParameter("_sort=near needs a near parameter")
    return SearchRequest(
        query=replace(query, **changes),  # type: ignore[type-var]
        cursor=single.get("_cursor"),
        includes=tuple(found_includes),
        revincludes=tuple(found_revincludes),
        elements=parse_elements(single.get("_elements")),
        summary=summary,
    )


def parse_summary(raw: str | None, supported: tuple[str, ...]) -> str | None:
    return None if raw is None else _allowed("_summary", raw, supported)


def parse_elements(raw: str | None) -> tuple[str, ...]:
    """_elements: the top-level elements to keep, comma-separated."""
    return tuple(e.strip() for e in (raw or "").split(",") if e.strip())


def _allowed(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        supported = ", ".join(allowed) or "none"
        raise NotSupported(f"{name}={value} is not supported; supported: {supported}")
    return value
