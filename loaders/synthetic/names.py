"""French words the synthetic structures are named with, and the filling of name templates.

Names are upper case like the register's, with accents kept (FINESS keeps them in names,
La Poste strips them from routing lines).
"""

from __future__ import annotations

import random
import unicodedata

# fmt: off
VOCABULARY: dict[str, tuple[str, ...]] = {
    "saint": (
        "SAINT JOSEPH", "SAINTE ANNE", "SAINT LOUIS", "SAINT MARTIN", "SAINTE MARIE",
        "SAINT VINCENT DE PAUL", "SAINT JEAN", "NOTRE-DAME", "SAINT FRANÇOIS", "SAINTE THÉRÈSE",
        "SAINT ÉLOI", "SAINTE CÉCILE", "SAINT AUGUSTIN", "SAINTE ÉLISABETH",
    ),
    "person": (
        "PASTEUR", "RENÉ DUBOS", "JEAN JAURÈS", "SIMONE VEIL", "GEORGES CLEMENCEAU", "MARIE CURIE",
        "LOUIS ARAGON", "ALBERT SCHWEITZER", "AMBROISE PARÉ", "VICTOR HUGO", "ÉMILE ROUX",
        "PIERRE MENDÈS FRANCE", "PAUL ÉLUARD", "HENRI DUNANT", "FRANÇOISE DOLTO", "JULES VERNE",
        "CLAUDE BERNARD", "RENÉ LAENNEC", "PHILIPPE PINEL", "GEORGE SAND", "LÉON BÉRARD",
    ),
    "residence": (
        "LES TILLEULS", "LES GLYCINES", "LES ÉGLANTIERS", "LES MIMOSAS", "LES CHÊNES",
        "LE CLOS FLEURI", "LES LILAS", "LES JARDINS D'AUTOMNE", "LA ROSERAIE", "LES CHARMILLES",
        "LE VAL FLEURI", "LES PEUPLIERS", "LES HORTENSIAS", "LES BLEUETS", "LE BOIS JOLI",
        "LES MAGNOLIAS", "LES AUBÉPINES", "LA CERISAIE", "LES SOURCES", "BEL AIR", "LES MYOSOTIS",
        "LES CAMÉLIAS", "LE PRÉ VERT", "LES COQUELICOTS", "LES ÉRABLES", "LE CÈDRE BLEU",
        "LES PAPILLONS BLANCS", "L'ÉCUREUIL", "LA FARANDOLE", "LES MOUSSAILLONS",
    ),
    "place": (
        "DU CENTRE", "DE LA GARE", "DU MARCHÉ", "DE LA PLACE", "DES HALLES", "DU PORT",
        "DE L'ÉGLISE", "DU PARC", "DES ARCADES", "DU PONT", "DE LA MAIRIE", "DU LAC",
        "DES QUATRE CHEMINS", "DU VIEUX BOURG", "CENTRALE", "DES ÉCOLES", "DU CHÂTEAU",
    ),
    "surname": (
        "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
        "MOREAU", "SIMON", "LAURENT", "LEFÈVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
        "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRÉ", "MERCIER", "BONNET", "LEGRAND",
        "GAUTHIER", "PERRIN", "CLÉMENT", "MÜLLER", "NGUYEN", "LE GALL", "D'ALMEIDA", "BÉGUIN",
    ),
    "firstname": (
        "PATRICE", "SOPHIE", "JÉRÔME", "HÉLÈNE", "FRANÇOIS", "CÉLINE", "THIERRY", "NATHALIE",
        "STÉPHANE", "ISABELLE", "ÉRIC", "AGNÈS", "BENOÎT", "MAËLLE", "GAËL", "CHLOÉ", "NOÉMIE",
    ),
    "assoc": (
        "AIDE ET PRÉSENCE", "VIVRE CHEZ SOI", "BIEN CHEZ SOI", "SOLIDARITÉ SERVICES",
        "DOMICILE SERVICES", "L'ÂGE D'OR", "AMITIÉ ET PARTAGE", "LE FIL D'ARIANE", "ENTRAIDE",
    ),
    "street": (
        "DE LA RÉPUBLIQUE", "JEAN JAURÈS", "DU GÉNÉRAL DE GAULLE", "PASTEUR", "VICTOR HUGO",
        "DES LILAS", "DE LA GARE", "DU MOULIN", "DE L'ÉGLISE", "ANATOLE FRANCE", "GAMBETTA",
        "DES ÉCOLES", "DU MARÉCHAL FOCH", "DU 8 MAI 1945", "DE PARIS", "CHARLES DE GAULLE",
        "DES TILLEULS", "DU STADE", "DE LA LIBÉRATION", "ÉMILE ZOLA", "JULES FERRY", "DES CHÊNES",
        "DU CHÂTEAU", "DE LA FONTAINE", "NATIONALE", "DE LA PAIX", "DES ROSIERS",
        "ARISTIDE BRIAND", "DE L'HÔPITAL", "DES PRÉS", "DU LAVOIR", "DE LA MAIRIE",
        "LOUIS BLÉRIOT", "DES VIGNES", "SAINT-EXUPÉRY", "DU 11 NOVEMBRE", "DE VERDUN",
        "ALSACE LORRAINE", "DES ACACIAS", "DE LA LIBERTÉ", "HENRI BARBUSSE", "ROBERT SCHUMAN",
        "DU DOCTEUR SCHWEITZER",
    ),
    "complement": (
        "BATIMENT A", "2EME ETAGE", "RESIDENCE LE PARC", "ENTREE B", "IMMEUBLE LE CENTRAL",
        "REZ DE CHAUSSEE", "PAVILLON 3",
    ),
    "locality": (
        "ZA DES CHAMPS", "ZI NORD", "ZAC DU MOULIN", "LE BOURG", "QUARTIER DE LA GARE",
        "LIEU-DIT LES COMBES", "HAMEAU DE LA VALLÉE", "PARC D'ACTIVITÉS", "CITÉ BON AIR",
    ),
}
# Syllables of the synthetic commune names (the few real ones per département come first).
COMMUNE_HEADS = (
    "SAINT MARTIN", "SAINT GERMAIN", "SAINT AUBIN", "SAINTE CROIX", "VILLENEUVE", "MONTFORT",
    "CHATEAUNEUF", "FONTAINE", "BEAUMONT", "NEUVILLE", "LA ROCHE", "BOISSY", "LE PLESSIS",
    "PONTVALLAIN", "VAL D ARGENT", "LES MOULINS", "COURCELLES", "MESNIL", "CHAMPAGNAC",
    "LA BRUYERE", "LONGUEVILLE", "ROCHEFORT", "MARCILLY", "BELLEVUE", "LA CHAPELLE",
)
COMMUNE_TAILS = (
    "", "", "", " SUR LOIRE", " LES BAINS", " EN VAL", " LE CHATEL", " SOUS BOIS", " SUR MER",
    " DES PRES", " LA FORET", " LE PONT", " EN PLAINE", " D AZERGUES", " SUR ORNE",
)
# TRE-R35 street types with the word La Poste prints, weighted by how common they are.
STREET_TYPES = (
    ("R", "RUE", 45), ("AV", "AVENUE", 20), ("BD", "BOULEVARD", 8), ("RTE", "ROUTE", 8),
    ("CHE", "CHEMIN", 6), ("ALL", "ALLEE", 5), ("PL", "PLACE", 4), ("IMP", "IMPASSE", 4),
)
# fmt: on


class _Picks(dict):
    """Template values, drawn on first use so that a template draws only what it shows."""

    def __init__(self, rng: random.Random, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = self.rng.choice(VOCABULARY[key])
        self[key] = value
        return value


def fill(
    rng: random.Random, templates: tuple[tuple[str, str], ...], **fixed: str
) -> tuple[str, str]:
    """A (short, long) name from one of `templates`, cut to the register's 38 and 60 chars."""
    short, long = rng.choice(templates)
    picks = _Picks(rng, fixed)
    return short.format_map(picks)[:38].rstrip(), long.format_map(picks)[:60].rstrip()


def postal(text: str) -> str:
    """`text` as La Poste writes routing lines: upper case, no accents, no punctuation."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.upper().replace("-", " ").replace("'", " ").split())
