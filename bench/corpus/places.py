"""Places: the Länder, cities, Landkreise and foreign partner towns, with the grammatical forms
the sentences need."""

from __future__ import annotations

from dataclasses import dataclass

from digest.normalise import fold_words

LAENDER = {
    # code: name, capital, parliament (nominative)
    "BW": ("Baden-Württemberg", "Stuttgart", "der Landtag"),
    "BY": ("Bayern", "München", "der Landtag"),
    "BE": ("Berlin", "Berlin", "das Abgeordnetenhaus"),
    "BB": ("Brandenburg", "Potsdam", "der Landtag"),
    "HB": ("Bremen", "Bremen", "die Bürgerschaft"),
    "HH": ("Hamburg", "Hamburg", "die Bürgerschaft"),
    "HE": ("Hessen", "Wiesbaden", "der Landtag"),
    "MV": ("Mecklenburg-Vorpommern", "Schwerin", "der Landtag"),
    "NI": ("Niedersachsen", "Hannover", "der Landtag"),
    "NW": ("Nordrhein-Westfalen", "Düsseldorf", "der Landtag"),
    "RP": ("Rheinland-Pfalz", "Mainz", "der Landtag"),
    "SL": ("Saarland", "Saarbrücken", "der Landtag"),
    "SN": ("Sachsen", "Dresden", "der Landtag"),
    "ST": ("Sachsen-Anhalt", "Magdeburg", "der Landtag"),
    "SH": ("Schleswig-Holstein", "Kiel", "der Landtag"),
    "TH": ("Thüringen", "Erfurt", "der Landtag"),
}

CITIES = (
    ("Aachen", "NW"), ("Augsburg", "BY"), ("Bamberg", "BY"), ("Bautzen", "SN"),
    ("Bielefeld", "NW"), ("Bochum", "NW"), ("Bonn", "NW"), ("Bottrop", "NW"),
    ("Braunschweig", "NI"), ("Bremerhaven", "HB"), ("Chemnitz", "SN"), ("Cottbus", "BB"),
    ("Darmstadt", "HE"), ("Dessau-Roßlau", "ST"), ("Dortmund", "NW"), ("Dresden", "SN"),
    ("Duisburg", "NW"), ("Düsseldorf", "NW"), ("Eisenach", "TH"), ("Erfurt", "TH"),
    ("Erlangen", "BY"), ("Essen", "NW"), ("Flensburg", "SH"), ("Freiburg", "BW"),
    ("Fulda", "HE"), ("Gelsenkirchen", "NW"), ("Gera", "TH"), ("Gießen", "HE"),
    ("Görlitz", "SN"), ("Göttingen", "NI"), ("Greifswald", "MV"), ("Hagen", "NW"),
    ("Halle", "ST"), ("Hamm", "NW"), ("Hanau", "HE"), ("Hannover", "NI"),
    ("Heidelberg", "BW"), ("Heilbronn", "BW"), ("Hildesheim", "NI"), ("Ingolstadt", "BY"),
    ("Jena", "TH"), ("Kaiserslautern", "RP"), ("Karlsruhe", "BW"), ("Kassel", "HE"),
    ("Kempten", "BY"), ("Kiel", "SH"), ("Koblenz", "RP"), ("Köln", "NW"),
    ("Konstanz", "BW"), ("Krefeld", "NW"), ("Landshut", "BY"), ("Leipzig", "SN"),
    ("Leverkusen", "NW"), ("Lübeck", "SH"), ("Ludwigsburg", "BW"), ("Lüneburg", "NI"),
    ("Magdeburg", "ST"), ("Mainz", "RP"), ("Mannheim", "BW"), ("Marburg", "HE"),
    ("Minden", "NW"), ("Mönchengladbach", "NW"), ("München", "BY"), ("Münster", "NW"),
    ("Neubrandenburg", "MV"), ("Neuss", "NW"), ("Nürnberg", "BY"), ("Oberhausen", "NW"),
    ("Offenburg", "BW"), ("Oldenburg", "NI"), ("Osnabrück", "NI"), ("Paderborn", "NW"),
    ("Passau", "BY"), ("Pforzheim", "BW"), ("Plauen", "SN"), ("Potsdam", "BB"),
    ("Regensburg", "BY"), ("Reutlingen", "BW"), ("Rosenheim", "BY"), ("Rostock", "MV"),
    ("Saarbrücken", "SL"), ("Salzgitter", "NI"), ("Schwerin", "MV"), ("Siegen", "NW"),
    ("Solingen", "NW"), ("Speyer", "RP"), ("Stralsund", "MV"), ("Stuttgart", "BW"),
    ("Suhl", "TH"), ("Trier", "RP"), ("Tübingen", "BW"), ("Ulm", "BW"),
    ("Weimar", "TH"), ("Wiesbaden", "HE"), ("Wismar", "MV"), ("Wolfsburg", "NI"),
    ("Worms", "RP"), ("Wuppertal", "NW"), ("Würzburg", "BY"), ("Zwickau", "SN"),
    ("Frankfurt am Main", "HE"), ("Brandenburg an der Havel", "BB"), ("Neumünster", "SH"),
    ("Zweibrücken", "RP"), ("Neunkirchen", "SL"), ("Frankenthal", "RP"),
)  # fmt: skip

