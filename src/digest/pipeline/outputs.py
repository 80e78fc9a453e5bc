"""Every output of a build with its key, rendered and written only when it is stale.

An output is stale when the data it shows changed (its key, render/keys.py) or its file is not
as digest wrote it (output.OutputFolder). Outputs are rendered one at a time and written at
once, week by week, oldest first (`Writer.write`), so each week is loaded at most once and
memory holds a few weeks; the feeds and the index, where readers come in, are written last.
Weeks that did not change are not loaded at all (pipeline/catalogue.py): their outputs' keys
take the issue's digest.

Before any of that, `stamp` sums up everything the whole output depends on: the global key
(digest's code, the templates, the configuration), the store's write count, and the editorial
files. When it equals the stamp of the last build and every file is as written, the build has
nothing to do and does not even load the articles (build.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from .. import __version__
from ..config import Config
from ..l10n import L10n
from ..models import Issue
from ..output import OutputFolder
from ..render import paths
from ..render.archive import Page, _Archive
from ..render.article_pages import article_pages_of
from ..render.keys import Digester
from ..store import Store
from ..weeks import IsoWeek
from .unchanged import code_hash

if TYPE_CHECKING:
    from ..render.feed import EntryCache

# The issue feed's entries of the last build, in the preview folder (render/feed.EntryCache).
FEED_ENTRIES = ".digest-feed-entries.json"

# Keys of rendered email files that belong in the preview folder.
EMAIL_SUFFIXES = ("mjml", "html", "txt", "eml")


def global_key(cfg: Config, digester: Digester) -> str:
    """What every output depends on besides its data: the code, templates and config."""
    templates = hashlib.sha256()
    if cfg.templates.is_dir():
        for path in sorted(p for p in cfg.templates.rglob("*") if p.is_file()):
            templates.update(path.relative_to(cfg.templates).as_posix().encode() + b"\0")
            templates.update(path.read_bytes())
    shown = [(f.name, getattr(cfg, f.name)) for f in fields(cfg) if f.name not in NOT_SHOWN]
    return digester.stable(
        __version__, code_hash(), templates.hexdigest(), shown, cfg.ingest.plausible_years()
    )


# The parts of the config that no output of a build shows; a change to one of them (a new
# SMTP relay, say) must not render 52,000 files again. The config's own path is among them:
# how it is typed ("config.toml", absolute, through a link) says nothing, and every path it
# names is resolved already (config.py). A part not named here counts, so a new section
# counts until someone shows it need not.
NOT_SHOWN = frozenset({"path", "store_path", "store_timeout", "delivery", "web", "subscribe"})


def stamp(cfg: Config, base: str, store: Store) -> str:
    """The whole output's stamp: the global key, the store's writes, the editorial files."""
    store_id, generation = store.generation()
    editorials = hashlib.sha256()
    folder = cfg.editorial.folder
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            editorials.update(path.relative_to(folder).as_posix().encode() + b"\0")
            editorials.update(path.read_bytes())
    text = f"{base}|{store_id}|{generation}|{editorials.hexdigest()}"
    return hashlib.sha256(text.encode()).hexdigest()


def preview_files(week: IsoWeek) -> list[str]:
    """The email preview files of one week, below the preview folder."""
    return [paths.email_file(week, suffix) for suffix in EMAIL_SUFFIXES]


@dataclass
class Writer:
    """Renders and writes the stale outputs of one build."""

    cfg: Config
    env: Environment
    l10n: L10n
    base: str  # the global key
    public: OutputFolder
    previews: OutputFolder
    digester: Digester = field(default_factory=Digester)
    budgets: dict[str, str] = field(default_factory=dict)
    carried: Collection[IsoWeek] = ()  # weeks as the last build published them (catalogue)

    def write(self, issues: Sequence[Issue], week: IsoWeek | None) -> None:
        """Bring every output of `issues` up to date; with `week`, that week's email and
        page only, besides what spans all weeks (the other weeks' files are kept).

        One walk over the weeks, oldest first, so that each week is loaded once: its email,
        its page, its article pages, then the topic pages whose newest week it is. The
        feeds and the index, where readers come in, are written last."""
        archive = _Archive(issues, self.cfg, self.env, self.l10n)
        topic_pages: dict[IsoWeek, list[tuple[str, Page]]] = {}
        for topic, _count in archive.topics:
            for name, page in archive.topic(topic).items():
                newest = page.data["groups"][0].link.week
                topic_pages.setdefault(newest, []).append((name, page))
        for issue, (name, page) in zip(archive.issues, archive.week_pages(), strict=True):
            if week is None or issue.week == week:
                self._email(issue)
            else:
                for preview in preview_files(issue.week):
                    self.previews.keep(preview)
            if week is None or issue.week == week:
                self._page(archive, name, page)
            else:
                self.public.keep(name)
            self._articles(archive, issue)
            for name, page in topic_pages.pop(issue.week, []):
                self._page(archive, name, page)
        self._feeds(archive.issues)
        for name, page in archive.index().items():
            self._page(archive, name, page)

    def _email(self, issue: Issue) -> None:
        from .build import PREVIEW_PREFIX, render_week_email  # build imports this module

        names = preview_files(issue.week)
        key = self.digester.key(self.base, "email", issue)
        if all(self.previews.fresh(name, key) for name in names):
            self.budgets[str(issue.week)] = self.previews.note(names[1]) or "full"
            return
        rendered = render_week_email(issue, self.cfg, self.env, self.l10n, self.budgets)
        note = self.budgets[str(issue.week)]
        for name in names:
            self.previews.write(name, rendered[PREVIEW_PREFIX + name], key, note)

    def _articles(self, archive: _Archive, issue: Issue) -> None:
        """The week's article pages. An article page shows its article, its week and the
        topic links: if the week's issue and the topics are those of the last build (and
        the global key), its pages are as they were, and the week is not loaded for them."""
        if issue.week in self.carried:
            names = [paths.article_page(i) for i in issue.article_ids]
            # A list, not a generator: every intact page must be marked kept.
            if all([self.public.unchanged(name) for name in names]):
                return
        for name, page in article_pages_of(archive, issue):
            self._page(archive, name, page)

    def _page(self, archive: _Archive, name: str, page: Page) -> None:
        key = self.digester.key(self.base, name, page.template, page.data)
        if not self.public.fresh(name, key):
            self.public.write(name, archive.render_page(name, page), key)

    def _feeds(self, issues: Sequence[Issue]) -> None:
        names = [paths.FEED, *(paths.topic_feed(t) for t in self.cfg.rules.order)]
        key = self.digester.key(self.base, "feeds", fed_issues(issues, self.cfg))
        if all(self.public.fresh(name, key) for name in names):
            return
        from ..render.feed import render_feeds  # feedgen: imported when a feed is written

        cache = self._entry_cache()
        feeds = render_feeds(issues, self.cfg, self.env, self.l10n, cache)
        for name in names:
            self.public.write(name, feeds[name], key)
        self.previews.save_side(FEED_ENTRIES, cache.used)

    def _entry_cache(self) -> EntryCache:
        """The issue feed's entries of the last build (kept in the preview folder, which is
        not published), by a key of the issue's digest and everything global."""
        from ..render.feed import EntryCache

        known = self.previews.load_side(FEED_ENTRIES)
        return EntryCache(
            known if isinstance(known, dict) else {},
            lambda issue: self.digester.key(self.base, "feed entry", issue),
        )


def folders(out: Path, preview: Path, new_stamp: str) -> tuple[OutputFolder, OutputFolder]:
    """The public and the preview folder of a build that will leave `new_stamp`."""
    return OutputFolder(out, new_stamp), OutputFolder(preview, new_stamp)


def fed_issues(issues: Sequence[Issue], cfg: Config) -> list[Issue]:
    """The newest issues, as many as the feeds can show: the [feeds] weeks of the issue
    feed, and enough weeks to fill every topic feed with its topic_items articles."""
    newest_first = sorted(issues, key=lambda issue: issue.week, reverse=True)
    counts = dict.fromkeys(cfg.rules.order, 0)
    for taken, issue in enumerate(newest_first):
        if taken >= cfg.feeds.weeks and all(n >= cfg.feeds.topic_items for n in counts.values()):
            return newest_first[:taken]
        for topic, count in issue.topic_counts:
            if topic in counts:
                counts[topic] += count
    return newest_first
