"""Build Issues for render tests without going through files and the store."""

from __future__ import annotations

from datetime import date, timedelta

from digest.classify import Rules
from digest.grouping import issue_of
from digest.models import Article, Classification, Source
from digest.normalise import article_id
from digest.weeks import IsoWeek

TOPICS = ("partnerships", "congresses", "policy", "other")


def article(
    title: str,
    day: date | None,
    topic: str,
    *,
    kicker: str | None = "Musterstadt",
    lead: str | None = "Ein Satz als Vorspann.",
    url: str | None = "https://www.example.de/meldung",
    keywords: tuple[str, ...] = ("Digitalisierung",),
    kind: str = "main",
) -> Article:
    return Article(
        id=article_id(title, day),
        kind="main" if kind == "main" else "teaser",
        format="K",
        title=title,
        date=day,
        kicker=kicker,
        lead=lead if kind == "main" else None,
        teaser=lead if kind != "main" else None,
        urls=(url,) if url else (),
        keywords=keywords,
        sources=(Source("test.txt", 1, "main"),),
        classification=Classification(topic=topic),
    )


def week_of_articles(week: str, count: int, rules: Rules, lead_chars: int = 300) -> list[Article]:
    """`count` plausible articles spread over the days and topics of one ISO week."""
    iso = IsoWeek.parse(week)
    words = [
        "Die",
        "Stadt",
        "und",
        "ihre",
        "Partner",
        "stellen",
        "ein",
        "neues",
        "digitales",
        "Angebot",
        "vor",
    ]
    lead = " ".join(words[i % len(words)] for i in range(lead_chars // 6)) + "."
    return [
        article(
            f"Meldung Nummer {n + 1} über Digitalisierung",
            iso.monday + timedelta(days=n % 7),
            TOPICS[n % len(TOPICS)],
            kicker=f"Stadt {n + 1}",
            lead=lead,
            url=f"https://www.example.de/meldung/{n + 1}",
        )
        for n in range(count)
    ]


def make_issue(week: str, articles: list[Article], rules: Rules):  # type: ignore[no-untyped-def]
    return issue_of(IsoWeek.parse(week), articles, rules)
