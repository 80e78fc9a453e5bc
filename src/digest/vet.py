"""Vet stored articles before rendering: whatever a store holds, the week still goes out.

Ingest cleans what it reads, but a store written by an older digest (or edited by hand) may
still hold text no renderer can take: characters that are illegal in XML 1.0 or unsafe in
mail, an empty title, a date no calendar week can name. This stage runs between the store and
the renderers. It repairs what it can without changing meaning (removing those characters)
and leaves out what it cannot (no title, an implausible date), and reports each case as a
`Problem` naming the article and where it came from. It never raises on article content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import date

from .models import Article, Problem
from .normalise import clean_text, has_title_text

_TEXT_FIELDS = tuple(
    f.name
    for f in fields(Article)
    if f.name not in ("id", "kind", "format", "date", "sources", "classification", "origin")
)
_HINT = "fix the source file and ingest it again"


def vet(articles: Iterable[Article], years: tuple[int, int]) -> tuple[list[Article], list[Problem]]:
    """The articles fit to render, and a problem for each one repaired or left out."""
    kept: list[Article] = []
    problems: list[Problem] = []
    first, last = years
    for article in articles:
        article, removed = _scrubbed(article)
        if removed:
            problems.append(
                article_problem(
                    article,
                    f"had {removed} character{'s' if removed != 1 else ''} that no email or"
                    " feed can carry; removed",
                    _HINT,
                )
            )
        if not has_title_text(article.title):
            problems.append(
                Problem(*_where(article), f"article {article.id} has no title; left out", _HINT)
            )
            continue
        if article.date is not None and not first <= article.date.year <= last:
            problems.append(
                article_problem(
                    article,
                    f"is dated {_day(article.date)}, outside {first}-{last}; left out",
                    "fix the date in the source, or widen [ingest] earliest_year/latest_year",
                )
            )
            continue
        kept.append(article)
    return kept, problems


def _scrubbed(article: Article) -> tuple[Article, int]:
    changes: dict[str, object] = {}
    total = 0
    for name in _TEXT_FIELDS:
        value = getattr(article, name)
        cleaned: object
        if isinstance(value, str):
            cleaned, n = clean_text(value)
        elif isinstance(value, tuple):
            parts = [clean_text(v) for v in value]
            cleaned, n = tuple(p for p, _ in parts), sum(c for _, c in parts)
        else:
            continue
        if n:
            changes[name] = cleaned
            total += n
    return (replace(article, **changes) if changes else article), total  # type: ignore[arg-type]


def article_problem(article: Article, what: str, hint: str) -> Problem:
    """A problem with one stored article, at its first source: "article ID ('Title') what"."""
    title = article.title if len(article.title) <= 60 else article.title[:57] + "..."
    return Problem(*_where(article), f"article {article.id} ({title!r}) {what}", hint)


def _where(article: Article) -> tuple[str, int | None]:
    """The article's first source as (file, line), or its id when it has none."""
    if article.sources:
        first = min(article.sources)
        return first.path, first.line
    return f"store article {article.id}", None


def _day(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"
