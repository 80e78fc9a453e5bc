"""Render a weekly issue as email: MJML → HTML, plain text, within Gmail's size budget."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from ..config import Config
from ..l10n import L10n
from ..models import Article, Issue
from . import items, paths
from .environment import render_template
from .mjml import compile_mjml

# Per-subscriber tokens are spliced in at delivery time where these placeholders stand (see
# delivery/message.py); they are URL-safe, so every preview link stays a valid URL.
UNSUBSCRIBE_PLACEHOLDER = "__ABMELDE_TOKEN__"
PREFERENCES_PLACEHOLDER = "__EINSTELLUNGS_TOKEN__"
PLACEHOLDERS = (UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER)
HTML_TEMPLATE = "email/digest.mjml.j2"
TEXT_TEMPLATE = "email/digest.txt.j2"


@dataclass(frozen=True, slots=True)
class EmailItem:
    article: Article
    text: str | None  # the lead or teaser, shortened to the current budget (without the "…")
    cut: bool  # the text was shortened: its "…" links to the full story
    link: str  # the article's page (or its original, where the source says so)
    ref: int  # number in the plain text's link list
    credit: str | None  # "Quelle: …"


@dataclass(frozen=True, slots=True)
class EmailSection:
    topic: str
    label: str
    items: tuple[EmailItem, ...]
    total: int  # all items of the section in this week
    hidden: int  # how many were left out to fit the size budget


@dataclass(frozen=True, slots=True)
class EmailView:
    subject: str
    preheader: str
    web_url: str
    unsubscribe_url: str
    preferences_url: str
    privacy_url: str
    intro_html: str  # the week's editorial, "" when there is none
    intro_text: str
    top: tuple[EmailItem, ...]  # the pinned Top-Meldungen, shown first
    sections: tuple[EmailSection, ...]
    links: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    mjml: str
    html: str
    text: str
    budget: str  # "full", "short" or "capped N": how much the week had to shrink to fit


def subject_of(issue: Issue, cfg: Config, l10n: L10n) -> str:
    """The editorial's subject, else 'Wochenrückblick KW 38/2019: <the lead story's title>'.

    The lead story is Issue.lead: the first pinned Top-Meldung, else the best-ranked story
    (models.lead_rank). A long title is shortened so the subject stays within SUBJECT_CHARS.
    """
    week = issue.week
    if issue.editorial is not None and issue.editorial.subject:
        return issue.editorial.subject
    plain = l10n.text("digest_title", title=cfg.site.title, week=week.week, year=week.year)
    lead = issue.lead
    if lead is None:
        return plain
    room = SUBJECT_CHARS - len(plain) - 2
    title = shorten(lead.title, room) if room >= 20 else None
    if not title:
        return plain
    return l10n.text(
        "subject_lead", title=cfg.site.title, week=week.week, year=week.year, lead=title
    )


# Gmail shows about 70 characters of a subject on a phone, more on a desktop; beyond this a
# subject gets cut by every client anyway, so it is cut here at a word, with "…".
SUBJECT_CHARS = 90


def shorten(text: str | None, limit: int) -> str | None:
    """Cut `text` at a word boundary to at most `limit` characters, marking the cut with '…'."""
    if text is None or len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + "…"


def render_email(issue: Issue, cfg: Config, env: jinja2.Environment, l10n: L10n) -> RenderedEmail:
    """Render the email of one week; shorten texts, then cap sections, until it fits the budget."""
    limit = cfg.email.max_html_kb * 1000

    def attempt(chars: int, cap: int | None, budget: str) -> RenderedEmail:
        return _render(issue, _view(issue, cfg, l10n, chars, cap), cfg, env, l10n, budget)

    def fits(email: RenderedEmail) -> bool:
        return len(email.html.encode("utf-8")) <= limit

    for chars, budget in ((cfg.email.lead_chars, "full"), (cfg.email.short_lead_chars, "short")):
        rendered = attempt(chars, None, budget)
        if fits(rendered):
            return rendered
    # Still too big: find the largest per-section cap that fits (a few renders, by bisection).
    low, high = 1, max((len(s.articles) for s in issue.remaining), default=1)
    best = attempt(cfg.email.short_lead_chars, 1, "capped 1")
    while low < high:
        cap = (low + high + 1) // 2
        candidate = attempt(cfg.email.short_lead_chars, cap, f"capped {cap}")
        if fits(candidate):
            best, low = candidate, cap
        else:
            high = cap - 1
    return best  # with cap 1 still too big, the footer may be clipped; nothing smaller exists


def _render(
    issue: Issue, view: EmailView, cfg: Config, env: jinja2.Environment, l10n: L10n, budget: str
) -> RenderedEmail:
    context = {
        "issue": issue,
        "view": view,
        "l10n": l10n,
        "site": cfg.site,
        "impressum": cfg.impressum,
    }
    source = render_template(env, HTML_TEMPLATE, **context)
    html = compile_mjml(source, HTML_TEMPLATE)
    text = render_template(env, TEXT_TEMPLATE, **context)
    return RenderedEmail(view.subject, source, html, text, budget)


def _view(issue: Issue, cfg: Config, l10n: L10n, chars: int, cap: int | None) -> EmailView:
    base = cfg.site.base_url
    links: list[tuple[int, str]] = []

    def item(article: Article) -> EmailItem:
        link = items.absolute_target(article, base)
        links.append((len(links) + 1, link))
        text = shorten(article.summary, chars)
        cut = text is not None and text != article.summary
        found = items.credit(article, l10n)
        return EmailItem(
            article,
            text[:-1] if cut and text else text,
            cut,
            link,
            len(links),
            str(found) if found else None,
        )

    top = tuple(item(a) for a in issue.top)
    sections = []
    for section in issue.remaining:
        shown = section.articles if cap is None else section.articles[:cap]
        sections.append(
            EmailSection(
                section.topic,
                section.label,
                tuple(item(a) for a in shown),
                len(section.articles),
                len(section.articles) - len(shown),
            )
        )
    week_label = l10n.week_label(issue.week)
    topics = ", ".join(f"{s.label} ({l10n.number(len(s.articles))})" for s in issue.sections)
    editorial = issue.editorial
    return EmailView(
        subject=subject_of(issue, cfg, l10n),
        preheader=l10n.text(
            "preheader", count=l10n.items(issue.count), week_label=week_label, topics=topics
        ),
        web_url=paths.absolute(base, paths.week_page(issue.week)),
        unsubscribe_url=f"{base}abmelden/{UNSUBSCRIBE_PLACEHOLDER}",
        preferences_url=f"{base}einstellungen/{PREFERENCES_PLACEHOLDER}",
        privacy_url=cfg.consent.privacy_url,
        intro_html=editorial.html if editorial else "",
        intro_text=editorial.text if editorial else "",
        top=top,
        sections=tuple(sections),
        links=tuple(links),
    )
