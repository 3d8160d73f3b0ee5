"""The kinds of places the synthetic professionals work in, and how those places are named.

The activity patterns (rpps_professions) name a kind of place; rpps_structures finds or makes
one: a FINESS site of the matching categories, a company, a group practice or a society.
"""

from __future__ import annotations

# FINESS category → (kind of site the activity patterns ask for, staff weight of one site).
# fmt: off
FINESS_KINDS = {
    "101": ("hospital", 40), "355": ("hospital", 12), "106": ("hospital", 4),
    "292": ("hospital", 8), "362": ("hospital", 2), "156": ("hospital", .3),
    "365": ("clinic", 6), "128": ("clinic", 4), "129": ("clinic", 3), "122": ("clinic", 3),
    "141": ("dialysis", 2), "146": ("dialysis", 1), "124": ("health_centre", 1),
    "603": ("msp", 1), "223": ("pmi", 1), "620": ("officine", 1), "500": ("elderly", 2),
    "202": ("elderly", .5), "183": ("disabled", 1), "189": ("disabled", 1),
    "255": ("disabled", 1), "437": ("disabled", 1), "246": ("disabled", .5),
    "354": ("home_care", 1), "209": ("home_care", 1), "460": ("home_care", .3),
    "241": ("child", 1),
}
# The TRE_R02 sector of the FINESS sites of each kind (hospitals: from their legal status).
KIND_SECTORS = {
    "clinic": "SA04", "dialysis": "SA34", "health_centre": "SA05", "msp": "SA52", "pmi": "SA15",
    "officine": "SA33", "elderly": "SA17", "disabled": "SA16", "home_care": "SA41",
    "child": "SA20",
}
# Companies outside FINESS: kind → (mean staff, variants (sector, short name, long name)).
COMPANIES = {
    "lab": (8, (("SA25", "LBM {place}", "LABORATOIRE DE BIOLOGIE MÉDICALE {place}"),
                ("SA25", "BIO {residence}", "SELAS BIOLOGIE {residence}"),
                ("SA25", "LABO {surname}", "LABORATOIRE {surname}"))),
    "industry": (15, (("SA32", "LABORATOIRES {surname}", "LABORATOIRES {surname}"),
                      ("SA32", "{surname} PHARMA", "{surname} PHARMA"))),
    "wholesale": (10, (("SA31", "RÉPARTITION {department}",
                        "RÉPARTITION PHARMACEUTIQUE {department}"),)),
    "radiology": (6, (("SA09", "IMAGERIE {place}", "SELARL IMAGERIE MÉDICALE {place}"),
                      ("SA09", "RADIOLOGIE {residence}", "CENTRE DE RADIOLOGIE {residence}"))),
    "optics": (2.5, (("SA42", "OPTIQUE {place}", "OPTIQUE {place}"),
                     ("SA42", "{surname} OPTIQUE", "{surname} OPTIQUE"),
                     ("SA42", "LES OPTICIENS {residence}", "SARL LES OPTICIENS {residence}"))),
    "hearing": (2, (("SA42", "AUDITION {surname}", "AUDITION {surname}"),
                    ("SA42", "CENTRE AUDITIF {place}", "CENTRE AUDITIF {place}"))),
    "appliance": (2, (("SA42", "ORTHOPÉDIE {surname}", "ORTHOPÉDIE {surname}"),)),
    "workplace": (6, (("SA66", "SPST {department}",
                       "SERVICE DE PRÉVENTION ET DE SANTÉ AU TRAVAIL {department}"),
                      ("SA66", "SANTÉ TRAVAIL {city}", "SANTÉ AU TRAVAIL DE {city}"))),
    "insurance": (12, (("SA24", "CPAM {department}",
                        "CAISSE PRIMAIRE D'ASSURANCE MALADIE {department}"),
                       ("SA24", "MSA {department}", "MUTUALITÉ SOCIALE AGRICOLE {department}"))),
    "school": (3, (("SA14", "LYCÉE {person}", "LYCÉE {person}"),
                   ("SA14", "COLLÈGE {person}", "COLLÈGE {person}"),
                   ("SA14", "SSU {city}", "SERVICE DE SANTÉ UNIVERSITAIRE DE {city}"))),
    "army": (15, (("SA06", "CMA {city}", "CENTRE MÉDICAL DES ARMÉES DE {city}"),
                  ("SA02", "HIA {person}", "HÔPITAL D'INSTRUCTION DES ARMÉES {person}"))),
    "association": (4, (("SA28", "ASSOCIATION {assoc}", "ASSOCIATION {assoc}"),)),
}
# Group practices (SA08) and societies (SA09) per profession family: (mean size, names).
GROUPS = {
    "med": (3, (("CABINET MÉDICAL {place}", "CABINET MÉDICAL {place}"),
                ("CENTRE MÉDICAL {residence}", "CENTRE MÉDICAL {residence}"))),
    "dent": (2.5, (("CABINET DENTAIRE {place}", "CABINET DENTAIRE {place}"),)),
    "kine": (3, (("CABINET DE KINÉ {place}", "CABINET DE KINÉSITHÉRAPIE {place}"),)),
    "inf": (3, (("CABINET INFIRMIER {place}", "CABINET INFIRMIER {place}"),
                ("SOINS INFIRMIERS {residence}", "CABINET DE SOINS INFIRMIERS {residence}"))),
    "sf": (2, (("SAGES-FEMMES {place}", "CABINET DE SAGES-FEMMES {place}"),)),
    "para": (2.5, (("CABINET PARAMÉDICAL {place}", "CABINET PARAMÉDICAL {place}"),)),
}
SOCIETIES = {
    "med": (3, (("SELARL DR {surname}", "SELARL DU DOCTEUR {surname}"),
                ("SCP {surname} {other}", "SCP {surname} ET {other}"))),
    "dent": (2.5, (("SELARL {surname} {other}", "SELARL DES DOCTEURS {surname} ET {other}"),
                   ("SCM DENTAIRE {place}", "SCM DENTAIRE {place}"))),
    "kine": (3, (("SCP {surname}-{other}", "SCP {surname}-{other} KINÉSITHÉRAPEUTES"),)),
    "inf": (3, (("SCP INFIRMIÈRES {surname}", "SCP INFIRMIÈRES {surname} {other}"),)),
    "sf": (2, (("SCP SAGES-FEMMES {place}", "SCP SAGES-FEMMES {place}"),)),
    "para": (2, (("SELARL {surname}", "SELARL {surname}"),)),
}
# What an individual cabinet shows besides its holder's name, by profession.
CABINET_TITLES = {
    "10": "CABINET MÉDICAL", "40": "CABINET DENTAIRE", "50": "CABINET DE SAGE-FEMME",
    "60": "CABINET INFIRMIER", "70": "CABINET DE KINÉSITHÉRAPIE", "91": "CABINET D'ORTHOPHONIE",
    "93": "CABINET DE PSYCHOLOGIE", "80": "CABINET DE PÉDICURIE-PODOLOGIE",
}
SIGNS = {"28": "OPTIQUE", "26": "AUDITION", "81": "ORTHOPÉDIE", "82": "PODO-ORTHÈSES",
         "83": "ORTHOPÉDIE", "84": "OCULARISTE", "85": "ÉPITHÈSES"}
# fmt: on
