"""Group classified articles into weekly issues."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .classify import Rules
from .models import Article, Issue, Section
from .weeks import IsoWeek


def sort_key(article: Article) -> tuple[str, str, str]:
    """Order articles within a section: by date, then title, then id (stable across runs)."""
    return (
        article.date.isoformat() if article.date else "9999",
        article.title.casefold(),
        article.id,
    )


def group_by_week(articles: Iterable[Article], rules: Rules) -> list[Issue]:
    """Return one Issue per ISO week that has dated articles, oldest week first."""
    by_week: dict[IsoWeek, list[Article]] = defaultdict(list)
    for article in articles:
        if article.iso_week is not None:
            by_week[article.iso_week].append(article)
    return [issue_of(week, items, rules) for week, items in sorted(by_week.items())]


def issue_of(week: IsoWeek, articles: Iterable[Article], rules: Rules) -> Issue:
    """Build the issue of one week: a section per topic that has articles, in configured order."""
    by_topic: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_topic[article.topic].append(article)
    sections = tuple(
        Section(topic, rules.label(topic), tuple(sorted(by_topic[topic], key=sort_key)))
        for topic in rules.order
        if by_topic.get(topic)
    )
    return Issue(week, sections)
