"""The build: ingest the sources, render every week (or one), the feeds and the archive,
and write the output folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from jinja2 import Environment

from ..config import Config
from ..delivery.message import build_message, encode_body, message_id, preview_key
from ..errors import OutputError, RenderError
from ..grouping import issue_of
from ..l10n import L10n
from ..models import Article, Issue, Problem
from ..output import OutputFolder
from ..render import paths
from ..render.archive import render_archive
from ..render.article_pages import render_article_pages
from ..render.email import PLACEHOLDERS, UNSUBSCRIBE_PLACEHOLDER, render_email
from ..render.environment import make_environment
from ..render.keys import Digester
from ..vet import article_problem
from ..weeks import IsoWeek, send_time
from . import IngestSummary, Progress, ingest, open_store
from .catalogue import Catalogue, previous_records
from .outputs import Writer, folders, global_key, stamp


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
    stopped: bool = False  # --strict and a problem: nothing (more) was written
    from_store_only: bool = False  # no source was read: rendered from what the store holds
    up_to_date: bool = False  # nothing changed since the last build: nothing was rendered
    articles: int = 0  # articles published (after drops, exclusions and vetting)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # rendered again, the same bytes
    skipped: int = 0  # outputs not rendered: the data they show did not change
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
    """Ingest the configured sources, then bring every week's outputs (or one week's), the
    feeds and the archive up to date.

    Only stale outputs are rendered (pipeline/outputs.py), one at a time, each written as
    soon as it is rendered. An article that cannot be rendered is left out with a problem,
    not the week. Under `strict`, a problem found before rendering stops the build before
    the output folder is touched; one found while rendering (an article that cannot be
    rendered) stops it there, and the files written so far are complete and current.
    """
    summary = BuildSummary(
        ingest(cfg, None, progress, strict=strict), out or cfg.out, preview or cfg.preview
    )
    if summary.ingest.stopped:
        summary.stopped = True
        return summary
    summary.from_store_only = summary.ingest.files_read == 0
    digester = Digester()
    base = global_key(cfg, digester)
    with open_store(cfg) as store:
        now = stamp(cfg, base, store)
        public, previews = folders(summary.out, summary.preview, now)
        if week is None and _up_to_date(summary, public, previews, now):
            return summary
        catalogue = Catalogue(cfg, store, base, digester)
        catalogue.update(previous_records(public.extra))
        summary.problems = list(catalogue.problems)
        if strict and summary.problems:
            summary.stopped = True
            return summary
        env = make_environment(cfg.templates, reload=False)
        l10n = L10n(cfg.site.locale)
        site = Site(cfg, env, l10n, catalogue)
        writer = Writer(cfg, env, l10n, base, public, previews, digester, carried=catalogue.carried)
        issues, left_out = site.write_skipping_bad_articles(writer, week, strict)
        summary.articles = catalogue.articles()
        if strict and left_out:
            summary.problems.extend(left_out)
            summary.stopped = True
        else:
            summary.problems = list(catalogue.problems)
            public.extra = {
                "articles": summary.articles,
                "weeks": [str(i.week) for i in issues],
                "problems": [[p.path, p.line, p.message, p.hint] for p in summary.problems],
                "budgets": writer.budgets,
                "catalogue": catalogue.saved(),
            }
    selected = [i for i in issues if week is None or i.week == week]
    if week is not None and not selected:
        summary.missing_week = str(week)
    summary.weeks = [str(i.week) for i in selected]
    summary.budgets = {w: b for w, b in writer.budgets.items() if w in summary.weeks}
    _finish(summary, public, previews, stamped=week is None and not summary.stopped)
    return summary


def _up_to_date(
    summary: BuildSummary, public: OutputFolder, previews: OutputFolder, now: str
) -> bool:
    """Nothing changed since the last build and every output is as written: say so, with
    the last build's figures, and render nothing."""
    extra = public.extra
    if public.interrupted or previews.interrupted:
        return False  # a killed build left work to finish (and temporaries to sweep)
    if not (public.stamp == previews.stamp == now and extra and public.intact()):
        return False
    if not previews.intact():
        return False
    summary.up_to_date = True
    summary.articles = int(extra.get("articles", 0))
    summary.weeks = [str(w) for w in extra.get("weeks", [])]
    summary.problems = [Problem(*row) for row in extra.get("problems", [])]
    summary.skipped = len(public.entries) + len(previews.entries)
    budgets = extra.get("budgets", {})
    summary.budgets = (
        {str(w): str(b) for w, b in budgets.items()} if isinstance(budgets, dict) else {}
    )
    return True


