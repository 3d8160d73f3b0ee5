"""Canonical URLs and OIDs of terminology resources.

The NOS have two generations of canonical URL, both live: the legacy
`https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale` and
the SMT's `https://smt.esante.gouv.fr/fhir/CodeSystem/<id>`. Each resource is stored under its
own `url` and answers to the other as an alias.
"""

from __future__ import annotations

import re

MOS_PREFIX = "https://mos.esante.gouv.fr/NOS/"
SMT_PREFIX = "https://smt.esante.gouv.fr/fhir/"
_LEGACY = re.compile(r"^https?://mos\.esante\.gouv\.fr/NOS/(?P<folder>[^/]+)/FHIR/(?P<id>[^/]+)$")
_SMT = re.compile(r"^https?://smt\.esante\.gouv\.fr/fhir/(?P<type>[A-Za-z]+)/(?P<id>[^/?]+)$")
_NOS_ID = re.compile(r"^(?P<family>TRE|JDV|ASS)[-_](?P<rest>[A-Za-z]\d+[A-Za-z]?-.+)$")


def oid_of(resource: dict) -> str | None:
    """The OID of a resource: an `urn:oid:` identifier (the legacy NOS export omits the system)."""
    for identifier in resource.get("identifier", ()):
        value = identifier.get("value") or ""
        if value.startswith("urn:oid:"):
            return value[len("urn:oid:") :]
    return None


def legacy_url(fhir_id: str) -> str | None:
    """The mos.esante.gouv.fr canonical of a NOS id such as TRE-R38-SpecialiteOrdinale."""
    match = _NOS_ID.match(fhir_id)
    if not match:
        return None
    family, rest = match["family"], match["rest"]
    return f"{MOS_PREFIX}{family}_{rest}/FHIR/{family}-{rest}"


def aliases(resource_type: str, url: str, fhir_id: str) -> list[str]:
    """The other canonical URLs a resource answers to."""
    found: list[str] = []
    if _LEGACY.match(url):
        found.append(f"{SMT_PREFIX}{resource_type}/{fhir_id}")
    elif (smt := _SMT.match(url)) and (legacy := legacy_url(smt["id"])):
        found.append(legacy)
    if url.startswith("http://"):
        found.append("https://" + url[len("http://") :])
    return [alias for alias in found if alias != url]


def fhir_id_for(resource: dict) -> str:
    """The logical id a resource is read at: its own, else the last segment of its url."""
    if resource.get("id"):
        return str(resource["id"])
    tail = re.split(r"[/#?]", resource.get("url", "").rstrip("/"))[-1]
    return re.sub(r"[^A-Za-z0-9\-.]", "-", tail)[:64] or "unnamed"
