"""Checks a fetched file before any loader sees it: not empty, archives whole, checksum right.

A gzip stream is read to its end (its CRC and length are in the trailer, so a cut file only
shows there); a zip has every member's CRC checked. A published checksum is compared with
the file's digest of the same algorithm, told by the checksum's length.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zipfile
import zlib
from pathlib import Path

from loaders.sources import GZIP_MAGIC, ZIP_MAGIC

CHUNK = 1 << 20
# Hex digest length → algorithm, for checksum files that do not say which they hold.
ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
HEX_DIGEST = re.compile(r"\b([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})\b")


class VerifyError(Exception):
    """The fetched file is unusable (empty, truncated, corrupt, wrong checksum); one line."""


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_archive(path: Path) -> None:
    """VerifyError when the file is empty, or a gzip or zip archive that does not read whole."""
    with path.open("rb") as probe:
        magic = probe.read(len(ZIP_MAGIC))
    if not magic:
        raise VerifyError(f"{path.name}: the file is empty")
    if magic.startswith(GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as stream:
                while stream.read(CHUNK):
                    pass
        except (EOFError, OSError, zlib.error) as exc:
            raise VerifyError(f"{path.name}: truncated or corrupt gzip ({exc})") from exc
    elif magic.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise VerifyError(f"{path.name}: truncated or corrupt zip ({exc})") from exc
        if bad is not None:
            raise VerifyError(f"{path.name}: corrupt zip member {bad}")


def expected_digest(checksum_text: str, file_name: str) -> str:
    """The digest a checksum file gives for `file_name`: the line naming it (sha256sum
    format, `hash  name` or `hash *name`), else the only digest in the file."""
    found = []
    for line in checksum_text.splitlines():
        match = HEX_DIGEST.search(line)
        if not match:
            continue
        found.append(match[1].lower())
        rest = line[match.end() :].strip().lstrip("*")
        if rest and Path(rest).name == file_name:
            return match[1].lower()
    if len(set(found)) == 1:
        return found[0]
    if not found:
        raise VerifyError("the checksum file holds no hexadecimal digest")
    raise VerifyError(f"the checksum file lists several digests and none for {file_name}")


def check_checksum(path: Path, expected: str, sha256: str) -> None:
    """VerifyError unless the file's digest (of the algorithm `expected` is written in)
    matches; `sha256` is the file's sha256, already computed."""
    algorithm = ALGORITHMS.get(len(expected))
    if algorithm is None:
        raise VerifyError(f"checksum {expected[:16]}…: not an md5, sha1, sha256 or sha512 digest")
    actual = sha256 if algorithm == "sha256" else file_digest(path, algorithm)
    if actual != expected.lower():
        raise VerifyError(
            f"{path.name}: {algorithm} {actual} differs from the published checksum {expected}"
        )
