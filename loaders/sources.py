"""Open a source file whatever its packaging (plain, gzip, single-member zip), as a stream.

Files are never read whole: FINESS+ structures weigh 750 MB uncompressed. A damaged
archive only shows itself while reading (truncated gzip, bad CRC…), so the returned stream
turns those errors into `BadFile` whenever they happen, as it does for an empty file.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from loaders.base import BadFile

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
# What the decompressors raise on truncated or corrupt data, at open or read time.
CORRUPT_DATA = (EOFError, gzip.BadGzipFile, zlib.error, zipfile.BadZipFile)
# When an archive holds several files, the data one is told by its extension.
DATA_SUFFIXES = (".csv", ".json", ".txt")
BUFFER_SIZE = 1 << 16
# A plain file (FileIO), a GzipFile or a zip member (ZipExtFile).
Decompressed = io.RawIOBase | io.BufferedIOBase


class _GuardedStream(io.RawIOBase):
    """A read-only stream that reports damaged or empty data as `BadFile`."""

    def __init__(self, inner: Decompressed, name: str, archive: zipfile.ZipFile | None) -> None:
        self._inner = inner
        self._name = name
        self._archive = archive
        self._delivered = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        try:
            count = self._inner.readinto(buffer)
        except CORRUPT_DATA as exc:
            raise BadFile(_one_line(f"{self._name}: truncated or corrupt data ({exc})")) from exc
        if count == 0 and self._delivered == 0:
            raise BadFile(f"{self._name}: the file is empty")
        self._delivered += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            if self._archive is not None:
                self._archive.close()
        super().close()


def open_binary(path: Path) -> BinaryIO:
    """`path` as a buffered binary stream, decompressed when gzip or zip (told by content).

    Use it as a context manager. Reading raises `BadFile` for an empty, truncated or
    corrupt file; a zip must hold exactly one data file.
    """
    if path.is_dir():
        raise BadFile(f"{path.name}: a folder, not a file")
    with open(path, "rb") as probe:
        magic = probe.read(len(ZIP_MAGIC))
    try:
        inner, archive = _open_inner(path, magic)
    except CORRUPT_DATA as exc:
        raise BadFile(_one_line(f"{path.name}: unreadable archive ({exc})")) from exc
    return io.BufferedReader(_GuardedStream(inner, path.name, archive), BUFFER_SIZE)


def open_member(path: Path, member: str) -> BinaryIO:
    """One named file of a zip archive as a buffered stream, guarded as `open_binary`'s."""
    try:
        archive = zipfile.ZipFile(path)
        inner = archive.open(member)
    except CORRUPT_DATA as exc:
        raise BadFile(_one_line(f"{path.name}: unreadable archive ({exc})")) from exc
    return io.BufferedReader(_GuardedStream(inner, f"{path.name}: {member}", archive), BUFFER_SIZE)


def decode_line(raw: bytes) -> str:
    """A line of a text extract: UTF-8 when valid, else Windows-1252 (older FINESS extracts)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def open_text_lines(path: Path) -> Iterator[str]:
    """The decoded lines of `path`, without their line ending (LF or CRLF), streamed."""
    with open_binary(path) as stream:
        for raw in stream:
            yield decode_line(raw.rstrip(b"\r\n"))


def _open_inner(path: Path, magic: bytes) -> tuple[Decompressed, zipfile.ZipFile | None]:
    if magic.startswith(GZIP_MAGIC):
        return gzip.GzipFile(path, "rb"), None
    if magic.startswith(ZIP_MAGIC):
        archive = zipfile.ZipFile(path)
        try:
            return archive.open(_data_member(archive, path.name)), archive
        except BaseException:
            archive.close()
            raise
    return open(path, "rb", buffering=0), None


def _data_member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not Path(info.filename).name.startswith(".")
    ]
    if len(members) > 1:
        members = [info for info in members if info.filename.lower().endswith(DATA_SUFFIXES)]
    if len(members) != 1:
        listed = ", ".join(info.filename for info in archive.infolist()) or "nothing"
        raise BadFile(f"{name}: expected one data file in the zip archive, found {listed}")
    return members[0]


def _one_line(message: str) -> str:
    return " ".join(message.split())
