"""The build: ingest the sources, render every week (or one), the feeds and the archive,
and write the output folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from jinja2 import Environment

from ..config import Config
from ..delivery.message import build_message, encode_body, message_id, preview_key
from ..grouping import group_by_week
from ..l10n import L10n
from ..models import Issue
from ..output import write_files
from ..render import paths
from ..render.archive import render_archive
from ..render.email import PLACEHOLDERS, UNSUBSCRIBE_PLACEHOLDER, render_email
from ..render.environment import make_environment
from ..render.feed import render_feeds
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
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def build(
    cfg: Config,
    week: IsoWeek | None = None,
    out: Path | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Ingest the configured sources, then render every week (or one), the feeds and the archive.

    Everything is rendered in memory first, so a template or MJML error writes nothing.
    """
    summary = BuildSummary(ingest(cfg, None, progress), out or cfg.out)
    with open_store(cfg) as store:
        issues = group_by_week(store.articles(), cfg.rules)
    env = make_environment(cfg.templates)
    l10n = L10n(cfg.site.locale)
    selected = [i for i in issues if week is None or i.week == week]
    if week is not None and not selected:
        summary.missing_week = str(week)
    files: dict[str, bytes] = {}
    for issue in selected:
        files.update(render_week_email(issue, cfg, env, l10n, summary.budgets))
        summary.weeks.append(str(issue.week))
    pages = render_archive(issues, cfg, env, l10n)
    keep = {paths.week_page(i.week) for i in selected}
    files.update({k: v for k, v in pages.items() if k in keep or not k.startswith("weeks/")})
    files.update(render_feeds(issues, cfg, env, l10n))
    written = write_files(summary.out, files)
    summary.written, summary.unchanged = written.written, written.unchanged
    return summary


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
