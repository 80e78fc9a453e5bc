"""Storylines of the topic policy: strategies, laws, funding programmes, council decisions."""

from __future__ import annotations

from .story import Line

_STRATEGY = (
    "Zu den Schwerpunkten gehören digitale Bürgerdienste, die elektronische Akte und der Ausbau "
    "offener Daten.",
    "Erarbeitet wurde das Papier in einem mehrmonatigen Beteiligungsprozess mit Bürgerinnen und "
    "Bürgern, Unternehmen und Beschäftigten.",
    "Für die Umsetzung sind im Haushalt {year} rund {mio} Millionen Euro vorgesehen.",
    "Eine neu eingerichtete Stabsstelle soll die Umsetzung steuern.",
    "Einmal im Jahr soll {council} über den Stand der Umsetzung informiert werden.",
    "Die Strategie soll alle zwei Jahre überprüft und fortgeschrieben werden.",
    "Besonders wichtig sei, dass alle Angebote auch ohne Internetzugang erreichbar bleiben, "
    "heißt es in dem Papier.",
)
_LAW = (
    "Die kommunalen Spitzenverbände hatten im Anhörungsverfahren mehr Zeit für die Umsetzung "
    "gefordert.",
    "Für die Umsetzung sollen die Kommunen einen finanziellen Ausgleich erhalten.",
    "Neu ist zudem eine Pflicht zur Veröffentlichung offener Daten.",
    "Die Opposition kritisierte, die Vorgaben kämen für viele Kommunen zu spät.",
    "Mit der Novelle werden auch Vorgaben der Datenschutz-Grundverordnung umgesetzt.",
)
_FUNDING = (
    "Gefördert werden bis zu {pct} Prozent der förderfähigen Ausgaben.",
    "Anträge können bis Ende {month} gestellt werden.",
    "Über die Vergabe der Mittel entscheidet eine Jury aus Fachleuten.",
    "Die Förderrichtlinie ist auf der Website des zuständigen Ministeriums veröffentlicht.",
    "Pro Projekt sind Zuschüsse von bis zu {grant} Euro möglich.",
    "Die kommunalen Spitzenverbände begrüßten das Programm.",
)
_COUNCIL = (
    "Der Beschluss fiel mit großer Mehrheit.",
    "Kritik kam von der Opposition, der die Pläne nicht weit genug gehen.",
)

