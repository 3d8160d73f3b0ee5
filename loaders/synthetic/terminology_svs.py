"""The IHE SVS XML of the synthetic NOS, with ANS's extensions (IG-NOS allNos2 *.xml).

Written by hand rather than through a serializer to match ANS's files byte for byte in form:
double-quoted attributes in the order of the real files, four-space indent, the
`standalone="no"` declaration. TRE concepts carry their labels and dates; JDV concepts only
code, codeSystem (the OID of their TRE) and displayName; ASS pairs go in a MappedConceptList.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from loaders.synthetic.terminology_model import Ass, Entry, Jdv, Tre, stamp, walk

DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
ROOT = (
    '<RetrieveValueSetResponse xmlns="urn:ihe:iti:svs:2008"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
)
# Line breaks survive attribute-value normalisation only as character references.
_ATTRIBUTE_ESCAPES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _element(indent: int, tag: str, attributes: Iterable[tuple[str, str]], close: str) -> str:
    text = " ".join(f'{name}="{escape(value, _ATTRIBUTE_ESCAPES)}"' for name, value in attributes)
    return f"{'    ' * indent}<{tag} {text}{close}"


def _tre_concepts(tre: Tre) -> Iterator[str]:
    for concept, _ in walk(tre.concepts):
        attributes = [
            ("code", concept.code),
            ("codeSystem", tre.nos.oid),
            ("dateFin", stamp(concept.ended)),
            ("dateMaj", stamp(concept.updated)),
            ("dateValid", stamp(concept.valid)),
            ("displayName", concept.display),
            ("longDesignation", concept.long_label),
            ("shortDesignation", concept.short_label),
        ]
        if concept.definition:
            attributes.append(("descriptionMetier", concept.definition))
        yield _element(3, "Concept", attributes, "/>")


def _jdv_concepts(jdv: Jdv) -> Iterator[str]:
    for include in jdv.includes:
        for concept in include.concepts:
            attributes = (
                ("code", concept.code),
                ("codeSystem", include.tre.nos.oid),
                ("displayName", concept.display),
            )
            yield _element(3, "Concept", attributes, "/>")


def _ass_pairs(ass: Ass) -> Iterator[str]:
    for mapping in ass.mappings:
        yield "            <MappedConcept>"
        for concept, tre in ((mapping.source, ass.source), (mapping.target, ass.target)):
            yield _element(
                4, "Concept", (("code", concept.code), ("codeSystem", tre.nos.oid)), "/>"
            )
        yield "            </MappedConcept>"


def svs(entry: Entry) -> bytes:
    # The real files list the ValueSet attributes in alphabetical order.
    header = sorted(entry.nos.file_header().items())
    if isinstance(entry, Ass):
        wrapper, lines = "MappedConceptList", _ass_pairs(entry)
    else:
        wrapper = "ConceptList"
        lines = _tre_concepts(entry) if isinstance(entry, Tre) else _jdv_concepts(entry)
    document = [
        DECLARATION,
        ROOT,
        _element(1, "ValueSet", header, ">"),
        f"        <{wrapper}>",
        *lines,
        f"        </{wrapper}>",
        "    </ValueSet>",
        "</RetrieveValueSetResponse>",
    ]
    return ("\n".join(document) + "\n").encode()
