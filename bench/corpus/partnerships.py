"""Storylines of the topic partnerships: twinning, inter-municipal cooperation, shared IT."""

from __future__ import annotations

from .story import Line

_TWIN_COMMON = (
    "Beide Städte wollen Erfahrungen austauschen und voneinander lernen.",
    "Auch Schulen, Hochschulen und Vereine sollen von der Partnerschaft profitieren.",
    "{b} gilt als Vorreiter {area_bei}, {place} bringt Erfahrungen mit digitalen Bürgerdiensten "
    "ein.",
)
_AGREEMENT = (
    "Die Vereinbarung ist zunächst auf {years_word} Jahre angelegt.",
    "Eine gemeinsame Lenkungsgruppe entscheidet über konkrete Projekte und deren Reihenfolge.",
    "Als erstes Vorhaben ist eine gemeinsame Lösung im Bereich {area} geplant, die im {season} "
    "{next_year} starten soll.",
    "Die zuständigen Gremien haben der Vereinbarung bereits zugestimmt.",
    "Im Mittelpunkt stehen der Austausch von Fachverfahren, gemeinsame Schulungen für "
    "Beschäftigte und die Nachnutzung bereits entwickelter Online-Dienste.",
    "Weitere Kommunen sind ausdrücklich eingeladen, sich der Kooperation anzuschließen.",
)
_SHARED_IT = (
    "Gerade kleinere Gemeinden könnten den steigenden Anforderungen an die IT-Sicherheit allein "
    "kaum noch gerecht werden.",
    "Die beteiligten Kommunen versprechen sich davon mehr Sicherheit und geringere Betriebskosten.",
    "Die Umstellung der ersten Fachverfahren soll bis Ende {next_year} abgeschlossen sein.",
    "Ein einheitliches Ticketsystem bündelt künftig Anfragen aus allen Rathäusern.",
)

