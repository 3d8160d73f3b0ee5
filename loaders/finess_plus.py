"""FINESS+ JSON flux (ANS, on data.gouv.fr since July 2026): structures and activities.

Structures: `{schemaVersion, generatedAt, gcc[], gco[], pmej[{…, ege[]}]}`, ~750 MB once
unzipped; activities: `{…, pmej[{numFiness, activitesAutorisees[], ege[{activitesExercees[]}]}]}`.
Both are streamed with ijson's C backend: `pmej` items are built in C straight from the
file, so the Python loop only sees whole structures. The top-level keys may come in any
order (the schema lists pmej first, the ANS sample puts the groups first); the small group
arrays are read on the way to `pmej`, or in an extra pass when they follow it.

The value helpers (`text`, `iso_date`, …) also serve the legacy etalab parser.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any, Literal, NamedTuple

import ijson
import orjson

from directory.organizations.finess_number import finess_problem
from directory.organizations.records import OrganizationRecord
from directory.organizations.territories import department_of_commune
from loaders.base import BadFile, Rejected, Row
from loaders.finess_geo import pick_wgs84
from loaders.sources import open_binary

# --- Values, shared with the etalab parser --------------------------------------------------

PLACEHOLDER_DATE = "1900-01-01"  # the XSD default FINESS fills unknown dates with
PHONE_SEPARATORS = str.maketrans("", "", " .-")


def text(value: object) -> str | None:
    """A published value as trimmed text; None when absent or blank (FINESS pads with spaces)."""
    if isinstance(value, str):  # nearly always: the flux publishes every value as a string
        return value.strip() or None
    return None if value is None else str(value).strip() or None


def iso_date(value: object, name: str) -> date | None:
    """A `YYYY-MM-DD` date (a `YYYY-MM-DD HH:MM:SS` timestamp gives its day).

    None when blank or the 1900-01-01 placeholder; ValueError naming `name` when malformed.
    """
    day = text(value)
    if day is not None and len(day) > 10 and day[10] in " T":
        day = day[:10]
    if day is None or day == PLACEHOLDER_DATE:
        return None
    if len(day) == 10:  # fromisoformat alone would take 20200204 or 2020-W06
        with contextlib.suppress(ValueError):
            return date.fromisoformat(day)
    raise ValueError(f"{name} {value!r} is not a YYYY-MM-DD date")


def phone_number(value: object) -> str | None:
    """A 10-digit French number without separators; None for anything else (two numbers…)."""
    digits = (text(value) or "").translate(PHONE_SEPARATORS)
    return digits if len(digits) == 10 and digits.isdigit() else None


def routing_line(value: object) -> tuple[str | None, str | None]:
    """(postal code, city) of a La Poste routing line `01440 VIRIAT`; `CEDEX n` stays in the city."""
    line = text(value)
    if line is None:
        return None, None
    head, _, tail = line.partition(" ")
    if len(head) == 5 and head.isdigit():
        return head, text(tail)
    return None, line


def finess_number(value: object, name: str) -> str:
    """The FINESS number in `value`; ValueError naming `name` when missing or invalid."""
    number = text(value)
    if number is None:
        raise ValueError(f"{name} is missing")
    if problem := finess_problem(number):
        raise ValueError(f"{name}: {problem}")
    return number


def _checked_finess(value: object, name: str) -> tuple[str | None, str | None]:
    """(number, None) when `value` is a valid FINESS number, else (None, why)."""
    try:
        return finess_number(value, name), None
    except ValueError as exc:
        return None, str(exc)


# --- Records beyond OrganizationRecord ------------------------------------------------------


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


@dataclass
class ActivityRecord:
    """An authorised (legal entity level) or exercised (establishment level) activity.

    `code` composes the nature and its specific attributes (AMF_18_69_15); `status` follows
    the ANS rules: "3" inactive, "1" implemented (latest of events 12/15 is 12), else "2".
    """

    activity_id: str  # activiteAeId
    kind: Literal["authorised", "exercised"]
    ej_finess: str
    ej_technical_id: str | None  # pmSmsseId
    eg_finess: str | None  # exercised only
    eg_technical_id: str | None  # egeId
    authorisation_id: str | None  # exercised: activity_id of its authorised activity
    nature: str  # AASA, ASR, EML, ASDR, ASOCR, AMSR/ASMR, AER, AMF, AMM
    code: str
    status: Literal["1", "2", "3"]
    source_status: Literal["A", "I"]
    type_code: str | None  # typeActiviteSMSSE (TRE-R392)
    arhgos_number: str | None  # numAutorisationArhgos
    start: date | None  # dateDebutActiviteAutorisee
    end: date | None  # dateFinActiviteAutorisee
    effective_end: date | None  # dateFinEffectiveActivite
    lapse: date | None  # dateCaduciteAutorisation
    capacities: list[dict] = field(default_factory=list)  # as published, nulls dropped
    payload: dict = field(default_factory=dict)  # the activity as published, trimmed


# --- Structures ------------------------------------------------------------------------------

GROUP_SECTIONS = ("gcc", "gco")
HEAD_OFFICE = "02"  # usageAdresse of a legal entity's address
GEOGRAPHIC = "03"  # usageAdresse of an establishment's address
MAIN_CONTACT = "01"  # roleContact
RAW_LIMIT = 2000  # characters of a rejected object kept for the load report


def parse_structures(path: Path) -> Iterator[Row | Rejected]:
    """Legal entities and establishments (OrganizationRecord) and groups (GroupRecord).

    `line` is the 1-based position of the object in the stream (groups, entities and
    establishments counted together). BadFile when the file is not FINESS+ structures JSON.
    """
    lines = itertools.count(1)
    seen: set[str] = set()
    for section, item in _leading_sections(path, GROUP_SECTIONS, "structures", seen):
        yield _group_row(section, item, next(lines))
    for index, pmej in enumerate(_array_items(path, "pmej")):
        yield from _entity_rows(pmej, index, lines)
    for section in GROUP_SECTIONS:
        if section not in seen:  # the file put it after pmej: one more pass
            for item in _array_items(path, section):
                yield _group_row(section, item, next(lines))


def _leading_sections(
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


def _array_items(path: Path, section: str) -> Iterator[Any]:
    """The items of the top-level array `section`, each built by ijson's C backend."""
    with open_binary(path) as stream:
        try:
            yield from ijson.items(stream, f"{section}.item", use_float=True)
        except ijson.JSONError as exc:
            raise BadFile(f"{path.name}: invalid JSON: {_short(exc)}") from exc


