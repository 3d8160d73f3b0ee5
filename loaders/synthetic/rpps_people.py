"""The synthetic professionals, drawn one at a time: identity, exercices, savoir-faire,
activities and diplomas.

A person has one exercice per profession (a few have two), each with its activities: about
5 % have none, about one in eight has several (two cabinets, a cabinet and a hospital).
Identifiers follow the national rules: RPPS numbers are 11 digits starting with 10 (Luhn key),
ADELI numbers 9 digits (département, profession, sequence, key); IDNPS is type + number.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from directory.organizations.territories import INSEE_DEPARTMENT
from loaders.synthetic.places import Department
from loaders.synthetic.rpps_catalogue import (
    AUTHORISATIONS,
    DENTIST_SPECIALTIES,
    DIPLOMA_TYPES,
    DOCTOR_EXTRAS,
    NURSE_SPECIALTIES,
    SPECIALTIES,
    STATE_DIPLOMAS,
    Specialty,
)
from loaders.synthetic.rpps_names import family_name, given_name, mixed_case
from loaders.synthetic.rpps_numbers import RPPS_SPACE, AdeliNumbers, rpps_number
from loaders.synthetic.rpps_places import FINESS_KINDS
from loaders.synthetic.rpps_professions import (
    BY_CODE,
    MILITARY_PATTERNS,
    PERSONS_AT_SCALE_1,
    PROFESSIONS,
    STUDENT_PATTERNS,
    Pattern,
    Profession,
)
from loaders.synthetic.rpps_structures import (
    Structure,
    Structures,
    draw_department,
    weighted,
)

FINESS_PLACES = frozenset(kind for kind, _ in FINESS_KINDS.values())
# Several activities: P(2 or more), P(3 or more), P(4) for one exercice.
SEVERAL = (0.13, 0.025, 0.007)
SAME_DEPARTMENT = 0.85  # a further activity in the département of the first
# Share of diplomas obtained abroad, which come with an authorisation to practise.
FOREIGN_DIPLOMA = {"10": 0.11, "40": 0.06, "70": 0.08, "21": 0.03}
FOREIGN_DIPLOMA_OTHERS = 0.02
MIXED_CASE = 0.12  # given names spelt "Hélène" rather than "HÉLÈNE"
ROW = tuple[str, ...]
_PROFESSION_WEIGHTS = list(accumulate(p.persons for p in PROFESSIONS))
_SPECIALTY_WEIGHTS = list(accumulate(s.weight for s in SPECIALTIES))
_EXTRA_WEIGHTS = list(accumulate(extra[3] for extra in DOCTOR_EXTRAS))
_STUDENTS = (STUDENT_PATTERNS, list(accumulate(p.weight for p in STUDENT_PATTERNS)))
_MILITARY = (MILITARY_PATTERNS, list(accumulate(p.weight for p in MILITARY_PATTERNS)))
# The ways of working of each profession's civilians, and their cumulated weights.
_CIVILIANS = {
    p.code: (p.patterns, list(accumulate(pattern.weight for pattern in p.patterns)))
    for p in PROFESSIONS
}


@dataclass(slots=True)
class Activity:
    mode: str  # TRE_R23
    structure: Structure | None
    sector: str  # TRE_R02
    role: str  # TRE_R21
    genre: str  # TRE_R22
    section: str  # pharmacists' section
    authority: str  # autorité d'enregistrement: person / exercice / activity


@dataclass(slots=True)
class Exercice:
    profession: Profession
    category: str  # TRE_R09: C, M, E
    title: str  # civilité d'exercice: DR, PR or ""
    savoir_faire: list[tuple[str, str, str]]  # (type, code, label), the main one first
    specialty: Specialty | None  # a doctor's spécialité ordinale
    diplomas: list[ROW]  # diplomas its savoir-faire come with (nurses, dentists)
    activities: list[Activity] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    id_type: str  # 8 RPPS, 0 ADELI
    identifier: str
    civility: str  # M, MME
    family: str
    given: str
    department: Department
    exercices: list[Exercice] = field(default_factory=list)
    diplomas: list[ROW] = field(default_factory=list)  # 8 columns of the diploma file
    cabinets: int = 0  # RPPS rangs used so far

    @property
    def idnps(self) -> str:
        return self.id_type + self.identifier


class People:
    """The professionals of one extract, in a fixed order for a seed and scale."""

    def __init__(self, seed: int, scale: float, structures: Structures) -> None:
        self.count = max(1, round(PERSONS_AT_SCALE_1 * scale))
        if self.count > RPPS_SPACE:
            raise ValueError(f"scale {scale} asks for more persons than RPPS numbers")
        self.rng = random.Random(f"{seed}/rpps-people")
        self.structures = structures
        self._adeli = AdeliNumbers()

    def __iter__(self) -> Iterator[Person]:
        for index in range(self.count):
            yield self._person(index)

    def _person(self, index: int) -> Person:
        rng = self.rng
        profession = weighted(rng, PROFESSIONS, _PROFESSION_WEIGHTS)
        female = rng.random() < profession.women
        given = given_name(rng, female)
        if rng.random() < MIXED_CASE:
            given = mixed_case(given)
        department = draw_department(rng)
        if profession.rpps:
            id_type, identifier = "8", rpps_number(index)
        else:
            id_type, identifier = "0", self._adeli.next(department, profession.code)
        person = Person(
            id_type, identifier, "MME" if female else "M", family_name(rng), given, department
        )
        draw = rng.random()
        if draw < profession.students:
            category = "E"
        elif draw < profession.students + profession.military:
            category = "M"
        else:
            category = "C"
        person.exercices.append(self._exercice(person, profession, category, main=True))
        if profession.second and rng.random() < profession.second_share:
            person.exercices.append(self._exercice(person, BY_CODE[profession.second], "C"))
        person.diplomas = self._diplomas(person)
        return person

    def _exercice(
        self, person: Person, profession: Profession, category: str, main: bool = False
    ) -> Exercice:
        rng = self.rng
        title = profession.title if category != "E" else ""
        if title and profession.code == "10" and rng.random() < 0.02:
            title = "PR"
        exercice = Exercice(profession, category, title, [], None, [])
        self._savoir_faire(exercice)
        if main and rng.random() < profession.inactive:
            return exercice
        if category == "C":
            patterns, cum_weights = _CIVILIANS[profession.code]
        else:
            patterns, cum_weights = _STUDENTS if category == "E" else _MILITARY
        draw = rng.random()
        wanted = 1 + sum(draw < share for share in SEVERAL)
        department = person.department
        for rank in range(wanted):
            if rank and rng.random() > SAME_DEPARTMENT:
                department = draw_department(rng)
            pattern = weighted(rng, patterns, cum_weights)
            activity = self._activity(person, exercice, pattern, department)
            # The same site twice would be one activity: keep the first.
            if activity.structure is None or all(
                a.structure is not activity.structure for a in exercice.activities
            ):
                exercice.activities.append(activity)
        return exercice

    def _activity(
        self, person: Person, exercice: Exercice, pattern: Pattern, department: Department
    ) -> Activity:
        rng = self.rng
        profession = exercice.profession
        structure = self._site(person, profession, pattern, department)
        if profession.rpps:
            third = "ARS" if structure and structure.national_id[0] == "1" else profession.authority
            authority = f"{profession.authority}/{profession.authority}/{third}"
        else:
            registrar = "CPAM" if pattern.mode == "L" else "ARS"
            authority = f"ARS/{registrar}/{registrar}"
        section = pattern.section
        if section in ("A", "D") and department.code in INSEE_DEPARTMENT:
            section = "E"  # pharmacists overseas have their own section
        roles = pattern.roles
        return Activity(
            pattern.mode,
            structure,
            pattern.sector or (structure.sector if structure else ""),
            roles[0] if len(roles) == 1 else rng.choice(roles),
            pattern.genre,
            section,
            authority,
        )

    def _site(
        self, person: Person, profession: Profession, pattern: Pattern, department: Department
    ) -> Structure | None:
        rng, place, structures = self.rng, pattern.place, self.structures
        if place == "none":
            return None
        if place in FINESS_PLACES:
            return structures.finess_site(rng, place, department)
        if place == "society":
            return structures.society(rng, profession.family, department)
        if place not in ("own", "group"):
            return structures.company(rng, place, department)
        rang = ""
        if person.id_type == "8":
            person.cabinets += 1
            rang = f"{person.identifier}{person.cabinets:03d}"
        if place == "group":
            return structures.group(rng, profession.family, department, rang)
        return structures.cabinet(
            rng,
            department,
            (person.family, person.given.upper()),
            profession.code,
            rang,
            pattern.sector or "SA07",
        )

    def _savoir_faire(self, exercice: Exercice) -> None:
        rng, code = self.rng, exercice.profession.code
        if code == "10" and exercice.category != "E":
            if rng.random() < 0.96:
                specialty = weighted(rng, SPECIALTIES, _SPECIALTY_WEIGHTS)
                exercice.specialty = specialty
                exercice.savoir_faire.append(("S", specialty.code, specialty.label))
            if rng.random() < 0.12:
                kind, extra, label, _ = weighted(rng, DOCTOR_EXTRAS, _EXTRA_WEIGHTS)
                exercice.savoir_faire.append((kind, extra, label))
        elif code in ("40", "60"):
            draw = rng.random()
            for specialty, label, share, diploma in (
                DENTIST_SPECIALTIES if code == "40" else NURSE_SPECIALTIES
            ):
                if draw < share:
                    exercice.savoir_faire.append(("S", specialty, label))
                    if diploma:
                        kind, diploma_code, diploma_label = diploma
                        exercice.diplomas.append(_diploma(kind, diploma_code, diploma_label))
                    break
                draw -= share

    def _diplomas(self, person: Person) -> list[ROW]:
        """Diplomas and authorisations to practise; students have none yet."""
        rng, rows = self.rng, []
        for exercice in person.exercices:
            if exercice.category == "E":
                continue
            code = exercice.profession.code
            specialty = exercice.specialty
            if rng.random() < FOREIGN_DIPLOMA.get(code, FOREIGN_DIPLOMA_OTHERS):
                european = rng.random() < 0.6
                kind = "DEEE" if european else "DAU"
                authorisation = "AM27" if european else rng.choice(("AM01", "AM01", "AM03"))
                discipline = (specialty and specialty.discipline) or ("", "")
                rows.append(
                    (
                        kind,
                        DIPLOMA_TYPES[kind],
                        "",  # foreign diplomas have no NOS code: the authorisation tells
                        "",
                        authorisation,
                        AUTHORISATIONS[authorisation],
                        *discipline,
                    )
                )
            else:
                if code in STATE_DIPLOMAS:
                    rows.append(_diploma("DE", *STATE_DIPLOMAS[code]))
                else:  # professions without a DE (ostéopathe, diététicien…): no NOS code
                    rows.append(_diploma("AU", "", ""))
                if specialty and specialty.des and rng.random() < 0.75:
                    rows.append(_diploma("DES", *specialty.des))
            rows.extend(exercice.diplomas)
            if code == "21" and rng.random() < 0.4:
                sections = {activity.section for activity in exercice.activities}
                if "H" in sections:
                    rows.append(_diploma("DES", "DSP06", "DES Pharmacie hospitalière"))
                elif "G" in sections:
                    rows.append(_diploma("DES", "DSP04", "DES Biologie médicale"))
        return rows


def _diploma(kind: str, code: str, label: str) -> ROW:
    return (kind, DIPLOMA_TYPES[kind], code, label, "", "", "", "")
