"""What a terminology path holds: one file (plain or gzipped), a ZIP, or a FHIR package .tgz.

A ZIP may be the ANS whole-NOS archive, one folder per NOS holding the same content in several
formats (`TRE_R38-X/TRE_R38-X.{tabs,xml}`, `TRE_R38-X/FHIR/TRE-R38-X/TRE_R38-X-FHIR.{json,xml}`,
plus `.url` and `.pdf`): one file per NOS is read, FHIR JSON, else SVS XML, else .tabs. In a FHIR
package, `package/*.json` files are read except package.json, .index.json and resources of other
types. A member that cannot be read is reported as a rejection and the others load; a damaged
archive aborts the load.
"""

from __future__ import annotations

import io
import re
import tarfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from loaders.base import BadFile, Rejected
from loaders.sources import CORRUPT_DATA, ZIP_MAGIC, open_binary
from loaders.terminology_formats import SNIFF_BYTES, sniff
from loaders.terminology_items import Format, Head, Item, NotTerminology, Scanned, Unreadable

# Preference among the formats of one NOS folder (FHIR XML is ranked to be reported, not read).
RANKS = {".json": 0, ".ndjson": 0, ".xml": 1, ".tabs": 2}
FHIR_XML_RANK = 3
PACKAGE_SKIPPED = frozenset({"package.json", ".index.json"})
_NOS_NAME = re.compile(r"^(TRE|JDV|ASS)_", re.IGNORECASE)
_FHIR_SUFFIX = re.compile(r"-FHIR$", re.IGNORECASE)
_FHIR_FOLDER = re.compile(r"(^|/)FHIR(/[^/]*)?$")
ARCHIVE_ERRORS = (*CORRUPT_DATA, tarfile.TarError)


@dataclass(frozen=True)
class Member:
    """A file read from the path, with its first pass done."""

    name: str
    format: Format
    scan: Scanned


@dataclass
class Contents:
    description: str
    heads: list[Head]  # of every resource the members hold
    items: Iterator[Item]  # the second pass over the members, lazy


def _heads(members: list[Member]) -> list[Head]:
    return [head for member in members for head in member.scan.heads if head]


def _member_items(member: Member, stream: BinaryIO) -> Iterator[Item]:
    """The second pass over an archive member: its rejections name it."""
    for item in member.format.items(stream, member.scan):
        if isinstance(item, Rejected):
            item = Rejected(item.line, f"{member.name}: {item.reason}", item.raw)
        yield item


