"""Which terminology format a file is, told by its first bytes, not its name."""

from __future__ import annotations

import re

import orjson

from loaders import terminology_fhir, terminology_svs, terminology_tabs
from loaders.sources import decode_line
from loaders.terminology_items import Format, Unreadable

SNIFF_BYTES = 1 << 16
SVS = Format("SVS XML", terminology_svs.scan, terminology_svs.items)
TABS = Format(".tabs", terminology_tabs.scan, terminology_tabs.items)
FHIR_JSON = Format("FHIR JSON", terminology_fhir.scan_json, terminology_fhir.json_items)
FHIR_NDJSON = Format("FHIR NDJSON", terminology_fhir.scan_ndjson, terminology_fhir.ndjson_items)
# The first line of a .tabs: column titles, or the header itself (OID;TRE|JDV|ASS;…).
_TABS_FIRST_LINE = re.compile(r"^(<OID>;|[0-2](\.\d+)+;(TRE|JDV|ASS);)", re.IGNORECASE)
_SVS_ROOT = re.compile(rb"<(\w+:)?RetrieveValueSetResponse\b", re.IGNORECASE)
FHIR_NAMESPACE = b"http://hl7.org/fhir"


def sniff(head: bytes, name: str) -> Format:
    """The format of a file that starts with `head`; Unreadable when it is none we read."""
    text = head.removeprefix(terminology_fhir.BOM).lstrip()
    if not text:
        raise Unreadable("the file is empty")
    first_line = decode_line(text.split(b"\n", 1)[0].rstrip(b"\r"))
    if _TABS_FIRST_LINE.match(first_line):
        return TABS
    if text.startswith(b"<"):
        if _SVS_ROOT.search(text):
            return SVS
        if FHIR_NAMESPACE in text:
            raise Unreadable("FHIR XML is not read: load the FHIR JSON of the same resources")
        raise Unreadable("XML that is not an IHE SVS RetrieveValueSetResponse")
    if text.startswith(b"{"):
        return FHIR_NDJSON if _is_ndjson(text, name) else FHIR_JSON
    raise Unreadable(
        "not a terminology file (SVS XML, .tabs, FHIR JSON or NDJSON): "
        f"it starts with {first_line[:60]!r}"
    )


def _is_ndjson(text: bytes, name: str) -> bool:
    """NDJSON when so named, or when its first line is a whole JSON object and more follow."""
    if name.lower().endswith((".ndjson", ".ndjson.gz")):
        return True
    first, _, rest = text.partition(b"\n")
    if not rest.strip():
        return False
    try:
        return isinstance(orjson.loads(first), dict)
    except orjson.JSONDecodeError:
        return False
