"""Reading the answers of the terminology operations in tests."""

from __future__ import annotations


def param(response: dict, name: str) -> object:
    """The value (or resource) of the first output parameter called `name`."""
    for p in response["parameter"]:
        if p["name"] == name:
            return next((v for k, v in p.items() if k.startswith("value") or k == "resource"), p)
    return None


def properties(response: dict) -> dict[str, object]:
    """The `property` parts of a $lookup answer, as code → value."""
    found = {}
    for p in response["parameter"]:
        if p["name"] == "property":
            parts = {part["name"]: part for part in p["part"]}
            value = parts["value"]
            found[parts["code"]["valueCode"]] = next(v for k, v in value.items() if k != "name")
    return found


def codes(expansion: dict) -> list[str]:
    """The codes of an expansion, nested ones after their parent."""
    found = []
    for item in expansion.get("expansion", expansion).get("contains", []):
        found.append(item["code"])
        found += codes({"contains": item.get("contains", [])})
    return found
