"""FINESS code systems, and labels for the codes most used, when a file gives codes only.

FINESS+ publishes codes without labels; the terminology tables (NOS TRE_R66, TRE_R72…) will
supersede these built-in labels once loaded.
"""

from __future__ import annotations

NOS = "https://mos.esante.gouv.fr/NOS"
CATEGORY_SYSTEM = f"{NOS}/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
AGGREGATE_SYSTEM = (
    f"{NOS}/TRE_R65-AgregatCategorieEtablissement/FHIR/TRE-R65-AgregatCategorieEtablissement"
)
LEGAL_STATUS_SYSTEM = f"{NOS}/TRE_R72-FinessStatutJuridique/FHIR/TRE-R72-FinessStatutJuridique"
APE_SYSTEM = f"{NOS}/TRE_R75-InseeNAFrev2Niveau5/FHIR/TRE-R75-InseeNAFrev2Niveau5"
SPH_SYSTEM = f"{NOS}/TRE_R73-ESPIC/FHIR/TRE-R73-ESPIC"
MFT_SYSTEM = f"{NOS}/TRE_R74-ModeFixationTarifaire/FHIR/TRE-R74-ModeFixationTarifaire"

CATEGORY_LABELS = {
    "101": "Centre Hospitalier Régional (C.H.R.)",
    "106": "Centre hospitalier, ex Hôpital local",
    "109": "Etablissement de santé privé autorisé en SSR",
    "114": "Hôpital des armées",
    "122": "Etablissement de Soins Obstétriques Chirurgico-Gynécologiques",
    "124": "Centre de Santé",
    "128": "Etablissement de Soins Chirurgicaux",
    "141": "Centre de dialyse",
    "129": "Etablissement de Soins Médicaux",
    "146": "Structure d'Alternative à la dialyse en centre",
    "156": "Centre Médico-Psychologique (C.M.P.)",
    "160": "Centre de Soins d'Accompagnement et de Prévention en Addictologie (C.S.A.P.A.)",
    "183": "Institut Médico-Educatif (I.M.E.)",
    "189": "Centre Médico-Psycho-Pédagogique (C.M.P.P.)",
    "190": "Centre Action Médico-Sociale Précoce (C.A.M.S.P.)",
    "209": "Service autonomie aide et soins (SAAS)",
    "223": "Protection Maternelle et Infantile (P.M.I.)",
    "241": "Etablissement de Placement",
    "246": "Etablissement et Service d'Aide par le Travail (E.S.A.T.)",
    "252": "Foyer Hébergement Adultes Handicapés",
    "255": "Maison d'Accueil Spécialisée (M.A.S.)",
    "340": "Service mandataire judiciaire à la protection des majeurs",
    "354": "Service de Soins Infirmiers A Domicile (S.S.I.A.D)",
    "355": "Centre Hospitalier (C.H.)",
    "362": "Etablissement de Soins Longue Durée",
    "365": "Etablissement de Soins Pluridisciplinaire",
    "437": "Foyer d'Accueil Médicalisé pour Adultes Handicapés (F.A.M.)",
    "446": "Service d'Accompagnement Médico-Social Adultes Handicapés (SAMSAH)",
    "460": "Service autonomie aide (SAA)",
    "462": "Lieux de Vie et d'Accueil",
    "500": "Etablissement d'hébergement pour personnes âgées dépendantes",
    "603": "Maison de santé (L.6223-3)",
    "620": "Pharmacie d'Officine",
    "628": "Laboratoire de Biologie Médicale",
    "696": "Groupement de coopération sanitaire de moyens",
    "699": "Entité Ayant Autorisation",
}

LEGAL_STATUS_LABELS = {
    "01": "Etat",
    "03": "Département",
    "04": "Commune",
    "13": "Etablissement Public Communal d'Hospitalisation",
    "14": "Etablissement Public Intercommunal d'Hospitalisation",
    "15": "Etablissement Public Régional d'Hospitalisation",
    "17": "Centre Communal d'Action Sociale",
    "21": "Etablissement Social et Médico-Social Communal",
    "47": "Société Anonyme (S.A.)",
    "60": "Association Loi 1901 non Reconnue d'Utilité Publique",
    "61": "Association Loi 1901 Reconnue d'Utilité Publique",
    "63": "Fondation",
    "71": "Société Civile",
    "72": "Société A Responsabilité Limitée (S.A.R.L.)",
    "73": "Société par Actions Simplifiée (S.A.S.)",
    "85": "Société d'Exercice Libéral à Responsabilité Limitée (S.E.L.A.R.L.)",
    "95": "Entreprise Individuelle",
}

SPH_LABELS = {
    "0": "Non concerné",
    "1": "Etablissement public de santé",
    "2": "Etablissement de santé privé d'intérêt collectif (ESPIC)",
    "3": "Etablissement de santé privé habilité à assurer le service public hospitalier",
}


def label(labels: dict[str, str], code: str | None, published: str | None) -> str | None:
    """The label a file published for `code`, else the built-in one, else None."""
    if published:
        return published
    return labels.get(code) if code else None
