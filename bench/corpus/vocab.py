"""People, firms and things: the names and words the story slots are filled with."""

FIRST_F = (
    "Sabine", "Claudia", "Miriam", "Eva", "Katrin", "Anja", "Julia", "Petra", "Stefanie",
    "Nadine", "Birgit", "Tanja", "Melanie", "Susanne", "Lena", "Christine", "Andrea", "Nicole",
    "Heike", "Martina", "Jana", "Kerstin", "Silke", "Ute", "Friederike", "Aylin", "Marta",
)  # fmt: skip
FIRST_M = (
    "Martin", "Thomas", "Jörg", "Stefan", "Michael", "Andreas", "Frank", "Jan", "Markus",
    "Tobias", "Christian", "Matthias", "Ralf", "Uwe", "Daniel", "Florian", "Sebastian", "Peter",
    "Holger", "Alexander", "Dirk", "Sven", "Kai", "Bernd", "Jonas", "Murat", "Lukas",
)  # fmt: skip
SURNAMES = (
    "Roth", "Kessler", "Weinert", "Albers", "Lindner", "Hoffmann", "Becker", "Schulz", "Krüger",
    "Brandt", "Vogel", "Hartmann", "Lange", "Sommer", "Winter", "Neumann", "Schröder", "Wagner",
    "Fischer", "Meyer", "Keller", "Franke", "Seidel", "Böhm", "Jansen", "Peters", "Graf",
    "Ludwig", "Kuhn", "Busch", "Engel", "Horn", "Pohl", "Voigt", "Arnold", "Berger", "Lorenz",
    "Maier", "Walter", "Ebert", "Thiel", "Hahn", "Kraus", "Moll", "Otto", "Brenner", "Yilmaz",
    "Nowak", "Schubert", "Krause", "Heinrich", "Ziegler", "Marx", "Petersen",
)  # fmt: skip
STAFF = (  # male, female, whether the title goes before the name ("sagt IT-Leiterin X")
    ("Projektleiter", "Projektleiterin", True),
    ("IT-Leiter", "IT-Leiterin", True),
    ("Leiter des Digitalbüros", "Leiterin des Digitalbüros", False),
    ("Amtsleiter für Organisation und IT", "Amtsleiterin für Organisation und IT", False),
    ("Fachbereichsleiter Bürgerdienste", "Fachbereichsleiterin Bürgerdienste", False),
    ("Chief Digital Officer", "Chief Digital Officer", True),
)
COMPANIES = (  # name, short name for kickers, postcode and city
    ("Rathausdigital GmbH", "Rathausdigital", "69115 Heidelberg"),
    ("Amtsbit Solutions GmbH", "Amtsbit", "01067 Dresden"),
    ("Sensorfeld Systems GmbH", "Sensorfeld", "89073 Ulm"),
    ("Kommunalsoft Nord GmbH", "Kommunalsoft Nord", "24103 Kiel"),
    ("Datenwerk Süd GmbH", "Datenwerk Süd", "93047 Regensburg"),
    ("Verwaltungsnetz Hessen AG", "Verwaltungsnetz Hessen", "65185 Wiesbaden"),
    ("Formwerk Digital GmbH", "Formwerk", "50667 Köln"),
    ("Ratsinfo Systeme GmbH", "Ratsinfo Systeme", "48143 Münster"),
    ("Geodata Kommunal GmbH", "Geodata Kommunal", "99084 Erfurt"),
    ("Civitec Software AG", "Civitec", "70173 Stuttgart"),
    ("Portalbau Ost GmbH", "Portalbau Ost", "04109 Leipzig"),
    ("Aktenlos GmbH", "Aktenlos", "30159 Hannover"),
    ("Bürgerwerk IT GmbH", "Bürgerwerk", "28195 Bremen"),
    ("Kommunix Data GmbH", "Kommunix", "59423 Unna"),
)
PRODUCTS = (
    "eAkte Kommunal", "Termino", "RatsInfo Cloud", "Formularserver Plus", "GeoPortal Kommunal",
    "KommKasse", "Bürgerkonto Pro", "Sitzungsmanager", "Kita-Planer", "Melde-Assistent",
    "Fundus", "Vorgangsmanager", "Antragsbox", "Stadtplan Plus",
)  # fmt: skip
FEATURES = (  # accusative and dative title forms, nominative with indefinite article
    ("KI-gestützte Suche", "KI-gestützter Suche", "eine KI-gestützte Suche"),
    ("barrierefreie Oberfläche", "barrierefreier Oberfläche", "eine barrierefreie Oberfläche"),
    ("digitale Signatur", "digitaler Signatur", "eine digitale Signatur"),
    ("automatische Fristenkontrolle", "automatischer Fristenkontrolle",
     "eine automatische Fristenkontrolle"),
    ("mobile Erfassung", "mobiler Erfassung", "eine mobile Erfassung per Tablet"),
    ("offene Schnittstelle", "offener Schnittstelle",
     "eine offene Schnittstelle zu Fachverfahren"),
    ("Cloud-Betrieb", "Cloud-Betrieb", "ein Betrieb in der Cloud"),
    ("Dunkelmodus", "Dunkelmodus", "ein Dunkelmodus für die Arbeit am Abend"),
    ("Statistikmodul", "Statistikmodul", "ein Statistikmodul für die Amtsleitung"),
)  # fmt: skip
AREAS = (  # bare (after "im Bereich"), dative with article
    ("Geodaten", "den Geodaten"), ("IT-Sicherheit", "der IT-Sicherheit"),
    ("Bürgerservice", "dem Bürgerservice"), ("E-Akte", "der E-Akte"),
    ("Terminvergabe", "der Terminvergabe"), ("Smart City", "der Smart City"),
    ("Verkehrsdaten", "den Verkehrsdaten"), ("Klimaschutz", "dem Klimaschutz"),
    ("digitale Bildung", "der digitalen Bildung"), ("Personalgewinnung", "der Personalgewinnung"),
    ("Online-Anträge", "den Online-Anträgen"), ("Fachverfahren", "den Fachverfahren"),
    ("Sensorik", "der Sensorik"), ("Schul-IT", "der Schul-IT"),
    ("Straßenbeleuchtung", "der Straßenbeleuchtung"), ("Beschaffung", "der Beschaffung"),
    ("Katastrophenschutz", "dem Katastrophenschutz"), ("Wasserwirtschaft", "der Wasserwirtschaft"),
    ("Rechnungswesen", "dem Rechnungswesen"), ("Digitalfunk", "dem Digitalfunk"),
)  # fmt: skip
VERBUND_PATTERNS = ("IT-Verbund {}", "Zweckverband Kommunale IT {}", "Rechenzentrumsverbund {}")
THEMES = (
    "Künstliche Intelligenz", "IT-Sicherheit", "digitale Bürgerdienste", "Smart City",
    "Fachkräftemangel", "Datenkompetenz", "digitale Barrierefreiheit", "Geodaten",
    "nachhaltige IT", "Automatisierung", "E-Rechnung", "digitale Teilhabe", "Cloud-Dienste",
    "Sensorik", "digitale Zwillinge",
)  # fmt: skip
EVENT_NAMES = (
    "Kommune digital", "Zukunft Rathaus", "Digitale Region", "Smarte Kommune",
    "Stadt.Land.Digital", "Netzwerk Verwaltung", "Digitales Rathaus", "Offene Verwaltung",
    "Rathaus der Zukunft", "Kommunal vernetzt", "Digital vor Ort", "Bürgernah digital",
    "Verwaltung im Wandel", "Daten für die Stadt",
)  # fmt: skip
EVENTS = (  # noun, gender, family
    ("Kongress", "m", "talk"), ("Fachkongress", "m", "talk"), ("Konferenz", "f", "talk"),
    ("Fachtagung", "f", "talk"), ("Tagung", "f", "talk"), ("Digitalgipfel", "m", "talk"),
    ("Fachtag", "m", "talk"), ("Zukunftsforum", "n", "talk"), ("Digitaltag", "m", "talk"),
    ("Fachmesse", "f", "fair"), ("Kommunalmesse", "f", "fair"), ("Messe", "f", "fair"),
    ("Hackathon", "m", "hack"), ("Barcamp", "n", "hack"), ("Ideenwerkstatt", "f", "hack"),
)  # fmt: skip
ARTICLES = {  # nom, acc, zu + dat, bei + dat, pronoun
    "m": ("der", "den", "zum", "beim", "er"),
    "f": ("die", "die", "zur", "bei der", "sie"),
    "n": ("das", "das", "zum", "beim", "es"),
}
PARTS = {
    "talk": "Vorträge, Podiumsdiskussionen und Workshops",
    "fair": "Produktvorführungen, Fachforen und Kurzvorträge",
    "hack": "Sessions, Teamphasen und Kurzvorträge",
}
LAWS = (
    "E-Government-Gesetz", "Digitalgesetz", "Digitalisierungsgesetz",
    "Verwaltungsdigitalisierungsgesetz", "Onlinezugangsgesetz",
)  # fmt: skip
PROGRAMMES = (
    "Digitale Kommune", "Smart Region", "Kommunal digital", "Digitale Orte", "Zukunft Land",
    "Digitale Dörfer", "Starke Rathäuser", "Vernetzte Kommune",
)  # fmt: skip
FUND_TARGETS = (  # accusative (after "für"), dative (after "bei")
    ("digitale Bürgerdienste", "digitalen Bürgerdiensten"),
    ("Smart-City-Projekte", "Smart-City-Projekten"),
    ("die Digitalisierung der Schulen", "der Digitalisierung der Schulen"),
    ("kommunale Rechenzentren", "kommunalen Rechenzentren"),
    ("Künstliche Intelligenz in der Verwaltung", "Künstlicher Intelligenz in der Verwaltung"),
    ("digitale Beteiligung", "digitaler Beteiligung"),
    ("Sensornetze", "Sensornetzen"),
    ("digitale Gesundheitsämter", "digitalen Gesundheitsämtern"),
)
SERVICES = (  # title form, gender
    ("Online-Terminbuchung", "f"), ("Abfall-App", "f"), ("Mängelmelder", "m"),
    ("Bürger-App", "f"), ("Wartezeitanzeige", "f"), ("Online-Bürgerbüro", "n"),
    ("Parkleitsystem", "n"), ("Kita-Portal", "n"), ("Serviceportal", "n"),
    ("Online-Fundbüro", "n"), ("Bibliotheks-App", "f"), ("Sperrmüll-Service", "m"),
    ("Kulturkalender", "m"), ("Beteiligungsportal", "n"), ("Baustelleninfo-App", "f"),
)  # fmt: skip
TASKS = (  # title noun, accusative, verb
    ("Anwohnerparkausweis", "den Anwohnerparkausweis", "beantragen"),
    ("Sperrmüll", "Sperrmüll", "anmelden"),
    ("Hundesteuer", "die Hundesteuer", "anmelden"),
    ("Wohngeld", "Wohngeld", "beantragen"),
    ("Führungszeugnis", "das Führungszeugnis", "beantragen"),
    ("Wohnsitz", "den neuen Wohnsitz", "ummelden"),
    ("Kita-Platz", "einen Kita-Platz", "suchen"),
    ("Trauungstermin", "einen Trauungstermin", "reservieren"),
    ("Bewohnerparken", "das Bewohnerparken", "verlängern"),
    ("Gewerbe", "ein Gewerbe", "anmelden"),
    ("Sondernutzung", "die Sondernutzung von Gehwegen", "beantragen"),
)
CHAT_TOPICS = (
    "zu Abfuhrterminen", "zum Wohngeld", "zur Hundesteuer", "zu Bauanträgen",
    "zu Kita-Plätzen", "zum Anwohnerparken", "zum Personalausweis", "zur Grundsteuer",
)  # fmt: skip
FINDINGS = (
    "nutzen Cloud-Dienste", "setzen Künstliche Intelligenz ein", "bieten Online-Terminbuchung an",
    "haben eine E-Akte eingeführt", "suchen IT-Fachkräfte", "planen einen Chatbot",
    "bezahlen Rechnungen elektronisch", "veröffentlichen Sitzungsunterlagen online",
)  # fmt: skip
INSTITUTES = (  # genitive, city
    ("des Instituts für Verwaltungsforschung", "Speyer"),
    ("der Forschungsstelle Digitale Kommune", "Kassel"),
    ("des Beratungsunternehmens Kommunalkompass", "Berlin"),
    ("des Branchenverbands kommunaler IT-Dienstleister", "Berlin"),
    ("der Hochschule für Verwaltung", "Ludwigsburg"),
    ("des Zentrums für digitale Daseinsvorsorge", "Bremen"),
)
JOBS = (  # title and post, for a man and for a woman
    (("neuer Leiter des Digitalbüros", "neue Leiterin des Digitalbüros"),
     ("Leitung des Digitalbüros", "Leitung des Digitalbüros")),
    (("neuer IT-Leiter", "neue IT-Leiterin"), ("IT-Leitung", "IT-Leitung")),
    (("neuer Chief Digital Officer", "neue Chief Digital Officer"),
     ("Stelle des Chief Digital Officer", "Stelle der Chief Digital Officer")),
    (("neuer Digitalisierungsbeauftragter", "neue Digitalisierungsbeauftragte"),
     ("Aufgabe des Digitalisierungsbeauftragten", "Aufgabe der Digitalisierungsbeauftragten")),
)  # fmt: skip
NUMBER_WORDS = ("null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun",
                "zehn", "elf", "zwölf")  # fmt: skip
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")  # fmt: skip
SEASONS = ("Frühjahr", "Sommer", "Herbst")
AUTHOR_TAGS = ("ve", "sib", "ba", "al", "bw", "th", "mn", "ve/al")
SECTIONS = {
    "partnerships": ("Politik", "Panorama", "Politik"),
    "congresses": ("Panorama", "Panorama", "Veranstaltungen"),
    "policy": ("Politik",),
    "other": ("E-Government", "Smart City", "IT-Infrastruktur", "Panorama"),
}
