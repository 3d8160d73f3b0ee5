"""The body of a capacity PATCH: a FHIRPath Patch `Parameters` read into operations on
indicators (directory.offers.writes.Operation).

Two shapes of an operation are accepted:
- the ROR's (ROR-fhir-documentation, creation-maj-lieu-offre, scenarios 2, 2 BIS and 3):
  `type` as valueString, `path` the capacity extensions (add) or one indicator selected by its
  coded dimensions (replace, delete), and a `value` part whose parts hold an `extension` array
  with the new indicator;
- standard FHIRPath Patch: `type` as valueCode, `value` as valueExtension, and for an add
  either the ROR path or `path` = Location with `name` = extension.

An indicator is selected with
`Location.extension.where(url='…ror-location-supported-capacity').where(
 extension.where(url = 'capacityStatus' and valueCodeableConcept.coding.code = '02') and …)`
(or the criteria inside the first where, or `Location.extension('…')`); a dimension the path
does not name matches any code, as in FHIRPath. `remove`, the older name of `delete`, is read
as `delete`.
"""

from __future__ import annotations

import re

from directory.offers.capacity import CapacityError, read_indicator
from directory.offers.systems import DIMENSION_BY_URL, DIMENSIONS, SUPPORTED_CAPACITY
from directory.offers.writes import BadPatch, Kind, Operation

