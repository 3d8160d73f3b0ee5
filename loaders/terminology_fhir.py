"""FHIR JSON terminology files: one resource, a Bundle of them, or NDJSON (one per line).

A JSON file is streamed with ijson: the first pass reads only the heads (resourceType, url,
version, content, wherever they sit among the keys); the second builds each resource without its
`concept` array, whose items are handed over one by one, so a code system of any size keeps the
memory of one top-level concept. In a JSON file `line` is the 1-based position of the item
(concept or resource) in the stream; in NDJSON, the line of the resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import ijson
import orjson

from loaders.base import Rejected, raw
from loaders.terminology_items import (
    TERMINOLOGY_TYPES,
    Head,
    Item,
    NotTerminology,
    Scan,
    Scanned,
    Unreadable,
    head_of,
)
from loaders.terminology_normalise import ResourceAssembler

HEAD_FIELDS = frozenset({"resourceType", "url", "version", "content"})
ENTRY = "entry.item.resource"  # ijson prefix of a Bundle entry's resource
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonScan:
    heads: list[Head | None]
    bundle: bool


def _head(fields: dict) -> Head | None:
    head = head_of(fields)
    return head if isinstance(head, Head) else None


def _rejected(line: int, resource: object) -> Rejected:
    reason = head_of(resource) if isinstance(resource, dict) else "not a JSON object"
    return Rejected(line, str(reason), raw(resource))


def scan_json(stream: BinaryIO) -> Scanned:
    top: dict[str, object] = {}
    entries: list[dict[str, object]] = []
    try:
        for prefix, event, value in ijson.parse(stream):
            if prefix == ENTRY and event == "start_map":
                entries.append({})
            elif event not in ("string", "number"):
                continue
            elif prefix in HEAD_FIELDS:
                top[prefix] = str(value)
                if prefix == "resourceType" and value not in TERMINOLOGY_TYPES | {"Bundle"}:
                    raise NotTerminology(f"a {value}, not a CodeSystem, ValueSet or ConceptMap")
            elif prefix.startswith(f"{ENTRY}.") and entries:
                field = prefix[len(ENTRY) + 1 :]
                if field in HEAD_FIELDS:
                    entries[-1][field] = str(value)
    except ijson.JSONError as exc:
        # yajl draws a caret under the fault on the following lines: its first line says it.
        raise Unreadable(f"malformed or truncated JSON ({str(exc).splitlines()[0]})") from exc
    if "resourceType" not in top:
        raise Unreadable("JSON without resourceType: not a FHIR resource")
    if top["resourceType"] == "Bundle":
        return JsonScan([_head(entry) for entry in entries], bundle=True)
    return JsonScan([_head(top)], bundle=False)


def json_items(stream: BinaryIO, scanned: Scanned) -> Iterator[Item]:
    assert isinstance(scanned, JsonScan)
    root = ENTRY if scanned.bundle else ""
    concepts_at = f"{root}.concept" if root else "concept"
    item_at = f"{concepts_at}.item"
    index = line = 0
    header: ijson.ObjectBuilder | None = None
    concept: ijson.ObjectBuilder | None = None
    assembler: ResourceAssembler | None = None
    for prefix, event, value in ijson.parse(stream):
        if concept is not None:  # inside a concept: build it whole, nested concepts included
            concept.event(event, value)
            if prefix == item_at and event == "end_map":
                line += 1
                if assembler is not None:
                    yield from assembler.concepts(concept.value, line)
                concept = None
        elif prefix == concepts_at or prefix.startswith(f"{concepts_at}."):
            if prefix == item_at and event == "start_map":
                concept = ijson.ObjectBuilder()
                concept.event(event, value)
        elif prefix == root and event == "start_map":
            head = scanned.heads[index]
            index += 1
            assembler = ResourceAssembler(head) if head else None
            header = ijson.ObjectBuilder()
            header.event(event, value)
        elif header is not None and not (
            prefix == root and event == "map_key" and value == "concept"
        ):
            header.event(event, value)
            if prefix == root and event == "end_map":
                line += 1
                if assembler is None:
                    yield _rejected(line, header.value)
                else:
                    yield assembler.finish(header.value, line)
                header = assembler = None


def _ndjson_lines(stream: BinaryIO) -> Iterator[tuple[int, object]]:
    """(line number, parsed value or the bytes that do not parse) of the non-blank lines."""
    for number, line in enumerate(stream, 1):
        text = line.strip().removeprefix(BOM) if number == 1 else line.strip()
        if text:
            try:
                yield number, orjson.loads(text)
            except orjson.JSONDecodeError:
                yield number, text


def scan_ndjson(stream: BinaryIO) -> Scanned:
    return Scan([_head(v) if isinstance(v, dict) else None for _, v in _ndjson_lines(stream)])


def ndjson_items(stream: BinaryIO, scanned: Scanned) -> Iterator[Item]:
    for head, (number, resource) in zip(scanned.heads, _ndjson_lines(stream), strict=True):
        if isinstance(resource, bytes):
            yield Rejected(number, "not JSON", resource.decode("utf-8", "replace"))
        elif head is None:
            yield _rejected(number, resource)
        else:
            assembler = ResourceAssembler(head)
            concepts = resource.get("concept")
            for element in concepts if isinstance(concepts, list) else ():
                yield from assembler.concepts(element, number)
            yield assembler.finish(resource, number)