KREISE = (
    ("Kreis Lippe", "NW"), ("Rhein-Kreis Neuss", "NW"), ("Landkreis Hof", "BY"),
    ("Landkreis Görlitz", "SN"), ("Kreis Steinfurt", "NW"), ("Landkreis Emsland", "NI"),
    ("Landkreis Osnabrück", "NI"), ("Rhein-Sieg-Kreis", "NW"), ("Ennepe-Ruhr-Kreis", "NW"),
    ("Hochsauerlandkreis", "NW"), ("Main-Kinzig-Kreis", "HE"), ("Odenwaldkreis", "HE"),
    ("Landkreis Fulda", "HE"), ("Wetteraukreis", "HE"), ("Landkreis Karlsruhe", "BW"),
    ("Ortenaukreis", "BW"), ("Landkreis Konstanz", "BW"), ("Bodenseekreis", "BW"),
    ("Landkreis Ludwigsburg", "BW"), ("Rems-Murr-Kreis", "BW"), ("Landkreis Rosenheim", "BY"),
    ("Landkreis Passau", "BY"), ("Landkreis Cham", "BY"), ("Landkreis Bamberg", "BY"),
    ("Landkreis Kronach", "BY"), ("Kreis Nordfriesland", "SH"), ("Kreis Pinneberg", "SH"),
    ("Landkreis Vorpommern-Greifswald", "MV"), ("Landkreis Rostock", "MV"),
    ("Landkreis Leipzig", "SN"), ("Erzgebirgskreis", "SN"), ("Vogtlandkreis", "SN"),
    ("Landkreis Harz", "ST"), ("Saalekreis", "ST"), ("Landkreis Gotha", "TH"),
    ("Wartburgkreis", "TH"), ("Landkreis Potsdam-Mittelmark", "BB"),
    ("Landkreis Oder-Spree", "BB"), ("Eifelkreis Bitburg-Prüm", "RP"),
    ("Landkreis Mayen-Koblenz", "RP"), ("Landkreis Saarlouis", "SL"), ("Kreis Gütersloh", "NW"),
    ("Kreis Soest", "NW"), ("Kreis Warendorf", "NW"), ("Landkreis Cuxhaven", "NI"),
    ("Kreis Düren", "NW"), ("Landkreis Lörrach", "BW"), ("Kreis Segeberg", "SH"),
    ("Landkreis Merzig-Wadern", "SL"), ("Landkreis Börde", "ST"), ("Ilm-Kreis", "TH"),
    ("Landkreis Ludwigslust-Parchim", "MV"), ("Landkreis Barnim", "BB"),
)  # fmt: skip

