"""How one article is presented wherever it appears: where its title leads and whom it credits.

Email, web pages and feeds all ask here, so an item links and credits alike everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from ..ingest.html import sanitise, to_paragraphs
from ..l10n import L10n
from ..models import Article
from ..normalise import is_url, is_web_url, normalise_url
from . import paths


def original_url(article: Article) -> str | None:
    """Where the original can be read: a feed entry's own link, else the source's own site
    (`[[sources]] url`).

    Text dumps carry no address of the page they were copied from, so the source's site is
    the nearest original there is; the URLs inside a text are the article's links (a city's
    home page, a project site), not the article itself.
    """
    if article.own_url is not None:
        return article.urls[0]
    return article.origin.url if article.origin else None


def target(article: Article, page_link: Callable[[str], str]) -> str:
    """Where the article's title leads: its page here, or the original where its source says
    so and one is known. `page_link` turns an output path into a link from the current file."""
    origin = article.origin
    if origin is not None and origin.link == "original" and (original := original_url(article)):
        return original
    return page_link(paths.article_page(article.id))


def absolute_target(article: Article, base_url: str) -> str:
    """The title's target as an absolute URL, for email and feeds."""
    return target(article, lambda path: paths.absolute(base_url, path))


@dataclass(frozen=True, slots=True)
class Credit:
    """'Quelle: Kommune21 (ve)' in parts, so markup can link the source's name."""

    prefix: str  # "Quelle: ", or "" when no source credits the article
    name: str
    url: str | None
    suffix: str  # " (ve)", " · Autor/in: Pressestelle", or ""
    also: str = ""  # ", Stadt Jena": the other sources that told the same story

    def __str__(self) -> str:
        return f"{self.prefix}{self.name}{self.also}{self.suffix}"


def credit(article: Article, l10n: L10n) -> Credit | None:
    """Whom the item credits: its source's name, and the author as the source gives it.

    A portal's author tag is an abbreviation in parentheses ("(ve)"), a press release names an
    author ("Autor/in: Pressestelle"); each is shown the way its source writes it. None when no
    [[sources]] entry credits the article and it names no author.
    """
    author = article.author
    if article.origin is None:
        if not author:
            return None
        return Credit("", "", None, f"{l10n.text('author')}: {author}")
    if not author:
        suffix = ""
    elif article.format == "K":
        suffix = f" ({author})"
    else:
        suffix = f" · {l10n.text('author')}: {author}"
    origin = article.origin
    also = "".join(f", {name}" for name in origin.also)
    return Credit(f"{l10n.text('source')}: ", origin.name, origin.url, suffix, also)


def body_html(article: Article) -> Markup:
    """The article's HTML text (a feed entry's content, a note), sanitised once more here:
    the store is a file anyone with access can edit, and this goes into the page unescaped."""
    return Markup(sanitise(article.html or ""))


def lead_in_text(article: Article) -> bool:
    """Tell whether the article's text starts with its lead (a feed's summary is often the
    content's first paragraph), so that a page shows it once."""
    if not article.lead:
        return False
    if article.html:
        first = to_paragraphs(article.html)[:1]
        return first == [article.lead]
    return article.body[:1] == (article.lead,)


def web_link(url: str) -> str | None:
    """The address a URL line of an article links to: a bare host gets https://; anything
    that is not plainly http(s) (javascript:, data:, a typo) stays text."""
    if not is_url(url):
        return url if is_web_url(url) else None
    full = normalise_url(url)
    return full if is_web_url(full) else None
