"""Opening plain, gzip and zip sources as streams; damaged and empty files become BadFile."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from loaders.base import BadFile
from loaders.sources import decode_line, open_binary, open_text_lines

CONTENT = b"finess;etalab;111;2026-05-12\r\nstructureet;010000024\r\nlast line without newline"
# Big and varied enough for the compressed stream to span several read buffers.
LARGE = b"".join(b"%08d;%s\n" % (n, b"x" * (n % 97)) for n in range(60_000))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def gzipped(path: Path, data: bytes) -> Path:
    return write(path, gzip.compress(data))


def zipped(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def read_all(path: Path) -> bytes:
    with open_binary(path) as stream:
        return stream.read()


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: write(tmp / "plain.csv", CONTENT),
        lambda tmp: gzipped(tmp / "extract.csv.gz", CONTENT),
        lambda tmp: zipped(tmp / "extract.zip", {"extract.csv": CONTENT}),
        # Packaging is told by content, not by name.
        lambda tmp: gzipped(tmp / "misnamed.csv", CONTENT),
    ],
    ids=["plain", "gzip", "zip", "gzip-without-suffix"],
)
def test_every_packaging_gives_the_same_bytes(tmp_path: Path, make) -> None:
    assert read_all(make(tmp_path)) == CONTENT


def test_zip_picks_its_one_data_member(tmp_path: Path) -> None:
    path = zipped(
        tmp_path / "extract.zip",
        {
            "notice/": b"",
            "__MACOSX/._extract.json": b"resource fork",
            ".DS_Store": b"junk",
            "etalab_cs1100507.pdf": b"%PDF-1.5",
            "finess/extract.json": b'{"pmej": []}',
        },
    )
    assert read_all(path) == b'{"pmej": []}'


def test_zip_with_two_data_members_is_a_bad_file(tmp_path: Path) -> None:
    path = zipped(tmp_path / "two.zip", {"a.csv": b"1", "b.csv": b"2"})
    with pytest.raises(BadFile, match=r"^two\.zip: expected one data file .*a\.csv, b\.csv"):
        open_binary(path)


def test_streams_without_reading_everything(tmp_path: Path) -> None:
    path = gzipped(tmp_path / "large.gz", LARGE)
    with open_binary(path) as stream:
        assert stream.readline() == b"00000000;\n"
        assert stream.read(9) == b"00000001;"


def test_lines_are_decoded_and_lose_their_line_ending(tmp_path: Path) -> None:
    data = "a;é\r\nb;è\n".encode() + "c;ô".encode("cp1252") + b"\r\n\r\nlast"
    lines = list(open_text_lines(write(tmp_path / "mixed.csv", data)))
    assert lines == ["a;é", "b;è", "c;ô", "", "last"]


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("CENTRE MÉDICO-SOCIAL".encode(), "CENTRE MÉDICO-SOCIAL"),
        ("CENTRE MÉDICO-SOCIAL".encode("cp1252"), "CENTRE MÉDICO-SOCIAL"),
        ("L’ÎLE – « CŒUR »".encode("cp1252"), "L’ÎLE – « CŒUR »"),
        (b"plain ascii", "plain ascii"),
    ],
)
def test_decode_line_falls_back_to_windows_1252(raw: bytes, text: str) -> None:
    assert decode_line(raw) == text


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: write(tmp / "empty.json", b""),
        lambda tmp: gzipped(tmp / "empty.json.gz", b""),
        lambda tmp: zipped(tmp / "empty.zip", {"empty.csv": b""}),
    ],
    ids=["plain", "gzip", "zip"],
)
def test_empty_file_is_a_bad_file(tmp_path: Path, make) -> None:
    path = make(tmp_path)
    with pytest.raises(BadFile, match=rf"^{path.name}: the file is empty$"):
        read_all(path)


def test_truncated_gzip_is_a_bad_file_when_read(tmp_path: Path) -> None:
    whole = gzip.compress(LARGE)
    path = write(tmp_path / "cut.json.gz", whole[: len(whole) // 2])
    with open_binary(path) as stream:  # the damage only shows while reading
        assert stream.read(10) == LARGE[:10]
        with pytest.raises(BadFile) as caught:
            stream.read()
    message = str(caught.value)
    assert message.startswith("cut.json.gz: truncated or corrupt data")
    assert "\n" not in message


def test_corrupt_gzip_is_a_bad_file(tmp_path: Path) -> None:
    damaged = bytearray(gzip.compress(LARGE))
    damaged[len(damaged) // 2 : len(damaged) // 2 + 64] = bytes(64)
    with pytest.raises(BadFile, match=r"^corrupt\.gz: truncated or corrupt data"):
        read_all(write(tmp_path / "corrupt.gz", bytes(damaged)))


def test_truncated_zip_is_a_bad_file(tmp_path: Path) -> None:
    whole = zipped(tmp_path / "whole.zip", {"extract.csv": LARGE}).read_bytes()
    path = write(tmp_path / "cut.zip", whole[: len(whole) // 2])
    with pytest.raises(BadFile, match=r"^cut\.zip: unreadable archive"):
        read_all(path)


def test_zip_member_with_a_bad_checksum_is_a_bad_file(tmp_path: Path) -> None:
    path = zipped(tmp_path / "crc.zip", {"extract.csv": CONTENT}, zipfile.ZIP_STORED)
    data = path.read_bytes()
    offset = data.index(CONTENT)  # stored: the member's bytes sit as they are
    write(path, data[:offset] + b"X" + data[offset + 1 :])
    with pytest.raises(BadFile, match=r"^crc\.zip: truncated or corrupt data .*CRC"):
        read_all(path)