class _Replayed(io.RawIOBase):
    """A stream whose first bytes were already read to sniff it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        if not self._head:
            return self._rest.readinto(buffer)
        count = min(len(buffer), len(self._head))
        buffer[:count] = self._head[:count]
        self._head = self._head[count:]
        return count


def _scanned(name: str, stream: BinaryIO) -> Member:
    head = stream.read(SNIFF_BYTES)
    file_format = sniff(head, name)
    return Member(name, file_format, file_format.scan(io.BufferedReader(_Replayed(head, stream))))


@contextmanager
def _archive_errors(name: str) -> Iterator[None]:
    try:
        yield
    except ARCHIVE_ERRORS as exc:
        raise BadFile(" ".join(f"{name}: truncated or corrupt archive ({exc})".split())) from exc


def read_contents(path: Path) -> Contents:
    """The members of `path` after their first pass; BadFile when nothing can be read."""
    with open(path, "rb") as probe:
        if probe.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
            return _zip(path)
    with open_binary(path) as stream:
        head = stream.read(512)
    if head[257:262] == b"ustar":
        return _package(path)
    try:
        with open_binary(path) as stream:
            member = _scanned(path.name, stream)
    except Unreadable as exc:
        raise BadFile(f"{path.name}: {exc}") from exc

    def items() -> Iterator[Item]:
        with open_binary(path) as stream:
            yield from member.format.items(stream, member.scan)

    heads = _heads([member])
    kinds = Counter(head.resource_type for head in heads)
    described = ", ".join(f"{kind} ×{count}" for kind, count in kinds.items()) or "nothing loadable"
    return Contents(f"{member.format.label}: {described}", heads, items())


def _member_or_failure(name: str, stream: BinaryIO) -> Member | Rejected | None:
    """The member, a rejection saying why it cannot be read, or None for another FHIR type."""
    try:
        return _scanned(name, stream)
    except NotTerminology:
        return None
    except Unreadable as exc:
        return Rejected(0, f"{name}: {exc}")


def _zip(path: Path) -> Contents:
    with _archive_errors(path.name), zipfile.ZipFile(path) as archive:
        files = [
            info.filename
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
        ]
        chosen, alternatives = _one_per_nos(files)
        found = []
        for name in chosen:
            with archive.open(name) as stream:
                found.append(_member_or_failure(name, stream))
    members = [m for m in found if isinstance(m, Member)]
    failures = [m for m in found if isinstance(m, Rejected)]
    if not members and not failures:
        raise BadFile(f"{path.name}: no SVS XML, .tabs or FHIR JSON file in the zip archive")

    def items() -> Iterator[Item]:
        yield from failures
        with _archive_errors(path.name), zipfile.ZipFile(path) as archive:
            for member in members:
                with archive.open(member.name) as stream:
                    yield from _member_items(member, stream)

    formats = Counter(member.format.label for member in members)
    description = (
        f"ZIP archive, {len(members)} files read ("
        + ", ".join(f"{label} ×{count}" for label, count in formats.items())
        + f"), {len(failures)} unreadable"
    )
    if alternatives:
        description += (
            f"; one format per NOS folder (FHIR JSON, else SVS XML, else .tabs): "
            f"{alternatives} files in other formats left aside"
        )
    return Contents(description, _heads(members), items())


def _one_per_nos(names: list[str]) -> tuple[list[str], int]:
    """The files to read, in archive order, and how many were left aside as other formats of
    the same NOS. Files of other kinds (.url, .pdf…) are ignored."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name in names:
        if _rank(name) is not None and not PurePosixPath(name).name.startswith("."):
            groups.setdefault(_nos_folder(name), []).append(name)
    chosen = [min(group, key=_rank) for group in groups.values()]
    return chosen, sum(len(group) - 1 for group in groups.values())


def _rank(name: str) -> int | None:
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    if suffix == ".xml" and _FHIR_SUFFIX.search(path.stem):
        return FHIR_XML_RANK
    return RANKS.get(suffix)


def _nos_folder(name: str) -> tuple[str, str]:
    """What files of one NOS have in common: TRE_R38-X/TRE_R38-X.xml and
    TRE_R38-X/FHIR/TRE-R38-X/TRE_R38-X-FHIR.json give ("TRE_R38-X", "TRE_R38-X")."""
    path = PurePosixPath(name)
    nos = _FHIR_SUFFIX.sub("", path.stem)
    if not _NOS_NAME.match(nos):
        return name, ""
    return _FHIR_FOLDER.sub("", str(path.parent)), nos


def _package(path: Path) -> Contents:
    members: list[Member] = []
    failures: list[Rejected] = []
    others = 0
    with (
        _archive_errors(path.name),
        open_binary(path) as raw,
        tarfile.open(fileobj=raw, mode="r|") as tar,
    ):
        for info in tar:
            if _package_resource(info):
                found = _member_or_failure(info.name, tar.extractfile(info))
                if isinstance(found, Member):
                    members.append(found)
                elif isinstance(found, Rejected):
                    failures.append(found)
                else:
                    others += 1
    if not members and not failures:
        raise BadFile(f"{path.name}: no CodeSystem, ValueSet or ConceptMap in the package")
    wanted = {member.name: member for member in members}

    def items() -> Iterator[Item]:
        yield from failures
        with (
            _archive_errors(path.name),
            open_binary(path) as raw,
            tarfile.open(fileobj=raw, mode="r|") as tar,
        ):
            for info in tar:
                if info.name in wanted:
                    yield from _member_items(wanted[info.name], tar.extractfile(info))

    description = (
        f"FHIR package, {len(members)} terminology resources read, "
        f"{others} resources of other types skipped, {len(failures)} unreadable"
    )
    return Contents(description, _heads(members), items())


def _package_resource(info: tarfile.TarInfo) -> bool:
    path = PurePosixPath(info.name)
    return (
        info.isfile()
        and str(path.parent) == "package"
        and path.suffix == ".json"
        and path.name not in PACKAGE_SKIPPED
    )
