"""What the synthetic ROR extract is made of: regions, operational activities, care modes,
offer types, publics, and which FINESS establishments the ROR describes, and how.

Real codes and labels: regions (INSEE, TRE_R30), activity fields (TRE_R227), care modes
(TRE_R213), publics (TRE_R239), offer types (TRE_R244, as JDV_J34 lists them), location
functions 001/002 (TRE_R343), internal organisation types (TRE_R207) and the capacity code
lists (domain notes §2.2). Operational activities (TRE_R211) are plausible stand-ins, but for
the codes the domain notes quote (022, 157, 249, 356): the published list was not at hand.
Every code is written with its TRE system, as ROR instance data are.
"""

from __future__ import annotations

from dataclasses import dataclass

from directory.offers.systems import DIMENSIONS, SOURCE_TYPE

# FINESS département → INSEE region (TRE_R30 code of the source regional ROR). Saint-Pierre-
# et-Miquelon (9E) and Wallis-et-Futuna (9J) have no regional ROR: their sites are left out.
_REGIONS = {
    "84": "01 03 07 15 26 38 42 43 63 69 73 74",
    "27": "21 25 39 58 70 71 89 90",
    "53": "22 29 35 56",
    "24": "18 28 36 37 41 45",
    "94": "2A 2B",
    "44": "08 10 51 52 54 55 57 67 68 88",
    "32": "02 59 60 62 80",
    "11": "75 77 78 91 92 93 94 95",
    "28": "14 27 50 61 76",
    "75": "16 17 19 23 24 33 40 47 64 79 86 87",
    "76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "52": "44 49 53 72 85",
    "93": "04 05 06 13 83 84",
    "01": "9A",
    "02": "9B",
    "03": "9C",
    "04": "9D",
    "06": "9F",
}
REGION_OF = {dep: region for region, deps in _REGIONS.items() for dep in deps.split()}

