"""Codes and labels the synthetic RPPS extract is written with: the NOS tables it uses.

Labels are the NOS display names (IG terminologies 1.12, TRE_G15 and TRE_R38 of
../shared/data/terminology/nos), as the public extract prints them; savoir-faire labels drop
the "(SM)" kind of suffix NOS adds to its display names.
"""

from __future__ import annotations

from dataclasses import dataclass

# TRE_G15 ProfessionSante (R95 usagers de titre 71, 72, 73, 93; R94 social 41).
PROFESSIONS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "26": "Audioprothésiste",
    "28": "Opticien-Lunetier",
    "31": "Assistant dentaire",
    "32": "Physicien médical",
    "40": "Chirurgien-Dentiste",
    "41": "Assistant de service social",
    "50": "Sage-Femme",
    "60": "Infirmier",
    "70": "Masseur-Kinésithérapeute",
    "71": "Ostéopathe",
    "72": "Psychothérapeute",
    "73": "Chiropracteur",
    "80": "Pédicure-Podologue",
    "81": "Orthoprothésiste",
    "82": "Podo-Orthésiste",
    "83": "Orthopédiste-Orthésiste",
    "84": "Oculariste",
    "85": "Epithésiste",
    "86": "Technicien de laboratoire médical",
    "91": "Orthophoniste",
    "92": "Orthoptiste",
    "93": "Psychologue",
    "94": "Ergothérapeute",
    "95": "Diététicien",
    "96": "Psychomotricien",
    "98": "Manipulateur ERM",
}
CATEGORIES = {"C": "Civil", "M": "Militaire", "E": "Etudiant"}  # TRE_R09
CIVILITIES = {"M": "Monsieur", "MME": "Madame"}  # TRE_R81
TITLES = {"DR": "Docteur", "PR": "Professeur"}  # TRE_R11 civilité d'exercice
MODES = {"L": "Libéral", "S": "Salarié", "B": "Bénévole"}  # TRE_R23
# TRE_R04 TypeSavoirFaire.
SAVOIR_FAIRE_TYPES = {
    "S": "Spécialité ordinale",
    "CEX": "Compétence exclusive",
    "C": "Compétence de médecine",
    "CAPA": "Capacité",
    "DNQ": "DESC non qualifiant",
    "OP": "Orientation particulière",
}
# TRE_R02 SecteurActivite, the sectors the synthetic activities use.
SECTORS = {
    "SA01": "Etablissement public de santé",
    "SA02": "Hôpital militaire du Service de santé des armées",
    "SA03": "Etablissement privé PSPH",
    "SA04": "Etablissement privé non PSPH",
    "SA05": "Centre de santé",
    "SA06": "Autre structure du Service de santé des armées",
    "SA07": "Cabinet individuel",
    "SA08": "Cabinet de groupe",
    "SA09": "Exercice en société",
    "SA13": "Prévention et soins en entreprise",
    "SA14": "Etablissements scolaires, universitaires et de formation hors champ FINESS",
    "SA15": "PMI et Planification familiale",
    "SA16": "Etablissement pour personnes handicapées",
    "SA17": "Etablissement pour personnes âgées",
    "SA20": "Etablissement pour la protection de l'enfance",
    "SA24": "Organisme de sécurité sociale",
    "SA25": "Laboratoire de biologie médicale",
    "SA28": "Association ou organisme humanitaire",
    "SA31": "Répartition et Distribution de médicaments et dispositifs médicaux",
    "SA32": "Fabrication, Exploitation et Importation de médicaments et dispositifs médicaux",
    "SA33": "Pharmacie d'officine",
    "SA34": "Centre de dialyse",
    "SA41": "Autre établissement du domaine social ou médico-social",
    "SA42": "Appareillage médical",
    "SA52": "Maison de santé ou Pôle de santé",
    "SA66": "Services de Prévention et de Santé au Travail (SPST)",
}
# TRE_R21 Fonction (the public extract's "rôle").
ROLES = {
    "FON-01": "Titulaire de cabinet",
    "FON-02": "Associé dans une société d'exercice (SEL ou SCP)",
    "FON-03": "Titulaire d'officine",
    "FON-04": "Remplaçant du titulaire d'officine",
    "FON-05": "Adjoint",
    "FON-09": "Responsable d'établissement",
    "FON-17": "Collaborateur",
    "FON-19": "Praticien Conseil",
    "FON-22": "Remplaçant, intérimaire, intermittent",
    "FON-29": "Médecin du travail",
    "FON-33": "Salarié en poste fixe",
    "FON-37": "Gérant de pharmacie à usage intérieur (PUI)",
    "FON-39": "Exercice en PMI",
    "FON-40": "Biologiste responsable",
    "FON-41": "Biologiste médical",
    "FON-43": "Cadre de santé",
    "FON-47": "Etudiant remplaçant, adjoint",
    "FON-57": "Docteur junior",
    "FON-63": "Coordonnateur en EHPAD",
    "FON-AU": "Fonction non définie",
}
# TRE_R22 GenreActivite.
GENRES = {
    "GENR01": "Activité de soin et de pharmacie",
    "GENR02": "Activité de soins ou de pharmacien en tant que remplaçant",
    "GENR04": "Activité non soignante",
    "GENR13": "Activité médico-administrative",
}
# Section du tableau de l'Ordre des pharmaciens (labels of TRE_G05, which details them).
SECTIONS = {
    "A": "Pharmacien titulaire d'officine",
    "B": "Pharmacien d'entreprise - industrie",
    "C": "Pharmacien d'entreprise - distribution",
    "D": "Pharmacien adjoint, remplaçant ou gérant",
    "E": "Pharmacien d'Outre-Mer",
    "G": "Pharmacien biologiste",
    "H": "Pharmacien d'établissement de santé",
}
# TRE_R35 TypeVoie, for the street types of names.STREET_TYPES.
STREET_TYPE_LABELS = {
    "R": "Rue",
    "AV": "Avenue",
    "BD": "Boulevard",
    "RTE": "Route",
    "CHE": "Chemin",
    "ALL": "Allée",
    "PL": "Place",
    "IMP": "Impasse",
}
# TRE_R14 TypeDiplome.
DIPLOMA_TYPES = {
    "DE": "Diplôme d'Etat français",
    "DES": "Diplôme d'études spécialisées",
    "DEEE": "Diplôme d'un pays de l'UE ou de l'EEE",
    "DAU": "Diplôme d'un pays hors UE et hors EEE",
    "AU": "Autre type de diplôme",
}
# TRE_R17 TypeAutorisation, for diplomas obtained abroad.
AUTHORISATIONS = {
    "AM01": "Autorisation de plein exercice",
    "AM03": "Autorisation d'exercice limité à un seul hôpital",
    "AM27": "Autorisation d'exercice UE/EEE",
}
# TRE_R48 DiplomeEtatFrancais: the DE of each profession that has one.
STATE_DIPLOMAS = {
    "10": ("DE05", "DE Docteur en médecine"),
    "21": ("DE02", "DE Docteur en pharmacie"),
    "26": ("DE07", "DE Audioprothésiste"),
    "28": ("DE08", "DE Opticien-Lunetier"),
    "40": ("DE03", "DE Docteur en chirurgie dentaire"),
    "41": ("DE28", "DE Assistant de Service Social"),
    "50": ("DE06", "DE Sage-Femme"),
    "60": ("DE09", "DE Infirmier"),
    "70": ("DE11", "DE Masseur-Kinésithérapeute"),
    "80": ("DE12", "DE Pédicure-Podologue"),
    "91": ("DE13", "DE Orthophoniste"),
    "92": ("DE14", "DE Orthoptiste"),
    "93": ("DE15", "DE Psychologue"),
    "94": ("DE16", "DE Ergothérapeute"),
    "96": ("DE17", "DE Psychomotricien"),
    "98": ("DE18", "DE Manipulateur ERM"),
}


