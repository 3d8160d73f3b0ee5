"""Copy an RPPS file into PostgreSQL, one text column per field, for SQL to map.

Python touches bytes by the megabyte, not field by field: it counts each line's separators
(`bytes.count`, in C) and hands whole blocks to COPY, which splits the fields itself (text
format, `|` delimiter, empty field = NULL). A line that cannot be copied is rejected here
with its number: not valid UTF-8, a byte no text field holds, or a field count other than
the header's (a line may lack the trailing `|`; it gets it back). It is copied as a
placeholder row so that the numbering holds: lines are numbered by the order COPY inserts
them (an identity column), the header being line 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import repeat

import psycopg

from loaders.base import Rejected
from loaders.rpps_files import Layout, PartFile, read_layout

CHUNK = 1 << 20
REJECTION_BATCH = 1000
RESERVED = (b"\x00", b"\x01", b"\x02")  # never in text; \x01 marks the placeholder rows
PLACEHOLDER = "\x01"
# Every byte but those a JSON string escapes (`"`, `\`, control characters): deleting them
# from a block leaves only the line ends when it has none of them.
PLAIN = bytes(b for b in range(256) if b >= 0x20 and b not in b'"\\')
# Fields are trimmed as SQL's btrim() would: spaces only. Looking for a padded separator
# in a block whose line ends read as separators is 6 times faster than a regular expression.
LINE_ENDS = bytes.maketrans(b"\n", b"|")
PADDING = re.compile(rb"(?:^|(?<=[|\n])) +| +(?=[|\n])")


def lines_table(part_name: str) -> str:
    return f"rpps_lines_{part_name}"


def field_column(position: int) -> str:
    """The column of the field at `position` (1-based)."""
    return f"f{position}"


class _Block:
    """Turns blocks of whole lines into COPY data, rejecting the lines it cannot copy."""

    def __init__(self, layout: Layout, file_name: str, reject: Callable[[Rejected], None]) -> None:
        self.separators = layout.field_count - 1
        self.trailing = layout.trailing_separator
        self.file_name = file_name
        self.reject = reject
        self.placeholder = (PLACEHOLDER + "|" * self.separators).encode()
        self.plain = True  # so far, no field needs escaping in JSON

    def copy_data(self, block: bytes, first_line: int) -> bytes:
        if self.plain and block.translate(None, PLAIN).strip(b"\n"):
            self.plain = False
        lines = block.split(b"\n")[:-1]
        if not self._all_good(block, lines):
            block = b"".join(
                self._line(line, first_line + i) + b"\n" for i, line in enumerate(lines)
            )
        separated = block.translate(LINE_ENDS)
        if block.startswith(b" ") or b" |" in separated or b"| " in separated:
            block = PADDING.sub(b"", block)
        # The text format reads backslashes as escapes: a field's own are doubled.
        return block.replace(b"\\", b"\\\\") if b"\\" in block else block

    def _all_good(self, block: bytes, lines: list[bytes]) -> bool:
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            return False
        if any(byte in block for byte in RESERVED):
            return False
        counts = list(map(bytes.count, lines, repeat(b"|")))
        return counts.count(self.separators) == len(counts)

    def _line(self, line: bytes, number: int) -> bytes:
        if not line.strip():
            return self.placeholder  # a blank line means nothing
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return self._rejected(line, number, f"not valid UTF-8 at byte {exc.start + 1}")
        if any(byte in line for byte in RESERVED):
            return self._rejected(line, number, "holds a control character")
        separators = line.count(b"|")
        if separators == self.separators:
            return line
        if self.trailing and separators == self.separators - 1:
            return line + b"|"
        fields = self.separators + 1
        return self._rejected(
            line, number, f"{separators + 1} fields where the header has {fields}"
        )

    def _rejected(self, line: bytes, number: int, reason: str) -> bytes:
        text = line.decode("utf-8", "replace")
        self.reject(Rejected(number, f"{self.file_name}: {reason}", text))
        return self.placeholder


def copy_lines(
    conn: psycopg.Connection, file: PartFile, record: Callable[[list[Rejected]], None]
) -> tuple[Layout, int, bool]:
    """Copy the lines of `file` after its header into its lines table; returns its layout,
    how many lines were rejected on the way (handed to `record` in batches), and whether
    its text is plain: nothing in it for a JSON string to escape."""
    rejected: list[Rejected] = []
    count = 0

    def reject(line: Rejected) -> None:
        nonlocal count
        count += 1
        rejected.append(line)
        if len(rejected) >= REJECTION_BATCH:
            record(rejected)
            rejected.clear()

    with file.open() as stream, conn.cursor() as cursor:
        header = stream.readline().decode("utf-8", "replace")
        layout = read_layout(file.part, file.name, header)
        table = lines_table(file.part.name)
        fields = [field_column(i) for i in range(1, layout.field_count + 1)]
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(
            f"CREATE UNLOGGED TABLE {table} (n bigint GENERATED ALWAYS AS IDENTITY, "
            f"{', '.join(f'{name} text' for name in fields)})"
        )
        blocks = _Block(layout, file.name, reject)
        line = 2
        pending = b""
        statement = (
            f"COPY {table} ({', '.join(fields)}) FROM STDIN (FORMAT text, DELIMITER '|', NULL '')"
        )
        with cursor.copy(statement) as copy:
            while chunk := stream.read(CHUNK):
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                pending, block = data[cut:], data[:cut].replace(b"\r", b"")
                if block:
                    copy.write(blocks.copy_data(block, line))
                    line += block.count(b"\n")
            if pending.strip():
                copy.write(blocks.copy_data(pending.replace(b"\r", b"") + b"\n", line))
    record(rejected)
    return layout, count, blocks.plain
