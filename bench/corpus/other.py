"""Storylines of the topic other: online services, product news, studies, broadband,
personnel."""

from __future__ import annotations

from .story import Line

_ONLINE = (
    "Das Angebot ist rund um die Uhr erreichbar und auch für Smartphones optimiert.",
    "Wer kein Internet nutzt, kann weiterhin persönlich ins Bürgerbüro kommen.",
    "Rückmeldungen nimmt {owner} über ein Kontaktformular entgegen.",
    "In einem nächsten Schritt sollen weitere Leistungen online angeboten werden.",
    "Entwickelt wurde die Lösung von einem regionalen Softwareanbieter.",
    "Die Nutzung ist kostenlos.",
    "Eine Anleitung in leichter Sprache erklärt die wichtigsten Schritte.",
    "„Viele Menschen haben uns gesagt, dass sie ihre Anliegen lieber von zu Hause aus erledigen "
    "möchten“, sagt {speaker}.",
    "„Die Technik ist unspektakulär, der Nutzen aber sofort spürbar“, sagt {speaker_t}.",
)
_BROADBAND = (
    "Die Anschlüsse bieten Bandbreiten von bis zu einem Gigabit pro Sekunde.",
    "Der Ausbau erfolgt überwiegend eigenwirtschaftlich durch ein Telekommunikationsunternehmen.",
    "„Schnelles Internet ist heute so wichtig wie Wasser und Strom“, sagt {speaker}.",
)

