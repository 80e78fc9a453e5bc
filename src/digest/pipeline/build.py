"""The build: ingest the sources, render every week (or one), the feeds and the archive,
and write the output folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from jinja2 import Environment

from ..config import Config
from ..delivery.message import build_message, encode_body, message_id, preview_key
from ..errors import RenderError
from ..grouping import issue_of
from ..l10n import L10n
from ..models import Article, Issue, Problem
from ..output import write_files
from ..render import paths
from ..render.archive import render_archive
from ..render.article_pages import render_article_pages
from ..render.email import PLACEHOLDERS, UNSUBSCRIBE_PLACEHOLDER, render_email
from ..render.environment import make_environment
from ..render.feed import render_feeds
from ..vet import article_problem
from ..weeks import IsoWeek, send_time
from . import IngestSummary, Progress, ingest
from .edition import Edition, issues_of, load_edition


@dataclass
class BuildSummary:
    """What one build did: the ingest before it, the weeks rendered, the files written."""

    ingest: IngestSummary
    out: Path
    preview: Path
    weeks: list[str] = field(default_factory=list)
    budgets: dict[str, str] = field(default_factory=dict)  # week -> how much its email shrank
    missing_week: str | None = None  # --week named a week without articles
    problems: list[Problem] = field(default_factory=list)  # articles repaired or left out
    stopped: bool = False  # --strict and a problem: nothing was written
    from_store_only: bool = False  # no source was read: rendered from what the store holds
    articles: int = 0  # articles published (after drops, exclusions and vetting)
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
    preview: Path | None = None,
) -> BuildSummary:
    """Ingest the configured sources, then render every week (or one), the feeds and the archive.

    Everything is rendered in memory first, so a template or MJML error writes nothing. An
    article that cannot be rendered is left out with a problem, not the week; under `strict`
    any problem stops the build before the output folder is touched.
    """
    summary = BuildSummary(
        ingest(cfg, None, progress, strict=strict), out or cfg.out, preview or cfg.preview
    )
    if summary.ingest.stopped:
        summary.stopped = True
        return summary
    summary.from_store_only = summary.ingest.files_read == 0
    edition = load_edition(cfg)
    summary.problems = edition.problems
    summary.articles = len(edition.articles)
    env = make_environment(cfg.templates)
    l10n = L10n(cfg.site.locale)
    site = Site(cfg, env, l10n, week, edition)
    rendered, issues, left_out = site.render_skipping_bad_articles(
        edition.articles, summary.budgets
    )
    summary.problems.extend(left_out)
    if strict and summary.problems:
        summary.stopped = True
        return summary
    selected = site.selected(issues)
    if week is not None and not selected:
        summary.missing_week = str(week)
    summary.weeks = [str(i.week) for i in selected]
    # Files of the weeks not rendered this time (--week) are still current: keep them.
    rendered_weeks = {i.week for i in selected}
    others = [i.week for i in issues if i.week not in rendered_weeks]
    public = {k: v for k, v in rendered.items() if not k.startswith(PREVIEW_PREFIX)}
    previews = {
        k.removeprefix(PREVIEW_PREFIX): v
        for k, v in rendered.items()
        if k.startswith(PREVIEW_PREFIX)
    }
    written = write_files(summary.out, public, [paths.week_page(w) for w in others])
    shown = write_files(summary.preview, previews, [n for w in others for n in preview_files(w)])
    summary.written = written.written + [f"preview: {n}" for n in shown.written]
    summary.unchanged = written.unchanged + shown.unchanged
    summary.removed = written.removed + shown.removed
    summary.swept = written.swept + shown.swept
    return summary


def preview_files(week: IsoWeek) -> list[str]:
    """The email preview files of one week, below the preview folder."""
    return [paths.email_file(week, suffix) for suffix in ("mjml", "html", "txt", "eml")]


# Keys of the rendered files that belong in the preview folder, not in public/.
PREVIEW_PREFIX = "preview:"


@dataclass
class Site:
    """Renders the whole output in memory: every selected week's email, the archive, the feeds."""

    cfg: Config
    env: Environment
    l10n: L10n
    week: IsoWeek | None
    edition: Edition

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
        files.update(render_article_pages(issues, cfg, env, l10n))
        files.update(render_feeds(issues, cfg, env, l10n))
        return files

    def render_skipping_bad_articles(
        self, articles: Sequence[Article], budgets: dict[str, str]
    ) -> tuple[dict[str, bytes], list[Issue], list[Problem]]:
        """Render everything; if that fails, find the articles that make it fail, leave them
        out with a problem each, and render again. A failure no single article explains (a
        broken template) is raised as it is."""
        issues = issues_of(self.edition, self.cfg, articles)
        try:
            return self.render(issues, budgets), issues, []
        except Exception as exc:
            failure = exc
        culprits = self._culprits(issues)
        if not culprits or len(culprits) == sum(len(i.articles) for i in issues):
            raise _as_render_error(failure) from None
        problems = [_left_out(article, reason) for article, reason in culprits]
        bad = {article.id for article, _ in culprits}
        issues = issues_of(self.edition, self.cfg, (a for a in articles if a.id not in bad))
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
                alone = replace(issue_of(issue.week, [article], self.cfg.rules), editorial=None)
                reason = self._fails([alone])
                if reason is not None:
                    found.append((article, reason))
        return found

    def _fails(self, issues: list[Issue]) -> str | None:
        try:
            Site(self.cfg, self.env, self.l10n, None, self.edition).render(issues, {})
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
    sent = send_time(issue.week, cfg.site.tz)
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
    week = issue.week
    return {
        PREVIEW_PREFIX + paths.email_file(week, "mjml"): email.mjml.encode("utf-8"),
        PREVIEW_PREFIX + paths.email_file(week, "html"): email.html.encode("utf-8"),
        PREVIEW_PREFIX + paths.email_file(week, "txt"): email.text.encode("utf-8"),
        PREVIEW_PREFIX + paths.email_file(week, "eml"): message,
    }
