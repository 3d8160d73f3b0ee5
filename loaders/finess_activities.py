"""FINESS+ activities flux: authorised and exercised activities as ActivityRecord.

The file is `{…, pmej[{numFiness, activitesAutorisees[], ege[{activitesExercees[]}]}]}`:
activities authorised to a legal entity, and those its establishments exercise. It is read
with the structures flux's streaming readers, `pmej` item by `pmej` item.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any, Literal, NamedTuple

from loaders.base import Rejected, Row, raw
from loaders.finess_plus import array_items, leading_sections
from loaders.finess_values import checked_finess, iso_date, object_status, text, trimmed

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
    for _ in leading_sections(path, (), "activities", set()):  # only checks the format
        pass
    lines = itertools.count(1)
    for index, pmej in enumerate(array_items(path, "pmej")):
        yield from _activity_rows(pmej, f"pmej[{index}]", lines)


def _activity_rows(pmej: Any, where: str, lines: Iterator[int]) -> Iterator[Row | Rejected]:
    if not isinstance(pmej, dict):
        yield Rejected(next(lines), f"{where}: not an object", raw(pmej))
        return
    number, problem = checked_finess(pmej.get("numFiness"), "numFiness")
    entity = _Holder(number, text(pmej.get("pmSmsseId")), problem=problem)
    for position, activity in enumerate(pmej.get("activitesAutorisees") or ()):
        where_ = f"{where}.activitesAutorisees[{position}]"
        yield _activity_row(activity, next(lines), where_, "authorised", entity)
    for ege_position, ege in enumerate(pmej.get("ege") or ()):
        number, problem = checked_finess(ege.get("numFinessEge"), "numFinessEge")
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
        return Rejected(line, f"{where}: {exc}", raw(activity))


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
    source_status = object_status(generic.get("etatObjet"))
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
