"""Storylines of the topic congresses: congresses, fairs, hackathons, Digitaltage; before and
after the event."""

from __future__ import annotations

from .story import Line

_PRE = (
    "Geplant sind {talks} Programmpunkte, darunter {parts}.",
    "Im Mittelpunkt stehen {theme} und {theme2}.",
    "Erwartet werden Gäste aus Verwaltung, Wirtschaft, Wissenschaft und Zivilgesellschaft.",
    "Eröffnet wird {ev_nom} von {speaker}.",
    "Eine Keynote zum Thema {theme} hält {guest}.",
    "Zum ersten Mal gibt es ein eigenes Forum für Auszubildende und Studierende.",
    "„Wir wollen zeigen, was digital in den Rathäusern heute schon möglich ist“, sagt {speaker}.",
    "„Wir freuen uns auf viele Gespräche und hoffentlich auf neue Ideen“, sagt {speaker_t}.",
)
_OPEN = (
    "Die Anmeldung ist ab sofort auf der Website der Veranstalter möglich.",
    "Für Beschäftigte aus Kommunen ist die Teilnahme kostenfrei.",
    "Frühbucherpreise gelten bis zum {early}.",
    "Die Plätze sind begrenzt, eine frühzeitige Anmeldung wird empfohlen.",
)
_POST = (
    "Das Programm umfasste {talks} Beiträge, darunter {parts}.",
    "Fachleute aus Verwaltung, Wirtschaft und Wissenschaft tauschten sich über ihre Erfahrungen "
    "aus.",
    "Besonders gefragt waren die Beiträge zum Thema {theme}.",
    "Die Veranstalter zeigten sich mit der Resonanz sehr zufrieden.",
    "Volle Säle und viele Gespräche in den Pausen prägten die {days} Tage.",
    "Zum Abschluss diskutierten Gäste aus ganz Deutschland über {theme2}.",
    "Die nächste Ausgabe ist für {month} {next_year} geplant.",
    "Mehrere Kommunen stellten Pilotprojekte vor, die auch für andere Städte interessant sind.",
    "Die Vorträge sollen in den kommenden Wochen als Aufzeichnung online gestellt werden.",
    "„Die Veranstaltung lebt davon, dass Kommunen offen über ihre Projekte sprechen“, sagte "
    "{speaker}.",
    "„Der persönliche Austausch ist durch nichts zu ersetzen“, sagte {speaker_t}.",
    "„Gerade kleinere Kommunen profitieren von den Erfahrungen der anderen“, resümierte {speaker}.",
)
_PRE_FAMILY = {
    "fair": (
        "Rund {k2} Aussteller haben sich angekündigt.",
        "An den Messeständen können Gäste ausgewählte Online-Dienste selbst ausprobieren.",
    ),
    "hack": (
        "In gemischten Teams entwickeln die Teilnehmenden innerhalb von {hours} Stunden "
        "Prototypen für digitale Bürgerdienste.",
        "Die Aufgaben stellen Fachämter der Stadt {city}.",
    ),
    "talk": (
        "Begleitend präsentieren rund {k2} Unternehmen und IT-Dienstleister ihre Lösungen.",
        "Am Abend des ersten Tages ist ein Empfang im Rathaus geplant.",
    ),
}
_POST_FAMILY = {
    "fair": (
        "An {k2} Ständen zeigten Aussteller Lösungen für Kommunen.",
        "Auch die Live-Vorführungen in der Messehalle waren gut besucht.",
    ),
    "hack": (
        "Am Ende präsentierten {k_w} Teams ihre Prototypen vor einer Jury.",
        "Der Siegerentwurf vereinfacht die Anmeldung von Straßenfesten.",
    ),
    "talk": (
        "Auch die begleitende Ausstellung mit {k2} Ausstellern war gut besucht.",
        "Eine Keynote zum Thema {theme} hielt {guest}.",
    ),
}

