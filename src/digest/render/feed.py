"""Atom feeds: feed.atom (one entry per weekly issue) and topics/<topic>.atom (one per article).

feedgen 1.0.0 quirks this module works around (DESIGN.md section 8):

- FeedGenerator and FeedEntry default `updated` to now(): every feed and entry gets it from the
  data, and an empty feed a fixed time (site.since), so the same input gives the same bytes.
- add_entry() prepends by default: entries are added with order="append", newest first.
- An entry's <link> loses rel/type/hreflang (issue #135: the loop variable shadows the dict),
  so each entry carries exactly one link, which Atom reads as rel="alternate".
- Feed-level links keep their attributes; language() puts xml:lang on <feed>.
- lxml refuses text with XML-invalid characters (control codes): they are dropped first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from .. import __version__
from ..config import Config
from ..grouping import sort_key
from ..l10n import L10n
from ..models import Article, Issue
from ..weeks import send_time
from . import items, paths
from .email import subject_of
from .environment import render_template

ATOM_TYPE = "application/atom+xml"
HTML_TYPE = "text/html"
ISSUE_TEMPLATE = "feed/issue.html.j2"

# Characters XML 1.0 does not allow (lxml raises ValueError on them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_feeds(
    issues: Sequence[Issue],
    cfg: Config,
    env: jinja2.Environment,
    l10n: L10n,
    entries: EntryCache | None = None,
) -> dict[str, bytes]:
    """Return {'feed.atom': ..., 'topics/<topic>.atom': ... for every topic in cfg.rules.order}.

    `entries` holds issue entries rendered before (see `EntryCache`): an issue found there
    is neither rendered nor loaded again."""
    recent = newest_issues(issues, cfg.feeds.weeks)
    feeds = {paths.FEED: _issue_feed(recent, cfg, env, l10n, entries)}
    newest_first = newest_issues(issues, len(issues))
    for topic in cfg.rules.order:
        feeds[paths.topic_feed(topic)] = _topic_feed(topic, newest_first, cfg, env, l10n)
    return feeds


class EntryCache:
    """The issue feed's entries as plain data, by a key the caller gives each issue (its
    digest with everything else the entry depends on), so a build that adds one week renders
    one entry and loads no other week for the feed. `used` is what this build needed: all a
    cache has to keep for the next."""

    def __init__(self, known: Mapping[str, Mapping[str, Any]], key: Callable[[Issue], str]):
        self.known = dict(known)
        self.key = key
        self.used: dict[str, dict[str, Any]] = {}

    def entry(self, issue: Issue, make: Callable[[], dict[str, Any]]) -> FeedEntry:
        """The issue's entry, from the cache if it holds a usable one, else made."""
        key = self.key(issue)
        found = self.known.get(key)
        if found is not None:
            try:
                entry = _entry_of(found)
                self.used[key] = dict(found)
                return entry
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # a damaged cache file: make the entry again
        data = self.used[key] = make()
        return _entry_of(data)


def newest_issues(issues: Sequence[Issue], weeks: int) -> list[Issue]:
    """Return the newest `weeks` issues, newest first."""
    ordered = sorted(issues, key=lambda issue: issue.week)
    return list(reversed(ordered[-weeks:])) if weeks > 0 else []


def tag_uri(cfg: Config, specific: str) -> str:
    """Return the permanent RFC 4151 id 'tag:<domain>,<since>:digest/<specific>'."""
    suffix = f"/{specific}" if specific else ""
    return f"tag:{cfg.site.domain},{cfg.site.since}:digest{suffix}"


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    """The start of `day` in the site's time zone: a date's 'updated' time (aware)."""
    return datetime.combine(day, time(0), tzinfo=tz)


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _week_url(cfg: Config, issue: Issue) -> str:
    return paths.absolute(cfg.site.base_url, paths.week_page(issue.week))