FIELDS = {
    "01": "Médecine, Chirurgie, Obstétrique (MCO)",
    "02": "Soins Médicaux et de réadaptation (SMR)",
    "03": "Psychiatrie (PSY)",
    "04": "Médico-social (MS)",
    "05": "Ville",
    "06": "Social",
}
CARE_MODES = {
    "09": "Chirurgie ambulatoire",
    "13": "Hospitalisation courte durée (UHCD)",
    "28": "Hospitalisation complète (HC)",
    "29": "Hospitalisation de jour (HJ)",
    "30": "Hospitalisation de nuit (HN)",
    "31": "Hospitalisation à domicile (HAD)",
    "32": "Consultation (CS) ou Séance",
    "33": "Accueil des urgences",
    "34": "Hospitalisation de semaine (HS)",
    "46": "Hébergement (accueil jour et nuit)",
    "47": "Accueil de jour",
    "48": "Accueil de nuit",
    "49": "Sur les lieux de vie",
    "56": "Accueil non programmé",
}
# Care modes whose patients stay: their offers sit in a bed-hosting location with capacity.
STAYING = frozenset({"09", "13", "28", "29", "30", "34", "46", "47", "48"})
BEDS = frozenset({"13", "28", "34"})  # counted in beds; the other staying modes in places
# Offer types (TRE_R244) used, with their labels.
OFFER_TYPES = {
    "05": "Centre d'Accueil Thérapeutique à Temps Partiel (CATTP)",
    "06": "Centre de crise",
    "07": "Centre de post-cure",
    "10": "Centre Médico-Psychologique (CMP)",
    "11": "Hôpital De Jour (HDJ)",
    "12": "Hôpital De Nuit (HDN)",
    "13": "Service d'Accueil Familial Thérapeutique",
    "15": "Unité de Soins Intensifs Psychiatriques (USIP)",
    "16": "Unité d'hospitalisation (hors HDJ)",
    "18": "Unité Malade Difficile (UMD)",
    "20": "Urgences",
    "21": "Accueil ou hébergement pour personnes âgées dépendantes, sans spécificité",
    "22": "Accueil ou hébergement pour personnes âgées autonomes, sans spécificité",
    "23": "Accueil ou hébergement pour personnes âgées dépendantes, avec spécificité Unité "
    "d'Hébergement Renforcé (UHR)",
    "24": "Accueil ou hébergement pour personnes âgées dépendantes, avec spécificité Unité de "
    "vie protégée (UVP, Cantou,...)",
    "25": "Pôle d'activité de Soins Adaptés (PASA)",
    "28": "Services Soins infirmiers à domicile (SSIAD)",
    "29": "Equipe spécialisée Alzheimer (ESA)",
    "30": "Service d'aide et d'Accompagnement à Domicile (SAAD)",
    "31": "Service d'Accompagnement à la Vie Sociale (SAVS)",
    "32": "Service d'accompagnement médico-social adultes handicapés (SAMSAH)",
    "38": "Plateforme d'accompagnement et de répit",
    "39": "Foyer ou établissement d'accueil médicalisé (FAM ou EAM)",
    "40": "Maison d'accueil spécialisé (MAS)",
    "41": "Etablissement d'accueil non médicalisé (EANM) dont foyer de vie et foyer d'hébergement",
    "43": "Unité d'aide par le travail (ESAT)",
    "48": "Institut médico-éducatif (IME)",
    "49": "Institut d'éducation motrice (IEM)",
    "50": "Institut thérapeutique éducatif et pédagogique (ITEP)",
    "51": "Etablissement pour enfant ou ado polyhandicapé (EEAP)",
    "52": "Institut déficient visuel",
    "53": "Institut déficient auditif",
    "57": "Service d'accompagnement, Service d'Education Spécialisée de Soins à Domicile (SESSAD)",
    "61": "Centre d'action médico-sociale précoce (CAMSP)",
    "62": "Centre médico-psycho-pédagogique (CMPP)",
    "69": "Consultation externe en établissement de santé",
    "75": "Services Soins infirmiers à domicile renforcé (SSIAD renforcé)",
    "89": "Centre de santé sexuelle",
    "92": "Unité de soins non-programmés",
    "96": "Etablissement d'accueil non médicalisé (EANM) - foyer d'hébergement (classique ou "
    "en milieu ouvert)",
    "97": "Etablissement d'accueil non médicalisé (EANM) - foyer de vie",
    "99": "Maison de santé pluriprofessionnelle (MSP)",
    "100": "Soins Médicaux et de Réadaptation (SMR) polyvalent",
    "101": "Soins Médicaux et de Réadaptation (SMR) gériatrie",
    "102": "Soins Médicaux et de Réadaptation (SMR) locomoteur",
    "103": "Soins Médicaux et de Réadaptation (SMR) système nerveux",
    "104": "Soins Médicaux et de Réadaptation (SMR) cardio-vasculaire",
    "105": "Soins Médicaux et de Réadaptation (SMR) pneumologie",
    "106": "Soins Médicaux et de Réadaptation (SMR) système digestif, endocrinologie, "
    "diabétologie, nutrition",
    "107": "Soins Médicaux et de Réadaptation (SMR) brûlés",
    "108": "Soins Médicaux et de Réadaptation (SMR) conduites addictives",
    "109": "Soins Médicaux et de Réadaptation (SMR) pédiatriques (enfants et adolescents)",
    "111": "Soins Médicaux et de Réadaptation (SMR) oncologie",
    "157": "Unité hospitalière de gynécologie",
}
# Offer type of a hospital offer by care mode, when its activity names none.
HOSPITAL_TYPES = {
    "09": "11", "13": "20", "28": "16", "29": "11", "30": "12", "32": "69", "33": "20", "34": "16",
}  # fmt: skip
PUBLICS = {
    "01": "Personnes âgées en perte d'autonomie (PA) et aidants",
    "02": "Personnes en situation de handicap (PH) et aidants",
    "03": "Personnes âgées autonomes",
    "04": "Personnes présentant une conduite addictive",
    "05": "Personnes handicapées vieillissantes",
    "06": "Personnes en situation de précarité",
    "07": "Tout public",
    "09": "Personnes atteintes de pathologies chroniques ou présentant une affection de longue "
    "durée (ALD)",
}
LOCATION_FUNCTIONS = {"001": "Hébergement", "002": "Consultation"}
# Age bands of the patients an activity takes (years; 150 is the ROR's "no limit").
AGES = {
    "": (0, 150),
    "A": (18, 150),
    "P": (0, 18),
    "N": (0, 1),
    "G": (60, 150),
    "F": (15, 55),
}