S = Line  # for short
LINES: tuple[Line, ...] = (
    S(
        name="strategy",
        weight=4,
        places="any",
        titles=(
            "Digitalstrategie {target} für {acc_short} beschlossen",
            "{place} gibt sich eine Digitalstrategie bis {target}",
            "Masterplan Digitalisierung {target} {loc} verabschiedet",
            "{place} legt Fahrplan für digitale Verwaltung bis {target} vor",
            "{place} beschließt Digitalstrategie mit {many} Maßnahmen",
        ),
        leads=(
            "{Council} hat die Digitalstrategie {gen} beschlossen. Sie setzt Schwerpunkte "
            "bei Verwaltungsdiensten, digitaler Bildung und offenen Daten.",
            "Mit einer neuen Digitalstrategie will {nom} die Verwaltung bis {target} "
            "grundlegend modernisieren.",
            "{Nom} hat sich eine Digitalstrategie gegeben. Sie umfasst {many} Maßnahmen in "
            "{fields} Handlungsfeldern.",
        ),
        sentences=(
            *_STRATEGY,
            "Die Strategie umfasst {many} Maßnahmen in {fields} Handlungsfeldern.",
        ),
        captions=("Die Digitalstrategie setzt auf Bürgerdienste und offene Daten.",),
        keywords=("Digitalstrategie",),
        rubrics=("Digitalstrategie", "E-Government"),
    ),
    S(
        name="law_passed",
        weight=2,
        places="land",
        titles=(
            "Neues {law}: {place} verpflichtet Kommunen bis {deadline}",
            "Neues {law} {loc} tritt am {sdate} in Kraft",
            "{place} passt {law} an: Übergangsfrist von {k} Monaten",
        ),
        leads=(
            "{Council} hat die Novelle des {law}es verabschiedet. Kommunen werden damit "
            "verpflichtet, bis Ende {deadline} alle Verwaltungsleistungen auch "
            "elektronisch anzubieten.",
            "Mit einer kompletten Neufassung ist das {law} {gen} an aktuelle Anforderungen "
            "angepasst worden.",
        ),
        sentences=(
            *_LAW,
            "Das Gesetz tritt am {sdate} in Kraft.",
            "Für die Umstellung gilt eine Übergangsfrist von {k_w} Monaten.",
            "Bis Ende {deadline} sollen alle Landesbehörden die elektronische Akte "
            "eingeführt haben.",
        ),
        captions=("Das Gesetz tritt am {sdate} in Kraft.",),
        keywords=("Gesetzgebung", "E-Government"),
        rubrics=("Gesetzgebung", "E-Government"),
    ),
    S(
        name="decree",
        weight=1,
        places="land",
        titles=(
            "Neue Verordnung regelt E-Akte {loc}: {k} Monate Übergangsfrist",
            "Verordnung {loc}: {many} Landesbehörden führen Akten ab {next_year} digital",
        ),
        leads=(
            "Die Landesregierung {loc} hat eine Verordnung zur elektronischen Aktenführung "
            "erlassen. Ab {next_year} sollen alle Landesbehörden ihre Akten nur noch digital "
            "führen.",
        ),
        sentences=(
            "Die Verordnung stützt sich auf das {law} des Landes.",
            "Für die Kommunen gilt eine Übergangsfrist von {k_w} Monaten.",
            "Vorhandene Papierakten werden schrittweise digitalisiert.",
            "Betroffen sind nach Angaben der Landesregierung {many} Behörden.",
            "Die Beschäftigten werden vor der Umstellung geschult.",
        ),
        captions=("Papierakten sollen in den Landesbehörden bald der Vergangenheit angehören.",),
        keywords=("E-Akte", "E-Government"),
        rubrics=("E-Akte", "E-Government"),
    ),
    S(
        name="law_draft",
        weight=1,
        places="land",
        titles=(
            "{law}: {place} legt Novelle mit {many} Änderungen vor",
            "Anhörung zum {law} {loc}: {k} Verbände nehmen Stellung",
            "Gesetzentwurf: {place} will Kommunen bis {deadline} zu Online-Diensten verpflichten",
        ),
        leads=(
            "Die Landesregierung {loc} hat den Entwurf für eine Novelle des {law}es "
            "vorgelegt. Kommunen sollen bis Ende {deadline} alle Leistungen auch online "
            "anbieten.",
        ),
        sentences=(
            *_LAW,
            "Der Entwurf geht nun in die parlamentarischen Beratungen.",
            "Das Gesetz soll zum 1. {month} {next_year} in Kraft treten.",
        ),
        captions=("Der Gesetzentwurf geht nun in die Beratungen.",),
        keywords=("Gesetzgebung",),
        rubrics=("Gesetzgebung",),
    ),
    S(
        name="agenda",
        weight=1,
        places="land",
        titles=(
            "Koalition {loc} einigt sich auf Digitalagenda mit {many} Vorhaben",
            "Kabinett {loc} beschließt {k} Eckpunkte für digitale Verwaltung",
        ),
        leads=(
            "Die Landesregierung {loc} hat sich auf {k_w} Eckpunkte für die Digitalisierung "
            "der Verwaltung verständigt. Sie sollen bis {target} umgesetzt werden.",
        ),
        sentences=(
            "Zu den Vorhaben gehören ein landesweites Serviceportal und die elektronische "
            "Akte in allen Behörden.",
            "Die Kommunen sollen bei der Umsetzung finanziell unterstützt werden.",
            "Ein Digitalrat aus Wissenschaft und Praxis soll die Regierung beraten.",
            "Die Opposition vermisst konkrete Zeitpläne.",
        ),
        captions=("Die Landesregierung stellte die Eckpunkte in der Staatskanzlei vor.",),
        keywords=("Digitalpolitik",),
        rubrics=("Digitalpolitik",),
    ),
    S(
        name="funding_call",
        weight=2,
        places="land",
        titles=(
            "{place} startet Förderprogramm „{prog}“ mit {mio} Millionen Euro",
            "Förderprogramm: {place} stellt {mio} Millionen Euro für {fund} bereit",
            "Neuer Förderaufruf für {fund} {loc}: bis zu {pct} Prozent Zuschuss",
            "Digitalpakt: {place} verteilt {mio} Millionen Euro an Kommunen",
        ),
        leads=(
            "Mit dem Förderprogramm „{prog}“ unterstützt {nom} Kommunen bei {fund_dat}. "
            "Insgesamt stehen {mio} Millionen Euro bereit.",
            "Kommunen {loc} können sich ab sofort um Mittel aus dem Förderprogramm "
            "„{prog}“ bewerben. Insgesamt stehen {mio} Millionen Euro bereit.",
        ),
        sentences=_FUNDING,
        captions=("Das Förderprogramm richtet sich an Städte, Gemeinden und Landkreise.",),
        keywords=("Förderprogramm",),
        rubrics=("Förderung",),
    ),
    S(
        name="funding_awards",
        weight=1,
        places="land",
        titles=(
            "Förderprogramm „{prog}“: {place} fördert {k} Modellprojekte",
            "{mio} Millionen Euro Fördermittel: {place} übergibt {k} Förderbescheide",
        ),
        leads=(
            "{Nom} unterstützt {k_w} Kommunen bei {fund_dat} mit insgesamt {mio} Millionen "
            "Euro. Die Förderbescheide aus dem Förderprogramm „{prog}“ wurden jetzt "
            "überreicht.",
        ),
        sentences=(
            "Ausgewählt wurden die Projekte von einer Jury aus Fachleuten.",
            "Die Mittel stammen aus dem Förderprogramm „{prog}“.",
            "Die Modellprojekte sollen Lösungen entwickeln, die andere Kommunen nachnutzen können.",
            "Die Laufzeit der Projekte beträgt {years_word} Jahre.",
            "Gefördert werden bis zu {pct} Prozent der förderfähigen Ausgaben.",
        ),
        captions=("Übergabe der Förderbescheide.",),
        keywords=("Förderprogramm",),
        rubrics=("Förderung",),
    ),
    S(
        name="budget",
        weight=2,
        places="local",
        titles=("Haushalt {year}: {place} investiert {mio} Millionen Euro in Digitalisierung",),
        leads=(
            "{Council} {gen} hat den Haushalt für {year} beschlossen. Für die "
            "Digitalisierung sind {mio} Millionen Euro vorgesehen.",
        ),
        sentences=(
            *_COUNCIL,
            "Die Fraktionen hatten zuvor über die Höhe der Mittel gestritten.",
            "Ein Teil des Geldes fließt in die Ausstattung der Schulen.",
            "Den größten Posten bildet die Erneuerung der IT-Arbeitsplätze.",
        ),
        captions=("Sitzung des Gremiums im Ratssaal.",),
        keywords=("Haushalt", "Kommunalpolitik"),
        rubrics=("Haushalt",),
    ),
    S(
        name="unit",
        weight=1,
        places="local",
        titles=("{place} richtet Stabsstelle Digitalisierung mit {staff} Stellen ein",),
        leads=(
            "Eine Stabsstelle Digitalisierung wird {loc} eingerichtet. Sie soll die "
            "Digitalisierungsvorhaben der Verwaltung strategisch koordinieren.",
        ),
        sentences=(
            *_COUNCIL,
            "Die Stabsstelle wird direkt {office} angesiedelt.",
            "Die {staff} Stellen sollen bis zum {season} {next_year} besetzt werden.",
            "Zu den ersten Aufgaben gehört eine Digitalstrategie für die gesamte Verwaltung.",
        ),
        captions=("Sitzung des Gremiums im Ratssaal.",),
        keywords=("Kommunalpolitik",),
        rubrics=("Kommunalpolitik",),
    ),
    S(
        name="ai_rule",
        weight=1,
        places="local",
        titles=("Neue Richtlinie regelt KI-Einsatz in {k} Ämtern {gen}",),
        leads=(
            "{Council} {gen} hat eine Richtlinie für den Einsatz Künstlicher Intelligenz "
            "beschlossen. Sie gilt zunächst für {k_w} Ämter.",
        ),
        sentences=(
            *_COUNCIL,
            "Die Richtlinie legt fest, für welche Aufgaben KI-Werkzeuge eingesetzt werden dürfen.",
            "Entscheidungen über Anträge müssen weiterhin von Menschen getroffen werden.",
            "Beschäftigte erhalten vor dem Einsatz eine Schulung.",
        ),
        captions=("Sitzung des Gremiums im Ratssaal.",),
        keywords=("Künstliche Intelligenz", "Kommunalpolitik"),
        rubrics=("Kommunalpolitik",),
    ),
    S(
        name="open_data",
        weight=1,
        places="local",
        titles=("Open Data: {place} beschließt Leitlinie für {k} Fachbereiche",),
        leads=(
            "{Council} {gen} hat eine Leitlinie für offene Daten beschlossen. {k_cap} "
            "Fachbereiche sollen ihre Daten künftig maschinenlesbar veröffentlichen.",
        ),
        sentences=(
            *_COUNCIL,
            "Die Daten werden unter einer freien Lizenz auf einem eigenen Portal bereitgestellt.",
            "Personenbezogene Daten sind ausdrücklich ausgenommen.",
            "Den Anfang machen Verkehrs-, Umwelt- und Haushaltsdaten.",
        ),
        captions=("Sitzung des Gremiums im Ratssaal.",),
        keywords=("Open Data", "Kommunalpolitik"),
        rubrics=("Open Data",),
    ),
    S(
        name="paperless",
        weight=1,
        places="local",
        titles=("Beschluss {loc}: {k} Gremien arbeiten künftig papierlos",),
        leads=(
            "{Council} {gen} hat beschlossen, die Ratsarbeit vollständig zu digitalisieren. "
            "Sitzungsunterlagen für {k_w} Gremien gibt es künftig nur noch elektronisch.",
        ),
        sentences=(
            *_COUNCIL,
            "Alle Mitglieder der Gremien erhalten dafür ein Tablet.",
            "Die Umstellung soll bis Ende {next_year} abgeschlossen sein.",
            "{Owner} spart damit nach eigenen Angaben jedes Jahr mehrere Hunderttausend "
            "Blatt Papier.",
        ),
        captions=("Sitzung des Gremiums im Ratssaal.",),
        keywords=("Kommunalpolitik",),
        rubrics=("Kommunalpolitik",),
    ),
)
SHARED = (  # body sentences the storylines share
    "Ziel ist es, Verwaltungsleistungen schneller, einfacher und barrierefrei anzubieten.",
    "Die Umsetzung soll regelmäßig überprüft werden.",
    "„Die Digitalisierung der Verwaltung ist kein Selbstzweck, sie muss den Menschen "
    "dienen“, sagte {speaker}.",
    "„Damit schaffen wir Verlässlichkeit für die Kommunen“, erklärte {speaker_t}.",
    "„Wir wollen, dass Bürgerinnen und Bürger ihre Anliegen rund um die Uhr online "
    "erledigen können“, sagte {speaker}.",
    "„Jetzt kommt es auf eine zügige Umsetzung an“, betonte {speaker_t}.",
)