S = Line  # for short
LINES: tuple[Line, ...] = (
    S(
        name="announce",
        weight=3,
        places="city",
        titles=(
            "{city} lädt {ev_zum} {ord}. {ev} ein",
            "{evt} kommt am {edate} nach {city}",
            "{ev} zum Thema {theme} am {edate} in {city}",
            "{ord}. {ev} in {city} am {edate}",
            "{city} richtet {ord}. {ev} aus",
            "{evt}: {city} erwartet am {edate} rund {n_de} Gäste",
        ),
        leads=(
            "{Ev_nom} {ev_name} findet am {edate} in {city} statt. Erwartet werden rund "
            "{n_de} {people}.",
            "Am {edate} lädt {org} {ev_zum} {ord}. {ev} nach {city} ein.",
        ),
        sentences=(*_PRE, *_OPEN),
        family=_PRE_FAMILY,
        captions=(
            "Volle Reihen beim Auftakt im vergangenen Jahr.",
            "{city} erwartet am {edate} Gäste aus ganz Deutschland.",
        ),
        keywords=("Veranstaltungen",),
        rubrics=("Veranstaltung", "Termin"),
    ),
    S(
        name="programme",
        weight=1,
        places="city",
        titles=(
            "{evt} am {edate} in {city}: Programm steht fest",
            "Anmeldung für {ev_acc} am {edate} in {city} freigeschaltet",
        ),
        leads=(
            "Für {ev_acc} {ev_name} am {edate} in {city} steht das Programm fest: In "
            "{talks} Beiträgen geht es vor allem um {theme}.",
            "Unter dem Motto {ev_name} treffen sich am {edate} Fachleute aus Verwaltung, "
            "Wirtschaft und Wissenschaft in {city}. Die Anmeldung ist jetzt freigeschaltet.",
        ),
        sentences=(*_PRE, *_OPEN),
        family=_PRE_FAMILY,
        captions=("{city} erwartet am {edate} Gäste aus ganz Deutschland.",),
        keywords=("Veranstaltungen",),
        rubrics=("Veranstaltung",),
    ),
    S(
        name="booked",
        weight=1,
        places="city",
        titles=("Alle {n_de} Plätze für {ev_acc} {ev_name} in {city} vergeben",),
        leads=(
            "{Ev_nom} {ev_name} am {edate} in {city} ist ausgebucht. Alle {n_de} Plätze "
            "sind vergeben, teilen die Veranstalter mit.",
        ),
        sentences=(
            *_PRE,
            "Wer keinen Platz mehr bekommen hat, kann sich auf eine Warteliste setzen lassen.",
            "Die Vorträge werden zusätzlich live im Internet übertragen.",
        ),
        family=_PRE_FAMILY,
        captions=("Volle Reihen beim Auftakt im vergangenen Jahr.",),
        keywords=("Veranstaltungen",),
        rubrics=("Veranstaltung",),
    ),
    S(
        name="report",
        weight=5,
        places="city",
        titles=(
            "{evt} zieht {n_de} Besucher nach {city}",
            "Rund {n_de} Teilnehmende {ev_beim} {ord}. {ev} in {city}",
            "{ord}. {evt} in {city} zieht Bilanz",
            "{ev} in {city} mit Besucherrekord: {n_de} Gäste",
            "{ord}. {ev} in {city}: {theme} im Mittelpunkt",
            "{evt} in {city}: {n_de} Fachleute diskutieren über {theme}",
            "{days_cap} Tage {evt} in {city}: Bilanz mit {n_de} Gästen",
        ),
        leads=(
            "Mehr als {n_de} {people} kamen {ev_zum} {ord}. {ev} nach {city}.",
            "{days_cap} Tage lang ging es {ev_beim} {ord}. {ev} in {city} um {theme} und {theme2}.",
            "{Ev_nom} {ev_name} in {city} ist mit einem Besucherrekord zu Ende gegangen.",
            "Rund {n_de} {people} haben {ev_acc} {ev_name} in {city} besucht. Ein "
            "Schwerpunkt war das Thema {theme}.",
        ),
        sentences=_POST,
        family=_POST_FAMILY,
        captions=(
            "Volle Reihen {ev_beim} {ev} in {city}.",
            "Gäste {ev_beim} {ord}. {ev} in {city}.",
        ),
        keywords=("Veranstaltungen",),
        rubrics=("Veranstaltung", "Rückblick"),
    ),
)
SHARED: tuple[str, ...] = ()  # body sentences the storylines share
