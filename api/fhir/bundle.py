"""Searchset Bundles written from stored JSON text, without re-serialising each resource."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson

from directory.search.paging import Page
from directory.search.tags import SUBSETTED

DISTANCE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/location-distance"
MANDATORY_ELEMENTS = ("resourceType", "id", "meta")


def subset(payload: str, elements: tuple[str, ...]) -> orjson.Fragment | dict:
    """The resource limited to `elements` (and what FHIR requires), tagged SUBSETTED."""
    if not elements:
        return orjson.Fragment(payload)
    resource = orjson.loads(payload)
    kept = {k: v for k, v in resource.items() if k in MANDATORY_ELEMENTS or k in elements}
    meta = dict(kept.get("meta", {}))
    tags = meta.get("tag", [])
    # The query layer may have tagged it already (a CodeSystem searched without its concepts).
    meta["tag"] = tags if SUBSETTED in tags else [*tags, SUBSETTED]
    kept["meta"] = meta
    return kept


def _entry(base: str, resource_type: str, hit, mode: str, elements: tuple[str, ...]) -> dict:  # noqa: ANN001
    search: dict = {"mode": mode}
    distance_km = getattr(hit, "distance_km", None)  # only Organization hits of a near search
    if distance_km is not None:
        search["extension"] = [
            {
                "url": DISTANCE_EXTENSION,
                "valueDistance": {
                    "value": round(distance_km, 3),
                    "unit": "km",
                    "system": "http://unitsofmeasure.org",
                    "code": "km",
                },
            }
        ]
    return {
        "fullUrl": f"{base}/{resource_type}/{hit.id}",
        "resource": subset(hit.payload, elements),
        "search": search,
    }


def searchset(
    page: Page,
    base: str,
    resource_type: str,
    self_args: list[tuple[str, str]],
    elements: tuple[str, ...],
) -> bytes:
    args = [(k, v) for k, v in self_args if k != "_cursor"]
    links = [{"relation": "self", "url": f"{base}/{resource_type}?{urlencode(self_args)}"}]
    if page.next_cursor:
        links.append(
            {
                "relation": "next",
                "url": f"{base}/{resource_type}?{urlencode([*args, ('_cursor', page.next_cursor)])}",
            }
        )
    bundle: dict = {"resourceType": "Bundle", "type": "searchset"}
    if page.total is not None:
        bundle["total"] = page.total
    bundle["link"] = links
    bundle["entry"] = [_entry(base, resource_type, h, "match", elements) for h in page.rows] + [
        # An included resource is of its own type, not of the searched one.
        _entry(base, orjson.loads(h.payload)["resourceType"], h, "include", ())
        for h in page.included
    ]
    return orjson.dumps(bundle)