@dataclass(frozen=True)
class Activity:
    """An operational activity (TRE_R211) and how its offers are provided."""

    code: str
    label: str
    field: str  # TRE_R227
    ages: tuple[int, int]
    modes: tuple[str, ...]  # TRE_R213 care modes its offers use, the usual one first
    offer_type: str  # TRE_R244, "" for the hospital default of the care mode
    publics: tuple[str, ...]  # TRE_R239 codes of the patients it takes, () when unsaid
    sensitive: bool  # uniteSensible: its locations are hidden from most profiles


# Default care modes of each field (the first is the most common).
_MODES = {"01": "28 32 29 34", "02": "28 29", "03": "28 29 32 30", "04": "46", "05": "32 56"}
# code|label|ages|care modes|offer type|publics, by field; common activities first.
_ACTIVITIES = {
    "01": """
001|Médecine polyvalente|A
002|Cardiologie|A
003|Pneumologie|A
004|Gastro-entérologie et hépatologie|A
005|Neurologie|A
013|Médecine interne|A
014|Gériatrie aiguë|G
015|Pédiatrie générale|P
020|Chirurgie générale|A
023|Chirurgie orthopédique et traumatologique|
021|Chirurgie viscérale et digestive|A
157|Médecine d'urgence||33|20|07
019|Obstétrique|F|28 32
082|Maternité|F|28
022|Chirurgie gynécologique|A|28 29 32|157
011|Oncologie médicale|A|28 29 32||09
053|Chimiothérapie|A|29||09
006|Néphrologie|A
007|Endocrinologie, diabétologie, nutrition|A|||09
024|Chirurgie urologique|A
062|Ophtalmologie||32 09
063|Oto-rhino-laryngologie||32 09
008|Rhumatologie|A
009|Dermatologie||32 29
010|Hématologie clinique|A
012|Maladies infectieuses et tropicales|A
366|Unité de chirurgie ambulatoire||09
037|Réanimation adulte|A|28
041|Surveillance continue adulte|A|28
040|Soins intensifs de cardiologie (USIC)|A|28
356|Soins intensifs neuro-vasculaires (USINV)|A|28
357|Unité neuro-vasculaire (UNV)|A|28
043|Soins palliatifs|A|28
044|Lits identifiés de soins palliatifs|A|28
376|Court séjour gériatrique|G|28
159|Unité d'hospitalisation de courte durée (UHCD)||13|20
249|Urgences pédiatriques|P|33|20
016|Néonatologie|N|28
018|Soins intensifs de néonatologie|N|28
017|Réanimation néonatale|N|28
038|Réanimation pédiatrique|P|28
042|Surveillance continue pédiatrique|P|28
033|Chirurgie pédiatrique|P|28 09 32
025|Chirurgie vasculaire|A
026|Chirurgie thoracique|A
027|Chirurgie cardiaque|A
028|Neurochirurgie|
029|Chirurgie ORL et cervico-faciale||28 09 32
030|Chirurgie ophtalmologique||09 28
031|Chirurgie maxillo-faciale et stomatologie||28 09 32
032|Chirurgie plastique, reconstructrice et esthétique|A|28 09 32
034|Chirurgie bariatrique|A
036|Anesthésie||32
039|Soins intensifs polyvalents|A|28
045|Hépato-gastro-entérologie interventionnelle|A|29 28
046|Cardiologie interventionnelle|A|29 28
047|Rythmologie interventionnelle|A|29 28
048|Neuroradiologie interventionnelle||28
049|Radiologie interventionnelle||29
050|Imagerie en coupe (scanner, IRM)||32
051|Médecine nucléaire||32
052|Radiothérapie||32 29
054|Hémodialyse en centre|A|29||09
055|Dialyse péritonéale|A|32 31||09
364|Traitement de l'insuffisance rénale chronique|A|29 32||09
056|Allergologie||32 29
057|Addictologie hospitalière|A|||04
058|Algologie (douleur chronique)|A|32 29|
059|Génétique médicale||32
060|Médecine du sport||32
061|Médecine vasculaire|A|32 29
064|Stomatologie||32
065|Odontologie||32
066|Urologie|A|32
067|Gynécologie médicale|F|32|157
068|Orthogénie (IVG)|F|29 32|157
069|Assistance médicale à la procréation|F|32 29|157
070|Diagnostic prénatal|F|32
071|Endoscopies digestives|A|29
072|Explorations fonctionnelles cardiologiques||32
073|Explorations fonctionnelles respiratoires||32
074|Explorations du sommeil||28 32
075|Pédiatrie spécialisée|P|32 29
076|Oncopédiatrie|P|28 29
077|Hématologie pédiatrique|P
078|Neuropédiatrie|P|32 28
079|Cardiopédiatrie|P|32
080|Endocrinologie pédiatrique|P|32
081|Consultations de gynécologie-obstétrique|F|32|157
083|Unité kangourou|N|28
084|Centre de référence maladies rares||32
085|Prise en charge du VIH|A|32 29
086|Centre de lutte antituberculeuse||32
087|Centre gratuit d'information, de dépistage et de diagnostic (CeGIDD)||32|89
088|Permanence d'accès aux soins de santé (PASS)||32||06
089|Unité médico-judiciaire||32
158|Structure mobile d'urgence et de réanimation (SMUR)||33|20
250|Urgences gynéco-obstétricales|F|33|20
251|Urgences ophtalmologiques||33|20
252|Urgences de la main||33|20
253|Centre antipoison||33
358|Hospitalisation à domicile polyvalente||31
359|Hospitalisation à domicile périnatale|F|31
360|Soins intensifs de pneumologie|A|28
361|Soins intensifs de néphrologie|A|28
362|Soins intensifs d'hématologie|A|28
363|Unité de grands brûlés||28
365|Soins de support en cancérologie|A|32 29||09
367|Chirurgie des cancers digestifs|A
368|Chirurgie des cancers du sein|A
369|Chirurgie des cancers gynécologiques|A|28|157
370|Chirurgie des cancers ORL|A
371|Chirurgie des cancers thoraciques|A
372|Chirurgie des cancers urologiques|A
373|Équipe mobile de gériatrie|G|32
374|Équipe mobile de soins palliatifs||32
375|Unité de soins aigus Alzheimer|G|28
377|Transplantation d'organes|A|28
378|Greffe de cellules hématopoïétiques||28
379|Soins non programmés hospitaliers||56|92|07
""",
    "02": """
500|SMR polyvalent|A|28 29|100
501|SMR gériatrique|G|28 29|101
502|SMR locomoteur||28 29|102
503|SMR système nerveux||28 29|103
504|SMR cardio-vasculaire|A|28 29|104
505|SMR pneumologie|A|28 29|105
506|SMR système digestif, endocrinologie, diabétologie, nutrition|A|28 29|106
508|SMR conduites addictives|A|28 29|108|04
509|SMR pédiatrique|P|28 29|109
510|SMR oncologie|A|28 29|111
507|SMR brûlés||28|107
512|Éveil de coma||28|103
513|Unité cognitivo-comportementale|G|28|101
514|SMR obésité|A|28 29|106
515|Réadaptation post-réanimation|A|28|100
""",
    "03": """
400|Psychiatrie générale adulte|A
401|Psychiatrie de l'enfant et de l'adolescent|P
412|Centre médico-psychologique adulte|A|32|10
413|Centre médico-psychologique infanto-juvénile|P|32|10
414|Accueil thérapeutique à temps partiel|A|29|05
402|Psychiatrie du sujet âgé|G
410|Psychiatrie de liaison||32
404|Addictologie psychiatrique|A|||04
411|Urgences psychiatriques||33|20
409|Réhabilitation psychosociale|A|29 32
405|Troubles du comportement alimentaire||28 29
403|Psychiatrie périnatale|F|32 29
406|Psychotraumatologie||32
407|Soins intensifs psychiatriques|A|28|15
408|Unité pour malades difficiles|A|28|18
416|Troubles du spectre autistique||32 29
415|Accueil familial thérapeutique||28|13
417|Psychiatrie en milieu pénitentiaire|A|28 32
418|Post-cure psychiatrique|A|28|07
419|Centre de crise|A|28|06
""",
    "04": """
520|Soins de longue durée|G|28|16|01
521|Unité d'hébergement renforcée sanitaire|G|28|16|01
600|Hébergement permanent de personnes âgées dépendantes|G|46|21|01
601|Hébergement temporaire de personnes âgées|G|46|21|01
602|Accueil de jour de personnes âgées|G|47|21|01
603|Unité de vie protégée|G|46|24|01
604|Pôle d'activités et de soins adaptés|G|47|25|01
605|Unité d'hébergement renforcé|G|46|23|01
606|Hébergement de personnes âgées autonomes|G|46|22|03
607|Accueil de nuit de personnes âgées|G|48|21|01
608|Plateforme d'accompagnement et de répit|G|47|38|01
609|Accueil de personnes handicapées vieillissantes|G|46|21|05
700|Soins infirmiers à domicile|G|49|28|01
701|Équipe spécialisée Alzheimer|G|49|29|01
703|Soins infirmiers à domicile renforcés|G|49|75|01
702|Aide et accompagnement à domicile||49|30|01 02
650|Déficience intellectuelle (enfants)|P|46 47|48|02
651|Troubles du spectre de l'autisme (enfants)|P|47 46|48|02
652|Polyhandicap (enfants)|P|46 47|51|02
653|Déficience motrice (enfants)|P|47 46|49|02
654|Troubles du comportement (enfants)|P|47 46|50|02
655|Déficience auditive (enfants)|P|47|53|02
656|Déficience visuelle (enfants)|P|47|52|02
659|Éducation spécialisée et soins à domicile|P|49|57|02
657|Action médico-sociale précoce|P|32|61|02
658|Accompagnement psycho-pédagogique|P|32|62|02
680|Hébergement d'adultes polyhandicapés|A|46|40|02
681|Hébergement médicalisé d'adultes handicapés|A|46|39|02
689|Accueil de jour d'adultes handicapés|A|47|41|02
690|Hébergement temporaire d'adultes handicapés|A|46|39|02
682|Foyer de vie|A|46|97|02
683|Foyer d'hébergement de travailleurs handicapés|A|46|96|02
684|Travail protégé|A|47|43|02
685|Handicap psychique (adultes)|A|46 47|41|02
686|Lésions cérébrales acquises|A|46|39|02
687|Accompagnement à la vie sociale|A|49|31|02
688|Accompagnement médico-social d'adultes handicapés|A|49|32|02
""",
    "05": """
750|Médecine générale||32 56|99|07
751|Soins non programmés de ville||56|92|07
752|Soins infirmiers||32 49|99|07
753|Masso-kinésithérapie||32|99|07
754|Soins dentaires||32|99|07
755|Suivi de grossesse|F|32|99
756|Santé sexuelle||32|89|07
757|Téléconsultation||32|99|07
758|Protection maternelle et infantile|P|32
""",
    "06": """
770|Accueil d'urgence de mineurs|P|46||06
771|Hébergement au titre de la protection de l'enfance|P|46
""",
}
SENSITIVE = frozenset({"407", "408", "417"})  # USIP, UMD, prisons: uniteSensible


