"""Build small format-K and format-P dumps for tests (same layout as the real seeds)."""

from __future__ import annotations

from dataclasses import fields

from digest.models import Article

NBSP = "\u00a0"
CHROME = f"Druckversion{NBSP}{NBSP}{NBSP} PDF {NBSP}{NBSP}{NBSP} Link mailen"


def teaser(kicker: str, title: str, day: str, text: str, caption: str | None = None) -> str:
    block = f"{kicker}: {title}\n[{day}] {text} mehr...\n"
    return block + (f"{caption}\n" if caption else "")


def k_page(
    title: str = "Gemeinsames Serviceportal",
    day: str | None = "3.11.2025",
    kicker: str | None = "Ulm / Neu-Ulm",
    lead: str = "Die Städte Ulm und Neu-Ulm betreiben künftig ein gemeinsames Serviceportal.",
    body: str = "Die Zusammenarbeit soll Kosten sparen. „Das ist ein guter Tag“, sagt der "
    "Bürgermeister. (ve)",
    teasers: str = "",
    section: str = "Politik",
    ending: str = (
        f"Suchen...\n\n{NBSP}Anzeige\n\nMuster GmbH\n12345 Musterstadt\nAktuelle Meldungen"
    ),
) -> str:
    head = f"{kicker}:\n" if kicker else ""
    date_part = f"[{day}] " if day else ""
    page = (
        f"{head}{title}\n\n\n{date_part}{lead}\n\n{body}\n\nwww.ulm.de\n\n"
        f"Stichwörter: Ulm, Neu-Ulm\n\nBildquelle: Stadt Ulm\n\n{CHROME}\n\n\n"
    )
    if teasers:
        page += f"Weitere Meldungen und Beiträge aus dem Bereich {section}\n{teasers}"
    return page + ending


def p_release(title: str = "Stadt tritt Datenbündnis bei", day: str = "05.11.2025") -> str:
    return (
        "Achtung! Diese archivierte Pressemitteilung könnte inhaltlich veraltet sein\n\n"
        "Bitte beachten Sie, dass dies ein Archiv ist.\n\n"
        f"Pressemitteilung vom {day}\n\n{title}\n\n"
        "Die Stadt tritt einem regionalen Bündnis für offene Daten bei.\n\n"
        "Der Stadtrat hat den Beitritt einstimmig beschlossen.\n\n\n"
        f"Autor/in: Pressestelle\n\nMusterstadt, {day}"
    )


def article_texts(article: Article) -> list[str]:
    """Every text an article carries (its string fields, list items and source paths)."""
    out: list[str] = []
    for f in fields(Article):
        value = getattr(article, f.name)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, str))
    out.extend(s.path for s in article.sources)
    return out