@dataclass(frozen=True)
class Specialty:
    """A doctor's spécialité ordinale (TRE_R38), with its DES (TRE_R42) when known."""

    code: str
    label: str
    weight: float  # share of the doctors, in %
    des: tuple[str, str] | None = None
    discipline: tuple[str, str] | None = None  # TRE_R18, for authorisations to practise


# Médecine générale first: close to half of the doctors, as in the RPPS.
# fmt: off
SPECIALTIES = tuple(Specialty(*row) for row in (
    ("SM53", "Spécialiste en Médecine générale", 22, ("DSM24", "DES Médecine générale")),
    ("SM54", "Médecine générale", 14),
    ("SM26", "Qualifié en Médecine générale", 9),
    ("SM42", "Psychiatrie", 5.5, ("DSM41", "DES Psychiatrie")),
    ("SM02", "Anesthésie-réanimation", 5, ("DSM02", "DES Anesthésie-réanimation")),
    ("SM40", "Pédiatrie", 3.5, ("DSM39", "DES Pédiatrie")),
    ("SM44", "Radio-diagnostic", 3.5, ("DSM43", "DES Radio-diagnostic et Imagerie médicale")),
    ("SM04", "Cardiologie et Maladies vasculaires", 3,
     ("DSM04", "DES Cardiologie et Maladies vasculaires")),
    ("SM38", "Ophtalmologie", 2.8, ("DSM35", "DES Ophtalmologie")),
    ("SM20", "Gynécologie-obstétrique", 2.7, ("DSM19", "DES Gynécologie-obstétrique")),
    ("SM15", "Dermatologie et Vénéréologie", 1.8, ("DSM14", "DES Dermatologie et Vénéréologie")),
    ("SM24", "Gastro-entérologie et Hépatologie", 1.8,
     ("DSM16", "DES Gastro-entérologie et Hépatologie")),
    ("SM25", "Médecine du travail", 2, ("DSM23", "DES Médecine du travail")),
    ("SM59", "Médecine d'urgence", 2),
    ("SM41", "Pneumologie", 1.4, ("DSM40", "DES Pneumologie")),
    ("SM18", "Gériatrie", 1.4),
    ("SM08", "Chirurgie orthopédique et Traumatologie", 1.4,
     ("DSM08", "DES Chirurgie orthopédique et Traumatologie"),
     ("DAUT05", "Chirurgie orthopédique et Traumatologie")),
    ("SM03", "Biologie médicale", 1.3, ("DSM03", "DES Biologie médicale"),
     ("DAUT01", "Biologie médicale")),
    ("SM34", "ORL et Chirurgie cervico-faciale", 1.2, ("DSM36", "DES ORL et Chirurgie cervico-faciale")),
    ("SM14", "Chirurgie viscérale et digestive", 1.2,
     ("DSM13", "DES Chirurgie viscérale et digestive")),
    ("SM32", "Neurologie", 1.2, ("DSM30", "DES Neurologie")),
    ("SM27", "Médecine interne", 1.1, ("DSM25", "DES Médecine interne")),
    ("SM48", "Rhumatologie", 1, ("DSM46", "DES Rhumatologie")),
    ("SM29", "Médecine physique et de réadaptation", 0.9,
     ("DSM27", "DES Médecine physique et de réadaptation")),
    ("SM01", "Anatomie et Cytologie pathologiques", 0.7,
     ("DSM01", "DES Anatomie et Cytologie pathologiques")),
    ("SM16", "Endocrinologie et Métabolisme", 0.7),
    ("SM30", "Néphrologie", 0.7, ("DSM28", "DES Néphrologie")),
    ("SM49", "Santé publique et Médecine sociale", 0.6,
     ("DSM47", "DES Santé publique et Médecine sociale")),
    ("SM12", "Chirurgie urologique", 0.6, ("DSM11", "DES Chirurgie urologique")),
    ("SM05", "Chirurgie générale", 0.5, ("DSM05", "DES Chirurgie générale"),
     ("DAUT02", "Chirurgie générale")),
    ("SM19", "Gynécologie médicale", 0.5, ("DSM18", "DES Gynécologie médicale")),
    ("SM21", "Hématologie", 0.4, ("DSM20", "DES Hématologie")),
    ("SM36", "Oncologie, option médicale", 0.5, ("DSM33", "DES Oncologie, option Médicale")),
    ("SM46", "Médecine intensive-réanimation", 0.4),
    ("SM10", "Chirurgie plastique reconstructrice et esthétique", 0.35,
     ("DSM09", "DES Chirurgie plastique, reconstructrice et esthétique")),
    ("SM45", "Radio-thérapie", 0.35, ("DSM44", "DES Radio-thérapie")),
    ("SM11", "Chirurgie thoracique et cardio-vasculaire", 0.25,
     ("DSM10", "DES Chirurgie thoracique et cardio-vasculaire")),
    ("SM31", "Neuro-chirurgie", 0.25, ("DSM29", "DES Neuro-chirurgie")),
    ("SM28", "Médecine nucléaire", 0.25, ("DSM26", "DES Médecine nucléaire")),
    ("SM13", "Chirurgie vasculaire", 0.25, ("DSM12", "DES Chirurgie vasculaire")),
    ("SM61", "Médecine vasculaire", 0.3),
    ("SM58", "Maladies infectieuses et tropicales", 0.2),
    ("SM17", "Génétique médicale", 0.1, ("DSM17", "DES Génétique médicale")),
    ("SM56", "Chirurgie orale", 0.1),
))
# Further savoir-faire of doctors: (type, code, label, weight).
DOCTOR_EXTRAS = (
    ("CAPA", "CAPA02", "Aide médicale urgente", 3),
    ("CAPA", "CAPA06", "Gérontologie", 3),
    ("CAPA", "CAPA10", "Médecine et Biologie du sport", 2),
    ("CAPA", "CAPA05", "Evaluation et Traitement de la douleur", 1),
    ("CAPA", "CAPA16", "Toxicomanies et Alcoologies", 1),
    ("DNQ", "DSM200", "Addictologie", 1),
    ("DNQ", "DSM213", "Gériatrie", 1.5),
    ("DNQ", "DSM220", "Médecine d'urgence", 1.5),
    ("C", "C05", "Médecine appliquée aux sports", 1),
    ("C", "C34", "Angéiologie", 1),
    ("C", "C33", "Allergologie", 1),
    ("OP", "80", "Homéopathie", 1.5),
    ("OP", "81", "Acupuncture", 1.5),
    ("CEX", "CEX24", "Gynécologie médicale", 0.5),
    ("CEX", "CEX26", "Obstétrique", 0.3),
)
# Spécialités ordinales of dentists and nurses, with the diploma that leads to them: (code,
# label, share of the profession, (diploma type, code, label) or None).
DENTIST_SPECIALTIES = (
    ("SCD01", "Orthopédie dento-faciale", 0.06, ("DES", "DSD01", "DES Orthopédie Dento-Faciale")),
    ("SCD02", "Chirurgie orale", 0.02, None),
    ("SCD03", "Médecine bucco-dentaire", 0.01, ("DES", "DSD02", "DES Médecine Bucco-Dentaire")),
)
NURSE_SPECIALTIES = (
    ("SI08", "Infirmier(ère) puériculteur(trice)", 0.028, ("DE", "DE21", "DE Infirmier puériculteur")),
    ("SI07", "Infirmier(ère) anesthésiste", 0.015, ("DE", "DE20", "DE Infirmier anesthésiste")),
    ("SI06", "Infirmier(ère) de bloc opératoire", 0.015,
     ("DE", "DE19", "DE Infirmier de bloc opératoire")),
    ("SI01", "Exercice infirmier en pratique avancée pathologies chroniques stabilisées",
     0.003, ("DE", "DE23", "DE IPA pathologies chroniques stabilisées")),
    ("SI04", "Exercice infirmier en pratique avancée santé mentale", 0.0015,
     ("DE", "DE26", "DE IPA santé mentale")),
    ("SI02", "Exercice infirmier en pratique avancée oncologie et hémato-oncologie", 0.0008,
     ("DE", "DE24", "DE IPA oncologie et hémato-oncologie")),
    ("SI05", "Exercice infirmier en pratique avancée urgences", 0.0007,
     ("DE", "DE27", "DE IPA urgences")),
)
# fmt: on