KINDS: dict[str, Kind] = {
    "add": "add",
    "replace": "replace",
    "delete": "delete",
    "remove": "delete",
}
UNSUPPORTED = ("insert", "move")
_HEAD = re.compile(r"\s*Location\s*\.\s*extension\s*")
_URL = re.compile(r"\s*url\s*=\s*'(?P<url>[^']*)'\s*")
_WHERE = re.compile(r"\.\s*where\s*\(")
_AND = re.compile(r"\s*and\s+")
# One criterion: a coded sub-extension and its code, whichever value[x] the client names.
_CRITERION = re.compile(
    r"\s*extension\s*\.\s*where\s*\(\s*url\s*=\s*'(?P<url>[^']*)'\s*and\s*"
    r"(?:valueCodeableConcept\s*\.\s*coding(?:\s*\[\s*0\s*\])?|value\s*\.\s*coding"
    r"(?:\s*\[\s*0\s*\])?|valueCoding)\s*\.\s*code\s*=\s*'(?P<code>[^']*)'\s*\)\s*"
    r"|\s*extension\s*\.\s*where\s*\(\s*url\s*=\s*'(?P<url2>[^']*)'\s*and\s*valueCode\s*=\s*"
    r"'(?P<code2>[^']*)'\s*\)\s*"
)
DIMENSION_NAMES = ", ".join(d.url for d in DIMENSIONS)


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one opened just before `start`."""
    depth, quoted = 1, False
    for index in range(start, len(text)):
        char = text[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise BadPatch(f"path {text!r}: unbalanced parentheses")


def _criteria(text: str, path: str) -> dict[str, str]:
    """Dimension column -> code of `extension.where(url = 'X' and … = 'C') and …`."""
    criteria: dict[str, str] = {}
    position = 0
    while True:
        match = _CRITERION.match(text, position)
        if match is None:
            raise BadPatch(
                f"path {path!r}: an indicator is selected by criteria of the form "
                "extension.where(url = '<dimension>' and valueCodeableConcept.coding.code = "
                "'<code>') joined by 'and'"
            )
        url, code = match["url"] or match["url2"], match["code"] or match["code2"]
        dimension = DIMENSION_BY_URL.get(url)
        if dimension is None:
            raise BadPatch(
                f"path {path!r}: an indicator is selected by its coded dimensions "
                f"({DIMENSION_NAMES}), not by '{url}'"
            )
        if criteria.setdefault(dimension.column, code) != code:
            raise BadPatch(f"path {path!r}: {url} is given two codes")
        position = match.end()
        if position == len(text):
            return criteria
        joined = _AND.match(text, position)
        if joined is None:
            raise BadPatch(f"path {path!r}: criteria are joined by 'and'")
        position = joined.end()


def parse_path(path: str) -> dict[str, str] | None:
    """The criteria of a path selecting one indicator; None for a path selecting every
    capacity extension (where an add goes); BadPatch for any other path."""
    head = _HEAD.match(path)
    if head is None:
        raise BadPatch(
            f"path {path!r}: a capacity write addresses Location.extension.where(url="
            f"'{SUPPORTED_CAPACITY}')"
        )
    position = head.end()
    criteria: dict[str, str] = {}
    inner = ""
    if path.startswith("(", position):  # Location.extension('<url>')
        end = _closing(path, position + 1)
        url_match = re.fullmatch(r"\s*'(?P<url>[^']*)'\s*", path[position + 1 : end])
        url = url_match["url"] if url_match else None
    else:
        where = _WHERE.match(path, position)
        if where is None:
            raise BadPatch(f"path {path!r}: expected .where(url='{SUPPORTED_CAPACITY}')")
        end = _closing(path, where.end())
        url_match = _URL.match(path, where.end(), end)
        url = url_match["url"] if url_match else None
        if url_match is not None and url_match.end() < end:
            joined = _AND.match(path, url_match.end(), end)
            if joined is None:
                raise BadPatch(f"path {path!r}: criteria are joined by 'and'")
            inner = path[joined.end() : end]
    if url != SUPPORTED_CAPACITY:
        raise BadPatch(f"path {path!r}: only {SUPPORTED_CAPACITY} extensions may be written")
    rest = path[end + 1 :].strip()
    if inner:
        criteria = _criteria(inner, path)
    if rest:
        where = _WHERE.match(rest)
        if where is None or _closing(rest, where.end()) != len(rest) - 1 or criteria:
            raise BadPatch(f"path {path!r}: expected one .where(…) selecting the indicator")
        criteria = _criteria(rest[where.end() : -1], path)
    return criteria or None


def _value_extension(part: dict, where: str) -> dict:
    """The one capacity extension of a `value` part: valueExtension, or the ROR's parts
    holding an `extension` array."""
    if isinstance(part.get("valueExtension"), dict):
        found = [part["valueExtension"]]
    elif isinstance(part.get("part"), list):
        found = []
        for item in part["part"]:
            if isinstance(item, dict) and isinstance(item.get("valueExtension"), dict):
                found.append(item["valueExtension"])
            elif isinstance(item, dict) and isinstance(item.get("extension"), list):
                found += item["extension"]
    else:
        raise BadPatch(
            f"{where}: the value is a valueExtension, or parts holding an extension array"
        )
    capacities = [
        e
        for e in found
        if isinstance(e, dict) and e.get("url", SUPPORTED_CAPACITY) == SUPPORTED_CAPACITY
    ]
    if len(capacities) != 1 or len(found) != 1:
        raise BadPatch(
            f"{where}: the value must hold exactly one {SUPPORTED_CAPACITY} extension "
            f"({len(found)} extension(s) given)"
        )
    return capacities[0]


def _text(part: dict) -> str | None:
    for key in ("valueCode", "valueString", "valueUri"):
        if isinstance(part.get(key), str):
            return part[key]
    return None


def _operation(parameter: dict, where: str) -> Operation:
    parts: dict[str, dict] = {}
    for part in parameter.get("part") or []:
        if not isinstance(part, dict) or not isinstance(part.get("name"), str):
            raise BadPatch(f"{where}: every part has a name")
        if part["name"] in parts:
            raise BadPatch(f"{where}: the part '{part['name']}' is given twice")
        parts[part["name"]] = part
    kind_name = _text(parts.get("type", {}))
    if kind_name in UNSUPPORTED:
        raise BadPatch(f"{where}: '{kind_name}' is not supported: use add, replace or delete")
    if kind_name not in KINDS:
        raise BadPatch(f"{where}: type must be add, replace or delete, not {kind_name!r}")
    kind = KINDS[kind_name]
    path = _text(parts.get("path", {}))
    if path is None:
        raise BadPatch(f"{where}: a path (valueString) is required")
    name = _text(parts.get("name", {}))
    if kind == "add" and path.strip() == "Location" and name == "extension":
        criteria = None
    elif kind == "add" and path.strip() == "Location":
        raise BadPatch(f"{where}: an add to Location names the element: name = extension")
    else:
        criteria = parse_path(path)
    if kind != "add" and criteria is None:
        raise BadPatch(
            f"{where}: a {kind} selects one indicator by its coded dimensions "
            "(replacing or deleting every indicator at once is not supported)"
        )
    indicator = None
    if kind == "delete":
        if "value" in parts:
            raise BadPatch(f"{where}: a delete has no value")
    else:
        if "value" not in parts:
            raise BadPatch(f"{where}: an {kind} needs a value: the new indicator")
        extension = _value_extension(parts["value"], f"{where}.part[value]")
        try:
            indicator = read_indicator(extension)
        except CapacityError as exc:
            raise BadPatch(f"{where}: the new indicator: {exc}") from None
    return Operation(kind, criteria or {}, indicator)


def parse_patch(body: object) -> list[Operation]:
    """The operations of a FHIRPath Patch body; BadPatch naming the faulty part otherwise."""
    if not isinstance(body, dict) or body.get("resourceType", "Parameters") != "Parameters":
        raise BadPatch("the body of a PATCH is a FHIRPath Patch Parameters resource")
    parameters = body.get("parameter")
    if not isinstance(parameters, list) or not parameters:
        raise BadPatch("the Parameters hold no operation")
    operations = []
    for index, parameter in enumerate(parameters):
        where = f"Parameters.parameter[{index}]"
        if not isinstance(parameter, dict) or parameter.get("name") != "operation":
            raise BadPatch(f"{where}: every parameter of a FHIRPath Patch is an 'operation'")
        operations.append(_operation(parameter, where))
    return operations