def _activities() -> dict[str, Activity]:
    activities = {}
    for field, block in _ACTIVITIES.items():
        for line in block.strip().splitlines():
            code, label, ages, modes, offer_type, publics = (line.split("|") + [""] * 4)[:6]
            activities[code] = Activity(
                code,
                label,
                field,
                AGES[ages],
                tuple((modes or _MODES[field]).split()),
                offer_type,
                tuple(publics.split()),
                code in SENSITIVE,
            )
    return activities


ACTIVITIES = _activities()


def _codes(spec: str) -> tuple[str, ...]:
    """Activity codes of a pool: "600-609 700" → 600 … 609, 700 (codes that exist)."""
    codes: list[str] = []
    for part in spec.split():
        first, _, last = part.partition("-")
        span = range(int(first), int(last or first) + 1)
        codes.extend(f"{n:03d}" for n in span if f"{n:03d}" in ACTIVITIES)
    return tuple(codes)


def _field(field: str) -> tuple[str, ...]:
    return tuple(code for code, activity in ACTIVITIES.items() if activity.field == field)


# Pools of activities an establishment draws its offers from, the common ones first (draws
# favour the first ones).
POOLS = {
    "MCO": _field("01"),
    "PSY": _field("03"),
    "SMR": _field("02"),
    "SLD": _codes("520 521"),
    "EHPAD": _codes("600-605 607-609"),
    "AUTONOMY": _codes("606 601 602"),
    "OBSTETRICS": _codes("019 082 022 067 068 069 070 081 016 018 083 250 369"),
    "SURGERY": _codes("020-034 366 036 367-372 050 071"),
    "CMP": _codes("412 413 414 410"),
    "DIALYSIS": _codes("054 055 364 006"),
    "CHILDREN_DISABLED": _codes("650-656 659"),
    "CMPP": _codes("657 658"),
    "MAS": _codes("680 689 690"),
    "FAM": _codes("681 685 686 689 690"),
    "ESAT": _codes("684 683 687"),
    "LIVING": _codes("682 654 685"),
    "HOME_NURSING": _codes("700 701 703"),
    "HOME_HELP": _codes("702"),
    "CHILD_PROTECTION": _codes("770 771"),
    "PRIMARY": _codes("750-757"),
    "PMI": _codes("758 755"),
}


