"""Synthetic French geography: départements and communes, with their CRS and phone prefixes."""

from __future__ import annotations

import random
from dataclasses import dataclass

from directory.organizations.territories import INSEE_DEPARTMENT, territory
from loaders.synthetic.names import COMMUNE_HEADS, COMMUNE_TAILS


@dataclass(frozen=True)
class Department:
    code: str  # FINESS département code: 01…95, 2A, 2B, 9A…9J
    name: str  # as FINESS spells `libdepartement`
    population: int  # thousands of inhabitants: the weight of the département
    lat: float  # rough centre, inland, and the half-size of the box communes land in
    lon: float
    spread: float
    phone: str  # prefix of its phone numbers
    cities: tuple[str, ...]  # a few real communes; the others are made up

    @property
    def epsg(self) -> int:
        return territory(self.code).epsg

    @property
    def overseas(self) -> bool:
        return self.code in INSEE_DEPARTMENT


# fmt: off
DEPARTMENTS = tuple(Department(*row) for row in (
    ("01", "AIN", 660, 46.10, 5.35, .3, "04", ("BOURG EN BRESSE", "OYONNAX", "AMBERIEU EN BUGEY")),
    ("02", "AISNE", 525, 49.55, 3.55, .3, "03", ("LAON", "SAINT QUENTIN", "SOISSONS")),
    ("03", "ALLIER", 335, 46.40, 3.20, .3, "04", ("MOULINS", "MONTLUCON", "VICHY")),
    ("04", "ALPES DE HAUTE PROVENCE", 165, 44.10, 6.20, .3, "04", ("DIGNE LES BAINS", "MANOSQUE")),
    ("05", "HAUTES ALPES", 140, 44.65, 6.25, .25, "04", ("GAP", "BRIANCON", "EMBRUN")),
    ("06", "ALPES MARITIMES", 1100, 43.85, 7.05, .15, "04", ("NICE", "CANNES", "ANTIBES")),
    ("07", "ARDECHE", 330, 44.75, 4.45, .3, "04", ("PRIVAS", "AUBENAS", "ANNONAY")),
    ("08", "ARDENNES", 270, 49.60, 4.65, .3, "03", ("CHARLEVILLE MEZIERES", "SEDAN", "RETHEL")),
    ("09", "ARIEGE", 155, 42.95, 1.55, .25, "05", ("FOIX", "PAMIERS", "SAINT GIRONS")),
    ("10", "AUBE", 310, 48.30, 4.10, .3, "03", ("TROYES", "ROMILLY SUR SEINE", "BAR SUR AUBE")),
    ("11", "AUDE", 375, 43.10, 2.40, .3, "04", ("CARCASSONNE", "NARBONNE", "CASTELNAUDARY")),
    ("12", "AVEYRON", 280, 44.30, 2.60, .35, "05", ("RODEZ", "MILLAU", "VILLEFRANCHE DE ROUERGUE")),
    ("13", "BOUCHES DU RHONE", 2040, 43.45, 5.25, .15, "04", ("MARSEILLE", "AIX EN PROVENCE")),
    ("14", "CALVADOS", 700, 49.05, -0.35, .25, "02", ("CAEN", "LISIEUX", "BAYEUX")),
    ("15", "CANTAL", 145, 45.05, 2.65, .3, "04", ("AURILLAC", "SAINT FLOUR", "MAURIAC")),
    ("16", "CHARENTE", 350, 45.70, 0.20, .3, "05", ("ANGOULEME", "COGNAC", "CONFOLENS")),
    ("17", "CHARENTE MARITIME", 655, 45.75, -0.65, .25, "05", ("LA ROCHELLE", "SAINTES")),
    ("18", "CHER", 300, 47.05, 2.45, .3, "02", ("BOURGES", "VIERZON", "SAINT AMAND MONTROND")),
    ("19", "CORREZE", 240, 45.35, 1.85, .3, "05", ("TULLE", "BRIVE LA GAILLARDE", "USSEL")),
    ("2A", "CORSE DU SUD", 160, 41.85, 8.95, .12, "04", ("AJACCIO", "PORTO VECCHIO", "PROPRIANO")),
    ("2B", "HAUTE CORSE", 180, 42.40, 9.20, .15, "04", ("BASTIA", "CORTE", "CALVI")),
    ("21", "COTE D OR", 535, 47.35, 4.75, .35, "03", ("DIJON", "BEAUNE", "MONTBARD")),
    ("22", "COTES D ARMOR", 600, 48.35, -2.85, .2, "02", ("SAINT BRIEUC", "LANNION", "DINAN")),
    ("23", "CREUSE", 115, 46.10, 2.00, .25, "05", ("GUERET", "AUBUSSON", "LA SOUTERRAINE")),
    ("24", "DORDOGNE", 415, 45.10, 0.75, .35, "05", ("PERIGUEUX", "BERGERAC", "SARLAT LA CANEDA")),
    ("25", "DOUBS", 545, 47.20, 6.35, .3, "03", ("BESANCON", "MONTBELIARD", "PONTARLIER")),
    ("26", "DROME", 520, 44.70, 5.10, .3, "04", ("VALENCE", "MONTELIMAR", "ROMANS SUR ISERE")),
    ("27", "EURE", 600, 49.10, 1.10, .3, "02", ("EVREUX", "VERNON", "LOUVIERS")),
    ("28", "EURE ET LOIR", 430, 48.40, 1.35, .3, "02", ("CHARTRES", "DREUX", "CHATEAUDUN")),
    ("29", "FINISTERE", 920, 48.25, -4.00, .2, "02", ("QUIMPER", "BREST", "MORLAIX")),
    ("30", "GARD", 750, 44.00, 4.20, .3, "04", ("NIMES", "ALES", "BAGNOLS SUR CEZE")),
    ("31", "HAUTE GARONNE", 1420, 43.45, 1.30, .3, "05", ("TOULOUSE", "SAINT GAUDENS", "MURET")),
    ("32", "GERS", 190, 43.65, 0.45, .3, "05", ("AUCH", "CONDOM", "MIRANDE")),
    ("33", "GIRONDE", 1650, 44.85, -0.45, .3, "05", ("BORDEAUX", "LIBOURNE", "ARCACHON")),
    ("34", "HERAULT", 1200, 43.70, 3.55, .2, "04", ("MONTPELLIER", "BEZIERS", "SETE")),
    ("35", "ILLE ET VILAINE", 1100, 48.15, -1.65, .3, "02", ("RENNES", "SAINT MALO", "FOUGERES")),
    ("36", "INDRE", 220, 46.80, 1.60, .3, "02", ("CHATEAUROUX", "ISSOUDUN", "LE BLANC")),
    ("37", "INDRE ET LOIRE", 610, 47.25, 0.70, .3, "02", ("TOURS", "AMBOISE", "CHINON")),
    ("38", "ISERE", 1280, 45.30, 5.60, .3, "04", ("GRENOBLE", "VIENNE", "BOURGOIN JALLIEU")),
    ("39", "JURA", 260, 46.70, 5.70, .3, "03", ("LONS LE SAUNIER", "DOLE", "SAINT CLAUDE")),
    ("40", "LANDES", 415, 43.95, -0.75, .3, "05", ("MONT DE MARSAN", "DAX", "BISCARROSSE")),
    ("41", "LOIR ET CHER", 330, 47.60, 1.35, .3, "02", ("BLOIS", "VENDOME")),
    ("42", "LOIRE", 765, 45.70, 4.20, .3, "04", ("SAINT ETIENNE", "ROANNE", "MONTBRISON")),
    ("43", "HAUTE LOIRE", 228, 45.10, 3.80, .3, "04", ("LE PUY EN VELAY", "YSSINGEAUX", "BRIOUDE")),
    ("44", "LOIRE ATLANTIQUE", 1450, 47.35, -1.65, .25, "02", ("NANTES", "SAINT NAZAIRE")),
    ("45", "LOIRET", 680, 47.90, 2.15, .3, "02", ("ORLEANS", "MONTARGIS", "GIEN")),
    ("46", "LOT", 175, 44.60, 1.60, .3, "05", ("CAHORS", "FIGEAC", "GOURDON")),
    ("47", "LOT ET GARONNE", 330, 44.35, 0.45, .3, "05", ("AGEN", "VILLENEUVE SUR LOT")),
    ("48", "LOZERE", 77, 44.55, 3.50, .25, "04", ("MENDE", "MARVEJOLS", "FLORAC")),
    ("49", "MAINE ET LOIRE", 820, 47.40, -0.55, .3, "02", ("ANGERS", "CHOLET", "SAUMUR")),
    ("50", "MANCHE", 495, 49.05, -1.30, .2, "02", ("SAINT LO", "CHERBOURG EN COTENTIN")),
    ("51", "MARNE", 565, 48.95, 4.25, .35, "03", ("CHALONS EN CHAMPAGNE", "REIMS", "EPERNAY")),
    ("52", "HAUTE MARNE", 172, 48.10, 5.20, .3, "03", ("CHAUMONT", "SAINT DIZIER", "LANGRES")),
    ("53", "MAYENNE", 307, 48.15, -0.65, .25, "02", ("LAVAL", "MAYENNE", "CRAON")),
    ("54", "MEURTHE ET MOSELLE", 733, 48.75, 6.15, .2, "03", ("NANCY", "LUNEVILLE", "TOUL")),
    ("55", "MEUSE", 184, 48.95, 5.35, .3, "03", ("BAR LE DUC", "VERDUN", "COMMERCY")),
    ("56", "MORBIHAN", 760, 47.85, -2.85, .2, "02", ("VANNES", "LORIENT", "PONTIVY")),
    ("57", "MOSELLE", 1045, 49.05, 6.55, .3, "03", ("METZ", "THIONVILLE", "SARREGUEMINES")),
    ("58", "NIEVRE", 200, 47.10, 3.50, .3, "03", ("NEVERS", "COSNE COURS SUR LOIRE", "DECIZE")),
    ("59", "NORD", 2610, 50.45, 3.25, .25, "03", ("LILLE", "ROUBAIX", "DUNKERQUE", "VALENCIENNES")),
    ("60", "OISE", 830, 49.40, 2.45, .3, "03", ("BEAUVAIS", "COMPIEGNE", "CREIL")),
    ("61", "ORNE", 278, 48.60, 0.10, .3, "02", ("ALENCON", "FLERS", "ARGENTAN")),
    ("62", "PAS DE CALAIS", 1460, 50.45, 2.35, .25, "03", ("ARRAS", "CALAIS", "BOULOGNE SUR MER")),
    ("63", "PUY DE DOME", 665, 45.75, 3.15, .3, "04", ("CLERMONT FERRAND", "RIOM", "THIERS")),
    ("64", "PYRENEES ATLANTIQUES", 690, 43.30, -0.75, .25, "05", ("PAU", "BAYONNE")),
    ("65", "HAUTES PYRENEES", 230, 43.10, 0.15, .25, "05", ("TARBES", "LOURDES")),
    ("66", "PYRENEES ORIENTALES", 485, 42.60, 2.55, .2, "04", ("PERPIGNAN", "PRADES", "CERET")),
    ("67", "BAS RHIN", 1145, 48.65, 7.55, .25, "03", ("STRASBOURG", "HAGUENAU", "SELESTAT")),
    ("68", "HAUT RHIN", 765, 47.85, 7.25, .2, "03", ("COLMAR", "MULHOUSE", "SAINT LOUIS")),
    ("69", "RHONE", 1900, 45.80, 4.70, .2, "04", ("LYON", "VILLEFRANCHE SUR SAONE", "VENISSIEUX")),
    ("70", "HAUTE SAONE", 233, 47.65, 6.10, .3, "03", ("VESOUL", "LURE", "GRAY")),
    ("71", "SAONE ET LOIRE", 550, 46.65, 4.55, .35, "03", ("MACON", "CHALON SUR SAONE")),
    ("72", "SARTHE", 565, 48.00, 0.20, .3, "02", ("LE MANS", "LA FLECHE", "SABLE SUR SARTHE")),
    ("73", "SAVOIE", 440, 45.50, 6.35, .25, "04", ("CHAMBERY", "ALBERTVILLE", "AIX LES BAINS")),
    ("74", "HAUTE SAVOIE", 835, 46.00, 6.35, .2, "04", ("ANNECY", "THONON LES BAINS", "ANNEMASSE")),
    ("75", "PARIS", 2150, 48.857, 2.345, .035, "01", ("PARIS",)),
    ("76", "SEINE MARITIME", 1255, 49.60, 1.05, .25, "02", ("ROUEN", "LE HAVRE", "DIEPPE")),
    ("77", "SEINE ET MARNE", 1430, 48.60, 2.95, .3, "01", ("MELUN", "MEAUX", "FONTAINEBLEAU")),
    ("78", "YVELINES", 1450, 48.80, 1.85, .2, "01", ("VERSAILLES", "SAINT GERMAIN EN LAYE")),
    ("79", "DEUX SEVRES", 375, 46.55, -0.30, .3, "05", ("NIORT", "BRESSUIRE", "PARTHENAY")),
    ("80", "SOMME", 570, 49.90, 2.35, .3, "03", ("AMIENS", "ABBEVILLE", "PERONNE")),
    ("81", "TARN", 390, 43.80, 2.15, .3, "05", ("ALBI", "CASTRES", "GAILLAC")),
    ("82", "TARN ET GARONNE", 260, 44.05, 1.30, .25, "05", ("MONTAUBAN", "CASTELSARRASIN")),
    ("83", "VAR", 1080, 43.45, 6.20, .2, "04", ("TOULON", "FREJUS", "DRAGUIGNAN")),
    ("84", "VAUCLUSE", 560, 44.00, 5.10, .25, "04", ("AVIGNON", "CARPENTRAS", "ORANGE")),
    ("85", "VENDEE", 690, 46.70, -1.30, .25, "02", ("LA ROCHE SUR YON", "LES SABLES D OLONNE")),
    ("86", "VIENNE", 440, 46.55, 0.45, .3, "05", ("POITIERS", "CHATELLERAULT", "LOUDUN")),
    ("87", "HAUTE VIENNE", 372, 45.85, 1.25, .3, "05", ("LIMOGES", "SAINT JUNIEN")),
    ("88", "VOSGES", 362, 48.20, 6.40, .3, "03", ("EPINAL", "SAINT DIE DES VOSGES", "REMIREMONT")),
    ("89", "YONNE", 335, 47.80, 3.55, .3, "03", ("AUXERRE", "SENS", "AVALLON")),
    ("90", "TERRITOIRE DE BELFORT", 140, 47.63, 6.90, .1, "03", ("BELFORT", "DELLE", "GIROMAGNY")),
    ("91", "ESSONNE", 1300, 48.55, 2.25, .15, "01", ("EVRY COURCOURONNES", "CORBEIL ESSONNES")),
    ("92", "HAUTS DE SEINE", 1620, 48.85, 2.24, .06, "01", ("NANTERRE", "BOULOGNE BILLANCOURT")),
    ("93", "SEINE SAINT DENIS", 1650, 48.91, 2.48, .06, "01", ("BOBIGNY", "SAINT DENIS")),
    ("94", "VAL DE MARNE", 1400, 48.78, 2.47, .06, "01", ("CRETEIL", "VITRY SUR SEINE")),
    ("95", "VAL D OISE", 1250, 49.07, 2.20, .12, "01", ("CERGY", "ARGENTEUIL", "SARCELLES")),
    ("9A", "GUADELOUPE", 384, 16.20, -61.55, .1, "0590", ("LES ABYMES", "BASSE TERRE")),
    ("9B", "MARTINIQUE", 360, 14.65, -61.02, .07, "0596", ("FORT DE FRANCE", "LE LAMENTIN")),
    ("9C", "GUYANE", 285, 4.85, -52.40, .12, "0594", ("CAYENNE", "KOUROU")),
    ("9D", "LA REUNION", 870, -21.10, 55.50, .15, "0262", ("SAINT DENIS", "SAINT PIERRE")),
    ("9E", "SAINT PIERRE ET MIQUELON", 6, 46.78, -56.18, .02, "0508", ("SAINT PIERRE")),
    ("9F", "MAYOTTE", 300, -12.80, 45.15, .05, "0269", ("MAMOUDZOU", "KOUNGOU", "DZAOUDZI")),
    ("9J", "WALLIS ET FUTUNA", 11, -13.28, -176.18, .02, "", ("UVEA", "ALO", "SIGAVE")),
))
# fmt: on
# Overseas communes: as many as the territory really has (metropole: a synthetic sample).
OVERSEAS_COMMUNES = {"9A": 32, "9B": 34, "9C": 22, "9D": 24, "9E": 2, "9F": 17, "9J": 3}
METROPOLE_COMMUNES = 60


