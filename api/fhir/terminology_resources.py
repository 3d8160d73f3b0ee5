"""CodeSystem, ValueSet and ConceptMap: read, vread and search.

A read returns a CodeSystem whole, concepts included. Search results leave the concepts out (as
Ontoserver does: a search lists resources, and a code system can hold tens of thousands of
concepts) and tag such CodeSystems SUBSETTED; `_summary=false` or `_elements` naming `concept`
brings them back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import orjson
from flask import Response, current_app, request

from api.fhir import base_url, blueprint, fhir_response
from api.fhir.bundle import searchset, subset
from api.fhir.search_request import parse_elements, parse_search, parse_summary
from directory.errors import InvalidParameter, NotFound
from terminology import search as queries
from terminology.search import RESOURCE_TYPES, SEARCH_PARAMS, TerminologyQuery

SUMMARIES = ("true", "false")  # and, for a search, count
# The elements FHIR R4 marks as summary (Σ), besides resourceType, id and meta.
_CONFORMANCE_SUMMARY = (
    "url", "identifier", "version", "name", "title", "status", "experimental", "date",
    "publisher", "contact", "useContext", "jurisdiction",
)  # fmt: skip
SUMMARY_ELEMENTS = {
    "CodeSystem": (
        *_CONFORMANCE_SUMMARY, "caseSensitive", "valueSet", "hierarchyMeaning", "compositional",
        "versionNeeded", "content", "supplements", "count", "filter", "property",
    ),
    "ValueSet": (*_CONFORMANCE_SUMMARY, "immutable"),
    "ConceptMap": (
        *_CONFORMANCE_SUMMARY, "sourceUri", "sourceCanonical", "targetUri", "targetCanonical",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Shape:
    """How much of each resource to return."""

    with_concepts: bool
    elements: tuple[str, ...]  # the top-level elements to keep; empty: all


def _shape(
    resource_type: str, summary: str | None, elements: tuple[str, ...], concepts: bool
) -> Shape:
    """`concepts`: whether a CodeSystem comes with its concepts when nothing is asked."""
    if elements and summary not in (None, "count"):
        raise InvalidParameter("give _summary or _elements, not both")
    if elements:
        return Shape("concept" in elements, elements)
    if summary == "true":
        return Shape(False, SUMMARY_ELEMENTS[resource_type])
    return Shape(concepts if summary is None else summary == "false", ())


def read(resource_type: str, resource_id: str, version_id: str | None = None) -> Response:
    if resource_id.startswith("$"):  # an operation no module routes
        raise NotFound(f"operation {resource_id} is not supported on {resource_type}")
    shape = _shape(
        resource_type,
        parse_summary(request.args.get("_summary"), SUMMARIES),
        parse_elements(request.args.get("_elements")),
        concepts=True,
    )
    with current_app.extensions["engine"].connect() as conn:
        payload = queries.read(conn, resource_type, resource_id, version_id, shape.with_concepts)
    if payload is None:
        version = f" version {version_id}" if version_id is not None else ""
        raise NotFound(f"{resource_type}/{resource_id}{version} is not known")
    if shape.elements:
        return fhir_response(orjson.dumps(subset(payload, shape.elements)))
    return fhir_response(payload)


def search(resource_type: str) -> Response:
    args = list(request.args.items(multi=True))
    if request.method == "POST":
        args += list(request.form.items(multi=True))
    parsed = parse_search(
        args,
        SEARCH_PARAMS[resource_type],
        TerminologyQuery(resource_type),
        {},
        (),
        (),
        summaries=SUMMARIES,
    )
    shape = _shape(resource_type, parsed.summary, parsed.elements, concepts=False)
    query = replace(parsed.query, with_concepts=shape.with_concepts)  # type: ignore[type-var]
    with current_app.extensions["engine"].connect() as conn:
        page = queries.search(conn, query, parsed.cursor)
    return fhir_response(searchset(page, base_url(), resource_type, args, shape.elements))


# Static paths, so that an operation route such as /ValueSet/$expand always wins over a read.
for _type in RESOURCE_TYPES:
    _defaults = {"resource_type": _type}
    blueprint.add_url_rule(
        f"/{_type}", f"search_{_type}", search, methods=["GET"], defaults=_defaults
    )
    blueprint.add_url_rule(
        f"/{_type}/_search", f"post_search_{_type}", search, methods=["POST"], defaults=_defaults
    )
    blueprint.add_url_rule(
        f"/{_type}/<resource_id>", f"read_{_type}", read, methods=["GET"], defaults=_defaults
    )
    blueprint.add_url_rule(
        f"/{_type}/<resource_id>/_history/<version_id>",
        f"vread_{_type}",
        read,
        methods=["GET"],
        defaults=_defaults,
    )
