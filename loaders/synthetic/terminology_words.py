"""French words the synthetic terminologies are labelled with, and the label helpers.

Labels never contain ";" (the .tabs column separator) nor a line break. Adjectives that agree
in gender are avoided so that any head goes with any complement.
"""

from __future__ import annotations

import re
import unicodedata

# fmt: off
# Words left out of NOS names and acronyms ("Classe d'âge" → ClasseAge).
STOPWORDS = frozenset({
    "à", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "par", "pour",
    "sur", "un", "une", "y",
})
# NOS titles: "<subject> <domain>" (Catégorie d'organisation, Mode de prise en charge…).
NOS_SUBJECTS = (
    "Catégorie", "Type", "Mode", "Nature", "Statut", "Motif", "Niveau", "Classe", "Famille",
    "Modalité", "Origine", "Degré", "Unité", "Forme", "Champ", "Secteur", "Rôle", "Situation",
    "Fonction", "Spécialité", "Qualification", "Discipline", "Genre", "Public", "Condition",
)
NOS_DOMAINS = (
    "d'établissement", "de prise en charge", "d'activité", "d'hébergement", "de l'équipement",
    "d'exercice", "de l'autorisation", "du professionnel", "de la capacité", "d'accueil",
    "de la structure", "de l'acte", "du diplôme", "de l'organisation", "de sortie",
    "d'admission", "de coopération", "de financement", "de tarification", "du document",
    "de la personne prise en charge", "d'âge", "de handicap", "de la crise", "d'urgence",
    "de soins", "de l'offre", "du lieu", "de la décision d'orientation", "d'identification",
)
# Context suffixes of the JDV names (JDV_J15-ClasseAge-ROR, JDV_J101-SecteurActivite-RASS).
JDV_CONTEXTS = ("ROR", "RASS", "ENREG", "CISIS", "EPARS", "DMP", "FINESS", "SIDEP")
# Boolean concept properties that intensional JDVs filter on (TRE_R401 `finess`, `enreg`).
FLAG_PROPERTIES = ("finess", "enreg", "rass", "ror")

# NOS concept labels: "<head> <complement> [qualifier] [(ACRONYM)] [tail]".
HEADS = (
    "Accueil", "Hébergement", "Centre", "Service", "Unité", "Consultation", "Prise en charge",
    "Soins", "Accompagnement", "Équipe mobile", "Établissement", "Atelier", "Hôpital de jour",
    "Maison", "Plateau technique", "Cabinet", "Dispositif", "Intervention", "Suivi",
    "Évaluation", "Orientation", "Examen", "Dépistage", "Activité", "Pôle", "Réseau",
    "Permanence", "Foyer", "Résidence", "Structure", "Lieu de vie", "Appartement", "Programme",
    "Coordination", "Bilan", "Séjour", "Plateforme", "Antenne", "Cellule", "Institut",
)
COMPLEMENTS = (
    "de médecine générale", "d'urgence", "de psychiatrie infanto-juvénile",
    "pour personnes âgées dépendantes", "de soins palliatifs", "à domicile",
    "de l'enfant et de l'adolescent", "en addictologie", "de réadaptation fonctionnelle",
    "d'hémodialyse", "de gynécologie-obstétrique", "de chirurgie ambulatoire",
    "médico-psychologique", "pour personnes handicapées", "d'hospitalisation complète",
    "de jour", "de nuit", "de soins infirmiers", "d'éducation thérapeutique", "de périnatalité",
    "de gériatrie", "de soins de suite", "de néonatologie", "de cancérologie",
    "d'imagerie médicale", "de biologie médicale", "de prévention", "de santé au travail",
    "de protection maternelle et infantile", "d'aide sociale à l'enfance",
    "d'insertion professionnelle", "de répit", "d'accueil familial", "d'hygiène hospitalière",
    "de rééducation", "de pédopsychiatrie", "d'oncologie pédiatrique", "de médecine physique",
    "d'accompagnement à la vie sociale", "de l'autisme", "des troubles du neurodéveloppement",
    "de la douleur chronique", "d'odontologie", "d'ophtalmologie", "d'allergologie",
    "de cardiologie interventionnelle", "de l'obésité", "du sommeil", "de la mémoire",
    "de transfusion sanguine",
)
QUALIFIERS = (
    "temporaire", "de proximité", "de recours", "hors les murs", "en établissement",
    "pour adultes", "pour mineurs", "à temps partiel", "à temps complet", "en ambulatoire",
    "avec hébergement", "sans hébergement", "de niveau 2", "de niveau 3",
    "à l'échelle du territoire", "en milieu rural", "en milieu pénitentiaire", "d'Outre-mer",
    "en zone sous-dotée", "la nuit et le week-end",
)
# Make a label longer than the 80 characters of a libellé long.
TAILS = (
    "et accompagnement des personnes en situation de handicap psychique",
    "y compris les actes réalisés dans le cadre d'une convention de coopération",
    "lorsque l'intervention est réalisée en dehors des heures ouvrables",
    "pour les patients relevant d'une prise en charge pluridisciplinaire coordonnée",
    "en lien avec l'équipe de soins primaires et le médecin traitant",
)
# NOS descriptionMetier / FHIR definition, after "<display> : ".
DEFINITIONS = (
    "code à utiliser lorsque l'activité est exercée à titre principal.",
    "regroupe les situations où la personne n'est pas prise en charge par son établissement.",
    "s'applique aux structures autorisées par l'agence régionale de santé.",
    "la notion distingue l'exercice en équipe de l'exercice isolé.",
    "à ne pas confondre avec l'accueil d'urgence, qui relève d'un autre code.",
    "comprend l'évaluation initiale, le suivi et l'orientation vers d'autres professionnels.",
)

