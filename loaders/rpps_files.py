"""The files of an RPPS extract: which part each one is, its header, and its columns by name.

`annuaire load rpps` takes the `PS_LibreAcces` zip, a folder of its files, or the activity
file alone. Columns are found by header name, never by position: ANS appends columns without
notice (52 named columns in 2022, 56 now), and the restricted ProSantéConnect extract names
the same columns in another order.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from loaders.base import BadFile
from loaders.sources import ZIP_MAGIC, open_binary, open_member


@dataclass(frozen=True)
class Column:
    field: str  # our name, also the SQL column name
    headers: tuple[str, ...]  # the header names it goes by, in any layout
    required: bool = False


def _columns(*specs: tuple) -> tuple[Column, ...]:
    return tuple(
        Column(field, (names,) if isinstance(names, str) else names, required)
        for field, names, *flag in specs
        for required in [bool(flag and flag[0])]
    )


REQUIRED = True
PERSON = (
    ("idnps", "Identification nationale PP", REQUIRED),
    ("id_type", "Type d'identifiant PP", REQUIRED),
    ("identifier", "Identifiant PP", REQUIRED),
)
ACTIVITY = _columns(
    *PERSON,
    ("practice_civility_code", "Code civilité d'exercice"),
    ("practice_civility_label", "Libellé civilité d'exercice"),
    ("civility_code", "Code civilité"),
    ("civility_label", "Libellé civilité"),
    ("family", "Nom d'exercice", REQUIRED),
    ("given", "Prénom d'exercice", REQUIRED),
    ("profession_code", "Code profession", REQUIRED),
    ("profession_label", "Libellé profession"),
    ("category_code", "Code catégorie professionnelle", REQUIRED),
    ("category_label", "Libellé catégorie professionnelle"),
    ("skill_type_code", "Code type savoir-faire"),
    ("skill_type_label", "Libellé type savoir-faire"),
    ("skill_code", "Code savoir-faire"),
    ("skill_label", "Libellé savoir-faire"),
    ("mode_code", "Code mode exercice", REQUIRED),
    ("mode_label", "Libellé mode exercice"),
    ("siret", "Numéro SIRET site"),
    ("siren", "Numéro SIREN site"),
    ("finess", "Numéro FINESS site"),
    ("finess_legal_entity", "Numéro FINESS établissement juridique"),
    ("structure_id", "Identifiant technique de la structure", REQUIRED),
    ("name", "Raison sociale site"),
    ("sign", "Enseigne commerciale site"),
    ("recipient", "Complément destinataire (coord. structure)"),
    ("locality", "Complément point géographique (coord. structure)"),
    ("street_number", "Numéro Voie (coord. structure)"),
    ("street_repeat", "Indice répétition voie (coord. structure)"),
    ("street_type_code", "Code type de voie (coord. structure)"),
    ("street_type_label", "Libellé type de voie (coord. structure)"),
    ("street", "Libellé Voie (coord. structure)"),
    ("distribution", "Mention distribution (coord. structure)"),
    ("cedex", "Bureau cedex (coord. structure)"),
    ("postal_code", "Code postal (coord. structure)"),
    ("commune_code", "Code commune (coord. structure)"),
    ("commune_label", "Libellé commune (coord. structure)"),
    ("country_code", "Code pays (coord. structure)"),
    ("country_label", "Libellé pays (coord. structure)"),
    ("phone", "Téléphone (coord. structure)"),
    ("phone2", "Téléphone 2 (coord. structure)"),
    ("fax", "Télécopie (coord. structure)"),
    ("email", "Adresse e-mail (coord. structure)"),
    ("department_code", ("Code Département (structure)", "Code département (coord. structure)")),
    ("department_label", "Libellé Département (structure)"),
    ("national_structure_id", "Ancien identifiant de la structure"),
    ("authority", "Autorité d'enregistrement"),
    ("sector_code", "Code secteur d'activité"),
    ("sector_label", "Libellé secteur d'activité"),
    ("pharmacist_section_code", "Code section tableau pharmaciens"),
    ("pharmacist_section_label", "Libellé section tableau pharmaciens"),
    ("role_code", "Code rôle"),
    ("role_label", "Libellé rôle"),
    ("genre_code", "Code genre activité"),
    ("genre_label", "Libellé genre activité"),
)
SKILLS = _columns(
    *PERSON,
    ("profession_code", "Code profession"),
    ("category_code", "Code catégorie professionnelle"),
    ("skill_type_code", "Code type savoir-faire"),
    ("skill_type_label", "Libellé type savoir-faire"),
    ("skill_code", "Code savoir-faire", REQUIRED),
    ("skill_label", "Libellé savoir-faire"),
)
DIPLOMAS = _columns(
    *PERSON,
    ("diploma_type_code", "Code type diplôme obtenu"),
    ("diploma_type_label", "Libellé type diplôme obtenu"),
    ("diploma_code", "Code diplôme obtenu"),
    ("diploma_label", "Libellé diplôme obtenu"),
    ("authorization_type_code", "Code type autorisation"),
    ("authorization_type_label", "Libellé type autorisation"),
    ("discipline_code", "Code discipline autorisation"),
    ("discipline_label", "Libellé discipline autorisation"),
)
MAILBOXES = _columns(
    ("mailbox_type", "Type de BAL"),
    ("address", "Adresse BAL", REQUIRED),
    ("idnps", "Identification nationale PP"),
    ("structure", "Identification Structure"),
    ("service", "Service de rattachement"),
    ("digitization", "Dématérialisation"),
)


@dataclass(frozen=True)
class Part:
    """One kind of file of the extract."""

    name: str  # our name, also the suffix of its SQL tables
    pattern: re.Pattern[str]  # matched against the file name
    columns: tuple[Column, ...]


PARTS = (
    Part("activity", re.compile(r"Personne_activite", re.I), ACTIVITY),
    Part("skill", re.compile(r"SavoirFaire", re.I), SKILLS),
    Part("diploma", re.compile(r"Dipl_AutExerc", re.I), DIPLOMAS),
    Part("mailbox", re.compile(r"Correspondance_MSSante", re.I), MAILBOXES),
)
TIMESTAMP = re.compile(r"(\d{12})")


@dataclass(frozen=True)
class PartFile:
    """A file of the extract, in a folder or a zip, opened on demand."""

    part: Part
    name: str
    open: Callable[[], BinaryIO]


def _header_key(name: str) -> str:
    """Header names compare without case, accents or spacing differences: the layouts
    write "Code Département (structure)" and "Code département (coord. structure)"."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return " ".join(decomposed.encode("ascii", "ignore").decode().split())


