"""The static web archive: a page per week and per topic, and an index of all weeks.

Every link between pages is relative (paths.relative), so public/ works opened from disk and
under any base path. Pages carry no external assets: CSS is inline, there are no scripts,
fonts or images, so opening the archive leaks nothing to third parties.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
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
    count: int | None  # None where the page does not show it (an article's page)
    href: str


@dataclass(frozen=True, slots=True)
class TopicLink:
    """One topic as listed in navigation: label, item count, links to its page and feed."""

    key: str
    label: str
    count: int | None  # None in the footer, which shows no counts
    href: str
    feed: str


@dataclass(frozen=True, slots=True)
class Page:
    """A page to render: its template and the data it shows. The data is what the page's
    key is made of (render/keys.py); what every page shows from the configuration alone
    (site, Impressum, service links) is added when it is rendered."""

    template: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class WeekGroup:
    """A topic page's articles of one week: the issue's section of that topic. The page's
    key takes the issue's digest, so it is known without loading the articles."""

    link: WeekLink
    issue: Issue
    topic: str

    @property
    def articles(self) -> tuple[Article, ...]:
        for section in self.issue.sections:
            if section.topic == self.topic:
                return section.articles
        return ()


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
            for topic, count in issue.topic_counts:
                counts[topic] = counts.get(topic, 0) + count
        self.topics = [(key, counts[key]) for key in cfg.rules.order if counts.get(key)]
        self._week_labels: dict[IsoWeek, tuple[str, str]] = {}

    def render(self) -> dict[str, bytes]:
        return {name: self.render_page(name, page) for name, page in self.pages()}

    def pages(self) -> Iterator[tuple[str, Page]]:
        """Every page: the weeks, then the topics, then the index pages (they link to all)."""
        yield from self.week_pages()
        for key, _count in self.topics:
            yield from self.topic(key).items()
        yield from self.index().items()

    def week_pages(self) -> Iterator[tuple[str, Page]]:
        for i, issue in enumerate(self.issues):
            before = self.issues[i - 1] if i > 0 else None
            after = self.issues[i + 1] if i + 1 < len(self.issues) else None
            yield paths.week_page(issue.week), self.week(issue, before, after)

    def index(self) -> dict[str, Page]:
        """The index pages (see pagination): the front page, index.html, shows the newest
        weeks, the total and the latest issue; numbered pages hold `page_size` weeks each,
        page 1 the oldest, and show only what does not change once they are full."""
        pages = pagination.paginate(self.issues, self.cfg.page_size)
        spans = [(chunk[0].week, chunk[-1].week) for chunk in pages if chunk]
        files: dict[str, Page] = {}
        for number, chunk in enumerate(pages):
            page = paths.index_page(number)
            front = number == pagination.FRONT
            links = [self.week_link(page, issue) for issue in reversed(chunk)]
            years = [
                (year, list(group))
                for year, group in groupby(links, key=lambda link: link.week.year)
            ]
            data: dict[str, Any] = dict(
                years=years,
                pager=pagination.pager(spans, number, paths.index_page),
                topics=self.topic_links(page, counted=front),
                latest=self.week_link(page, self.issues[-1]) if front and self.issues else None,
                total=sum(issue.count for issue in self.issues) if front else None,
            )
            files[page] = Page("web/index.html.j2", data)
        return files

    def week(self, issue: Issue, before: Issue | None, after: Issue | None) -> Page:
        page = paths.week_page(issue.week)
        return Page(
            "web/week.html.j2",
            dict(
                **self.nav(page),
                issue=issue,
                this=self.week_link(page, issue),
                previous=self.week_link(page, before, counted=False) if before else None,
                next=self.week_link(page, after, counted=False) if after else None,
                topic_hrefs={
                    key: paths.relative(page, paths.topic_page(key)) for key, _ in self.topics
                },
            ),
        )

    def topic(self, key: str) -> dict[str, Page]:
        """A topic's pages (see pagination): the front page, topics/<key>.html, shows the
        newest weeks and the topic's total; numbered pages hold whole weeks, at most
        `page_size` articles (one bigger week gets a page of its own), page 1 the oldest."""
        weeks = [
            (issue, count)
            for issue in self.issues
            for topic, count in issue.topic_counts
            if topic == key
        ]
        pages = pagination.paginate(weeks, self.cfg.page_size, lambda week: week[1])
        spans = [(chunk[0][0].week, chunk[-1][0].week) for chunk in pages]
        path = partial(paths.topic_page_n, key)
        files: dict[str, Page] = {}
        for number, chunk in enumerate(pages):
            page = path(number)
            groups = [
                WeekGroup(self.week_link(page, issue, anchor=key, counted=False), issue, key)
                for issue, _count in reversed(chunk)
            ]
            front = number == pagination.FRONT
            links = self.topic_links(page, counted=front)
            files[page] = Page(
                "web/topic.html.j2",
                dict(
                    **self.nav(page),
                    topic=next(link for link in links if link.key == key),
                    groups=groups,
                    current_topic=key,
                    pager=pagination.pager(spans, number, path),
                ),
            )
        return files

    def week_link(
        self, page: str, issue: Issue, anchor: str = "", *, counted: bool = True
    ) -> WeekLink:
        href = paths.relative(page, paths.week_page(issue.week))
        label, span = self._labels(issue.week)
        return WeekLink(
            week=issue.week,
            label=label,
            range=span,
            count=issue.count if counted else None,
            href=f"{href}#{anchor}" if anchor else href,
        )

    def _labels(self, week: IsoWeek) -> tuple[str, str]:
        found = self._week_labels.get(week)
        if found is None:
            found = self._week_labels[week] = (
                self.l10n.week_label(week),
                self.l10n.week_range(week),
            )
        return found

    def topic_links(self, page: str, *, counted: bool = False) -> list[TopicLink]:
        return [
            TopicLink(
                key=key,
                label=self.cfg.rules.label(key),
                count=count if counted else None,
                href=paths.relative(page, paths.topic_page(key)),
                feed=paths.relative(page, paths.topic_feed(key)),
            )
            for key, count in self.topics
        ]

    def nav(self, page: str) -> dict[str, Any]:
        """What the footer of `page` shows besides the configuration: the topics' links."""
        return {"topics": self.topic_links(page)}

    def page(self, template: str, page: str, **context: Any) -> bytes:
        return self.render_page(page, Page(template, {**self.nav(page), **context}))

    def render_page(self, page: str, spec: Page) -> bytes:
        """Render one page: its data, plus what every page shows from the configuration."""
        context = dict(spec.data)
        context.setdefault("current_topic", None)
        context.setdefault("topics", self.topic_links(page))
        link: Callable[[str], str] = partial(paths.relative, page)
        html = render_template(
            self.env,
            spec.template,
            page=page,
            site=self.cfg.site,
            impressum=self.cfg.impressum,
            contact_href=contact_href(self.cfg.impressum.contact),
            l10n=self.l10n,
            t=self.strings,
            home=link(paths.INDEX),
            feed=link(paths.FEED),
            service=service_links(self.cfg),
            link=link,
            href=lambda article: items.target(article, link),
            credit=lambda article: items.credit(article, self.l10n),
            **context,
        )
        return html.encode("utf-8")