@dataclass(frozen=True)
class Commune:
    department: Department
    insee: str  # COG code: département + commune (97411, 2A004)
    name: str  # upper case, as La Poste routes it
    postal_code: str
    lat: float
    lon: float
    weight: int  # the real cities, listed first, get most of the structures

    @property
    def number(self) -> str:
        """The 3-character commune code of the legacy extracts (97411 → 411)."""
        return self.insee[2:]


def _postal_code(department: Department, rank: int, rng: random.Random) -> str:
    if department.code == "9J":  # 98600 Uvea, 98610 Alo, 98620 Sigave
        return f"986{rank}0"
    if department.code == "9E":
        return "97500"
    if department.overseas:
        return INSEE_DEPARTMENT[department.code] + f"{rng.randrange(100):02d}"
    if department.code in ("2A", "2B"):  # Corsican postal codes start with 20
        return f"20{'0' if department.code == '2A' else '2'}{rank % 10}0"
    return department.code + ("000" if rank == 0 else f"{rng.randrange(10, 990, 10):03d}")


def _communes(department: Department, rng: random.Random) -> list[Commune]:
    if department.code == "75":  # Paris: one commune of 20 arrondissements, 75101…75120
        return [
            Commune(department, f"751{n:02d}", "PARIS", f"750{n:02d}", *_centre(department, rng), 1)
            for n in range(1, 21)
        ]
    count = OVERSEAS_COMMUNES.get(department.code, METROPOLE_COMMUNES)
    prefix = INSEE_DEPARTMENT.get(department.code)
    if prefix:  # 9J numbers its communes 11…13 (98611 Alo … 98613 Uvea)
        first = 11 if department.code == "9J" else 1
        codes = [prefix + f"{n:02d}" for n in range(first, first + count)]
    else:
        codes = [department.code + f"{n:03d}" for n in sorted(rng.sample(range(1, 700), count))]
    made_up = {f"{rng.choice(COMMUNE_HEADS)}{rng.choice(COMMUNE_TAILS)}" for _ in range(count * 2)}
    others = sorted(made_up - set(department.cities))
    rng.shuffle(others)
    names = [*department.cities, *others]
    return [
        Commune(
            department=department,
            insee=code,
            name=names[rank % len(names)],
            postal_code=_postal_code(department, rank, rng),
            lat=(centre := _centre(department, rng))[0],
            lon=centre[1],
            weight=12 // (rank + 1) if rank < len(department.cities) else 1,
        )
        for rank, code in enumerate(rng.sample(codes, count))
    ]


def _centre(department: Department, rng: random.Random) -> tuple[float, float]:
    spread = department.spread
    return (
        department.lat + rng.uniform(-spread, spread),
        department.lon + rng.uniform(-spread, spread),
    )


def build_communes(rng: random.Random) -> dict[str, list[Commune]]:
    """The communes of every département, real cities first."""
    return {department.code: _communes(department, rng) for department in DEPARTMENTS}


def near(rng: random.Random, commune: Commune) -> tuple[float, float]:
    """A (lat, lon) point a few hundred metres around the commune centre."""
    return commune.lat + rng.uniform(-0.01, 0.01), commune.lon + rng.uniform(-0.01, 0.01)
