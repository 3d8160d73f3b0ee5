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


# Names of the synthetic health professionals (RPPS). Nothing above reads them: adding to
# these tuples changes the professionals only, never the FINESS register.
# fmt: off
# The frequent family names, most frequent first (drawn with a Zipf-like weight).
FAMILY_NAMES = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
    "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON", "MARCHAND", "DUVAL",
    "DENIS", "DUMONT", "MARIE", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN",
    "BLANCHARD", "GIRAUD", "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD",
    "MARTINEZ", "GÉRARD", "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN", "VIDAL",
    "CARON", "PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS", "LACROIX",
    "OLIVIER", "PHILIPPE", "BOURGEOIS", "PIERRE", "BENOÎT", "REY", "LECLERC", "PAYET", "ROLLAND",
    "LECLERCQ", "GUILLAUME", "LECOMTE", "LOPEZ", "JEAN", "DUPUY", "GUILLOT", "HUBERT", "BERGER",
    "CARPENTIER", "SANCHEZ", "DUPUIS", "MOULIN", "LOUIS", "DESCHAMPS", "HUET", "VASSEUR", "PEREZ",
    "BOUCHER", "FLEURY", "ROYER", "KLEIN", "JACQUET", "ADAM", "PARIS", "POIRIER", "MARTY",
    "AUBRY", "GUYOT", "CARRÉ", "CHARLES", "RENAULT", "CHARPENTIER", "MÉNARD", "MAILLARD",
    "BARON", "BERTIN", "BAILLY", "HERVÉ", "SCHNEIDER", "FERNANDEZ", "LE GALL", "COLLET", "LÉGER",
    "BOUVIER", "JULIEN", "PRÉVOST", "MILLET", "PERROT", "DANIEL", "LE ROUX", "COUSIN", "GERMAIN",
    "BRETON", "BESSON", "LANGLOIS", "RÉMY", "LE GOFF", "PELLETIER", "LÉVÊQUE", "PERRIER",
    "LEBLANC", "BARRÉ", "LEBRUN", "MARCHAL", "WEBER", "MALLET", "HAMON", "BOULANGER", "JACOB",
    "MONNIER", "MICHAUD", "RODRIGUEZ", "GUICHARD", "GILLET", "ÉTIENNE", "GRONDIN", "POULAIN",
    "TESSIER", "CHEVALLIER", "COLLIN", "CHAUVIN", "DA SILVA", "BOUCHET", "GAY", "LEMAÎTRE",
    "BÉNARD", "MARÉCHAL", "HUMBERT", "REYNAUD", "ANTOINE", "HOARAU", "PERRET", "BARTHÉLEMY",
    "CORDIER", "PICHON", "LEJEUNE", "GILBERT", "LAMY", "DELAUNAY", "PASQUIER", "CARLIER",
    "LAPORTE", "NGUYEN", "TRAN", "LE", "PHAM", "DOS SANTOS", "FERREIRA", "PEREIRA", "RODRIGUES",
    "D'ALMEIDA", "DE OLIVEIRA", "N'DIAYE", "DIALLO", "TRAORÉ", "COULIBALY", "BENALI", "BOUAZIZ",
    "HADDAD", "BEN SAÏD", "MANSOURI", "BELKACEM", "CHERIF", "KHELIFI", "COHEN", "LÉVY",
    "KERVELLA", "LE BRIS", "LE MOAL", "QUÉRÉ", "LE BIHAN", "TANGUY", "ETCHEVERRY", "HARISTOY",
    "ETCHEGARAY", "SANTONI", "ORSINI", "PIETRI", "ROSSI", "BIANCHI", "RUSSO", "FISCHER",
    "WAGNER", "HOFFMANN", "KOENIG", "BECKER", "WALTER", "DE LA FONTAINE", "DE SAINT-JEAN",
    "DU PONT", "LE BRETON", "LE CORRE", "LE NORMAND", "DE SOUZA", "D'ARCY", "L'HERMITE",
    "DELACROIX", "DESMARAIS", "SAINT-MARTIN", "BEAUMONT", "MONTAGNE", "CHÂTEAU", "DE GAULLE",
    "N'GUESSAN", "KONATÉ", "MENDY", "GOMIS", "SYLLA", "CAMARA", "YILMAZ", "KAYA", "ÖZTÜRK",
)
# Particles that lead family names: "DE LA FONTAINE", "LE GALL", "D'ALMEIDA".
NAME_PARTICLES = ("DE ", "DE LA ", "DU ", "LE ", "LA ", "D'", "DES ", "L'")
# Syllables of the long tail of rarer family names (BEAUCHARD, MORINEAU, VALLOTIN…).
FAMILY_HEADS = (
    "BEAU", "BON", "BOU", "BRE", "CHA", "CHAR", "COR", "DE", "DU", "FER", "FON", "GA", "GAR",
    "GOU", "GRA", "JOU", "LA", "LE", "LOU", "MA", "MAR", "MO", "MOR", "PA", "PER", "PI", "POU",
    "RA", "RI", "RO", "SA", "SER", "TA", "TOU", "TRI", "VA", "VAL", "VER", "VI", "BER", "CAM",
    "DES", "GUI", "HU", "MAS", "MON", "NO", "PEL", "QUE", "SAU", "BAR", "BRU", "CHE", "CLA",
    "COU", "CRO", "DAU", "DO", "FAU", "FLO", "FRE", "GAU", "GO", "GRE", "JA", "LAN", "LAU",
    "MAL", "MEU", "MI", "NA", "PO", "PRE", "RE", "ROU", "SE", "TE", "THI", "VAU", "VE",
)
FAMILY_MIDDLES = (
    "", "", "", "RI", "LO", "NE", "TI", "BA", "VE", "MI", "LA", "RO", "DI", "CO", "GE", "NI",
    "CHE", "BE", "TE", "SI",
)
FAMILY_TAILS = (
    "NIER", "RAND", "TIN", "LIN", "CHET", "VIER", "LOT", "RAUD", "GNON", "NEAU", "DIER", "LARD",
    "TEL", "ZIN", "RIOT", "CHARD", "BERT", "MOND", "GEON", "QUET", "DOUX", "TREL", "VAUD",
    "BAULT", "RIEU", "PIN", "LET", "GER", "RAT", "DEL", "SSON", "CAUD", "THIER", "VILLE",
    "COURT", "MONT", "FORT", "NOT", "REAU", "GUET", "CHON", "ZAC", "DET", "MAIN", "LIER",
    "NARD", "LAIS", "CHAUD", "VEAU", "MAS", "ROUX", "LAND", "TOIS", "GNARD", "LEAU", "TTE",
    "CIER", "RIN", "DON", "NET", "ZOT", "BIN", "GIN", "TAUD", "POT", "QUIN", "TARD", "REL",
    "VERT", "BLANC",
)
GIVEN_NAMES_FEMALE = (
    "MARIE", "NATHALIE", "ISABELLE", "SYLVIE", "CATHERINE", "SANDRINE", "CHRISTINE", "VÉRONIQUE",
    "VALÉRIE", "STÉPHANIE", "CÉLINE", "SOPHIE", "AURÉLIE", "JULIE", "ÉMILIE", "LAURE", "CAMILLE",
    "CHLOÉ", "LÉA", "MANON", "EMMA", "CLARA", "INÈS", "SARAH", "LAURA", "PAULINE", "MARION",
    "CLAIRE", "ANNE", "HÉLÈNE", "AGNÈS", "BRIGITTE", "MARTINE", "FRANÇOISE", "MONIQUE",
    "PATRICIA", "CORINNE", "KARINE", "VIRGINIE", "ÉLODIE", "AMÉLIE", "MÉLANIE", "CAROLINE",
    "AUDREY", "CHARLOTTE", "LUCIE", "MATHILDE", "ALICE", "ANAÏS", "NOÉMIE", "MAËLLE", "OCÉANE",
    "JUSTINE", "MARGAUX", "ZOÉ", "LOUISE", "JEANNE", "ÉLISE", "BÉATRICE", "DOMINIQUE", "ODILE",
    "GENEVIÈVE", "JOSÉPHINE", "FATIMA", "YASMINE", "AMINA", "NADIA", "SAMIA", "LEÏLA", "AÏCHA",
    "MARINE", "ESTELLE", "FLORENCE", "MURIEL", "MYRIAM", "NOËLLE", "SOLÈNE", "GAËLLE", "ROSE",
    "BERNADETTE", "JOCELYNE", "ÉVELYNE", "CÉCILE", "DELPHINE", "ÉLISABETH", "CHANTAL", "ANNICK",
)
GIVEN_NAMES_MALE = (
    "JEAN", "PHILIPPE", "MICHEL", "ALAIN", "PATRICK", "NICOLAS", "CHRISTOPHE", "PIERRE",
    "CHRISTIAN", "ÉRIC", "FRÉDÉRIC", "LAURENT", "STÉPHANE", "DAVID", "PASCAL", "DANIEL",
    "SÉBASTIEN", "JULIEN", "THIERRY", "OLIVIER", "BERNARD", "THOMAS", "ALEXANDRE", "GÉRARD",
    "DIDIER", "DOMINIQUE", "VINCENT", "FRANÇOIS", "BRUNO", "GUILLAUME", "JÉRÔME", "BENOÎT",
    "ANTOINE", "MAXIME", "ROMAIN", "HUGO", "LUCAS", "THÉO", "LOUIS", "NATHAN", "ENZO", "RAPHAËL",
    "GABRIEL", "ARTHUR", "CLÉMENT", "QUENTIN", "KÉVIN", "MATHIEU", "YANNICK", "HERVÉ", "GILLES",
    "SERGE", "ANDRÉ", "RENÉ", "CLAUDE", "JACQUES", "MARC", "PAUL", "FABRICE", "CÉDRIC", "LOÏC",
    "GAËL", "YOANN", "JOËL", "NOËL", "ÉTIENNE", "FRANCK", "ARNAUD", "DENIS", "XAVIER", "BAPTISTE",
    "MEHDI", "KARIM", "MOHAMED", "YOUSSEF", "RACHID", "SAMIR", "KAMEL", "HAMID", "IBRAHIMA",
    "ALI", "OMAR", "GRÉGOIRE", "BENJAMIN", "ADRIEN", "DAMIEN", "MATTHIEU", "JOSÉ", "MANUEL",
)
# The first half of compound given names: JEAN-PIERRE, MARIE-CLAIRE, ANNE-SOPHIE.
COMPOUND_MALE = ("JEAN", "PIERRE", "PAUL", "LOUIS")
COMPOUND_FEMALE = ("MARIE", "ANNE")
# fmt: on
