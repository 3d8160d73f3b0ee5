"""Streaming writer of the FINESS+ JSON flux files, and the pieces both flux share.

The flux is one JSON object: `schemaVersion`, `generatedAt`, then arrays. Items are
written one by one, pretty-printed with CRLF line ends like ANS's samples (which come
from Jackson: `"key" : value`; here `"key": value`, the same JSON).
"""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import count
from typing import BinaryIO

import orjson

SCHEMA_VERSION = "v1.0.0"
CRLF = b"\r\n"
ITEM_INDENT = b"    "


def day_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def moment_text(value: datetime) -> str:
    """FINESS+ timestamps: `YYYY-MM-DD HH:MM:SS`."""
    return f"{value:%Y-%m-%d %H:%M:%S}"


def registered(migration: datetime, moment: date, object_id: int) -> str:
    """When an event was recorded: history before FINESS+ carries its migration stamp."""
    if moment <= migration.date():
        return moment_text(migration)
    return moment_text(datetime.combine(moment, time(9, object_id % 60, object_id % 59)))


class JsonFlux:
    """A FINESS+ flux file written array by array, item by item."""

    def __init__(self, stream: BinaryIO, generated_at: datetime) -> None:
        self.stream = stream
        self.events = count(1)  # evenementId, unique in the file
        self._in_array = False
        self._empty = True
        # ANS stamps in nanoseconds: 2026-03-09T15:49:37.615611300Z
        stamp = f"{generated_at:%Y-%m-%dT%H:%M:%S}.{generated_at.microsecond:06d}300Z"
        stream.write(b"{" + CRLF)
        stream.write(b'  "schemaVersion": "' + SCHEMA_VERSION.encode() + b'",' + CRLF)
        stream.write(b'  "generatedAt": "' + stamp.encode() + b'"')

    def array(self, key: str) -> None:
        """Close the current array, if any, and open `key`."""
        self._close_array()
        self.stream.write(b"," + CRLF + b'  "' + key.encode() + b'": [')
        self._in_array, self._empty = True, True

    def add(self, item: dict) -> None:
        body = orjson.dumps(item, option=orjson.OPT_INDENT_2).replace(b"\n", CRLF + ITEM_INDENT)
        self.stream.write((b"" if self._empty else b",") + CRLF + ITEM_INDENT + body)
        self._empty = False

    def close(self) -> None:
        self._close_array()
        self.stream.write(CRLF + b"}" + CRLF)

    def _close_array(self) -> None:
        if self._in_array:
            self.stream.write(b"]" if self._empty else CRLF + b"  ]")
        self._in_array = False

    def event(
        self,
        migration: datetime,
        moment: date,
        state: str,
        code: str,
        subject: tuple[str, int],
        *,
        system: str = "01",
        linked: tuple[str, int] | None = None,
        with_link: bool = False,
    ) -> dict:
        """An `evenement` on `subject` (type, id); the activities flux always carries the
        `…Objet2` keys (`with_link`), null when the event links no second object."""
        event: dict = {
            "evenementId": str(next(self.events)),
            "dateEnregistrement": registered(migration, moment, subject[1]),
            "dateEvenement": moment.isoformat(),
            "etatObjet1": state,
            "identifiantObjet1": str(subject[1]),
        }
        if with_link:
            event["identifiantObjet2"] = str(linked[1]) if linked else None
        event["systemeMaitre"] = system
        event["typeObjet1"] = subject[0]
        if with_link:
            event["typeObjet2"] = linked[0] if linked else None
        event["codeEvenement"] = code
        return event