def _group_row(section: str, item: Any, line: int) -> Row | Rejected:
    try:
        return Row(line, _gcc(item) if section == "gcc" else _gco(item))
    except (ValueError, TypeError, AttributeError) as exc:
        return Rejected(line, f"{section} item: {exc}", _raw(item))


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
        source_status=_status(item.get("etatObjet")),
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
        source_status=_status(item.get("etatObjet")),  # not published for GCOs so far: "A"
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
        yield Rejected(line, f"{where}: not an object", _raw(pmej))
        return
    info = pmej.get("informationsGeneralesPMEJ") or {}
    try:
        row: Row | Rejected = Row(line, _legal_entity(pmej))
    except (ValueError, TypeError, AttributeError) as exc:
        row = Rejected(line, f"{where}: {exc}", _raw(info))
    yield row
    parent, _ = _checked_finess(info.get("numFinessPm"), "numFinessPm")
    pm_id = text(info.get("pmSmsseId"))
    for position, ege in enumerate(pmej.get("ege") or ()):
        line = next(lines)
        try:
            row = Row(line, _establishment(ege, parent, pm_id))
        except (ValueError, TypeError, AttributeError) as exc:
            row = Rejected(line, f"{where}.ege[{position}]: {exc}", _raw(ege))
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
        source_status=_status(pmej.get("etatObjet")),
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
        source_status=_status(ege.get("etatObjet")),
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