def _new_feed(
    cfg: Config,
    l10n: L10n,
    *,
    specific: str,
    title: str,
    subtitle: str,
    path: str,
    alternate: str = paths.INDEX,
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(tag_uri(cfg, specific))
    fg.title(_xml(title))
    fg.subtitle(_xml(subtitle))
    # RFC 4287 4.1.1: a feed needs an author unless every entry has one; ours never do.
    author = {"name": _xml(cfg.feeds.author_name or cfg.site.title)}
    if "@" in cfg.feeds.author_email:
        author["email"] = _xml(cfg.feeds.author_email)
    fg.author(author)
    fg.link(href=paths.absolute(cfg.site.base_url, path), rel="self", type=ATOM_TYPE)
    fg.link(href=paths.absolute(cfg.site.base_url, alternate), rel="alternate", type=HTML_TYPE)
    fg.language(l10n.bcp47)
    # The default names feedgen's home page; name the program that decided the content.
    fg.generator("digest", version=__version__)
    return fg


def _finish(fg: FeedGenerator, entries: Sequence[FeedEntry], cfg: Config) -> bytes:
    """Add the entries in the given order and serialise; `updated` is the newest entry's."""
    # An empty feed has no data to date it: a fixed time keeps rebuilds byte-identical.
    fixed = _midnight(date.fromisoformat(cfg.site.since), cfg.site.tz)
    fg.updated(max((entry.updated() for entry in entries), default=fixed))
    for entry in entries:
        fg.add_entry(entry, order="append")
    data: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def _issue_feed(
    recent: Sequence[Issue],
    cfg: Config,
    env: jinja2.Environment,
    l10n: L10n,
    cache: EntryCache | None,
) -> bytes:
    labels = [cfg.rules.label(topic) for topic in cfg.rules.order]
    fg = _new_feed(
        cfg,
        l10n,
        specific="feed",
        title=cfg.site.title,
        subtitle=f"{l10n.text('topics')}: {', '.join(labels)}",
        path=paths.FEED,
    )
    entries = []
    for issue in recent:
        make = partial(_issue_entry_data, issue, cfg, env, l10n)
        entries.append(cache.entry(issue, make) if cache else _entry_of(make()))
    return _finish(fg, entries, cfg)


def _issue_entry_data(
    issue: Issue, cfg: Config, env: jinja2.Environment, l10n: L10n
) -> dict[str, Any]:
    """An issue's entry as plain data (JSON-able: see EntryCache)."""
    week_url = _week_url(cfg, issue)
    base = cfg.site.base_url
    html = render_template(
        env,
        ISSUE_TEMPLATE,
        issue=issue,
        l10n=l10n,
        week_url=week_url,
        href=lambda article: items.absolute_target(article, base),
        credit=lambda article: items.credit(article, l10n),
    )
    # published: when the issue goes out (as the .eml's Date); updated: its newest article.
    # A week's articles can be dated after its send time only if the week is still running.
    sent = send_time(issue.week, cfg.site.tz)
    week_of = l10n.text("week_of", range=l10n.week_range(issue.week))
    return {
        "id": tag_uri(cfg, str(issue.week)),
        "title": _xml(subject_of(issue, cfg, l10n)),
        "published": sent.isoformat(),
        "updated": max(_midnight(issue.latest, cfg.site.tz), sent).isoformat(),
        "link": week_url,
        "summary": _xml(f"{week_of}: {l10n.items(issue.count)}"),
        "content": _xml(html),
        "categories": [[section.topic, _xml(section.label)] for section in issue.sections],
    }


def _entry_of(data: Mapping[str, Any]) -> FeedEntry:
    entry = FeedEntry()
    entry.id(data["id"])
    entry.title(data["title"])
    entry.published(datetime.fromisoformat(data["published"]))
    entry.updated(datetime.fromisoformat(data["updated"]))
    entry.link(href=data["link"])  # the only link: feedgen drops rel/type on entry links
    entry.summary(data["summary"], type="text")
    # type="html": the fragment travels escaped as text, never as CDATA.
    entry.content(data["content"], type="html")
    for term, label in data["categories"]:
        entry.category(term=term, label=label)
    return entry


def _topic_feed(
    topic: str, newest_first: Sequence[Issue], cfg: Config, env: jinja2.Environment, l10n: L10n
) -> bytes:
    """The topic's newest [feeds] topic_items articles, from however many weeks that takes."""
    label = cfg.rules.label(topic)
    fg = _new_feed(
        cfg,
        l10n,
        specific=f"feed/{topic}",
        title=f"{cfg.site.title} – {label}",
        subtitle=f"{l10n.text('topics')}: {label}",
        path=paths.topic_feed(topic),
        alternate=paths.topic_page(topic),
    )
    found: list[tuple[Article, Issue]] = []
    for issue in newest_first:
        if len(found) >= cfg.feeds.topic_items:
            break  # issues come newest first: older weeks cannot hold newer articles
        found += [
            (article, issue)
            for section in issue.sections
            if section.topic == topic
            for article in section.articles
        ]
    # Newest day first; within a day by title, then id, so the order never depends on input.
    found.sort(key=lambda pair: sort_key(pair[0]))
    found.sort(key=lambda pair: pair[0].date or pair[1].latest, reverse=True)
    entries = [
        _article_entry(article, issue, topic, label, cfg, l10n)
        for article, issue in found[: cfg.feeds.topic_items]
    ]
    return _finish(fg, entries, cfg)


def _article_entry(
    article: Article, issue: Issue, topic: str, label: str, cfg: Config, l10n: L10n
) -> FeedEntry:
    entry = FeedEntry()
    entry.id(tag_uri(cfg, f"article/{article.id}"))
    entry.title(_xml(article.headline))
    moment = _midnight(article.date or issue.latest, cfg.site.tz)
    entry.updated(moment)
    entry.published(moment)
    entry.link(href=items.absolute_target(article, cfg.site.base_url))
    found = items.credit(article, l10n)
    text = " – ".join(t for t in (article.summary, str(found) if found else None) if t)
    if text:
        entry.summary(_xml(text), type="text")
    entry.category(term=topic, label=_xml(label))
    return entry
