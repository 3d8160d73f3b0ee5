"""What the synthetic register contains: establishment categories, kinds of legal entities,
activity types, with the real FINESS codes.

Category labels follow NOS TRE_R66 (v20260505120000), agrégats ASS_X10; where the agrégat
label was not at hand it is a plausible wording (labels drift anyway, §6 of finess.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ActivityType:
    nature: str  # AMF, ASR, AASA, ASDR, ASMR
    codes: tuple[str, ...]  # the nature's own codes (activité, modalité/mode, forme/public)
    smsse: str  # TRE-r392 type d'activité SMSSE
    capacity: tuple[int, int] | None = None  # beds or places, when counted


# Code combinations seen in ANS's activities sample (exemple-finess-activites-journalier).
HOSPITAL = (
    ActivityType("AMF", ("18", "69", "15"), "272"),
    ActivityType("AMF", ("18", "67", "15"), "268"),
    ActivityType("AMF", ("18", "90", "00"), "276"),
    ActivityType("AMF", ("18", "91", "00"), "277"),
    ActivityType("AMF", ("11", "83", "00"), "216"),
    ActivityType("AMF", ("01", "00", "01"), "178"),
    ActivityType("ASR", ("R4", "N2", "01"), "101", (2, 10)),
    ActivityType("ASR", ("R5", "N6", "01"), "126", (2, 12)),
    ActivityType("ASR", ("R7", "N7", "01"), "134", (2, 10)),
    ActivityType("AASA", ("A0", "00", "15"), "424"),
    ActivityType("ASDR", ("824", "09", "990"), "1301"),
)
DIALYSIS = (
    ActivityType("ASDR", ("105", "03", "990"), "736"),
    ActivityType("ASDR", ("302", "19", "990"), "1079", (3, 12)),
)
PSYCHIATRY = (
    ActivityType("ASDR", ("181", "23", "990"), "934"),
    ActivityType("ASDR", ("165", "03", "990"), "888"),
    ActivityType("ASDR", ("309", "04", "990"), "1088"),
)
MEDICO_SOCIAL = (
    ActivityType("ASMR", ("924", "11", "711"), "3120", (20, 120)),
    ActivityType("ASMR", ("924", "11", "436"), "3114", (5, 30)),
    ActivityType("ASMR", ("961", "21", "436"), "3343", (0, 15)),
)
HOME_CARE = (
    ActivityType("ASDR", ("471", "03", "990"), "1143"),
    ActivityType("ASMR", ("961", "21", "436"), "3343", (10, 60)),
)

# TRE_R74 mode de fixation des tarifs.
TARIFF_LABELS = {
    "01": "Etablissement Tarif Libre",
    "03": "ARS établissements Publics de santé dotation globale",
    "07": "ARS établissements de santé non financés dotation globale",
    "08": "Président du Conseil Départemental",
    "40": "ARS/PCD, Tarif global, habilité aide sociale, recours PUI",
    "57": "DGS ARS & hébergement PCD - sous CPOM",
    "99": "Indéterminé",
}


@dataclass(frozen=True)
class Category:
    code: str  # TRE_R66
    label: str
    aggregate: str  # TRE_R65 agrégat (niveau 3)
    aggregate_label: str
    ape: str  # NAF of the establishment, "" when the register has none
    tariffs: tuple[str, ...]  # TRE_R74 codes drawn from
    health: bool  # a health establishment: takes part (or not) in public hospital service
    names: tuple[tuple[str, str], ...]  # (short, long) name templates, see names.fill
    activities: tuple[ActivityType, ...] = ()
    per_site: tuple[int, ...] = (0,)  # activity counts drawn for one establishment
    closed_on: date | None = None  # the category was closed: its establishments all are


_ELDERLY = "Etablissements d'Hébergement pour Personnes Âgées"
_SHORT_STAY = "Etablissements de Soins de Courte Durée"
_MULTI = "Etablissements et services multi-clientèles"
_ADULTS = "Etablissements et Services d'Hébergement pour Adultes Handicapés"
_HOSPITALS = "Centres Hospitaliers"
_LOCAL = "Centres Hospitaliers ex Hôpitaux Locaux"
_PSY = "Etablissements de Lutte contre les Maladies Mentales"
_C = Category
# fmt: off
CATEGORIES = {c.code: c for c in (
    _C("101", "Centre Hospitalier Régional (C.H.R.)", "1101", "Centres Hospitaliers Régionaux",
       "8610Z", ("03",), True,
       (("CHU DE {city}", "CENTRE HOSPITALIER UNIVERSITAIRE DE {city}"),
        ("CHR {city} - SITE {person}",
         "CENTRE HOSPITALIER RÉGIONAL DE {city} - HÔPITAL {person}")),
       HOSPITAL, (4, 6, 8)),
    _C("106", "Centre hospitalier, ex Hôpital local", "1106", _LOCAL, "8610Z", ("03",), True,
       (("CH DE {city}", "CENTRE HOSPITALIER DE {city}"),
        ("HÔPITAL LOCAL {city}", "HÔPITAL LOCAL DE {city}")),
       HOSPITAL, (1, 2, 3)),
    _C("355", "Centre Hospitalier (C.H.)", "1102", _HOSPITALS, "8610Z", ("03",), True,
       (("CH DE {city}", "CENTRE HOSPITALIER DE {city}"),
        ("CH {person}", "CENTRE HOSPITALIER {person}"),
        ("HÔPITAL DE {city}", "CENTRE HOSPITALIER INTERCOMMUNAL DE {city}")),
       HOSPITAL, (3, 4, 5, 6)),
    _C("292", "Centre Hospitalier Spécialisé lutte Maladies Mentales", "1103",
       "Centres Hospitaliers Spécialisés Lutte Maladies Mentales", "8610Z", ("03",), True,
       (("CHS {person}", "CENTRE HOSPITALIER SPÉCIALISÉ {person}"),
        ("EPSM DE {city}", "ÉTABLISSEMENT PUBLIC DE SANTÉ MENTALE DE {city}")),
       PSYCHIATRY, (2, 3)),
    _C("362", "Etablissement de Soins Longue Durée", "1109",
       "Etablissements de Soins de Longue Durée", "8610Z", ("03",), True,
       (("USLD {residence}", "UNITÉ DE SOINS DE LONGUE DURÉE {residence}"),),
       MEDICO_SOCIAL[:1], (1,)),
    _C("365", "Etablissement de Soins Pluridisciplinaire", "1110", _SHORT_STAY, "8610Z", ("07",),
       True,
       (("POLYCLINIQUE {place}", "POLYCLINIQUE {place} DE {city}"),
        ("CLINIQUE {saint}", "CLINIQUE {saint}"),
        ("HÔPITAL PRIVÉ DE {city}", "HÔPITAL PRIVÉ DE {city}")),
       HOSPITAL, (2, 3, 4, 5)),
    _C("128", "Etablissement de Soins Chirurgicaux", "1110", _SHORT_STAY, "8610Z", ("07",), True,
       (("CLINIQUE {person}", "CLINIQUE CHIRURGICALE {person}"),
        ("CLINIQUE DU PARC", "CLINIQUE CHIRURGICALE DU PARC - {city}")),
       HOSPITAL, (1, 2, 3)),
    _C("129", "Etablissement de Soins Médicaux", "1110", _SHORT_STAY, "8610Z", ("07",), True,
       (("CLINIQUE {residence}", "CLINIQUE MÉDICALE {residence}"),),
       HOSPITAL, (1, 2)),
    _C("122", "Etablissement Soins Obstétriques Chirurgico-Gynécologiques", "1110", _SHORT_STAY,
       "8610Z", ("07",), True,
       (("MATERNITÉ {saint}", "CLINIQUE D'OBSTÉTRIQUE {saint}"),),
       HOSPITAL, (1, 2)),
    _C("156", "Centre Médico-Psychologique (C.M.P.)", "1111", _PSY, "8610Z", ("03",), True,
       (("CMP {city}", "CENTRE MÉDICO-PSYCHOLOGIQUE DE {city}"),
        ("CMP ENFANTS {city}", "CMP INFANTO-JUVÉNILE DE {city}")),
       PSYCHIATRY, (1, 2, 2)),
    _C("141", "Centre de dialyse", "1203", "Dialyse Ambulatoire", "8610Z", ("07",), True,
       (("CENTRE DE DIALYSE {city}", "CENTRE D'HÉMODIALYSE DE {city}"),),
       DIALYSIS, (1, 2)),
    _C("146", "Structure d'Alternative à la dialyse en centre", "1203", "Dialyse Ambulatoire",
       "8610Z", ("07",), True,
       (("UAD {city}", "UNITÉ D'AUTODIALYSE DE {city}"),),
       DIALYSIS, (1, 2)),
    _C("696", "Groupement de coopération sanitaire de moyens", "1205",
       "Autres Etablissements Relevant de la Loi Hospitalière", "8610Z", ("99",), True,
       (("GCS {city}", "GROUPEMENT DE COOPÉRATION SANITAIRE DE {city}"),
        ("GCS {residence}", "GCS DE MOYENS {residence}"))),
    _C("124", "Centre de Santé", "2206", "Autres Etablissements de Soins et de Prévention",
       "8621Z",
       ("01", "99"), False,
       (("CENTRE DE SANTÉ {person}", "CENTRE DE SANTÉ {person}"),
        ("CDS MUNICIPAL {city}", "CENTRE DE SANTÉ MUNICIPAL DE {city}"),
        ("CENTRE DENTAIRE {place}", "CENTRE DE SANTÉ DENTAIRE {place}")),
       HOME_CARE[:1], (0, 1, 1)),
    _C("603", "Maison de santé (L.6223-3)", "2103", "Etablissements de Soins Ambulatoires",
       "8621Z",
       ("01", "99"), False,
       (("MSP {city}", "MAISON DE SANTÉ PLURIPROFESSIONNELLE DE {city}"),
        ("MSP {residence}", "MAISON DE SANTÉ {residence}")),
       HOME_CARE[:1], (0, 1)),
    _C("223", "Protection Maternelle et Infantile (P.M.I.)", "2202",
       "Etablissements de PMI et de Planification Familiale", "", ("01",), False,
       (("PMI {city}", "CENTRE DE PROTECTION MATERNELLE ET INFANTILE DE {city}"),
        ("CPEF {city}", "CENTRE DE PLANIFICATION ET D'ÉDUCATION FAMILIALE DE {city}"))),
    _C("620", "Pharmacie d'Officine", "3201", "Commerce de Biens à Usage Médicaux", "4773Z",
       ("01",), False,
       (("PHARMACIE {place}", "PHARMACIE {place}"),
        ("PHARMACIE {surname}", "PHARMACIE {surname} {firstname}"),
        ("GRANDE PHARMACIE DE {city}", "GRANDE PHARMACIE DE {city}"),
        ("PHARMACIE {residence}", "PHARMACIE {residence}"))),
    _C("500", "Etablissement d'hébergement pour personnes âgées dépendantes", "4401", _ELDERLY,
       "8710A", ("40", "57", "08"), False,
       (("EHPAD {residence}", "EHPAD {residence}"),
        ("EHPAD {saint}", "MAISON DE RETRAITE {saint}"),
        ("E.H.P.A.D. {person}", "E.H.P.A.D. RÉSIDENCE {person}")),
       MEDICO_SOCIAL, (2, 3, 3, 4)),
    _C("202", "Résidences autonomie", "4401", _ELDERLY, "8730A", ("08",), False,
       (("RÉSIDENCE AUTONOMIE {residence}", "RÉSIDENCE AUTONOMIE {residence}"),),
       MEDICO_SOCIAL[1:], (1, 2, 2)),
    _C("183", "Institut Médico-Educatif (I.M.E.)", "4101",
       "Etablissements d'Education Spéciale pour Déficients Mentaux", "8710B", ("57", "99"),
       False,
       (("IME {residence}", "INSTITUT MÉDICO-ÉDUCATIF {residence}"),
        ("IME {person}", "IME {person} DE {city}")),
       MEDICO_SOCIAL[1:], (2, 3, 3)),
    _C("189", "Centre Médico-Psycho-Pédagogique (C.M.P.P.)", "4106",
       "Services à Domicile ou Ambulatoires pour Handicapés", "", ("57",), False,
       (("CMPP {city}", "CENTRE MÉDICO-PSYCHO-PÉDAGOGIQUE DE {city}"),),
       MEDICO_SOCIAL[2:], (1, 2, 2)),
    _C("255", "Maison d'Accueil Spécialisée (M.A.S.)", "4301", _ADULTS, "8710B", ("57",), False,
       (("MAS {residence}", "MAISON D'ACCUEIL SPÉCIALISÉE {residence}"),),
       MEDICO_SOCIAL[1:], (2, 3, 3)),
    _C("437", "Foyer d'Accueil Médicalisé pour Adultes Handicapés (F.A.M.)", "4301", _ADULTS,
       "8710B", ("57", "08"), False,
       (("FAM {residence}", "FOYER D'ACCUEIL MÉDICALISÉ {residence}"),),
       MEDICO_SOCIAL[1:], (2, 3, 3)),
    _C("246", "Etablissement et Service d'Aide par le Travail (E.S.A.T.)", "4302",
       "Etablissements et Services de Travail Protégé", "8810C", ("57",), False,
       (("ESAT {residence}", "ÉTABLISSEMENT ET SERVICE D'AIDE PAR LE TRAVAIL {residence}"),),
       MEDICO_SOCIAL[2:], (1, 2, 2)),
    _C("354", "Service de Soins Infirmiers A Domicile (S.S.I.A.D)", "4605", _MULTI, "8690D",
       ("57", "99"), False,
       (("SSIAD {city}", "SERVICE DE SOINS INFIRMIERS À DOMICILE DE {city}"),),
       HOME_CARE, (1, 2, 3, 3)),
    _C("209", "Service autonomie aide et soins (SAAS)", "4605", _MULTI, "8810A", ("08",), False,
       (("SAAS {city}", "SERVICE AUTONOMIE AIDE ET SOINS DE {city}"),),
       HOME_CARE, (1, 2)),
    _C("460", "Service autonomie aide (SAA)", "4605", _MULTI, "8810A", ("08", "01"), False,
       (("SAAD {assoc}", "SERVICE D'AIDE À DOMICILE {assoc}"),
        ("AIDE À DOMICILE {city}", "SERVICE AUTONOMIE AIDE DE {city}")),
       HOME_CARE[1:], (1, 2, 2)),
    _C("462", "Lieux de Vie et d'Accueil", "4605", _MULTI, "8790B", ("08",), False,
       (("LIEU DE VIE \"{residence}\"", "LIEU DE VIE ET D'ACCUEIL \"{residence}\""),),
       MEDICO_SOCIAL[2:], (1, 2, 2)),
    _C("340", "Service mandataire judiciaire à la protection des majeurs", "4608",
       "Protection des majeurs", "8899B", ("99",), False,
       (("MJPM {assoc}", "SERVICE MANDATAIRE JUDICIAIRE À LA PROTECTION DES MAJEURS"),)),
    _C("241", "Etablissement de Placement", "4502",
       "Etab.et Services du Ministère de la Justice pour Mineurs", "8790A", ("99",), False,
       (("FOYER DE L'ENFANCE {city}", "FOYER DÉPARTEMENTAL DE L'ENFANCE DE {city}"),),
       MEDICO_SOCIAL[2:], (1, 2, 2)),
    _C("167", "Crèche Collective", "5101", "Etablissements d'Accueil du Jeune Enfant", "8891A",
       ("01",), False,
       (("CRÈCHE {residence}", "CRÈCHE COLLECTIVE {residence}"),
        ("CRÈCHE MUNICIPALE {city}", "CRÈCHE COLLECTIVE MUNICIPALE DE {city}")),
       closed_on=date(2014, 3, 31)),
)}
# fmt: on


@dataclass(frozen=True)
class Kind:
    """A kind of legal entity: how it is named, its statuses and what it runs."""

    key: str
    weight: float  # share of the legal entities
    statuses: tuple[str, ...]  # TRE_R72 legal statuses drawn from
    sph: str  # TRE_R73 participation of its health establishments, "" when none
    mains: tuple[str, ...]  # categories of its first (head office) establishment
    others: tuple[str, ...]  # categories of its further establishments
    sites: tuple[int, ...]  # establishment counts drawn from
    ape: str  # NAF of the legal entity
    names: tuple[tuple[str, str], ...]
    hospital: bool = False  # a public hospital: member of a GHT
    gco: tuple[str, ...] = ()  # TRE-R372 types when the entity is a cooperation group


_CH_NAMES = CATEGORIES["355"].names
# fmt: off
KINDS = (
    Kind("pharmacy", .21, ("85", "95", "72", "73"), "", ("620",), (), (1,), "4773Z",
         (("SELARL PHARMACIE {place}", "SELARL PHARMACIE {place}"),
          ("PHARMACIE {surname} {firstname}", "PHARMACIE {surname} {firstname}"),
          ("SNC PHARMACIE {residence}", "SNC PHARMACIE {residence}"))),
    Kind("hospital", .009, ("13", "14"), "1", ("355",),
         ("355", "500", "500", "362", "156", "156", "354"), (2, 3, 4, 5, 6, 8), "8610Z",
         _CH_NAMES, hospital=True),
    Kind("university_hospital", .0006, ("13",), "1", ("101",),
         ("101", "101", "156", "362", "500", "141"), (4, 6, 8, 12), "8610Z",
         (("CHU DE {city}", "CENTRE HOSPITALIER UNIVERSITAIRE DE {city}"),), hospital=True),
    Kind("mental_hospital", .001, ("13", "14"), "1", ("292",), ("156", "156", "156", "292"),
         (3, 5, 8), "8610Z",
         CATEGORIES["292"].names, hospital=True),
    Kind("local_hospital", .002, ("13",), "1", ("106",), ("500", "362", "354"), (1, 2, 3), "8610Z",
         _CH_NAMES, hospital=True),
    Kind("clinic", .025, ("73", "47", "72"), "0", ("365", "128", "129", "122"),
         ("128", "129", "365"), (1, 1, 1, 2), "8610Z",
         (("SAS CLINIQUE {saint}", "SAS CLINIQUE {saint}"),
          ("SA POLYCLINIQUE {place}", "SA POLYCLINIQUE {place}"),
          ("SARL CLINIQUE {person}", "SARL CLINIQUE {person}"))),
    Kind("dialysis", .004, ("60", "61"), "2", ("141",), ("146", "146", "141"), (1, 2, 3, 5),
         "8610Z",
         (("AURA {city}", "ASSOCIATION POUR L'UTILISATION DU REIN ARTIFICIEL DE {city}"),)),
    Kind("association", .2, ("60", "61", "63"), "2",
         ("183", "189", "255", "437", "246", "462", "354", "500"),
         ("183", "189", "255", "437", "246", "462", "354", "460", "500", "241", "156"),
         (1, 1, 2, 2, 3, 4, 5, 8), "8899B",
         (("ASSOCIATION {residence}", "ASSOCIATION {residence}"),
          ("ADAPEI DE {city}", "ASSOCIATION DE PARENTS ET AMIS DE PERSONNES HANDICAPÉES"),
          ("FONDATION {person}", "FONDATION {person}"),
          ("ŒUVRE {saint}", "ŒUVRE HOSPITALIÈRE {saint}"),
          ("ASSOCIATION {saint}", "ASSOCIATION {saint} DE {city}"))),
    Kind("private_nursing_home", .05, ("73", "72", "47"), "", ("500",), ("500", "202"),
         (1, 1, 1, 2, 4), "8710A",
         (("SAS {residence}", "SAS RÉSIDENCE {residence}"),
          ("SARL LES JARDINS DE {city}", "SARL LES JARDINS DE {city}"))),
    Kind("public_nursing_home", .045, ("21",), "", ("500",), ("202",), (1, 1, 1, 2), "8710A",
         (("EHPAD DE {city}", "EHPAD PUBLIC AUTONOME DE {city}"),
          ("MAISON DE RETRAITE {residence}", "MAISON DE RETRAITE {residence} - {city}"))),
    Kind("ccas", .05, ("17",), "", ("202", "500", "460"), ("202", "460", "354", "167"),
         (1, 1, 2, 3), "8899B",
         (("CCAS DE {city}", "CENTRE COMMUNAL D'ACTION SOCIALE DE {city}"),)),
    Kind("commune", .03, ("04",), "", ("124", "167"), ("167", "124"), (1, 1, 2), "8411Z",
         (("COMMUNE DE {city}", "COMMUNE DE {city}"),)),
    Kind("health_centre", .035, ("60", "61"), "", ("124",), ("124",), (1, 1, 2, 3), "8621Z",
         (("MUTUELLE {place}", "MUTUELLE DE SANTÉ {place} - {city}"),
          ("ASSOCIATION CDS {person}", "ASSOCIATION DU CENTRE DE SANTÉ {person}"))),
    Kind("health_home", .035, ("71",), "", ("603",), (), (1,), "8621Z",
         (("SISA MSP {city}", "SISA MAISON DE SANTÉ PLURIPROFESSIONNELLE DE {city}"),)),
    Kind("department", .0012, ("03",), "", ("223",), ("223", "223", "223", "241", "189"),
         (8, 12, 20, 30), "8411Z",
         (("DÉPARTEMENT {department}", "CONSEIL DÉPARTEMENTAL {department}"),)),
    Kind("home_care", .09, ("72", "73", "60"), "", ("460",), ("460", "354", "209"), (1, 1, 1, 2),
         "8810A",
         (("SAS {assoc}", "SAS {assoc}"),
          ("ADMR DE {city}", "ASSOCIATION ADMR DE {city}"))),
    Kind("guardianship", .01, ("60", "61"), "", ("340",), ("340",), (1, 2), "8899B",
         (("UDAF {department}",
           "UNION DÉPARTEMENTALE DES ASSOCIATIONS FAMILIALES {department}"),)),
    Kind("cooperation", .016, ("60", "14"), "0", ("696",), ("696",), (0, 1, 1), "8610Z",
         CATEGORIES["696"].names, gco=("001", "003")),
)
# fmt: on
