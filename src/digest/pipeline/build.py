"""The build: ingest the sources, render every week (or one), the feeds and the archive,
and write the output folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from jinja2 import Environment

from ..config import Config, key_lines
from ..delivery.message import build_message, encode_body, message_id, preview_key
from ..errors import RenderError
from ..grouping import group_by_week, issue_of
from ..l10n import L10n
from ..models import Article, Issue, Problem
from ..output import write_files
from ..render import paths
from ..render.archive import render_archive
from ..render.email import PLACEHOLDERS, UNSUBSCRIBE_PLACEHOLDER, render_email
from ..render.environment import make_environment
from ..render.feed import render_feeds
from ..vet import article_problem, vet
from ..weeks import IsoWeek
from . import IngestSummary, Progress, ingest, open_store


@dataclass
class BuildSummary:
    """What one build did: the ingest before it, the weeks rendered, the files written."""

    ingest: IngestSummary
    out: Path
    weeks: list[str] = field(default_factory=list)
    budgets: dict[str, str] = field(default_factory=dict)  # week -> how much its email shrank
    missing_week: str | None = None  # --week named a week without articles
    problems: list[Problem] = field(default_factory=list)  # articles repaired or left out
    stopped: bool = False  # --strict and a problem: nothing was written
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)


def build(
    cfg: Config,
    week: IsoWeek | None = None,
    out: Path | None = None,
    progress: Progress | None = None,
    *,
    strict: bool = False,
) -> BuildSummary:
    """Ingest the configured sources, then render every week (or one), the feeds and the archive.

    Everything is rendered in memory first, so a template or MJML error writes nothing. An
    article that cannot be rendered is left out with a problem, not the week; under `strict`
    any problem stops the build before the output folder is touched.
    """
    summary = BuildSummary(ingest(cfg, None, progress, strict=strict), out or cfg.out)
    if summary.ingest.stopped:
        summary.stopped = True
        return summary
    with open_store(cfg) as store:
        stored = store.articles()
    summary.problems = unmatched_overrides(cfg, stored)
    articles, bad = vet(stored, cfg.ingest.plausible_years())
    summary.problems.extend(bad)
    env = make_environment(cfg.templates)
    l10n = L10n(cfg.site.locale)
    site = Site(cfg, env, l10n, week)
    files, issues, left_out = site.render_skipping_bad_articles(articles, summary.budgets)
    summary.problems.extend(left_out)
    if strict and summary.problems:
        summary.stopped = True
        return summary
    selected = site.selected(issues)
    if week is not None and not selected:
        summary.missing_week = str(week)
    summary.weeks = [str(i.week) for i in selected]
    # Files of the weeks not rendered this time (--week) are still current: keep them.
    rendered = {i.week for i in selected}
    keep = [name for i in issues if i.week not in rendered for name in week_files(i.week)]
    written = write_files(summary.out, files, keep)
    summary.written, summary.unchanged = written.written, written.unchanged
    summary.removed, summary.swept = written.removed, written.swept
    return summary


def unmatched_overrides(cfg: Config, articles: Sequence[Article]) -> list[Problem]:
    """An [overrides] entry whose id or URL no stored article has: a typo, most likely."""
    if not cfg.rules.overrides:
        return []
    known = {a.id for a in articles} | {url for a in articles for url in a.urls}
    lines = key_lines(cfg.path)
    return [
        Problem(
            str(cfg.path),
            lines.get(f"overrides.{ref}") or lines.get(f'overrides."{ref}"'),
            f"[overrides] {ref!r} matches no stored article",
            "check the id (`digest articles` lists them) or the URL, or remove the entry",
        )
        for ref in cfg.rules.overrides
        if ref not in known
    ]


def week_files(week: IsoWeek) -> list[str]:
    """Every file the build writes for one week."""
    return [paths.week_page(week)] + [
        paths.email_file(week, suffix) for suffix in ("mjml", "html", "txt", "eml")
    ]


@dataclass
class Site:
    """Renders the whole output in memory: every selected week's email, the archive, the feeds."""

    cfg: Config
    env: Environment
    l10n: L10n
    week: IsoWeek | None

    def selected(self, issues: Sequence[Issue]) -> list[Issue]:
        return [i for i in issues if self.week is None or i.week == self.week]

    def render(self, issues: Sequence[Issue], budgets: dict[str, str]) -> dict[str, bytes]:
        cfg, env, l10n = self.cfg, self.env, self.l10n
        files: dict[str, bytes] = {}
        selected = self.selected(issues)
        for issue in selected:
            files.update(render_week_email(issue, cfg, env, l10n, budgets))
        pages = render_archive(issues, cfg, env, l10n)
        keep = {paths.week_page(i.week) for i in selected}
        files.update({k: v for k, v in pages.items() if k in keep or not k.startswith("weeks/")})
        files.update(render_feeds(issues, cfg, env, l10n))
        return files

    def render_skipping_bad_articles(
        self, articles: Sequence[Article], budgets: dict[str, str]
    ) -> tuple[dict[str, bytes], list[Issue], list[Problem]]:
        """Render everything; if that fails, find the articles that make it fail, leave them
        out with a problem each, and render again. A failure no single article explains (a
        broken template) is raised as it is."""
        issues = group_by_week(articles, self.cfg.rules)
        try:
            return self.render(issues, budgets), issues, []
        except Exception as exc:
            failure = exc
        culprits = self._culprits(issues)
        if not culprits or len(culprits) == sum(len(i.articles) for i in issues):
            raise _as_render_error(failure) from None
        problems = [_left_out(article, reason) for article, reason in culprits]
        bad = {article.id for article, _ in culprits}
        issues = group_by_week((a for a in articles if a.id not in bad), self.cfg.rules)
        try:
            return self.render(issues, budgets), issues, problems
        except Exception as exc:
            raise _as_render_error(exc) from None

    def _culprits(self, issues: Sequence[Issue]) -> list[tuple[Article, str]]:
        """Each article that fails to render on its own, with the reason; checked week by
        week first, so only the articles of failing weeks are rendered one at a time."""
        found = []
        for issue in issues:
            if self._fails([issue]) is None:
                continue
            for article in issue.articles:
                reason = self._fails([issue_of(issue.week, [article], self.cfg.rules)])
                if reason is not None:
                    found.append((article, reason))
        return found

    def _fails(self, issues: list[Issue]) -> str | None:
        try:
            Site(self.cfg, self.env, self.l10n, None).render(issues, {})
        except Exception as exc:
            return _reason(exc)
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _as_render_error(exc: BaseException) -> RenderError:
    if isinstance(exc, RenderError):
        return exc
    return RenderError(
        f"rendering failed: {_reason(exc)}",
        "no single article explains it; check the templates folder (render.templates)",
    )


