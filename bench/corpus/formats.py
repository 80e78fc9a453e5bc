"""The two raw formats: a format-K portal page (main article, teasers, page chrome) and a
format-P press release (archive disclaimer, date, title, paragraphs, author)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from .story import Story
from .util import dmy
from .vocab import AUTHOR_TAGS, COMPANIES, SECTIONS
from .writer import _Writer

DISCLAIMERS = (
    (
        "Achtung! Diese archivierte Pressemitteilung könnte inhaltlich veraltet sein",
        "Sie befinden sich im Archiv unserer Pressemitteilungen. Die Texte geben den Stand zum "
        "Zeitpunkt ihrer Veröffentlichung wieder.",
    ),
    (
        "Achtung! Diese archivierte Pressemitteilung könnte inhaltlich veraltet sein",
        "Dieser Beitrag stammt aus dem Pressearchiv und wird nur zu Dokumentationszwecken "
        "vorgehalten.",
        "Bitte prüfen Sie vor einer Weiterverwendung, ob die Angaben noch zutreffen.",
    ),
    (
        "Achtung! Diese archivierte Pressemitteilung könnte veraltet sein",
        "Archivierte Mitteilungen werden nicht nachträglich bearbeitet. Termine, "
        "Ansprechpersonen und Zuständigkeiten können sich inzwischen geändert haben.",
    ),
)

DRUCK = "Druckversion\u00a0\u00a0 PDF \u00a0\u00a0 Link mailen"
_UNIT = re.compile(r"(\d) (Millionen|Euro|Prozent|Kommunen|Haushalte|Kilometer|Teilnehmende)")


def _nbsp(text: str) -> str:
    """Glue numbers to their units with a no-break space, as some portals do."""
    return _UNIT.sub("\\1\u00a0\\2", text)


def _k_page(w: _Writer, main: Story, teasers: Sequence[Story]) -> str:
    rng = w.rng
    ctx = main.ctx
    section = rng.choice(SECTIONS[main.topic])
    lines: list[str] = []
    if rng.random() < 0.92:
        lines.append(main.kicker + ":")
    lines += [main.title, "", ""]
    stamp = f"[ {dmy(main.day)} ]" if rng.random() < 0.03 else f"[{dmy(main.day)}]"
    lines += [f"{stamp} {w.lead(main)}", ""]
    if rng.random() < 0.6:
        lines += [w.caption(main), ""]
        if rng.random() < 0.2:
            lines.append("")
    body = w.body(main, rng.randint(2, 5), 4)
    if rng.random() < 0.25:
        body = [_nbsp(p) for p in body]
    body[-1] += f" ({rng.choice(AUTHOR_TAGS)})"
    lines += [*body, "", f"www.{ctx['slug']}.de"]
    if rng.random() < 0.4:
        path = rng.choice(("digital", "presse", "aktuelles"))
        lines.append(f"https://www.{ctx['slug']}.de/{path}")
    lines += ["", f"Stichwörter: {w.keywords(main, section)}", ""]
    if rng.random() < 0.7:
        lines += [f"Bildquelle: {rng.choice((ctx['credit'], ctx['credit'], 'Adobe Stock'))}", ""]
    else:
        lines += ["", ""]
    lines += [DRUCK, "", ""]
    if rng.random() < 0.15:
        lines += ["\u00a0Anzeige", ""]
    if teasers:
        lines.append(f"Weitere Meldungen und Beiträge aus dem Bereich {section}")
    for teaser in teasers:
        heading = f"{teaser.kicker}: {teaser.title}"
        if rng.random() < 0.08:
            heading += " " + rng.choice(("Bericht", "Bericht", "Interview", "Kommentar"))
        lines.append(heading)
        if rng.random() < 0.05:
            lines.append("")
        lines.append(f"[{dmy(teaser.day)}] {w.lead(teaser)} mehr...")
        if rng.random() < 0.4:
            lines.append(w.caption(teaser))
    lines += ["Suchen...", "", "\u00a0Anzeige", ""]
    for _ in range(rng.randint(1, 3)):
        company, _, postcode = rng.choice(COMPANIES)
        lines += [company, postcode, company]
    lines.append("Aktuelle Meldungen")
    return "\n".join(lines) + ("\n" if rng.random() < 0.5 else "")


def press_release(title: str, day: date, place: str, paragraphs: list[str]) -> str:
    """One format-P text: archive disclaimer, date, title, paragraphs, author and closing."""
    return _release(title, day, place, paragraphs, "Pressestelle", len(title) % len(DISCLAIMERS))


def _release(
    title: str, day: date, place: str, paragraphs: Sequence[str], author: str, disclaimer: int
) -> str:
    stamp = f"{day:%d.%m.%Y}"
    parts = [*DISCLAIMERS[disclaimer], f"Pressemitteilung vom {stamp}", title, *paragraphs]
    return "\n\n".join(parts) + f"\n\n\n\n\nAutor/in: {author}\n\n{place}, {stamp}"


def _p_release(w: _Writer, story: Story) -> str:
    rng = w.rng
    paragraphs = [w.lead(story), *w.body(story, rng.randint(2, 4), 3)]
    if rng.random() < 0.3:
        slug = story.ctx["slug"]
        paragraphs.append(f"Weitere Informationen gibt es unter www.{slug}.de/digital.")
    author = "Pressestelle" if rng.random() < 0.6 else w.person()[0]
    disclaimer = rng.randrange(len(DISCLAIMERS))
    return _release(story.title, story.day, story.city, paragraphs, author, disclaimer)