def _status(value: object) -> Literal["A", "I"]:
    status = text(value) or "A"
    if status not in ("A", "I"):
        raise ValueError(f"etatObjet {value!r} is neither A nor I")
    return status  # type: ignore[return-value]


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


def trimmed(value: Any) -> Any:
    """A published JSON value with strings trimmed and null, blank or empty members dropped."""
    # Hot path (every activity is trimmed whole): string members are stripped inline
    # rather than through a call each.
    kind = type(value)
    if kind is str:
        return value.strip()
    if kind is dict:
        kept = {}
        for name, member in value.items():
            member = member.strip() if type(member) is str else trimmed(member)
            if member or member == 0:
                kept[name] = member
        return kept
    if kind is list:
        items = []
        for member in value:
            member = member.strip() if type(member) is str else trimmed(member)
            if member or member == 0:
                items.append(member)
        return items
    return value


def _raw(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()[:RAW_LIMIT]
    except TypeError:
        return repr(value)[:RAW_LIMIT]


def _short(exc: Exception) -> str:
    """An ijson error on one line (yajl quotes the text around the error on several lines)."""
    return " ".join(str(exc).split())[:200]


# --- Activities -----------------------------------------------------------------------------

IMPLEMENTED, INSTALLATION_ENDED = 12, 15  # codeEvenement (TRE-R376), published as "012"/"015"
# Order of the specific attributes in a composed activity code, after the nature: activity,
# modality, form or mention/practice/declaration, operating mode, public (ANS use case
# "finess-activites-json-to-table": AMF_18_69_15, AMM_QA001_MO000_ME000_PTS00_DE015).
CODE_ATTRIBUTES = (
    "activiteSanitaireRegulee", "activiteAMF", "activiteSanitaireDiverseRegulee",
    "activiteSocialeRegulee", "activiteEnseignementRegulee", "activiteAMM", "typeEmlId",
    "modaliteActivite", "modaliteAMM", "formeActivite", "mentionAMM", "ptsAMM",
    "declarationAMM", "modeFonctionnement", "public",
)  # fmt: skip


class _Holder(NamedTuple):
    """The structures an activity belongs to, their numbers checked once for all activities."""

    ej_finess: str | None
    ej_technical_id: str | None
    eg_finess: str | None = None
    eg_technical_id: str | None = None
    problem: str | None = None  # why the numbers cannot be used


def parse_activities(path: Path) -> Iterator[Row | Rejected]:
    """Authorised and exercised activities (ActivityRecord) of the FINESS+ activities flux.

    `line` is the 1-based position of the activity in the stream.
    """
    for _ in _leading_sections(path, (), "activities", set()):  # only checks the format
        pass
    lines = itertools.count(1)
    for index, pmej in enumerate(_array_items(path, "pmej")):
        yield from _activity_rows(pmej, f"pmej[{index}]", lines)


def _activity_rows(pmej: Any, where: str, lines: Iterator[int]) -> Iterator[Row | Rejected]:
    if not isinstance(pmej, dict):
        yield Rejected(next(lines), f"{where}: not an object", _raw(pmej))
        return
    number, problem = _checked_finess(pmej.get("numFiness"), "numFiness")
    entity = _Holder(number, text(pmej.get("pmSmsseId")), problem=problem)
    for position, activity in enumerate(pmej.get("activitesAutorisees") or ()):
        where_ = f"{where}.activitesAutorisees[{position}]"
        yield _activity_row(activity, next(lines), where_, "authorised", entity)
    for ege_position, ege in enumerate(pmej.get("ege") or ()):
        number, problem = _checked_finess(ege.get("numFinessEge"), "numFinessEge")
        place = entity._replace(
            eg_finess=number,
            eg_technical_id=text(ege.get("egeId")),
            problem=entity.problem or problem,
        )
        for position, activity in enumerate(ege.get("activitesExercees") or ()):
            where_ = f"{where}.ege[{ege_position}].activitesExercees[{position}]"
            yield _activity_row(activity, next(lines), where_, "exercised", place)


def _activity_row(
    activity: Any, line: int, where: str, kind: Literal["authorised", "exercised"], holder: _Holder
) -> Row | Rejected:
    try:
        return Row(line, _activity(activity, kind, holder))
    except (ValueError, TypeError, AttributeError) as exc:
        return Rejected(line, f"{where}: {exc}", _raw(activity))


def _activity(
    activity: dict, kind: Literal["authorised", "exercised"], holder: _Holder
) -> ActivityRecord:
    generic = activity.get("caracteristiquesGeneriques") or {}
    nature = activity.get("nature") or {}
    activity_id, nature_code = text(generic.get("activiteAeId")), text(nature.get("codeNature"))
    if activity_id is None or nature_code is None:
        raise ValueError("activiteAeId or codeNature is missing")
    if holder.problem is not None or holder.ej_finess is None:
        raise ValueError(holder.problem)
    source_status = _status(generic.get("etatObjet"))
    payload = trimmed(activity)
    return ActivityRecord(
        activity_id=activity_id,
        kind=kind,
        ej_finess=holder.ej_finess,
        ej_technical_id=holder.ej_technical_id,
        eg_finess=holder.eg_finess,
        eg_technical_id=holder.eg_technical_id or text(generic.get("egeId")),
        authorisation_id=text(generic.get("identifiantAutorisation")),
        nature=nature_code,
        code=activity_code(nature),
        status=activity_status(source_status, activity.get("evenement") or ()),
        source_status=source_status,
        type_code=text(generic.get("typeActiviteSMSSE")),
        arhgos_number=text(generic.get("numAutorisationArhgos")),
        start=iso_date(generic.get("dateDebutActiviteAutorisee"), "dateDebutActiviteAutorisee"),
        end=iso_date(generic.get("dateFinActiviteAutorisee"), "dateFinActiviteAutorisee"),
        effective_end=iso_date(generic.get("dateFinEffectiveActivite"), "dateFinEffectiveActivite"),
        lapse=iso_date(generic.get("dateCaduciteAutorisation"), "dateCaduciteAutorisation"),
        capacities=payload.get("capacite", []),
        payload=payload,
    )


def activity_code(nature: dict) -> str:
    """The nature then its specific attributes: `AMF_18_69_15`, `ASDR_824_09_990`, `EML_05602`."""
    code = text(nature.get("codeNature")) or ""
    specific = nature.get("caracteristiquesSpecifiques") or {}
    # The attributes sit under typeActivite<nature>, except that the ASMR nature publishes
    # typeActiviteAMSR: look the key up rather than derive it from the nature.
    attributes = next(
        (v for k, v in specific.items() if k.startswith("typeActivite") and isinstance(v, dict)),
        {},
    )
    parts = (text(attributes[name]) or "" for name in CODE_ATTRIBUTES if name in attributes)
    return "_".join((code, *parts))


def activity_status(source_status: str, events: Iterable[dict]) -> Literal["1", "2", "3"]:
    """ANS rule: 3 inactive; 1 when the latest of events 12 (implemented) / 15 (ended) is 12."""
    if source_status == "I":
        return "3"
    # Codes are compared as numbers: the flux publishes "012", ANS's rule says 12. On the
    # same day, 15 (ended) is taken as following 12.
    latest = max(
        (
            (text(e.get("dateEvenement")) or "", text(e.get("dateEnregistrement")) or "", code)
            for e in events
            if (code := _event_code(e)) in (IMPLEMENTED, INSTALLATION_ENDED)
        ),
        default=None,
    )
    return "1" if latest is not None and latest[2] == IMPLEMENTED else "2"


def _event_code(event: dict) -> int | None:
    code = text(event.get("codeEvenement"))
    return int(code) if code and code.isdigit() else None


def activity_document(activity: ActivityRecord) -> dict:
    """The JSON document of an activity: its fields, dates as ISO strings."""
    return {
        f.name: value.isoformat() if isinstance(value := getattr(activity, f.name), date) else value
        for f in fields(activity)
    }
