"""The static web archive: a page per week and per topic, and an index of all weeks.

Every link between pages is relative (paths.relative), so public/ works opened from disk and
under any base path. Pages carry no external assets: CSS is inline, there are no scripts,
fonts or images, so opening the archive leaks nothing to third parties.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import Any

import jinja2

from ..config import Config
from ..l10n import L10n
from ..models import Article, Issue
from ..normalise import is_web_url
from ..weeks import IsoWeek
from . import items, pagination, paths
from .environment import render_template

_EMAIL = re.compile(r"^[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+$")


@dataclass(frozen=True, slots=True)
class WeekLink:
    """One week as listed elsewhere: its labels, item count and link from the current page."""

    week: IsoWeek
    label: str
    range: str
    count: int
    href: str


@dataclass(frozen=True, slots=True)
class TopicLink:
    """One topic as listed in navigation: label, item count, links to its page and feed."""

    key: str
    label: str
    count: int
    href: str
    feed: str


@dataclass(frozen=True, slots=True)
class WeekGroup:
    """A topic page's articles of one week."""

    link: WeekLink
    articles: tuple[Article, ...]


def render_archive(
    issues: Sequence[Issue], cfg: Config, env: jinja2.Environment, l10n: L10n
) -> dict[str, bytes]:
    """Return {'index.html' and 'archive/<n>.html' for n > 1: the index pages, 'weeks/<week>.html'
    for every issue, 'topics/<topic>.html' and 'topics/<topic>/<n>.html' for every topic in
    cfg.rules.order that has articles}; see `pagination` for how the pages fill."""
    return _Archive(issues, cfg, env, l10n).render()


def contact_href(contact: str) -> str | None:
    """Return a link for the Impressum's contact: mailto: for an address, or a web URL."""
    if _EMAIL.match(contact):
        return f"mailto:{contact}"
    return contact if is_web_url(contact) else None


def service_links(cfg: Config) -> dict[str, str]:
    """Absolute links to the pages `digest serve` answers, for pages that may live anywhere."""
    base = cfg.site.base_url
    return {
        "subscribe": f"{base}anmelden",
        "privacy": cfg.consent.privacy_url,
        "impressum": f"{base}impressum",
    }


class _Archive:
    def __init__(
        self, issues: Sequence[Issue], cfg: Config, env: jinja2.Environment, l10n: L10n
    ) -> None:
        # Sorted again so the output depends on the weeks only, not on how the caller ordered.
        self.issues = sorted(issues, key=lambda issue: issue.week)
        self.cfg = cfg
        self.env = env
        self.l10n = l10n
        self.strings = l10n.strings
        counts: dict[str, int] = {}
        for issue in self.issues:
            for section in issue.sections:
                counts[section.topic] = counts.get(section.topic, 0) + len(section.articles)
        self.topics = [(key, counts[key]) for key in cfg.rules.order if counts.get(key)]

    def render(self) -> dict[str, bytes]:
        files = self.index()
        for i, issue in enumerate(self.issues):
            before = self.issues[i - 1] if i > 0 else None
            after = self.issues[i + 1] if i + 1 < len(self.issues) else None
            files[paths.week_page(issue.week)] = self.week(issue, before, after)
        for key, _count in self.topics:
            files.update(self.topic(key))
        return files

    def index(self) -> dict[str, bytes]:
        """The index pages: `page_size` weeks each, newest first; page 1 is index.html."""
        newest_first = list(reversed(self.issues))
        pages = pagination.split(newest_first, self.cfg.page_size) or [[]]
        spans = [[issue.week for issue in issues] for issues in pages]
        total = sum(issue.count for issue in self.issues)
        files: dict[str, bytes] = {}
        for number, issues in enumerate(pages, start=1):
            page = paths.index_page(number)
            links = [self.week_link(page, issue) for issue in issues]
            years = [
                (year, list(group))
                for year, group in groupby(links, key=lambda link: link.week.year)
            ]
            files[page] = self.page(
                "web/index.html.j2",
                page,
                years=years,
                latest=self.week_link(page, newest_first[0]) if newest_first else None,
                total=total,
                pager=pagination.pager(spans, number, paths.index_page),
            )
        return files

    def week(self, issue: Issue, before: Issue | None, after: Issue | None) -> bytes:
        page = paths.week_page(issue.week)
        return self.page(
            "web/week.html.j2",
            page,
            issue=issue,
            this=self.week_link(page, issue),
            previous=self.week_link(page, before) if before else None,
            next=self.week_link(page, after) if after else None,
            topic_hrefs={
                key: paths.relative(page, paths.topic_page(key)) for key, _ in self.topics
            },
        )

    def topic(self, key: str) -> dict[str, bytes]:
        """A topic's pages, newest week first; page 1 is topics/<key>.html.

        Each page holds whole weeks (pagination.pack): at most `page_size` articles, except
        that one week with more articles than that gets a page of its own."""
        weeks = [
            (issue, section.articles)
            for issue in reversed(self.issues)
            for section in issue.sections
            if section.topic == key
        ]
        pages = pagination.pack(weeks, self.cfg.page_size, lambda week: len(week[1]))
        spans = [[issue.week for issue, _ in chunk] for chunk in pages]
        path = partial(paths.topic_page_n, key)
        files: dict[str, bytes] = {}
        for number, chunk in enumerate(pages, start=1):
            page = path(number)
            groups = [
                WeekGroup(self.week_link(page, issue, anchor=key), articles)
                for issue, articles in chunk
            ]
            current = next(link for link in self.topic_links(page) if link.key == key)
            files[page] = self.page(
                "web/topic.html.j2",
                page,
                topic=current,
                groups=groups,
                current_topic=key,
                pager=pagination.pager(spans, number, path),
            )
        return files

    def week_link(self, page: str, issue: Issue, anchor: str = "") -> WeekLink:
        href = paths.relative(page, paths.week_page(issue.week))
        return WeekLink(
            week=issue.week,
            label=self.l10n.week_label(issue.week),
            range=self.l10n.week_range(issue.week),
            count=issue.count,
            href=f"{href}#{anchor}" if anchor else href,
        )

    def topic_links(self, page: str) -> list[TopicLink]:
        return [
            TopicLink(
                key=key,
                label=self.cfg.rules.label(key),
                count=count,
                href=paths.relative(page, paths.topic_page(key)),
                feed=paths.relative(page, paths.topic_feed(key)),
            )
            for key, count in self.topics
        ]

    def page(self, template: str, page: str, **context: Any) -> bytes:
        context.setdefault("current_topic", None)
        link: Callable[[str], str] = partial(paths.relative, page)
        html = render_template(
            self.env,
            template,
            page=page,
            site=self.cfg.site,
            impressum=self.cfg.impressum,
            contact_href=contact_href(self.cfg.impressum.contact),
            l10n=self.l10n,
            t=self.strings,
            home=link(paths.INDEX),
            feed=link(paths.FEED),
            topics=self.topic_links(page),
            service=service_links(self.cfg),
            link=link,
            href=lambda article: items.target(article, link),
            credit=lambda article: items.credit(article, self.l10n),
            **context,
        )
        return html.encode("utf-8")