@dataclass(frozen=True)
class Profile:
    """How the ROR describes the open establishments of one FINESS category."""

    share: float  # of them in the ROR extract
    offers: tuple[int, int]  # offers of one establishment, drawn uniformly
    pools: tuple[tuple[str, float], ...]  # activity pools and their weights
    hospital: bool  # pôles and services (OI) above the offers, several locations per service


def _p(share: float, offers: tuple[int, int], pools: str, hospital: bool = False) -> Profile:
    weighted = tuple(
        (name, float(weight)) for name, weight in (p.split(":") for p in pools.split())
    )
    return Profile(share, offers, weighted, hospital)


# FINESS category (TRE_R66) → profile; the categories not listed are not in the ROR.
PROFILES = {
    "101": _p(1.0, (185, 390), "MCO:84 PSY:5 SMR:6 SLD:2 EHPAD:3", True),
    "355": _p(1.0, (55, 165), "MCO:76 PSY:8 SMR:9 SLD:3 EHPAD:4", True),
    "106": _p(1.0, (8, 30), "MCO:35 SMR:35 SLD:15 EHPAD:15", True),
    "292": _p(1.0, (30, 90), "PSY:1", True),
    "362": _p(1.0, (4, 12), "SLD:7 EHPAD:3", True),
    "365": _p(1.0, (33, 85), "MCO:85 SMR:15", True),
    "128": _p(1.0, (20, 50), "SURGERY:85 MCO:15", True),
    "129": _p(1.0, (15, 45), "MCO:5 SMR:5", True),
    "122": _p(1.0, (12, 38), "OBSTETRICS:85 SURGERY:15", True),
    "156": _p(0.5, (2, 6), "CMP:1"),
    "141": _p(1.0, (2, 4), "DIALYSIS:1"),
    "146": _p(1.0, (1, 3), "DIALYSIS:1"),
    "696": _p(0.2, (2, 8), "MCO:7 SMR:3"),
    "500": _p(0.35, (3, 6), "EHPAD:1"),
    "202": _p(0.1, (1, 3), "AUTONOMY:1"),
    "183": _p(0.25, (3, 6), "CHILDREN_DISABLED:1"),
    "189": _p(0.1, (2, 3), "CMPP:1"),
    "255": _p(0.25, (2, 4), "MAS:1"),
    "437": _p(0.25, (2, 5), "FAM:1"),
    "246": _p(0.1, (1, 3), "ESAT:1"),
    "354": _p(0.15, (1, 3), "HOME_NURSING:1"),
    "209": _p(0.3, (2, 4), "HOME_NURSING:1 HOME_HELP:1"),
    "460": _p(0.02, (1, 2), "HOME_HELP:1"),
    "462": _p(0.05, (1, 2), "LIVING:1"),
    "241": _p(0.05, (1, 3), "CHILD_PROTECTION:1"),
    "124": _p(0.1, (2, 6), "PRIMARY:1"),
    "603": _p(0.2, (2, 6), "PRIMARY:1"),
    "223": _p(0.05, (1, 3), "PMI:1"),
}
# ROR-only establishments (unknown to FINESS, idNatSt 3 + SIRET): primary care sites.
ROR_ONLY = _p(1.0, (2, 5), "PRIMARY:1")
ROR_ONLY_NAMES = (
    ("CABINET MÉDICAL {city}", "CABINET MÉDICAL DE {city}"),
    ("CENTRE DE SOINS NON PROGRAMMÉS {city}", "CENTRE DE SOINS NON PROGRAMMÉS DE {city}"),
    ("CABINET DE GROUPE {place}", "CABINET DE GROUPE {place}"),
)

