"""The .tabs text of the synthetic NOS: ";"-separated, unquoted, UTF-8 like the IG-NOS copies.

A first header line and the NOS's row, then a second header and one row per code:
TRE `<OID>;<Code>;<Libellé>;<Libellé court>;<Libellé long>;<Date valid>;<Date fin>;<Date MAJ>`
(ANS's fhirCodeSystemtotabs.xslt), JDV `<OID>;<Code>;<Libellé>` with the OID of each code's
TRE, ASS `<source OID>;<target OID>` then `source code;target code` pairs.
"""

from __future__ import annotations

from collections.abc import Iterator

from loaders.synthetic.terminology_model import Ass, Entry, Tre, stamp, walk

FILE_COLUMNS = (
    "<OID>;<Type fichier>;<Nom fichier>;<Description>;<URL fichier>;<Date valid>;<Date fin>;"
    "<Date MàJ>"
)
TRE_COLUMNS = (
    "<OID>;<Code>;<Libellé>;<Libellé court>;<Libellé long>;<Date valid>;<Date fin>;<Date MAJ>"
)
JDV_COLUMNS = "<OID>;<Code>;<Libellé>"


def _rows(entry: Entry) -> Iterator[tuple[str, ...]]:
    if isinstance(entry, Tre):
        for concept, _ in walk(entry.concepts):
            yield (
                entry.nos.oid,
                concept.code,
                concept.display,
                concept.short_label,
                concept.long_label,
                stamp(concept.valid),
                stamp(concept.ended),
                stamp(concept.updated),
            )
    elif isinstance(entry, Ass):
        for mapping in entry.mappings:
            yield mapping.source.code, mapping.target.code
    else:
        for include in entry.includes:
            for concept in include.concepts:
                yield include.tre.nos.oid, concept.code, concept.display


def _columns(entry: Entry) -> str:
    if isinstance(entry, Tre):
        return TRE_COLUMNS
    if isinstance(entry, Ass):
        return f"<{entry.source.nos.oid}>;<{entry.target.nos.oid}>"
    return JDV_COLUMNS


def tabs(entry: Entry) -> bytes:
    lines = [
        FILE_COLUMNS,
        ";".join(entry.nos.file_header().values()),
        _columns(entry),
        *(";".join(row) for row in _rows(entry)),
    ]
    return ("\n".join(lines) + "\n").encode()
