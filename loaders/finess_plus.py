"""FINESS+ structures flux: its legal entities, establishments and groups as records.

The ANS flux on data.gouv.fr since July 2026, `{schemaVersion, generatedAt, gcc[], gco[],
pmej[{…, ege[]}]}`, ~750 MB once unzipped, is streamed with ijson's C backend: `pmej` items are
built in C straight from the file, so the Python loop only sees whole structures. Top-level keys
may come in any order (the schema lists pmej first, the ANS sample puts the groups first); the
small group arrays are read on the way to `pmej`, or in an extra pass when they follow it. The
activities flux has the same layout: its parser uses the streaming reads at the end of this module.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import ijson

from directory.organizations.records import OrganizationRecord
from directory.organizations.territories import department_of_commune
from loaders.base import BadFile, Rejected, Row, raw
from loaders.finess_geo import pick_wgs84
from loaders.finess_values import (
    checked_finess,
    finess_number,
    iso_date,
    object_status,
    phone_number,
    routing_line,
    text,
    trimmed,
)
from loaders.sources import open_binary


@dataclass
class GroupRecord:
    """A FINESS+ group: a GHT-like GCC, or a GCO (a legal entity acting as a group).

    `members` are `{"pm_id": pmSmsseId, "role": …}` or `{"ege_id": egeId, "role": …}`,
    role `S` support / `M` member. A GCO carries no name nor date of its own: it is the
    legal entity whose technical id (pmSmsseId) follows `GCO-` in `group_id`.
    """

    group_id: str  # "GCC-<gccId>" or "GCO-<pmSmsseId>"
    kind: Literal["GCC", "GCO"]
    name: str | None
    type_code: str | None  # typeGcc (TRE-R371) / typeGco (TRE-R372)
    external_id: str | None  # gccIdentifiantExterne
    source_status: Literal["A", "I"]
    members: list[dict[str, str | None]]
    authority_updated: date | None = None


GROUP_SECTIONS = ("gcc", "gco")
HEAD_OFFICE = "02"  # usageAdresse of a legal entity's address
GEOGRAPHIC = "03"  # usageAdresse of an establishment's address
MAIN_CONTACT = "01"  # roleContact


def parse_structures(path: Path) -> Iterator[Row | Rejected]:
    """Legal entities and establishments (OrganizationRecord) and groups (GroupRecord).

    `line` is the 1-based position of the object in the stream (groups, entities and
    establishments counted together). BadFile when the file is not FINESS+ structures JSON.
    """
    lines = itertools.count(1)
    seen: set[str] = set()
    for section, item in leading_sections(path, GROUP_SECTIONS, "structures", seen):
        yield _group_row(section, item, next(lines))
    for index, pmej in enumerate(array_items(path, "pmej")):
        yield from _entity_rows(pmej, index, lines)
    for section in GROUP_SECTIONS:
        if section not in seen:  # the file put it after pmej: one more pass
            for item in array_items(path, section):
                yield _group_row(section, item, next(lines))


def _group_row(section: str, item: Any, line: int) -> Row | Rejected:
    try:
        return Row(line, _gcc(item) if section == "gcc" else _gco(item))
    except (ValueError, TypeError, AttributeError) as exc:
        return Rejected(line, f"{section} item: {exc}", raw(item))


def _gcc(item: dict) -> GroupRecord:
    gcc_id = text(item.get("gccId"))
    if gcc_id is None:
        raise ValueError("gccId is missing")
    return GroupRecord(
        group_id=f"GCC-{gcc_id}",
        kind="GCC",
        name=text(item.get("nomGcc")),
        type_code=text(item.get("typeGcc")),
        external_id=text(item.get("gccIdentifiantExterne")),
        source_status=object_status(item.get("etatObjet")),
        members=_members(item.get("pmejDuGcc"), item.get("egeDuGcc")),
        authority_updated=iso_date(item.get("dateDerniereMaj"), "dateDerniereMaj"),
    )


def _gco(item: dict) -> GroupRecord:
    pm_id = text(item.get("pmSmsseId"))
    if pm_id is None:
        raise ValueError("pmSmsseId is missing")
    return GroupRecord(
        group_id=f"GCO-{pm_id}",
        kind="GCO",
        name=None,
        type_code=text(item.get("typeGco")),
        external_id=None,
        source_status=object_status(item.get("etatObjet")),  # not published for GCOs so far: "A"
        members=_members(item.get("pmejDuGco"), item.get("egeDuGco")),
    )


def _members(entities: list | None, establishments: list | None) -> list[dict[str, str | None]]:
    return [
        {key: text(relation.get(id_field)), "role": text(relation.get("typeRoleEntiteGroupe"))}
        for relations, key, id_field in (
            (entities, "pm_id", "pmSmsseId"),
            (establishments, "ege_id", "egeId"),
        )
        for relation in relations or ()
    ]


def _entity_rows(pmej: Any, index: int, lines: Iterator[int]) -> Iterator[Row | Rejected]:
    """The legal entity of a `pmej` item, then its establishments."""
    where = f"pmej[{index}]"
    line = next(lines)
    if not isinstance(pmej, dict):
        yield Rejected(line, f"{where}: not an object", raw(pmej))
        return
    info = pmej.get("informationsGeneralesPMEJ") or {}
    try:
        row: Row | Rejected = Row(line, _legal_entity(pmej))
    except (ValueError, TypeError, AttributeError) as exc:
        row = Rejected(line, f"{where}: {exc}", raw(info))
    yield row
    parent, _ = checked_finess(info.get("numFinessPm"), "numFinessPm")
    pm_id = text(info.get("pmSmsseId"))
    for position, ege in enumerate(pmej.get("ege") or ()):
        line = next(lines)
        try:
            row = Row(line, _establishment(ege, parent, pm_id))
        except (ValueError, TypeError, AttributeError) as exc:
            row = Rejected(line, f"{where}.ege[{position}]: {exc}", raw(ege))
        yield row


def _legal_entity(pmej: dict) -> OrganizationRecord:
    info = pmej.get("informationsGeneralesPMEJ") or {}
    finess = finess_number(info.get("numFinessPm"), "numFinessPm")
    return OrganizationRecord(
        finess=finess,
        kind="EJ",
        name=_name(info.get("denominationPm"), info.get("denominationLonguePmSmsse"), finess),
        source="finess+",
        name_long=text(info.get("denominationLonguePmSmsse")),
        siren=text(info.get("siren")),
        category_code=text(info.get("categorieentiteGeographiqueExercice")),
        legal_status_code=text(info.get("statutJuridique")),
        ape_code=text(info.get("codeApe")),
        opened=iso_date(info.get("dateCreation"), "dateCreation"),
        closed=iso_date(info.get("dateFermeture"), "dateFermeture"),
        authority_updated=iso_date(pmej.get("dateDerniereMaj"), "dateDerniereMaj"),
        source_status=object_status(pmej.get("etatObjet")),
        technical_id=text(info.get("pmSmsseId")),
        extra=_extra(
            typePersonneMorale=text(info.get("typePersonneMorale")),
            fonctionPublique=text(info.get("fonctionPublique")),
            typeGroupeGco=text(info.get("typeGroupeGco")),
            evenement_count=len(pmej.get("evenement") or ()),
            engagement=trimmed(pmej.get("engagement")),
        ),
        **_address(pmej.get("adresse"), HEAD_OFFICE, info.get("complementAdressePmSmsse")),
        **_telecom(pmej.get("contact")),
    )


def _establishment(ege: dict, parent: str | None, pm_id: str | None) -> OrganizationRecord:
    info = ege.get("informationsGeneralesEGE") or {}
    finess = finess_number(info.get("numFinessEge"), "numFinessEge")
    if parent is None:
        raise ValueError(f"establishment {finess}: its legal entity has no valid FINESS number")
    espic = [code for code in map(text, info.get("espic") or ()) if code]
    return OrganizationRecord(
        finess=finess,
        kind="EG",
        name=_name(info.get("nomEgeCourt"), info.get("nomEgeLong"), finess),
        source="finess+",
        parent_finess=parent,
        name_long=text(info.get("nomEgeLong")),
        alias=text(info.get("complementDenominationEg")),
        siret=text(info.get("siret")),
        category_code=text(ege.get("categorieentiteGeographiqueExercice")),
        mft_code=text(ege.get("modefixationtarifaire")),
        sph_code=espic[0] if espic else None,  # the TRE_R73 ESPIC code legacy codesph carried
        opened=iso_date(info.get("dateOuverture"), "dateOuverture"),
        authorized=iso_date(info.get("datePremiereAutorisation"), "datePremiereAutorisation"),
        closed=iso_date(info.get("dateFermeture"), "dateFermeture"),
        authority_updated=iso_date(ege.get("dateDerniereMaj"), "dateDerniereMaj"),
        source_status=object_status(ege.get("etatObjet")),
        education_number=text(info.get("numeroEducationNationale")),
        technical_id=text(info.get("egeId")),
        parent_technical_id=pm_id,
        extra=_extra(
            espic=espic,
            typeBudget=trimmed(ege.get("typeBudget")),
            roleEge=trimmed(ege.get("roleEge")),
            numeroReferenceExterne=text(info.get("numeroReferenceExterne")),
            evenement_count=len(ege.get("evenement") or ()),
            engagement=trimmed(ege.get("engagement")),
        ),
        **_address(ege.get("adresse"), GEOGRAPHIC),
        **_telecom(ege.get("contact")),
    )


def _name(short: object, long: object, finess: str) -> str:
    name = text(short) or text(long)
    if name is None:
        raise ValueError(f"structure {finess} has no name")
    return name


def _address(addresses: list | None, usage: str, complement: object = None) -> dict[str, Any]:
    """Record fields of the address of `usage` (else the first one), coordinates included."""
    chosen = next(
        (a for a in addresses or () if text(a.get("usageAdresse")) == usage),
        (addresses or [None])[0],
    )
    if not chosen:
        return {"address_complement": text(complement)}
    commune = text(chosen.get("cogCommune"))
    department = department_of_commune(commune) if commune else None
    postal_code, city = routing_line(chosen.get("ligneAcheminement"))
    values = {
        "street_number": text(chosen.get("numeroVoie")),
        "street_type": text(chosen.get("typeVoie")),
        "street_name": text(chosen.get("libelleVoie")),
        "address_complement": text(chosen.get("complementPointGeographique"))
        or text(chosen.get("complementVoie"))
        or text(complement),
        "locality": text(chosen.get("lieuDit")),
        "postal_code": text(chosen.get("codePostal")) or postal_code,
        "city": city,
        "commune_insee": commune,
        "department": department,
    }
    coordinates = chosen.get("coordonneesGeographique")
    if coordinates and (
        found := pick_wgs84(
            coordinates.get("coordonneeX"),
            coordinates.get("coordonneeY"),
            coordinates.get("directionLatitude"),
            coordinates.get("directionLongitude"),
            department,
        )
    ):
        values.update(
            latitude=found.latitude,
            longitude=found.longitude,
            projected_x=found.projected_x,
            projected_y=found.projected_y,
            crs=found.epsg,
            geocode_source=_geocoder(coordinates),
        )
    return values


def _geocoder(coordinates: dict) -> str | None:
    """`BAN 97` (score in %); a BAN key without `_` locates the commune, not the address."""
    key, score = text(coordinates.get("cleInInteropBAN")), text(coordinates.get("scoreBAN"))
    if key is None and score is None:
        return None
    try:
        label = f"BAN {round(float(score) * 100)}" if score else "BAN"
    except ValueError:
        label = "BAN"
    return f"{label} commune" if key and "_" not in key else label


def _telecom(contacts: list | None) -> dict[str, str | None]:
    for contact in contacts or ():
        if text((contact.get("typeContact") or {}).get("roleContact")) == MAIN_CONTACT:
            telecom = contact.get("telecom") or {}
            return {
                "phone": phone_number(telecom.get("telephone")),
                "fax": phone_number(telecom.get("telecopie")),
                "email": text(telecom.get("courriel")),
            }
    return {}


def _extra(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value}


# --- Streaming reads, shared with the activities flux -----------------------------------------


def leading_sections(
    path: Path, sections: Iterable[str], what: str, seen: set[str]
) -> Iterator[tuple[str, Any]]:
    """The items of the top-level `sections` arrays placed before the `pmej` array.

    Adds to `seen` the sections met, empty ones included. Also the format check: BadFile
    unless the file is a JSON object with a `pmej` array. Only the head of the file is read.
    """
    with open_binary(path) as stream:
        events = ijson.parse(stream, use_float=True)
        try:
            if next(events, None) != ("", "start_map", None):
                raise BadFile(f"{path.name}: not a FINESS+ {what} file: not a JSON object")
            for prefix, event, _ in events:
                if event != "start_array":
                    continue
                if prefix == "pmej":
                    return
                if prefix in sections:
                    seen.add(prefix)
                    # Stop at the array's end so the shared event stream goes on from there.
                    section_events = itertools.takewhile((prefix, "end_array", None).__ne__, events)
                    for item in ijson.items(section_events, f"{prefix}.item"):
                        yield prefix, item
        except ijson.JSONError as exc:
            raise BadFile(f"{path.name}: not a FINESS+ {what} file: {_short(exc)}") from exc
    raise BadFile(f"{path.name}: not a FINESS+ {what} file: no top-level 'pmej' array")


def array_items(path: Path, section: str) -> Iterator[Any]:
    """The items of the top-level array `section`, each built by ijson's C backend."""
    with open_binary(path) as stream:
        try:
            yield from ijson.items(stream, f"{section}.item", use_float=True)
        except ijson.JSONError as exc:
            raise BadFile(f"{path.name}: invalid JSON: {_short(exc)}") from exc


def _short(exc: Exception) -> str:
    """An ijson error on one line (yajl quotes the text around the error on several lines)."""
    return " ".join(str(exc).split())[:200]
