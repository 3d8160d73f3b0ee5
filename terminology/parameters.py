"""Operation inputs: a FHIR `Parameters` body or query-string arguments, read the same way."""

from __future__ import annotations

from dataclasses import dataclass

from terminology.outcomes import invalid

# Query-string arguments carry no type: the FHIR type of each known operation parameter, used
# to read them and to echo them in an expansion the way a POSTed Parameters would.
QUERY_TYPES = {
    "activeOnly": "valueBoolean",
    "excludeNested": "valueBoolean",
    "includeDesignations": "valueBoolean",
    "includeDefinition": "valueBoolean",
    "inferSystem": "valueBoolean",
    "abstract": "valueBoolean",
    "lenient-display-validation": "valueBoolean",
    "count": "valueInteger",
    "offset": "valueInteger",
    "filter": "valueString",
    "displayLanguage": "valueCode",
    "property": "valueCode",
    "code": "valueCode",
    "codeA": "valueCode",
    "codeB": "valueCode",
    "sourceCode": "valueCode",
    "targetCode": "valueCode",
    "display": "valueString",
    "date": "valueDateTime",
}


@dataclass
class Parameter:
    name: str
    value: object  # a Python value, or a dict for Coding / CodeableConcept / resources
    element: dict  # the Parameters.parameter element, for echoing


def _value_of(element: dict) -> object:
    if "resource" in element:
        return element["resource"]
    for key, value in element.items():
        if key.startswith("value"):
            return value
    return None


def _typed(name: str, text: str) -> dict:
    kind = QUERY_TYPES.get(name, "valueString" if name not in {"url", "system"} else "valueUri")
    if kind == "valueBoolean":
        if text not in {"true", "false"}:
            raise invalid(f"{name} must be true or false, not {text!r}")
        return {"name": name, kind: text == "true"}
    if kind == "valueInteger":
        try:
            number = int(text)
        except ValueError:
            raise invalid(f"{name} must be an integer, not {text!r}") from None
        if number < 0:
            raise invalid(f"{name} must not be negative")
        return {"name": name, kind: number}
    return {"name": name, kind: text}


class OperationInput:
    """The parameters of one operation call, in order, with typed accessors."""

    def __init__(self, elements: list[dict]) -> None:
        self.items = [Parameter(e.get("name", ""), _value_of(e), e) for e in elements]

    @classmethod
    def from_request(cls, body: dict | None, args: list[tuple[str, str]]) -> OperationInput:
        elements: list[dict] = []
        if body is not None:
            if body.get("resourceType") != "Parameters":
                raise invalid("the request body must be a FHIR Parameters resource")
            elements.extend(body.get("parameter", []))
        elements.extend(_typed(name, value) for name, value in args if not name.startswith("_"))
        return cls(elements)

    def all(self, name: str) -> list[Parameter]:
        return [p for p in self.items if p.name == name]

    def get(self, name: str) -> object:
        found = self.all(name)
        return found[0].value if found else None

    def text(self, name: str) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid(f"{name} must be a string")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value == "true"
        return bool(value)

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise invalid(f"{name} must be a non-negative integer")
        return value

    def resources(self, name: str) -> list[dict]:
        return [p.value for p in self.all(name) if isinstance(p.value, dict)]
