"""IHE SVS XML with the ANS extensions (RetrieveValueSetResponse, urn:ihe:iti:svs:2008).

Each `ValueSet` element is one NOS: its attributes are the file header, then `ConceptList/Concept`
(TRE, JDV) or `MappedConceptList/MappedConcept/Concept` pairs (ASS). Element and attribute names
are matched without regard to case or namespace (one ANS XSLT writes `<concept>`), and an empty
attribute counts as absent. The file is read with iterparse, each concept freed once mapped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from loaders.base import Rejected
from loaders.terminology_items import Head, Item, Scan, Scanned, Unreadable, head_of
from loaders.terminology_nos import Coded, NosAssembler, NosHeader, nos_resource

# Elements done with once mapped; their memory is released as the parse goes on.
_RELEASED = frozenset({"concept", "mappedconcept"})


def _local(name: str) -> str:
    """A tag or attribute name without its namespace, in lower case."""
    return name.rsplit("}", 1)[-1].lower()


def _events(stream: BinaryIO) -> Iterator[tuple[str, etree._Element, str]]:
    """(event, element, lower-case local name), freeing each concept after its end event."""
    parser = etree.iterparse(
        stream, events=("start", "end"), resolve_entities=False, no_network=True
    )
    try:
        for event, element in parser:
            name = _local(element.tag)
            yield event, element, name
            if event == "end" and name in _RELEASED:
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise Unreadable(f"malformed or truncated XML ({exc})") from exc


def _attributes(element: etree._Element) -> dict[str, str]:
    """Attributes by lower-case local name, blanks left out."""
    return {_local(key): value.strip() for key, value in element.attrib.items() if value.strip()}


def _header(element: etree._Element) -> NosHeader:
    a = _attributes(element)
    return NosHeader(
        oid=a.get("id"),
        kind=a.get("typefichier"),
        file_name=a.get("displayname"),
        description=a.get("description"),
        url=a.get("urlfichier"),
        date_valid=a.get("datevalid"),
        date_fin=a.get("datefin"),
        date_maj=a.get("datemaj"),
    )


def _coded(attributes: dict[str, str]) -> Coded:
    return Coded(
        attributes.get("codesystem"), attributes.get("code"), attributes.get("displayname")
    )


def scan(stream: BinaryIO) -> Scanned:
    heads: list[Head | None] = []
    for event, element, name in _events(stream):
        if event == "start" and name == "valueset":
            try:
                head = head_of(nos_resource(_header(element)))
            except ValueError:
                head = None
            heads.append(head if isinstance(head, Head) else None)
    if not heads:
        raise Unreadable("SVS XML without a ValueSet element")
    return Scan(heads)


def items(stream: BinaryIO, scanned: Scanned) -> Iterator[Item]:
    nos: NosAssembler | None = None
    pair: list[Coded] = []
    line = 0
    for event, element, name in _events(stream):
        line = element.sourceline or line
        if name == "valueset" and event == "start":
            try:
                nos = NosAssembler(_header(element))
            except ValueError as exc:
                nos = None
                yield Rejected(line, f"ValueSet {element.get('id', '')}: {exc}")
        elif nos is None or event != "end":
            continue
        elif name == "valueset":
            yield nos.finish(line)
            nos = None
        elif name == "mappedconcept":
            problem = (
                nos.ass_mapping(line, *pair)
                if len(pair) == 2
                else Rejected(line, f"MappedConcept with {len(pair)} concepts instead of 2")
            )
            pair = []
            if problem:
                yield problem
        elif name == "concept":
            yield from _concept(nos, element, line, pair)


def _concept(
    nos: NosAssembler, element: etree._Element, line: int, pair: list[Coded]
) -> Iterator[Item]:
    a = _attributes(element)
    parent = element.getparent()
    if parent is not None and _local(parent.tag) == "mappedconcept":
        pair.append(_coded(a))
    elif nos.resource_type == "CodeSystem":
        dates = (a.get("datevalid"), a.get("datemaj"), a.get("datefin"))
        yield from nos.tre_concept(
            line,
            _coded(a),
            a.get("shortdesignation"),
            a.get("longdesignation"),
            a.get("descriptionmetier"),
            dates,
        )
    elif nos.resource_type == "ValueSet" and (problem := nos.jdv_concept(line, _coded(a))):
        yield problem