# The synthetic CIM: chapters (title, heads of their category labels), body sites, and the
# precisions that turn a category into its subcategories. Words recur across chapters so that
# word-prefix searches ("infec", "tumeur mal") match hundreds to thousands of concepts.
CIM_CHAPTERS = (
    ("Certaines maladies infectieuses et parasitaires", (
        "Infection bactérienne", "Infection virale", "Maladie infectieuse",
        "Infection à streptocoques", "Infection parasitaire", "Infection à staphylocoques")),
    ("Tumeurs", (
        "Tumeur maligne", "Tumeur maligne secondaire", "Tumeur bénigne",
        "Tumeur à évolution imprévisible", "Carcinome in situ", "Tumeur maligne primitive")),
    ("Maladies du sang et des organes hématopoïétiques", (
        "Anémie", "Anomalie de la coagulation", "Aplasie", "Déficit immunitaire")),
    ("Maladies endocriniennes, nutritionnelles et métaboliques", (
        "Insuffisance", "Hyperfonctionnement", "Trouble du métabolisme", "Carence")),
    ("Troubles mentaux et du comportement", (
        "Trouble", "Syndrome", "Épisode dépressif", "Trouble anxieux")),
    ("Maladies du système nerveux", (
        "Atteinte", "Paralysie", "Névrite", "Maladie dégénérative")),
    ("Maladies de l'œil et de ses annexes", (
        "Inflammation", "Trouble de la vision", "Décollement", "Opacité", "Infection")),
    ("Maladies de l'oreille et de l'apophyse mastoïde", (
        "Otite", "Surdité", "Infection", "Perforation")),
    ("Maladies de l'appareil circulatoire", (
        "Insuffisance", "Thrombose", "Embolie", "Infarctus", "Anévrisme", "Sténose")),
    ("Maladies de l'appareil respiratoire", (
        "Infection aiguë", "Pneumopathie", "Insuffisance respiratoire", "Inflammation chronique",
        "Abcès")),
    ("Maladies de l'appareil digestif", (
        "Ulcère", "Hémorragie", "Inflammation", "Occlusion", "Hernie", "Abcès")),
    ("Maladies de la peau et du tissu cellulaire sous-cutané", (
        "Infection cutanée", "Dermatite", "Ulcère", "Abcès cutané")),
    ("Maladies du système ostéo-articulaire, des muscles et du tissu conjonctif", (
        "Arthrose", "Arthrite", "Lésion", "Déformation", "Ostéite")),
    ("Maladies de l'appareil génito-urinaire", (
        "Insuffisance rénale", "Infection", "Lithiase", "Inflammation", "Kyste")),
    ("Grossesse, accouchement et puerpéralité", (
        "Complication", "Hémorragie", "Infection puerpérale", "Hypertension")),
    ("Certaines affections dont l'origine se situe dans la période périnatale", (
        "Affection", "Infection néonatale", "Détresse", "Traumatisme obstétrical")),
    ("Malformations congénitales et anomalies chromosomiques", (
        "Malformation congénitale", "Anomalie", "Absence congénitale", "Duplication")),
    ("Symptômes, signes et résultats anormaux d'examens cliniques et de laboratoire", (
        "Douleur", "Résultat anormal", "Symptôme", "Anomalie")),
    ("Lésions traumatiques, empoisonnements et certaines autres conséquences de causes externes", (
        "Fracture", "Luxation", "Plaie ouverte", "Brûlure", "Lésion traumatique", "Contusion")),
    ("Causes externes de morbidité et de mortalité", (
        "Accident", "Chute", "Exposition", "Agression")),
    ("Facteurs influant sur l'état de santé et motifs de recours aux services de santé", (
        "Examen", "Surveillance", "Antécédent personnel", "Antécédent familial")),
    ("Codes d'utilisation particulière", (
        "Affection", "Résistance aux antibiotiques", "Infection", "Code provisoire")),
)
CIM_SITES = (
    "du côlon", "de l'estomac", "du poumon", "des bronches", "du foie", "du pancréas",
    "de la vessie", "du rein", "de la prostate", "de l'utérus", "de l'ovaire", "du sein",
    "de la peau", "de l'œsophage", "du rectum", "de l'intestin grêle", "de la thyroïde",
    "de l'encéphale", "de la moelle épinière", "du cœur", "des valves cardiaques", "de l'aorte",
    "des veines", "des artères", "de l'œil", "de la rétine", "de l'oreille moyenne",
    "de l'oreille interne", "du larynx", "du pharynx", "des sinus", "de la bouche",
    "des lèvres", "de la langue", "des glandes salivaires", "de la vésicule biliaire",
    "des voies biliaires", "de l'appendice", "du péritoine", "de la plèvre", "du médiastin",
    "des ganglions lymphatiques", "de la rate", "de la moelle osseuse", "des os longs",
    "du fémur", "du tibia", "de l'humérus", "du poignet", "de la main", "du pied",
    "de la cheville", "du genou", "de la hanche", "de l'épaule", "du coude", "du rachis",
    "du crâne", "du thorax", "de l'abdomen", "du bassin", "des muscles", "des tendons",
    "des nerfs périphériques", "du système nerveux central", "des méninges", "de l'hypophyse",
    "des surrénales", "du testicule", "du col de l'utérus", "du placenta",
)
CIM_SITE_GROUPS = (
    "des organes digestifs", "de l'appareil respiratoire", "des organes génitaux",
    "du système nerveux", "des voies urinaires", "des os et du cartilage articulaire",
    "de la peau", "des tissus mous", "de l'œil et de l'orbite", "des organes lymphoïdes",
    "des glandes endocrines", "de siège non précisé", "des membres inférieurs",
    "des membres supérieurs", "de la tête et du cou",
)
CIM_PRECISIONS = (
    "sans précision", "avec complications", "sans complication", "forme aiguë",
    "forme chronique", "forme récidivante", "avec infection", "compliquée d'une infection",
    "d'origine infectieuse", "d'origine tumorale", "d'origine traumatique", "atteinte bilatérale",
    "côté droit", "côté gauche", "de l'enfant", "de l'adulte", "du sujet âgé", "post-opératoire",
    "après intervention", "au cours de la grossesse", "avec hémorragie", "avec perforation",
    "avec obstruction", "sans obstruction", "avec atteinte rénale",
    "avec manifestations neurologiques", "avec insuffisance respiratoire", "stade précoce",
    "stade avancé", "autres formes précisées", "localisations contiguës",
    "non classée ailleurs", "d'étiologie inconnue", "avec surinfection", "nosocomiale",
    "associée aux soins", "résistante aux antibiotiques", "due à un agent précisé", "séquelles",
    "en rémission",
)
# fmt: on

