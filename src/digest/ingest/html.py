"""Feed HTML made safe to show (nh3), and turned into plain paragraphs and links (lxml).

A feed's summary and content are HTML written by strangers: whatever we show of it passes
nh3's allow-list first, and whatever we read as text comes out of lxml's parse tree. Neither
is ever taken apart with regular expressions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# lxml has no type information of its own (lxml-stubs is not a dependency): its parse tree
# is Any here, handled only in this module.
import lxml.html
import nh3
from lxml import etree

from ..normalise import clean_line, clean_text, is_web_url

# What an article body may keep: text structure, emphasis, links, quotes, code and simple
# tables. Left out on purpose: img, iframe, video and audio (a newsletter must not load a
# third party's images or players, which track readers without their consent), forms, style
# and class attributes (the page's own stylesheet decides the looks), and h1 (the article
# page's one h1 is its title). A tag outside the list is dropped, its text kept.
TAGS = frozenset(
    {
        "p", "br", "div", "a", "ul", "ol", "li", "strong", "em", "b", "i", "u", "s", "sub",
        "sup", "small", "blockquote", "q", "cite", "abbr", "h2", "h3", "h4", "h5", "h6", "code",
        "pre", "hr", "figure", "figcaption", "table", "caption", "thead", "tbody", "tfoot",
        "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"colspan", "rowspan"},
              "td": {"colspan", "rowspan"}}  # fmt: skip
# Elements whose content is not text for readers: removed together with everything inside.
DROPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "math"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# The elements that start and end a paragraph when HTML is read as text.
_BLOCKS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "h1", "h2", "h3",
        "h4", "h5", "h6", "tr", "table", "thead", "tbody", "tfoot", "caption", "figure",
        "figcaption", "section", "article", "aside", "header", "footer", "main", "nav",
        "address", "details", "summary", "hr", "center",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
# The elements that give plain text a structure of its own (else blank lines do).
_TEXT_TAGS = _BLOCKS | _CELLS | {"br"}
# Reading text, nh3 keeps these (and a's href) and drops the rest, script and style whole.
_READ_TAGS = TAGS | _TEXT_TAGS
_CELL_SEPARATOR = " | "


def sanitise(html: str) -> str:
    """Reduce feed HTML to the allow-listed tags, attributes and URL schemes."""
    text, _ = clean_text(html)
    return nh3.clean(
        text,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        # A relative link would point into our own site; feedparser has already resolved
        # those it had a base for, so what is still relative has nowhere to go.
        url_relative="deny",
        strip_comments=True,
    )


@dataclass(frozen=True, slots=True)
class Reading:
    """What one piece of feed HTML says as text: paragraphs, links, and whether it has markup."""

    paragraphs: tuple[str, ...]
    links: tuple[str, ...]
    markup: bool  # any element of the sanitiser's allow-list (TAGS)


def read(html: str) -> Reading:
    """Read HTML (or plain text) once for its paragraphs, links and markup (see below)."""
    text, _ = clean_text(html)
    if "<" not in text and "&" not in text:
        # No tag, no entity: plain text, as most titles and many summaries are (and cheap).
        return Reading(tuple(_plain(text)), (), False)
    root = _parse(text)
    if root is None:
        return Reading((), (), False)
    elements = [child for child in root.iter() if child is not root]
    markup = any(child.tag in TAGS for child in elements)
    found: dict[str, None] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if is_web_url(href):
            found.setdefault(href, None)
    if not any(child.tag in _TEXT_TAGS for child in elements):
        return Reading(tuple(_plain("".join(root.itertext()))), tuple(found), markup)
    parts: list[str] = []
    current: list[str] = []
    for piece in _walk(root):
        if piece is None:
            if paragraph := _collapse("".join(current)):
                parts.append(paragraph)
            current = []
        else:
            current.append(piece)
    if paragraph := _collapse("".join(current)):
        parts.append(paragraph)
    return Reading(tuple(parts), tuple(found), markup)


def to_paragraphs(html: str) -> list[str]:
    """Read HTML (or plain text) as paragraphs of plain text, empty ones dropped.

    Each block element (p, div, li, headings, blockquote, table row ...) and each line ended
    by br is a paragraph; the cells of a table row are joined by ' | '. Text with no block
    element at all, as many RSS summaries are, is split on its blank lines instead.
    """
    return list(read(html).paragraphs)


def links(html: str) -> list[str]:
    """List the http(s) addresses the HTML links to, in order, each once."""
    return list(read(html).links)


def has_markup(html: str) -> bool:
    """Tell whether HTML has any allow-listed element, or is just (escaped) text."""
    return read(html).markup


def _parse(text: str) -> Any:
    """Clean `text` down to structure, inline tags and link targets with nh3, then parse
    what is left as a fragment with lxml; None if nothing is left."""
    safe = nh3.clean(
        text,
        tags=set(_READ_TAGS),
        clean_content_tags=set(DROPPED),
        attributes={"a": {"href"}},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    if not safe.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(safe, create_parent="div")
    except (etree.ParserError, ValueError):  # nh3's output parses; this is belt and braces
        return None


def _walk(root: Any) -> Iterator[str | None]:
    """Yield the text under `root` in document order, None wherever a paragraph ends.

    Iterative (lxml's iterwalk), not recursive: nesting depth is the feed's to choose.
    """
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag in _BLOCKS:
                yield None
            elif tag in _CELLS:
                previous = element.getprevious()
                if previous is not None and previous.tag in _CELLS:
                    yield _CELL_SEPARATOR
            if element.text:
                yield element.text
            continue
        if tag in _BLOCKS or tag == "br":
            yield None
        if element.tail and element is not root:
            yield element.tail


def _plain(text: str) -> list[str]:
    """Split plain text on its blank lines into paragraphs, whitespace collapsed."""
    return [p for p in (_collapse(run) for run in _blank_line_split(text)) if p]


def _blank_line_split(text: str) -> list[str]:
    """Split plain text into the runs between blank lines."""
    runs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return runs


def _collapse(text: str) -> str:
    """Collapse all whitespace to single spaces, drop invisible characters."""
    return clean_line(" ".join(text.split()))
