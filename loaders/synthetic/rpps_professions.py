"""Who the synthetic professionals are: each profession's size, register and ways of working.

Sizes are persons at scale 1, close to the public extract (about 1.9 M persons, nurses and
doctors first). An activity pattern says how one activity is exercised: its mode (TRE_R23),
where (a kind of structure, see rpps_structures) and the roles (TRE_R21) it takes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    weight: float
    mode: str  # L, S, B
    # "own" cabinet, shared "group" or "society" of the profession's family, "none" (a
    # replacement without a site), or a kind of FINESS site or company (rpps_structures).
    place: str
    roles: tuple[str, ...] = ("FON-33",)
    sector: str = ""  # TRE_R02; "" takes the structure's own
    genre: str = "GENR01"
    section: str = ""  # pharmacists' section of the Ordre's register


@dataclass(frozen=True)
class Profession:
    code: str  # TRE_G15
    rpps: bool  # RPPS number (identifier type 8) or ADELI number (type 0)
    persons: int  # at scale 1
    women: float  # share of MME
    authority: str  # autorité d'enregistrement (TRE_R60)
    family: str  # whose group practices and societies it joins: med, dent, kine, inf, sf, para
    patterns: tuple[Pattern, ...]
    title: str = ""  # civilité d'exercice (TRE_R11)
    inactive: float = 0.05  # share without any activity
    students: float = 0.0  # share in catégorie E
    military: float = 0.0  # share in catégorie M
    second: str = ""  # a profession some of them also practise
    second_share: float = 0.0


P = Pattern
# Ways of working shared by several professions.
_LIBERAL = (P(60, "L", "own", ("FON-01",)), P(15, "L", "group", ("FON-01", "FON-17")))
_REPLACEMENT = P(3, "L", "none", ("FON-22",), genre="GENR02")
STUDENT_PATTERNS = (
    P(75, "L", "none", ("FON-47",), genre="GENR02"),
    P(25, "S", "hospital", ("FON-57",)),
)
MILITARY_PATTERNS = (P(1, "S", "army", ("FON-33",)),)
# fmt: off
PROFESSIONS = (
    Profession("60", True, 850_000, .86, "CNOI", "inf", (
        P(10, "L", "own", ("FON-01",)), P(6, "L", "group", ("FON-01", "FON-17")),
        P(1, "L", "society", ("FON-02",)), P(2, "L", "none", ("FON-22",), genre="GENR02"),
        P(50, "S", "hospital", ("FON-33",) * 19 + ("FON-43",)),
        P(10, "S", "clinic"), P(8, "S", "elderly"), P(4, "S", "home_care"),
        P(3, "S", "health_centre"), P(2, "S", "disabled"), P(1, "S", "dialysis"),
        P(1, "S", "school"), P(1, "S", "workplace", sector="SA13"),
        P(.3, "B", "hospital", ("FON-AU",)),
    ), military=.005, second="93", second_share=.003),
    Profession("10", True, 330_000, .50, "CNOM", "med", (
        P(20, "L", "own", ("FON-01",)), P(12, "L", "group", ("FON-01", "FON-17")),
        P(8, "L", "society", ("FON-02",)), P(33, "S", "hospital"),
        P(5, "L", "clinic", ("FON-01",)), P(4, "S", "clinic"), P(4, "S", "health_centre"),
        P(3, "L", "msp", ("FON-01",)), P(2, "S", "elderly", ("FON-63",)),
        P(2, "S", "workplace", ("FON-29",)),
        P(1, "S", "insurance", ("FON-19",), genre="GENR13"),
        P(1, "S", "pmi", ("FON-39",)), P(1, "S", "lab", ("FON-41",)),
        P(2, "L", "none", ("FON-22",), genre="GENR02"), P(.5, "B", "hospital", ("FON-AU",)),
    ), title="DR", inactive=.06, students=.05, military=.01),
    Profession("70", True, 112_000, .50, "CNOMK", "kine", (
        P(40, "L", "own", ("FON-01",)), P(22, "L", "group", ("FON-01", "FON-17")),
        P(8, "L", "society", ("FON-02",)), P(3, "L", "msp", ("FON-01",)), _REPLACEMENT,
        P(12, "S", "hospital"), P(4, "S", "clinic"), P(3, "S", "elderly"), P(3, "S", "disabled"),
    ), second="71", second_share=.03),
    Profession("21", True, 88_000, .68, "CNOP", "para", (
        P(28, "L", "officine", ("FON-03",), section="A"),
        P(32, "S", "officine", ("FON-05",), section="D"),
        P(2, "L", "none", ("FON-04",), genre="GENR02", section="D"),
        P(13, "S", "hospital", ("FON-33", "FON-33", "FON-37"), section="H"),
        P(8, "S", "lab", ("FON-41", "FON-41", "FON-40"), section="G"),
        P(8, "S", "industry", ("FON-33", "FON-09"), genre="GENR04", section="B"),
        P(4, "S", "wholesale", ("FON-33",), genre="GENR04", section="C"),
    ), title="DR", inactive=.07, students=.03, military=.005),
    Profession("40", True, 48_000, .48, "CNOCD", "dent", (
        P(45, "L", "own", ("FON-01",)), P(22, "L", "society", ("FON-02",)),
        P(13, "L", "group", ("FON-01", "FON-17")), P(12, "S", "health_centre"),
        P(4, "S", "hospital"), P(2, "L", "clinic", ("FON-01",)), _REPLACEMENT,
    ), title="DR", students=.03, military=.005),
    Profession("50", True, 33_000, .97, "CNOSF", "sf", (
        P(50, "S", "hospital"), P(10, "S", "clinic"), P(25, "L", "own", ("FON-01",)),
        P(6, "L", "group", ("FON-01",)), P(5, "S", "pmi", ("FON-39",)),
        P(2, "L", "msp", ("FON-01",)), _REPLACEMENT,
    ), students=.02),
    # ADELI professions: registered by the ARS, their cabinets identified by a SIRET.
    Profession("93", False, 90_000, .85, "ARS", "para", (
        P(35, "L", "own", ("FON-01",)), P(25, "S", "hospital"), P(12, "S", "disabled"),
        P(5, "S", "elderly"), P(3, "S", "health_centre"), P(5, "S", "school"),
        P(5, "S", "association"), P(5, "L", "group", ("FON-01",)), P(5, "S", "child"),
    ), second="72", second_share=.03),
    Profession("28", False, 48_000, .55, "ARS", "para", (
        P(65, "S", "optics"), P(30, "L", "own", ("FON-01",), sector="SA42"),
        P(5, "S", "hospital"),
    )),
    Profession("41", False, 45_000, .92, "ARS", "para", (
        P(40, "S", "hospital"), P(20, "S", "insurance"), P(10, "S", "elderly"),
        P(10, "S", "disabled"), P(10, "S", "child"), P(10, "S", "association"),
    )),
    Profession("98", False, 40_000, .72, "ARS", "para", (
        P(60, "S", "hospital"), P(35, "S", "radiology"), P(5, "S", "clinic"),
    )),
    Profession("71", False, 38_000, .50, "ARS", "para", (
        P(75, "L", "own", ("FON-01",)), P(15, "L", "group", ("FON-01",)),
        P(5, "L", "society", ("FON-02",)), _REPLACEMENT,
    )),
    Profession("31", False, 35_000, .95, "ARS", "dent", (
        P(60, "S", "society"), P(20, "S", "group"), P(20, "S", "health_centre"),
    )),
    Profession("86", False, 30_000, .80, "ARS", "para", (
        P(60, "S", "lab"), P(35, "S", "hospital"), P(5, "S", "industry", genre="GENR04"),
    )),
    Profession("91", False, 28_000, .97, "ARS", "para", (
        *_LIBERAL, P(8, "S", "hospital"), P(7, "S", "disabled"), P(5, "L", "msp", ("FON-01",)),
    )),
    Profession("80", False, 16_000, .70, "ARS", "para", (*_LIBERAL, P(5, "S", "elderly"))),
    Profession("94", False, 16_000, .87, "ARS", "para", (
        P(40, "S", "hospital"), P(25, "S", "disabled"), P(10, "S", "elderly"),
        P(15, "L", "own", ("FON-01",)), P(10, "S", "home_care"),
    )),
    Profession("96", False, 16_000, .88, "ARS", "para", (
        P(35, "S", "disabled"), P(30, "S", "hospital"), P(25, "L", "own", ("FON-01",)),
        P(10, "S", "elderly"),
    )),
    Profession("95", False, 14_000, .93, "ARS", "para", (
        P(45, "S", "hospital"), P(35, "L", "own", ("FON-01",)), P(10, "S", "clinic"),
        P(10, "S", "elderly"),
    )),
    Profession("92", False, 6_500, .90, "ARS", "med", (
        P(35, "L", "own", ("FON-01",)), P(35, "S", "society"), P(30, "S", "hospital"),
    )),
    Profession("26", False, 5_000, .45, "ARS", "para", (
        P(70, "S", "hearing"), P(30, "L", "own", ("FON-01",), sector="SA42"),
    )),
    Profession("83", False, 3_000, .30, "ARS", "para", (
        P(60, "S", "appliance"), P(40, "L", "own", ("FON-01",), sector="SA42"),
    )),
    Profession("72", False, 3_000, .70, "ARS", "para", (P(90, "L", "own", ("FON-01",)), _REPLACEMENT)),
    Profession("73", False, 1_200, .40, "ARS", "para", _LIBERAL),
    Profession("81", False, 1_000, .20, "ARS", "para", (
        P(60, "S", "appliance"), P(40, "L", "own", ("FON-01",), sector="SA42"),
    )),
    Profession("32", False, 900, .45, "ARS", "para", (P(90, "S", "hospital"), P(10, "S", "clinic"))),
    Profession("82", False, 500, .20, "ARS", "para", (
        P(60, "S", "appliance"), P(40, "L", "own", ("FON-01",), sector="SA42"),
    )),
    Profession("84", False, 150, .30, "ARS", "para", (P(1, "L", "own", ("FON-01",), sector="SA42"),)),
    Profession("85", False, 150, .50, "ARS", "para", (P(1, "L", "own", ("FON-01",), sector="SA42"),)),
)
# fmt: on
BY_CODE = {profession.code: profession for profession in PROFESSIONS}
PERSONS_AT_SCALE_1 = sum(profession.persons for profession in PROFESSIONS)