_WORD = re.compile(r"[^\W\d_]+|\d+")
_ELISION = re.compile(r"^[dlDL]'")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+")


def plain(text: str) -> str:
    """`text` without accents or ligatures (œ → oe): NOS names and acronyms are ASCII."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _significant(text: str) -> list[str]:
    return [w for w in _WORD.findall(plain(text)) if w.lower() not in STOPWORDS]


def camel(text: str) -> str:
    """A NOS name from its description: "Catégorie d'organisation" → CategorieOrganisation."""
    return "".join(w[0].upper() + w[1:] for w in _significant(text))


def kebab(name: str) -> str:
    """The SMT id form of a NOS name: ClasseAge-ROR → classe-age-ror."""
    return "-".join(part.lower() for part in _CAMEL.findall(name))


def acronym(text: str) -> str:
    return "".join(w[0].upper() for w in _significant(text) if not w.isdigit())


def cut(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters on a word boundary."""
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,-")


def abbreviate(text: str, limit: int) -> str:
    """A shorter label the way ANS shortens them ("Hébergement adultes hand."): without the
    parenthesised acronym, then without articles and prepositions, then with long words cut
    after four letters from the end, then cut on a word boundary."""
    words = re.sub(r"\s*\([^)]*\)", "", text).split()
    if len(" ".join(words)) > limit:
        words = [_ELISION.sub("", w) for w in words if w.lower() not in STOPWORDS] or words
    for index in reversed(range(len(words))):
        if len(" ".join(words)) <= limit:
            break
        if len(words[index]) > 6:
            words[index] = words[index][:4] + "."
    return cut(" ".join(words), limit)


def designations(display: str) -> tuple[str | None, str | None]:
    """The (libellé court, libellé long) of `display`, each only when it differs from it.

    The SVS generator files a designation under 31 characters as short and a longer one as
    long; a libellé long has at most 80 characters and a libellé court at most 30.
    """
    short = abbreviate(display, 30) if len(display) > 30 else None
    long = abbreviate(display, 80) if len(display) > 80 else None
    return short, long