def _finish(
    summary: BuildSummary, public: OutputFolder, previews: OutputFolder, *, stamped: bool
) -> None:
    """Tidy both folders and save their manifests (stamped only after a whole build)."""
    if not stamped:
        public.stamp_off()
        previews.stamp_off()
    written, shown = public.finish(), previews.finish()
    summary.written = written.written + [f"preview: {n}" for n in shown.written]
    summary.unchanged = written.unchanged + shown.unchanged
    summary.skipped = len(written.skipped) + len(shown.skipped)
    summary.removed = written.removed + shown.removed
    summary.swept = written.swept + shown.swept


# Keys of the rendered files that belong in the preview folder, not in public/.
PREVIEW_PREFIX = "preview:"


@dataclass
class Site:
    """Renders the output; finds the articles that cannot be rendered."""

    cfg: Config
    env: Environment
    l10n: L10n
    catalogue: Catalogue

    def render(self, issues: Sequence[Issue]) -> dict[str, bytes]:
        """Everything for `issues`, in memory (to find what fails)."""
        from ..render.feed import render_feeds  # feedgen: imported when a feed is written

        cfg, env, l10n = self.cfg, self.env, self.l10n
        files: dict[str, bytes] = {}
        for issue in issues:
            files.update(render_week_email(issue, cfg, env, l10n, {}))
        files.update(render_archive(issues, cfg, env, l10n))
        files.update(render_article_pages(issues, cfg, env, l10n))
        files.update(render_feeds(issues, cfg, env, l10n))
        return files

    def write_skipping_bad_articles(
        self, writer: Writer, week: IsoWeek | None, strict: bool
    ) -> tuple[list[Issue], list[Problem]]:
        """Write every stale output; if rendering fails, find the articles that make it fail,
        leave them out with a problem each, and start over without them (under `strict`,
        stop there). A failure no single article explains (a broken template) is raised."""
        issues: Sequence[Issue] = self.catalogue.issues()
        try:
            writer.write(issues, week)
            return list(issues), []
        except OutputError:
            raise  # the folder, not the articles
        except Exception as exc:
            failure = exc
        # A week this build did not make again rendered well last time, with this code, so
        # the weeks made again are searched first. If every article there fails, or none
        # does, the fault may lie elsewhere (a template): then every week is searched.
        rebuilt = [i for i in issues if str(i.week) in self.catalogue.rebuilt]
        culprits = self._culprits(rebuilt)
        if not culprits or len(culprits) == sum(i.count for i in rebuilt):
            culprits = self._culprits(issues)
        if not culprits or len(culprits) == sum(i.count for i in issues):
            raise _as_render_error(failure) from None
        problems = [_left_out(article, reason) for article, reason in culprits]
        if strict:
            return list(issues), problems
        self.catalogue.leave_out(
            (article, problem) for (article, _), problem in zip(culprits, problems, strict=True)
        )
        issues = self.catalogue.issues()
        writer.public.restart()
        writer.previews.restart()
        try:
            writer.write(issues, week)
        except OutputError:
            raise
        except Exception as exc:
            raise _as_render_error(exc) from None
        return list(issues), problems

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
            self.render(issues)
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
        body=encode_body(email.text_utf8, email.html_pieces, PLACEHOLDERS),
        to=f"Vorschau <{address}>",
        message_id=message_id(str(issue.week), preview_key(address), cfg.site.domain),
        sent=sent,
        unsubscribe=UNSUBSCRIBE_PLACEHOLDER,
    )
    week = issue.week
    return {
        PREVIEW_PREFIX + paths.email_file(week, "mjml"): email.mjml.encode("utf-8"),
        PREVIEW_PREFIX + paths.email_file(week, "html"): email.html_utf8,
        PREVIEW_PREFIX + paths.email_file(week, "txt"): email.text_utf8,
        PREVIEW_PREFIX + paths.email_file(week, "eml"): message,
    }