FOREIGN = (
    ("Tampere", "finnische"), ("Aarhus", "dänische"), ("Eindhoven", "niederländische"),
    ("Tartu", "estnische"), ("Linz", "österreichische"), ("Graz", "österreichische"),
    ("Brünn", "tschechische"), ("Posen", "polnische"), ("Lyon", "französische"),
    ("Bologna", "italienische"), ("Gent", "belgische"), ("Utrecht", "niederländische"),
    ("Winterthur", "Schweizer"), ("Mülhausen", "französische"), ("Kaunas", "litauische"),
    ("Espoo", "finnische"), ("Göteborg", "schwedische"), ("Pilsen", "tschechische"),
    ("Salzburg", "österreichische"), ("Straßburg", "französische"), ("Breslau", "polnische"),
    ("Palo Alto", "kalifornische"), ("Cascais", "portugiesische"), ("Rijeka", "kroatische"),
    ("Dijon", "französische"), ("Lund", "schwedische"), ("Leuven", "belgische"),
    ("Trient", "italienische"), ("Maribor", "slowenische"), ("Riga", "lettische"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    """A city, Landkreis or Land with the forms the sentences need."""

    name: str
    kind: str  # "city", "kreis", "land"
    state: str  # the Land's code
    nom: str  # die Stadt Ulm / der Landkreis Hof / das Land Hessen
    gen: str  # der Stadt Ulm / des Landkreises Hof / des Landes Hessen
    acc_short: str  # after "für": Ulm / den Landkreis Hof / Hessen
    loc: str  # in Ulm / im Landkreis Hof / in Hessen
    region: str  # rund um Ulm / im Landkreis Hof / in Hessen
    owner: str  # die Stadt / der Landkreis / das Land
    owner_gen: str  # der Stadt / des Landkreises / des Landes
    council: str  # der Gemeinderat / der Kreistag / der Landtag
    head: tuple[str, str]  # the head's title, male and female
    office: str  # where a staff unit sits: beim Oberbürgermeister
    city: str  # the city a press release is signed in
    credit: str  # Bildquelle
    slug: str


def _slug(name: str) -> str:
    return "-".join(fold_words(name).split())


def _city(name: str, state: str, index: int) -> Place:
    return Place(
        name, "city", state, f"die Stadt {name}", f"der Stadt {name}", name, f"in {name}",
        f"rund um {name}", "die Stadt", "der Stadt",
        "der Stadtrat" if index % 3 == 0 else "der Gemeinderat",
        ("Oberbürgermeister", "Oberbürgermeisterin"), "beim Oberbürgermeister", name,
        f"Stadt {name}", _slug(name),
    )  # fmt: skip


def _kreis(name: str, state: str) -> Place:
    words = name.split(" ")
    head = next(i for i, w in enumerate(words) if w.lower().endswith("kreis"))
    gen = " ".join(w + "es" if i == head else w for i, w in enumerate(words))
    return Place(
        name, "kreis", state, f"der {name}", f"des {gen}", f"den {name}", f"im {name}",
        f"im {name}", "der Landkreis", "des Landkreises", "der Kreistag", ("Landrat", "Landrätin"),
        "beim Landrat", name, name, _slug(name),
    )  # fmt: skip


def _land(state: str) -> Place:
    name, capital, parliament = LAENDER[state]
    if name == "Saarland":
        forms = ("das Saarland", "des Saarlandes", "das Saarland", "im Saarland")
    else:
        forms = (f"das Land {name}", f"des Landes {name}", name, f"in {name}")
    return Place(
        name, "land", state, *forms, forms[3], "das Land", "des Landes", parliament,
        ("Digitalminister", "Digitalministerin"), "in der Staatskanzlei", capital,
        f"Land {name}" if name != "Saarland" else "Saarland", _slug(name),
    )  # fmt: skip


LAND_NAMES = frozenset(name for name, _, _ in LAENDER.values())
CITY_PLACES = tuple(_city(name, state, i) for i, (name, state) in enumerate(CITIES))
KREIS_PLACES = tuple(_kreis(name, state) for name, state in KREISE)
LAND_PLACES = tuple(_land(state) for state in LAENDER)
LAND_BY_STATE = {p.state: p for p in LAND_PLACES}
LOCAL_PLACES = CITY_PLACES + KREIS_PLACES
LOCAL_BY_STATE = {s: tuple(p for p in LOCAL_PLACES if p.state == s) for s in LAENDER}
CITIES_BY_STATE = {s: tuple(p for p in CITY_PLACES if p.state == s) for s in LAENDER}
