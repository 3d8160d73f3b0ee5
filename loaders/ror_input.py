"""The resources of a ROR extract, streamed whatever its packaging.

Accepted: NDJSON files of a bulk export (one resource a line, plain or gzipped), JSON files
holding a Bundle (searchset, collection, transaction) or a single resource, a folder of those,
or a zip of those. Nothing is read whole: NDJSON goes line by line, a pretty-printed Bundle
entry by entry (ijson). `line` is the line of an NDJSON file, or the entry's position in a
Bundle.
"""

from __future__ import annotations

import gzip
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import ijson
import orjson

from loaders.base import BadFile
from loaders.sources import open_binary, open_member

DATA_NAME = re.compile(r"\.(nd)?json(\.gz)?$", re.IGNORECASE)
BOM = b"\xef\xbb\xbf"
# The top-level resourceType of a compact NDJSON line: read without parsing the line, so the
# first pass only parses the organizations and practitioners.
RESOURCE_TYPE = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]+)"')
BUNDLE_RESOURCE = "entry.item.resource"  # ijson prefix of a Bundle entry's resource


@dataclass(frozen=True)
class Part:
    """One file of the extract: a path, or a member of a zip archive."""

    name: str  # how rejections name it
    path: Path
    member: str | None = None

    def open(self) -> BinaryIO:
        if self.member is None:
            return open_binary(self.path)
        stream = open_member(self.path, self.member)
        if self.member.lower().endswith(".gz"):
            return gzip.GzipFile(fileobj=stream)  # type: ignore[return-value]
        return stream


@dataclass(frozen=True)
class Entry:
    """One resource of a part; `resource` is None when the line is not a JSON object (then
    `problem` says why) or, in a first pass, when its type was not asked for."""

    part: str
    line: int
    resource_type: str | None
    resource: dict | None = None
    problem: str | None = None
    raw: str = ""


def find_parts(path: Path) -> list[Part]:
    """The data files of a folder, a zip archive or a single file; BadFile when none."""
    if path.is_dir():
        parts = [
            Part(p.name, p)
            for p in sorted(path.iterdir())
            if p.is_file() and DATA_NAME.search(p.name) and p.stat().st_size > 0
        ]
    elif zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                members = [
                    info.filename
                    for info in archive.infolist()
                    if not info.is_dir()
                    and not info.filename.startswith("__MACOSX/")
                    and DATA_NAME.search(info.filename)
                    and info.file_size > 0
                ]
        except zipfile.BadZipFile as exc:
            raise BadFile(f"{path.name}: unreadable archive ({exc})") from exc
        parts = [Part(f"{path.name}: {m}", path, m) for m in sorted(members)]
    else:
        parts = [Part(path.name, path)]
    if not parts:
        raise BadFile(f"{path.name}: no .ndjson or .json file of FHIR resources found")
    return parts


def entries(part: Part, only: frozenset[str] | None = None) -> Iterator[Entry]:
    """Every resource of `part`, in order; with `only`, NDJSON lines of other types are not
    parsed (their Entry has no resource)."""
    with part.open() as stream:
        first = _first_line(stream)
        if first is None:
            return
        number, text = first
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):  # NDJSON, or a JSON document written on one line
            yield from _lines(part, stream, number, text, only)
            return
    with part.open() as stream:
        yield from _document(part, stream)


def _first_line(stream: BinaryIO) -> tuple[int, bytes] | None:
    for number, line in enumerate(stream, 1):
        text = line.strip().removeprefix(BOM) if number == 1 else line.strip()
        if text:
            return number, text
    return None


def _lines(
    part: Part, stream: BinaryIO, number: int, text: bytes, only: frozenset[str] | None
) -> Iterator[Entry]:
    yield from _line(part, number, text, only)
    for number, line in enumerate(stream, number + 1):  # noqa: B020
        text = line.strip()
        if text:
            yield from _line(part, number, text, only)


def _line(part: Part, number: int, text: bytes, only: frozenset[str] | None) -> Iterator[Entry]:
    found = RESOURCE_TYPE.search(text)
    resource_type = found.group(1).decode() if found else None
    if only is not None and resource_type not in only and resource_type != "Bundle":
        yield Entry(part.name, number, resource_type)
        return
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        problem = f"not JSON ({str(exc).splitlines()[0]})"
        yield Entry(part.name, number, None, problem=problem, raw=_cut(text))
        return
    if not isinstance(value, dict):
        yield Entry(part.name, number, None, problem="not a JSON object", raw=_cut(text))
    elif value.get("resourceType") == "Bundle":
        # A Bundle on one line: its entries, numbered by position.
        for index, entry in enumerate(value.get("entry") or (), 1):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict):
                yield _entry(part.name, index, resource)
    else:
        yield _entry(part.name, number, value)


def _document(part: Part, stream: BinaryIO) -> Iterator[Entry]:
    """A pretty-printed JSON document: a Bundle's entries one by one, or one resource."""
    top = ijson.ObjectBuilder()
    entry: ijson.ObjectBuilder | None = None
    index = 0
    try:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if entry is not None:
                entry.event(event, value)
                if prefix == BUNDLE_RESOURCE and event == "end_map":
                    index += 1
                    yield _entry(part.name, index, entry.value)
                    entry = None
            elif prefix == BUNDLE_RESOURCE and event == "start_map":
                entry = ijson.ObjectBuilder()
                entry.event(event, value)
            elif prefix != "entry" and not prefix.startswith("entry."):
                top.event(event, value)
    except ijson.JSONError as exc:
        raise BadFile(f"{part.name}: malformed JSON ({' '.join(str(exc).split())[:200]})") from exc
    resource = getattr(top, "value", None)
    if not isinstance(resource, dict):
        raise BadFile(f"{part.name}: not a FHIR resource, a Bundle or NDJSON")
    if resource.get("resourceType") != "Bundle":
        yield _entry(part.name, 1, resource)


def _entry(part: str, line: int, resource: dict) -> Entry:
    resource_type = resource.get("resourceType")
    return Entry(part, line, resource_type if isinstance(resource_type, str) else None, resource)


def _cut(text: bytes) -> str:
    return text[:2000].decode("utf-8", "replace")
