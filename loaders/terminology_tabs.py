"""The NOS `.tabs` format: `;`-separated text without quoting, one NOS per file.

Column-title lines (`<OID>;<Type fichier>;…`, `<OID>;<Code>;<Libellé>`) start with `<`. The first
other line is the file header, OID;type;file name;description;URL;dateValid;dateFin;dateMaj; then
one row per concept: a TRE row is OID;code;label;short label;long label;dateValid;dateFin;dateMaj,
a JDV row system;code;label (the source TRE's OID, or its URL in newer files), an ASS row
source code;target code under a `<source OID>;<target OID>` title. Labels never hold `;`, so rows
are split and their fields counted. Lines are UTF-8 (a BOM is dropped), else cp1252:
mos.esante.gouv.fr serves Latin-1 files, the IG copies are UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from loaders.base import Rejected
from loaders.sources import decode_line
from loaders.terminology_items import Head, Item, Scan, Scanned, Unreadable, head_of
from loaders.terminology_nos import Coded, NosAssembler, NosHeader, nos_resource

HEADER_FIELDS = 8
ROW_FIELDS = {"CodeSystem": 8, "ValueSet": 3, "ConceptMap": 2}
_ASS_SYSTEMS = re.compile(r"^<([^<>;]+)>;<([^<>;]+)>$")


def _lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, text) of the non-blank lines."""
    for number, raw in enumerate(stream, 1):
        text = decode_line(raw.rstrip(b"\r\n"))
        if number == 1:
            text = text.removeprefix("\ufeff")
        if text.strip():
            yield number, text


def _first_data_line(lines: Iterator[tuple[int, str]]) -> tuple[int, str]:
    return next(((n, text) for n, text in lines if not text.startswith("<")), (0, ""))


def _fields(text: str) -> list[str | None]:
    return [field.strip() or None for field in text.split(";")]


def _header(number: int, text: str) -> NosHeader:
    fields = _fields(text)
    if len(fields) != HEADER_FIELDS:
        raise Unreadable(
            f"line {number}: a .tabs header has {HEADER_FIELDS} fields, found {len(fields)}"
        )
    return NosHeader(*fields)


def scan(stream: BinaryIO) -> Scanned:
    header = _header(*_first_data_line(_lines(stream)))
    try:
        head = head_of(nos_resource(header))
    except ValueError:
        head = None
    return Scan([head if isinstance(head, Head) else None])


def items(stream: BinaryIO, scanned: Scanned) -> Iterator[Item]:
    lines = _lines(stream)
    header_line, text = _first_data_line(lines)
    try:
        nos = NosAssembler(_header(header_line, text))
    except ValueError as exc:
        yield Rejected(header_line, f"file header: {exc}", text)
        return
    expected = ROW_FIELDS[nos.resource_type]
    systems: tuple[str | None, ...] = (None, None)  # of an ASS: source, target
    for number, text in lines:
        fields = _fields(text)
        if text.startswith("<"):
            if title := _ASS_SYSTEMS.match(text):
                systems = title.groups()
        elif len(fields) != expected:
            yield Rejected(number, f"{len(fields)} fields instead of {expected}", text)
        elif nos.resource_type == "CodeSystem":
            system, code, label, short, long, valid, fin, updated = fields
            yield from nos.tre_concept(
                number, Coded(system, code, label), short, long, None, (valid, updated, fin)
            )
        elif nos.resource_type == "ConceptMap":
            source, target = (
                Coded(system, code) for system, code in zip(systems, fields, strict=True)
            )
            if problem := nos.ass_mapping(number, source, target):
                yield problem
        elif problem := nos.jdv_concept(number, Coded(*fields)):
            yield problem
    yield nos.finish(header_line)
