"""Copy the lines of an RPPS file into PostgreSQL as they are, for SQL to split and map.

Python touches bytes by the megabyte, not line by line: 770 MB of activity lines cost a
second or two to hand over, where splitting them in Python would cost a minute. Lines are
numbered by the order COPY inserts them (an identity column), the header being line 1.
A line that is not valid UTF-8 (or holds a byte the copy format reserves) is rejected here,
with its number, and replaced by an empty line so that the numbering holds.
"""

from __future__ import annotations

import psycopg

from loaders.base import Rejected
from loaders.rpps_files import Layout, PartFile, read_layout

CHUNK = 1 << 20
# CSV with a quote and a delimiter that never occur in text: each line is one field, copied
# verbatim (the text format would interpret backslashes).
COPY_OPTIONS = "(FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')"
RESERVED = (b"\x00", b"\x01", b"\x02")


def raw_table(part_name: str) -> str:
    return f"rpps_raw_{part_name}"


def _clean(block: bytes, first_line: int, file_name: str, rejected: list[Rejected]) -> bytes:
    """`block` (whole lines) with the unusable lines emptied and recorded."""
    try:
        block.decode("utf-8")
        if not any(byte in block for byte in RESERVED):
            return block
    except UnicodeDecodeError:
        pass
    lines = block.split(b"\n")
    for offset, line in enumerate(lines):
        try:
            line.decode("utf-8")
            reason = "holds a control character" if any(b in line for b in RESERVED) else None
        except UnicodeDecodeError as exc:
            reason = f"not valid UTF-8 at byte {exc.start + 1}"
        if reason:
            text = line.decode("utf-8", "replace")
            rejected.append(Rejected(first_line + offset, f"{file_name}: {reason}", text))
            lines[offset] = b""
    return b"\n".join(lines)


def copy_lines(conn: psycopg.Connection, file: PartFile) -> tuple[Layout, list[Rejected]]:
    """Copy the lines of `file` after its header into its raw table; returns its layout and
    the lines rejected on the way."""
    table = raw_table(file.part.name)
    conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute(f"CREATE UNLOGGED TABLE {table} (n bigint GENERATED ALWAYS AS IDENTITY, raw text)")
    rejected: list[Rejected] = []
    with file.open() as stream, conn.cursor() as cursor:
        header = stream.readline().decode("utf-8", "replace")
        layout = read_layout(file.part, file.name, header)
        line = 2
        pending = b""
        with cursor.copy(f"COPY {table} (raw) FROM STDIN {COPY_OPTIONS}") as copy:
            while chunk := stream.read(CHUNK):
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                pending, block = data[cut:], data[:cut].replace(b"\r", b"")
                if block:
                    copy.write(_clean(block, line, file.name, rejected))
                    line += block.count(b"\n")
            if pending.strip():
                copy.write(_clean(pending.replace(b"\r", b"") + b"\n", line, file.name, rejected))
    return layout, rejected