# Labels of the capacity codes (domain notes §2.2), keyed as capacity_extension wants them.
_CAPACITY_LABELS = {
    "capacity_type": {"01": "Lit", "02": "Place"},
    "status": {
        "01": "Installé",
        "02": "Disponible",
        "03": "Occupé",
        "04": "Réservé",
        "05": "Fermé",
        "06": "Supplémentaire",
    },
    "temporality": {
        "01": "Courant",
        "02": "Prévisionnel 1 heure",
        "03": "Prévisionnel 24 heures",
        "04": "Prévisionnel 48 heures",
        "05": "Prévisionnel 7 jours",
    },
    "gender": {"01": "Femme", "02": "Homme", "03": "Indifférencié", "04": "Indéterminé"},
    "closing_type": {"01": "Réactivable", "02": "Non réactivable", "03": "Indéterminé"},
    "additional_bed_type": {
        "01": "Mobilisé",
        "02": "Mobilisable sans ressources humaines",
        "03": "Mobilisable avec ressources humaines",
    },
    "crisis_type": {"01": "PMIE 1", "02": "Situation sanitaire Exceptionnelle (SSE) (Plan blanc)"},
    "temporary_assignment": {"01": "Aucune", "02": "Covid+", "03": "Covid-"},
    "source_type": {
        "01": "Saisie manuelle",
        "02": "Bed management",
        "03": "Gestion administrative du malade (GAM)",
        "04": "Dossier patient informatisé (DPI)",
    },
}
CAPACITY_DISPLAYS = {
    (dimension.system, code): label
    for dimension in (*DIMENSIONS, SOURCE_TYPE)
    for code, label in _CAPACITY_LABELS[dimension.column].items()
}