@dataclass(frozen=True)
class Layout:
    """Where each of our fields is in a file: 1-based positions (SQL array indexes)."""

    positions: dict[str, int | None]
    field_count: int  # fields per line, the empty one after the trailing `|` included
    trailing_separator: bool


def read_layout(part: Part, file_name: str, header: str) -> Layout:
    """The layout of a file from its header line; BadFile names a missing required column."""
    names = header.rstrip("\r\n").lstrip("\ufeff").split("|")
    trailing = names[-1] == ""
    if len(names) < 3:
        raise BadFile(f"{file_name}: the first line is not a header of `|`-separated columns")
    index = {}
    for position, name in enumerate(names, start=1):
        index.setdefault(_header_key(name), position)
    positions: dict[str, int | None] = {}
    for column in part.columns:
        found = next((index[k] for k in map(_header_key, column.headers) if k in index), None)
        if found is None and column.required:
            raise BadFile(f"{file_name}: required column {column.headers[0]!r} is missing")
        positions[column.field] = found
    return Layout(positions, len(names), trailing)


def _stamp(name: str) -> str:
    found = TIMESTAMP.search(name)
    return found.group(1) if found else ""


def _newest(files: list[PartFile]) -> dict[str, PartFile]:
    """The newest file of each part, by the 12-digit timestamp in its name."""
    chosen: dict[str, PartFile] = {}
    for file in sorted(files, key=lambda f: (_stamp(f.name), f.name)):
        chosen[file.part.name] = file
    return chosen


def _part_of(name: str) -> Part | None:
    base = Path(name).name
    if base.startswith(".") or not base.lower().endswith((".txt", ".csv", ".gz")):
        return None
    return next((p for p in PARTS if p.pattern.search(base)), None)


def find_parts(path: Path) -> dict[str, PartFile]:
    """The files of the extract at `path` by part; BadFile without an activity file."""
    files: list[PartFile] = []
    if path.is_dir():
        for child in sorted(path.iterdir()):
            part = _part_of(child.name)
            if part and child.is_file():
                files.append(PartFile(part, child.name, _file_opener(child)))
    elif _is_zip(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = [i.filename for i in archive.infolist() if not i.is_dir()]
        except zipfile.BadZipFile as exc:
            raise BadFile(f"{path.name}: unreadable zip archive ({exc})") from exc
        for name in names:
            part = _part_of(name)
            if part and not name.startswith("__MACOSX/"):
                files.append(PartFile(part, Path(name).name, _member_opener(path, name)))
    else:
        part = _part_of(path.name)
        if part:
            files.append(PartFile(part, path.name, _file_opener(path)))
    chosen = _newest(files)
    if "activity" not in chosen:
        raise BadFile(
            f"{path.name}: no PS_LibreAcces_Personne_activite file (expected the PS_LibreAcces "
            "zip, a folder of its files, or the activity file itself)"
        )
    return chosen


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as probe:
        return probe.read(len(ZIP_MAGIC)) == ZIP_MAGIC


def _file_opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: open_binary(path)


def _member_opener(path: Path, member: str) -> Callable[[], BinaryIO]:
    return lambda: open_member(path, member)
