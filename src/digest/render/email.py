"""Render a weekly issue as email: MJML → HTML, plain text, within Gmail's size budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import jinja2

from ..config import Config
from ..l10n import L10n
from ..models import Article, Issue
from . import items, paths
from .environment import render_template
from .mjml import compile_pieces

# Per-subscriber tokens are spliced in at delivery time where these placeholders stand (see
# delivery/message.py); they are URL-safe, so every preview link stays a valid URL.
UNSUBSCRIBE_PLACEHOLDER = "__ABMELDE_TOKEN__"
PREFERENCES_PLACEHOLDER = "__EINSTELLUNGS_TOKEN__"
PLACEHOLDERS = (UNSUBSCRIBE_PLACEHOLDER, PREFERENCES_PLACEHOLDER)
HTML_TEMPLATE = "email/digest.mjml.j2"
TEXT_TEMPLATE = "email/digest.txt.j2"


class EmailItem(NamedTuple):
    """One item as both templates show it: every text worked out once, here, so that the
    templates only place them (a template's function call or attribute chain per item costs
    more than the whole MJML compile of it). A tuple, so that a template can unpack it in
    its loop rather than look up each field by name (see the email templates)."""

    article: Article
    text: str | None  # the lead or teaser, shortened to the current budget (without the "…")
    cut: bool  # the text was shortened: its "…" links to the full story
    link: str  # the article's page (or its original, where the source says so)
    ref: int  # number in the plain text's link list
    credit: str | None  # "Quelle: …"
    kicker: str | None  # Article.kicker_shown
    title: str
    date: str  # L10n.date_long
    label: str | None
    keywords: str | None  # joined with ", "


@dataclass(frozen=True, slots=True)
class EmailSection:
    topic: str
    label: str
    items: tuple[EmailItem, ...]
    total: int  # all items of the section in this week
    count: str  # the total as text, "10 Meldungen" (L10n.items)
    hidden: int  # how many were left out to fit the size budget
    top: bool = False  # the pinned Top-Meldungen (topic "top"), shown first without a count


@dataclass(frozen=True, slots=True)
class EmailView:
    subject: str
    preheader: str
    week_label: str  # "KW 38/2019"
    week_range: str  # "16.–22. September 2019"
    web_url: str
    unsubscribe_url: str
    preferences_url: str
    privacy_url: str
    intro_html: str  # the week's editorial, "" when there is none
    intro_text: str
    sections: tuple[EmailSection, ...]
    links: tuple[tuple[int, str], ...]
    blocks: tuple[EmailSection, ...]  # the Top-Meldungen as a section (if any), then sections


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    mjml: str
    text: str
    budget: str  # "full", "short" or "capped N": how much the week had to shrink to fit
    # Both parts in UTF-8, as files and the MIME body take them: encoding the HTML costs
    # as much as a tenth of its MJML compile, so it is done once (it is measured anyway).
    html_utf8: bytes
    text_utf8: bytes
    # The HTML in UTF-8 as pieces that join to html_utf8: the MIME body encodes each piece
    # on its own and keeps what it made of the ones that recur (render/mjml.py, message.py).
    html_pieces: tuple[bytes, ...]

    @property
    def html(self) -> str:
        """The HTML as text (the build writes and sends its UTF-8; a kept skeleton is filled
        in UTF-8, so the text is made only when asked for)."""
        return self.html_utf8.decode("utf-8")


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


# the view, its MJML, its HTML in UTF-8 and in pieces (render/mjml.py compile_pieces)
_Render = tuple[EmailView, str, bytes, tuple[bytes, ...]]


def render_email(issue: Issue, cfg: Config, env: jinja2.Environment, l10n: L10n) -> RenderedEmail:
    """Render the email of one week; shorten texts, then cap sections, until it fits the budget.

    The cap is the largest number of items per section that fits. Rather than bisecting
    over it (eight or nine renders of a 190-item week), the size per shown item is measured
    from two renders already made (all items with short texts, one item per section), the
    cap estimated from it and checked by rendering it and the next one up; only a miss falls
    back to bisection in the remaining range. Only the HTML is rendered while searching; the
    text part once, for the choice.
    """
    limit = cfg.email.max_html_kb * 1000
    sizes: dict[int | None, int] = {}  # HTML bytes by cap (None: no cap)
    subject = subject_of(issue, cfg, l10n)

    def html(chars: int, cap: int | None) -> _Render:
        view = _view(issue, cfg, l10n, chars, cap, subject)
        source, pieces = _render_html(issue, view, cfg, env, l10n)
        data = b"".join(pieces)
        sizes[cap] = len(data)
        return view, source, data, pieces

    def done(chosen: _Render, budget: str) -> RenderedEmail:
        view, source, data, pieces = chosen
        text = _render_text(issue, view, cfg, env, l10n)
        return RenderedEmail(view.subject, source, text, budget, data, text.encode("utf-8"), pieces)

    full = html(cfg.email.lead_chars, None)
    if sizes[None] <= limit:
        return done(full, "full")
    short = html(cfg.email.short_lead_chars, None)
    if sizes[None] <= limit:
        return done(short, "short")
    all_size = sizes[None]
    rendered: dict[int, _Render] = {1: html(cfg.email.short_lead_chars, 1)}
    high = max((len(s.articles) for s in issue.remaining), default=1)

    def fits(cap: int) -> bool:
        if cap not in rendered:
            rendered[cap] = html(cfg.email.short_lead_chars, cap)
        return sizes[cap] <= limit

    if not fits(1):
        return done(rendered[1], "capped 1")  # the footer may be clipped; nothing smaller exists
    low = 1  # the largest cap known to fit
    guess = _estimate_cap(issue, sizes[1], all_size, limit, high)
    if guess > 1:
        if not fits(guess):
            high = guess - 1
        else:
            low = guess
            if guess < high and not fits(guess + 1):
                high = guess  # the estimate was right: two renders
    while low < high:  # bisection over what the estimate left open
        cap = (low + high + 1) // 2
        if fits(cap):
            low = cap
        else:
            high = cap - 1
    return done(rendered[low], f"capped {low}")


def _estimate_cap(issue: Issue, one_size: int, all_size: int, limit: int, high: int) -> int:
    """The largest cap that the size per shown item, measured between showing one item per
    section and all of them, predicts to fit."""
    counts = [len(s.articles) for s in issue.remaining]

    def shown(cap: int) -> int:
        return sum(min(cap, n) for n in counts)

    extra = shown(high) - shown(1)
    if extra <= 0:
        return 1
    per_item = (all_size - one_size) / extra
    cap = 1
    while cap < high and one_size + per_item * (shown(cap + 1) - shown(1)) <= limit:
        cap += 1
    return cap


def _render_html(
    issue: Issue, view: EmailView, cfg: Config, env: jinja2.Environment, l10n: L10n
) -> tuple[str, tuple[bytes, ...]]:
    source = render_template(env, HTML_TEMPLATE, **_context(issue, view, cfg, l10n))
    # An editorial's HTML is Markdown's, not escaped text: only mrml knows how it writes it.
    return source, compile_pieces(source, HTML_TEMPLATE, reuse=not view.intro_html)


def _render_text(
    issue: Issue, view: EmailView, cfg: Config, env: jinja2.Environment, l10n: L10n
) -> str:
    return render_template(env, TEXT_TEMPLATE, **_context(issue, view, cfg, l10n))


def _context(issue: Issue, view: EmailView, cfg: Config, l10n: L10n) -> dict[str, object]:
    return {
        "issue": issue,
        "view": view,
        "l10n": l10n,
        "t": l10n.strings,
        "site": cfg.site,
        "impressum": cfg.impressum,
    }


def _view(
    issue: Issue, cfg: Config, l10n: L10n, chars: int, cap: int | None, subject: str
) -> EmailView:
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
            article.kicker_shown,
            article.title,
            l10n.date_long(article.date),
            article.label,
            ", ".join(article.keywords) if article.keywords else None,
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
                l10n.items(len(section.articles)),
                len(section.articles) - len(shown),
            )
        )
    blocks = tuple(sections)
    if top:
        heading = l10n.text("top_story" if len(top) == 1 else "top_stories")
        blocks = (
            EmailSection("top", heading, top, len(top), l10n.items(len(top)), 0, top=True),
            *blocks,
        )
    week_label = l10n.week_label(issue.week)
    topics = ", ".join(f"{s.label} ({l10n.number(len(s.articles))})" for s in issue.sections)
    editorial = issue.editorial
    return EmailView(
        subject=subject,
        preheader=l10n.text(
            "preheader", count=l10n.items(issue.count), week_label=week_label, topics=topics
        ),
        week_label=week_label,
        week_range=l10n.week_range(issue.week),
        web_url=paths.absolute(base, paths.week_page(issue.week)),
        unsubscribe_url=f"{base}abmelden/{UNSUBSCRIBE_PLACEHOLDER}",
        preferences_url=f"{base}einstellungen/{PREFERENCES_PLACEHOLDER}",
        privacy_url=cfg.consent.privacy_url,
        intro_html=editorial.html if editorial else "",
        intro_text=editorial.text if editorial else "",
        sections=tuple(sections),
        links=tuple(links),
        blocks=blocks,
    )