def _left_out(article: Article, reason: str) -> Problem:
    return article_problem(
        article,
        f"cannot be rendered and was left out ({reason})",
        "fix the article in its source file and build again",
    )


def render_week_email(
    issue: Issue, cfg: Config, env: Environment, l10n: L10n, budgets: dict[str, str]
) -> dict[str, bytes]:
    """Render one week's email as preview files: MJML, HTML, plain text and a complete .eml."""
    email = render_email(issue, cfg, env, l10n)
    budgets[str(issue.week)] = email.budget
    # A deterministic Date: Monday after the week, 07:00 local time, when the digest goes out.
    sent = datetime.combine(issue.week.sunday + timedelta(days=1), time(7), cfg.site.tz)
    address = f"vorschau@{cfg.site.domain}"
    message = build_message(
        cfg=cfg,
        subject=email.subject,
        body=encode_body(email.text, email.html, PLACEHOLDERS),
        to=f"Vorschau <{address}>",
        message_id=message_id(str(issue.week), preview_key(address), cfg.site.domain),
        sent=sent,
        unsubscribe=UNSUBSCRIBE_PLACEHOLDER,
    )
    return {
        paths.email_file(issue.week, "mjml"): email.mjml.encode("utf-8"),
        paths.email_file(issue.week, "html"): email.html.encode("utf-8"),
        paths.email_file(issue.week, "txt"): email.text.encode("utf-8"),
        paths.email_file(issue.week, "eml"): message,
    }