S = Line  # for short
LINES: tuple[Line, ...] = (
    S(
        name="twin_new",
        weight=2,
        places="city",
        joint=True,
        titles=(
            "{place} und {b} besiegeln Städtepartnerschaft",
            "{b} wird Partnerstadt von {place}",
            "{place} und {b} unterzeichnen Partnerschaftsvertrag",
            "Digitalpartnerschaft zwischen {place} und {b}",
        ),
        leads=(
            "{Nom} und {b_nom} haben eine Städtepartnerschaft geschlossen. Im Mittelpunkt "
            "der Zusammenarbeit steht der Bereich {area}.",
            "Einen Vertrag zur Städtepartnerschaft haben {place} und {b} unterzeichnet. "
            "Beide Städte wollen vor allem {area_bei} voneinander lernen.",
        ),
        sentences=(
            *_TWIN_COMMON,
            "Die Partnerschaftsurkunde wurde im Rathaus von {place} unterzeichnet.",
            "Geplant sind gegenseitige Besuche von Fachleuten aus den Verwaltungen sowie "
            "ein gemeinsames Jugendprojekt.",
            "Bereits im kommenden Jahr soll eine Delegation aus {b} nach {place} reisen.",
            "Die Kontakte zwischen {place} und {b} reichen nach Angaben der Stadt bis in die "
            "{decade}er Jahre zurück.",
            "Man müsse nicht jedes Rad neu erfinden, hieß es bei der Unterzeichnung.",
        ),
        captions=(
            "Unterzeichnung der Partnerschaftsurkunde im Rathaus von {place}.",
            "Die Delegationen aus {place} und {b} beim Festakt.",
        ),
        keywords=("Städtepartnerschaft", "International"),
        rubrics=("Städtepartnerschaft", "International"),
    ),
    S(
        name="twin_visit",
        weight=1,
        places="city",
        joint=True,
        titles=(
            "{years} Jahre Städtepartnerschaft {place} – {b}",
            "{ord}. Partnerschaftstreffen von {place} und {b}",
            "Städtepartnerschaft mit {b}: {place} setzt auf {area}",
            "Partnerstädte {place} und {b} kooperieren {area_bei}",
        ),
        leads=(
            "Seit {years} Jahren verbindet {place} und {b} eine Städtepartnerschaft. Nun "
            "soll der Austausch auf die Digitalisierung ausgeweitet werden.",
            "Beim {ord}. Partnerschaftstreffen haben Delegationen aus {place} und {b} "
            "gemeinsame Projekte im Bereich {area} vereinbart.",
        ),
        sentences=(
            *_TWIN_COMMON,
            "Im Mittelpunkt stehen zunächst {few} gemeinsame Vorhaben, darunter ein Projekt "
            "im Bereich {area}.",
            "Eine Lenkungsgruppe aus beiden Städten soll zweimal im Jahr zusammenkommen.",
            "Eine Delegation aus {b} war dafür drei Tage lang in {place} zu Gast.",
            "Auf dem Programm standen Besuche im Bürgerbüro, im Rechenzentrum und an "
            "mehreren Schulen.",
        ),
        captions=(
            "{place} und {b} wollen {area_bei} voneinander lernen.",
            "Gäste aus {b} im Rathaus von {place}.",
        ),
        keywords=("Städtepartnerschaft", "International"),
        rubrics=("Städtepartnerschaft",),
    ),
    S(
        name="agreement",
        weight=2,
        places="local",
        joint=True,
        titles=(
            "{place} und {b} schließen Kooperationsvereinbarung im Bereich {area}",
            "{place} und {b} wollen {area_bei} zusammenarbeiten",
            "Absichtserklärung: {place} und {b} rücken {area_bei} zusammen",
        ),
        leads=(
            "{Nom} und {b_nom} wollen {area_bei} künftig eng zusammenarbeiten. Eine "
            "entsprechende Kooperationsvereinbarung wurde jetzt unterzeichnet.",
            "Was als loser Erfahrungsaustausch begonnen hat, steht nun auf einer festen "
            "Grundlage: {Nom} und {b_nom} bündeln ihre Kräfte {area_bei}.",
        ),
        sentences=_AGREEMENT,
        captions=("Unterzeichnung der Kooperationsvereinbarung {loc}.",),
        keywords=("Interkommunale Zusammenarbeit", "Kooperation"),
        rubrics=("Interkommunal", "Kooperation"),
    ),
    S(
        name="network",
        weight=2,
        places="local",
        titles=(
            "{k} Kommunen {region} kooperieren {area_bei}",
            "Interkommunales Netzwerk für {area}: {k} Kommunen {region} machen mit",
            "Interkommunale Zusammenarbeit: {k} Gemeinden bündeln Kräfte {area_bei}",
            "{place} und {k} Nachbarkommunen gründen Bündnis für {area}",
        ),
        leads=(
            "{k_cap} Städte und Gemeinden {region} haben eine Absichtserklärung zur "
            "interkommunalen Zusammenarbeit im Bereich {area} unterzeichnet.",
            "{Area_bei} gehen {k_w} Kommunen {region} künftig gemeinsame Wege.",
        ),
        sentences=(
            *_AGREEMENT[:4],
            "Durch die Kooperation sollen Kräfte gebündelt und Kosten gesenkt werden.",
            "Kleinere Gemeinden können sich nicht für jedes Thema ein eigenes "
            "Spezialistenteam leisten.",
            "Die Kosten werden nach Einwohnerzahl auf die beteiligten Kommunen verteilt.",
            "Die Geschäftsstelle des Netzwerks wird {loc} angesiedelt.",
        ),
        captions=(
            "Vertreterinnen und Vertreter der beteiligten Kommunen nach der Unterzeichnung.",
        ),
        keywords=("Interkommunale Zusammenarbeit",),
        rubrics=("Interkommunal",),
    ),
    S(
        name="join",
        weight=1,
        places="local",
        titles=(
            "{place} tritt als {k2}. Mitglied dem {verbund} bei",
            "{place} lässt {area} künftig vom {verbund} betreuen",
            "{verbund} wächst auf {k2} Mitglieder",
        ),
        leads=(
            "{Nom} tritt zum 1. {month} dem {verbund} bei. Damit arbeiten künftig {k2} "
            "Kommunen in einer gemeinsamen IT-Infrastruktur.",
            "Der {verbund} übernimmt den IT-Betrieb für {nom}. Mit dem Beitritt wächst der "
            "Verbund auf {k2} Mitglieder.",
        ),
        sentences=(
            *_SHARED_IT,
            "Der Zweckverband betreibt Fachverfahren, E-Mail-Dienste und die "
            "Netzinfrastruktur für seine Mitglieder.",
            "Die Beschäftigten der bisherigen IT-Abteilung werden vom Verbund übernommen.",
            "Auch den Bereich {area} betreut künftig der Verbund.",
        ),
        captions=("Blick in das Rechenzentrum des Verbunds.",),
        keywords=("IT-Dienstleister", "Interkommunale Zusammenarbeit"),
        rubrics=("IT-Dienstleister",),
    ),
    S(
        name="datacentre",
        weight=1,
        places="local",
        joint=True,
        titles=(
            "{place} und {b} teilen sich künftig ein Rechenzentrum",
            "Rechenzentrum für {place} und {b}: Kooperation {area_bei} geplant",
        ),
        leads=(
            "{Nom} und {b_nom} teilen sich künftig ein Rechenzentrum und ein Team für "
            "Informationssicherheit.",
        ),
        sentences=(
            *_SHARED_IT,
            "Der Kooperationsvertrag wurde in dieser Woche unterzeichnet.",
            "Als nächster Schritt ist eine Zusammenarbeit {area_bei} geplant.",
        ),
        captions=("Serverschränke im neuen gemeinsamen Rechenzentrum.",),
        keywords=("IT-Dienstleister", "Kooperation"),
        rubrics=("Kooperation",),
    ),
    S(
        name="platform",
        weight=1,
        places="local",
        titles=(
            "Gemeinsames Rechenzentrum für {k} Kommunen {region}",
            "{k} Kommunen {region} nutzen gemeinsame Plattform für {area}",
        ),
        leads=(
            "Gemeinsam betreiben {k_w} Städte und Gemeinden {region} ihre Fachverfahren "
            "künftig auf einer Plattform in einem Rechenzentrum.",
        ),
        sentences=(
            *_SHARED_IT,
            "Den Betrieb übernimmt der {verbund}.",
            "Den Anfang macht der Bereich {area}, weitere Fachverfahren sollen folgen.",
        ),
        captions=("Blick in das gemeinsame Rechenzentrum der Verbundkommunen.",),
        keywords=("IT-Dienstleister", "Interkommunale Zusammenarbeit"),
        rubrics=("Interkommunal",),
    ),
)
SHARED = (  # body sentences the storylines share
    "Die Partner wollen Lösungen, die sich bei einem von ihnen bewährt haben, auch den "
    "anderen zur Verfügung stellen.",
    "Die Zusammenarbeit soll in den kommenden Monaten schrittweise ausgebaut werden.",
    "Regelmäßige Arbeitstreffen sollen den Austausch zwischen den Fachleuten sichern.",
    "Auch die Beschäftigten sollen von gemeinsamen Fortbildungen profitieren.",
    "Erste Ergebnisse der Kooperation sollen bereits im kommenden Jahr vorliegen.",
    "„Gemeinsam erreichen wir mehr, als jeder allein schaffen könnte“, sagt {speaker}.",
    "„Wir müssen nicht jedes Rad zweimal erfinden“, betont {speaker_t}.",
    "„Die Zusammenarbeit gibt uns Zugang zu Erfahrungen, die wir allein erst in Jahren "
    "gesammelt hätten“, erklärt {speaker}.",
    "„Gute Lösungen sollen nicht an der Stadtgrenze enden“, sagt {speaker_t}.",
    "„Von der Zusammenarbeit profitieren am Ende vor allem die Bürgerinnen und Bürger“, so "
    "{speaker}.",
)