S = Line  # for short
LINES: tuple[Line, ...] = (
    S(
        name="launch",
        weight=3,
        places="local",
        titles=(
            "{place} startet {service} für {n_de} Einwohner",
            "{service} {loc}: {n2_de} Zugriffe in der ersten Woche",
            "{place} schaltet {service} frei: {k} Ämter machen mit",
        ),
        leads=(
            "{Nom} hat {service_acc} freigeschaltet. {Pron} ist rund um die Uhr erreichbar.",
            "Seit dieser Woche bietet {nom} {service_acc} an. An dem Angebot beteiligen sich "
            "{k_w} Ämter.",
        ),
        sentences=(
            *_ONLINE,
            "Allein in der ersten Woche wurden {n2_de} Zugriffe gezählt.",
            "Die Wartezeiten im Bürgerbüro sollen damit deutlich kürzer werden.",
        ),
        captions=(
            "Das neue Angebot funktioniert auch auf dem Smartphone.",
            "Der Startbildschirm des neuen Angebots {gen}.",
        ),
        keywords=("Online-Dienste", "Bürgerservice"),
        rubrics=("Bürgerservice", "Online-Dienste"),
    ),
    S(
        name="users",
        weight=1,
        places="local",
        titles=("{service} {gen} erreicht {n_de} Nutzer",),
        leads=("Mehr als {n_de} Menschen nutzen inzwischen {service_acc} {gen}.",),
        sentences=(
            *_ONLINE,
            "Besonders gefragt ist das Angebot am Montagmorgen.",
            "Seit dem Start vor einem Jahr hat sich die Zahl der Nutzer verdreifacht.",
        ),
        captions=("Das Angebot funktioniert auch auf dem Smartphone.",),
        keywords=("Online-Dienste",),
        rubrics=("Online-Dienste",),
    ),
    S(
        name="task",
        weight=2,
        places="local",
        titles=("Ab {sdate}: {task} {loc} online {task_verb}",),
        leads=(
            "Bürgerinnen und Bürger {loc} können ab dem {sdate} {task_acc} online {task_verb}.",
        ),
        sentences=(
            *_ONLINE,
            "Der Antrag wird digital an das zuständige Amt übermittelt.",
            "Die Gebühr kann direkt online bezahlt werden.",
            "Für die Anmeldung genügt das Bürgerkonto.",
        ),
        captions=("Der Antrag funktioniert auch auf dem Smartphone.",),
        keywords=("Online-Dienste", "Bürgerservice"),
        rubrics=("Bürgerservice",),
    ),
    S(
        name="chatbot",
        weight=1,
        places="local",
        titles=("Chatbot {loc} beantwortet Fragen {chat} – {n2_de} Anfragen im ersten Monat",),
        leads=(
            "Seit seinem Start vor vier Wochen hat der Chatbot auf der Website {gen} mehr "
            "als {n2_de} Fragen {chat} beantwortet.",
        ),
        sentences=(
            *_ONLINE,
            "Das System lernt aus anonymisierten Anfragen dazu.",
            "Kann der Chatbot eine Frage nicht beantworten, verweist er an die zuständige Stelle.",
            "Persönliche Daten werden nach Angaben {owner_gen} nicht gespeichert.",
        ),
        captions=("Der Chatbot ist rund um die Uhr erreichbar.",),
        keywords=("Chatbot", "Bürgerservice"),
        rubrics=("Bürgerservice",),
    ),
    S(
        name="product",
        weight=2,
        places="company",
        titles=(
            "{company_short} stellt neue Version von {product} vor",
            "Update {version} für {product} bringt {feature}",
            "{company_short} bringt {product} {version} auf den Markt",
            "Neuheit von {company_short}: {product} jetzt mit {feature_dat}",
            "{product} {version} mit {feature_dat}",
        ),
        leads=(
            "Der Softwareanbieter {company} hat Version {version} seiner Lösung {product} "
            "vorgestellt. Neu ist vor allem {feature_nom}.",
            "Mit einem Update für {product} reagiert {company} auf Wünsche der Kunden aus "
            "den Kommunen.",
            "Eine neue Version von {product} ist ab sofort verfügbar. Wichtigste Neuerung "
            "laut Hersteller {company}: {feature_nom}.",
        ),
        sentences=(
            "Das Update steht allen Kunden ab sofort kostenlos zur Verfügung.",
            "Nach Angaben des Herstellers nutzen bereits mehr als {k2} Kommunen die Software.",
            "Die neue Version wurde mit Pilotkunden aus {k_w} Kommunen getestet.",
            "Die Software ist nach aktuellen Sicherheitsstandards zertifiziert.",
            "Bestehende Daten werden beim Umstieg automatisch migriert.",
            "Schulungen für Anwenderinnen und Anwender bietet das Unternehmen online an.",
            "Der Betrieb ist wahlweise im eigenen Rechenzentrum oder in der Cloud möglich.",
            "„Wir haben viele Anregungen unserer Kunden aufgenommen“, sagt {speaker}.",
        ),
        captions=("Die neue Oberfläche von {product}.",),
        keywords=("Software", "Produkte"),
        rubrics=("Software", "Produkte"),
    ),
    S(
        name="study",
        weight=1,
        places="local",
        titles=(
            "Studie: {pct} Prozent der Kommunen {finding}",
            "Studie: {pct} Prozent der Kommunen {land_loc} {finding}",
        ),
        leads=(
            "Rund {pct} Prozent der Kommunen {land_loc} {finding}. Das zeigt eine aktuelle "
            "Studie {inst_gen}.",
        ),
        sentences=(
            "Für die Studie wurden {n_de} Kommunen aller Größenklassen befragt.",
            "Große Unterschiede zeigen sich zwischen Städten und ländlichen Gemeinden.",
            "Als größtes Hindernis nennen die Befragten fehlendes Personal.",
            "Die vollständige Studie steht kostenlos zum Download bereit.",
            "Im Vergleich zur letzten Befragung vor zwei Jahren hat sich der Wert um "
            "{pct2} Prozentpunkte verbessert.",
            "„Die Zahlen zeigen, wie viel sich in kurzer Zeit bewegt hat“, sagt {expert}.",
        ),
        captions=("Die Ergebnisse der Studie im Überblick.",),
        keywords=("Studie",),
        rubrics=("Studie",),
    ),
    S(
        name="survey",
        weight=1,
        places="local",
        titles=(
            "Umfrage unter {n_de} Beschäftigten: Mehr Fortbildung gewünscht",
            "Studie: {pct} Prozent kennen digitale Angebote {gen} nicht",
            "Befragung: Bürger {loc} geben Online-Diensten die Note {grade}",
        ),
        leads=(
            "Eine Befragung {inst_gen} zeigt: Viele digitale Angebote {gen} sind kaum "
            "bekannt. Wer sie nutzt, gibt ihnen im Schnitt die Note {grade}.",
        ),
        sentences=(
            "Befragt wurden {n_de} Menschen, darunter auch Beschäftigte der Verwaltung.",
            "Rund {pct} Prozent der Befragten kannten die Online-Dienste nicht.",
            "Viele Beschäftigte wünschen sich mehr Fortbildung zu digitalen Werkzeugen.",
            "Die Autorinnen und Autoren der Studie sehen vor allem bei der Bekanntheit der "
            "Angebote Nachholbedarf.",
            "„Die Angebote sind gut, sie müssen nur bekannter werden“, sagt {expert}.",
        ),
        captions=("Die Ergebnisse der Umfrage im Überblick.",),
        keywords=("Studie", "Umfrage"),
        rubrics=("Umfrage", "Studie"),
    ),
    S(
        name="ranking",
        weight=1,
        places="local",
        titles=("Ranking: {place} auf Platz {rank} bei digitalen Bürgerdiensten",),
        leads=("Im aktuellen Ranking digitaler Bürgerdienste belegt {nom} Platz {rank}.",),
        sentences=(
            "Für das Ranking wurden die Online-Angebote von {n_de} Kommunen verglichen.",
            "Bewertet wurden Umfang, Bedienbarkeit und Barrierefreiheit der Angebote.",
            "Im Vorjahr hatte {nom} noch auf einem hinteren Platz gelegen.",
            "Das Ranking erscheint einmal im Jahr.",
        ),
        captions=("Das Ranking vergleicht die Online-Angebote der Kommunen.",),
        keywords=("Ranking",),
        rubrics=("Ranking",),
    ),
    S(
        name="broadband",
        weight=1,
        places="local",
        titles=(
            "Glasfaserausbau {loc} erreicht {n_de} Haushalte",
            "Breitbandausbau: {k} Gewerbegebiete {loc} angeschlossen",
            "{km} Kilometer Glasfaser {loc} verlegt",
        ),
        leads=(
            "{Loc} sind jetzt {n_de} weitere Haushalte an das Glasfasernetz "
            "angeschlossen. Auch {k_w} Gewerbegebiete sind versorgt.",
        ),
        sentences=(
            *_BROADBAND,
            "Insgesamt wurden {km} Kilometer Leitungen verlegt.",
            "Schulen und Gewerbegebiete wurden beim Breitbandausbau vorrangig angeschlossen.",
        ),
        captions=("Bagger beim Verlegen der Leerrohre {loc}.",),
        keywords=("Breitband", "Glasfaser"),
        rubrics=("Breitband",),
    ),
    S(
        name="broadband_start",
        weight=1,
        places="local",
        titles=(
            "Spatenstich für Glasfaserausbau {loc}: {n_de} Haushalte profitieren",
            "Glasfaser für {k} Schulen {loc}",
        ),
        leads=(
            "Mit einem Spatenstich hat der Glasfaserausbau {loc} begonnen. Bis Ende "
            "{next_year} sollen {n_de} Haushalte und {k_w} Schulen angeschlossen sein.",
        ),
        sentences=(
            *_BROADBAND,
            "Haushalte, die sich bis Ende {month} für einen Anschluss entscheiden, zahlen "
            "keine Baukosten.",
            "Während der Bauarbeiten kann es in den Ortsdurchfahrten zu "
            "Verkehrseinschränkungen kommen.",
            "Damit können die Schulen digitale Unterrichtsangebote ohne Einschränkungen nutzen.",
        ),
        captions=("Spatenstich für den Glasfaserausbau {loc}.",),
        keywords=("Breitband", "Glasfaser"),
        rubrics=("Breitband",),
    ),
    S(
        name="personnel",
        weight=1,
        places="local",
        titles=(
            "Personalie: {person} wird {new_role} {gen}",
            "{person} wird {new_role} {gen}",
            "Nachfolge geregelt: {person} folgt {loc} auf {person2}",
        ),
        leads=(
            "{person} übernimmt die {post} {gen}. {Pron} folgt auf {person2}, {pred_rel} "
            "in den Ruhestand gegangen ist.",
        ),
        sentences=(
            "{Pron} war zuvor mehrere Jahre bei einem kommunalen IT-Dienstleister tätig.",
            "Zu {poss} Aufgaben gehören die Steuerung der Digitalprojekte und die Betreuung "
            "der Fachämter.",
            "{person2} hatte das Amt seit {since} inne.",
            "Die Stelle war bundesweit ausgeschrieben worden.",
            "{Pron} bringt Erfahrung aus Verwaltung und Privatwirtschaft mit.",
        ),
        captions=("{person} ist {new_role} {gen}.",),
        keywords=("Personalien",),
        rubrics=("Personalie",),
    ),
)
SHARED: tuple[str, ...] = ()  # body sentences the storylines share
