"""Format F: the entries of an RSS (0.9x, 1.0, 2.0) or Atom feed, read by feedparser.

Each entry becomes one main article, numbered by its 1-based position in the document (the
`line` of its Source). The feed's HTML is sanitised (ingest/html.py) before it is kept and
read as text there; feedparser's own sanitiser is off, so that one allow-list decides.
A document that is no feed at all fails as a whole (`FeedResult.failed`); everything else
wrong is a Problem about one entry, and the entry is kept whenever it still can be.
"""

from __future__ import annotations

import email.utils
import html as html_text
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from xml.sax import SAXParseException
from zoneinfo import ZoneInfo

from ..models import Article, Problem, Source
from ..normalise import (
    ILLEGAL_CHARS,
    article_id,
    clean_line,
    clean_text,
    describe_chars,
    has_title_text,
    is_web_url,
)
from .dates import Years, default_years
from .html import Reading, read, sanitise, to_paragraphs

FORMAT = "F"
MAX_URLS = 10  # the entry's link and the first links of its text
KICKER_MAX_CHARS = 40
KICKER_MAX_WORDS = 4
_Raw = object  # a dict from feedparser, which has no type annotations
_MARKUP_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_NOTHING = Reading((), (), False)
_PUBLISHER_HINT = "ask the feed's publisher to fix the feed"
_KICKER_STOPS = frozenset('!?;,:"„“”«»')
_TIME = re.compile(r"\d{1,2}[.:]\d{2}")
_VERSION = re.compile(r"\d{1,2}\.\d")  # "OZG 2.0", "Industrie 4.0"


@dataclass(frozen=True, slots=True)
class FeedResult:
    """What one feed document gave: its articles and problems, its title, its entry count."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    title: str | None  # the feed's own title
    entries: int  # entries in the document
    failed: str | None = None  # set when the document is not a usable feed at all (reason)
    hint: str = ""  # what to do about `failed`


def parse_feed(
    data: bytes,
    shown_as: str,
    *,
    tz: ZoneInfo,
    years: Years | None = None,
    headers: Mapping[str, str] | None = None,
) -> FeedResult:
    """Read the entries of a feed document as articles, dated in the time zone `tz`.

    `shown_as` (the feed's URL or file) names it in problems and sources; `headers` are the
    HTTP response's, whose Content-Type charset feedparser honours. An entry dated outside
    `years` (default: those of a default config) is left out.
    """
    if not data.strip():
        return _failed("is empty", "check the feed's address; the server sent nothing")
    given = {name.lower(): value for name, value in (headers or {}).items()}
    # feedparser resolves relative links in the content against Content-Location.
    if "content-location" not in given and is_web_url(shown_as):
        given["content-location"] = shown_as
    import feedparser  # here, not at the top: 25 ms of every command's start-up

    try:
        parsed = feedparser.parse(
            data, response_headers=given, sanitize_html=False, resolve_relative_uris=True
        )
    except Exception as exc:  # feedparser's failure modes are not documented: report them
        return _failed(f"could not be read as a feed ({type(exc).__name__}: {exc})", "")
    entries: list[Any] = _get(parsed, "entries") or []
    version = _get(parsed, "version") or ""
    broken = _syntax_error(parsed, data)
    if not entries:
        if not version and (_looks_like_html(data) or _is_html_type(given)):
            return _failed(
                "is a web page (HTML), not a feed",
                "use the page's feed address (look for an RSS/Atom link)",
            )
        if broken:
            return _failed(f"is not a feed: {broken}", _PUBLISHER_HINT)
        if not version:
            return _failed(
                "is not a feed (neither RSS nor Atom)", "check the feed's address in config.toml"
            )
    reader = _Reader(shown_as, tz, default_years() if years is None else years)
    if broken:
        reader.problems.append(
            Problem(
                shown_as,
                None,
                f"feed is malformed ({broken}): read leniently, {len(entries)} "
                f"entr{'y' if len(entries) == 1 else 'ies'} found; some may be missing or "
                "incomplete",
                _PUBLISHER_HINT,
            )
        )
    count = len(entries)
    # One entry at a time, each released once read: feedparser's parse tree of a big feed
    # then shrinks while the (much smaller) articles grow, instead of both being held whole.
    for index in range(count):
        entry = entries[index]
        entries[index] = None
        reader.read(entry, index + 1)
    return FeedResult(
        tuple(reader.articles),
        tuple(reader.problems),
        _feed_title(_get(parsed, "feed") or {}),
        count,
    )


def split_kicker(title: str) -> tuple[str | None, str]:
    """Split 'Place: Title' into kicker and title; the kicker is None when there is none.

    The part before the first ': ' is a kicker when it has at most 40 characters and 1-4
    words (a '/' or '&' between names is no word: 'Dresden / Chemnitz'), starts with a
    capital letter ('5G:', 'eAkte:' do not), and has no sentence punctuation (! ? ; , : or
    quotes) and no time ('Ab 10.30 Uhr'); a full stop only in an abbreviation ('St. Ingbert',
    'Frankfurt a.M.') or a version ('OZG 2.0'). What follows must still be a title. Rubrics
    count as kickers, as on the portal pages ('Smart City:' in text_k): 'Update: ...' gives
    the kicker 'Update'. 'Termin 10:30: ...' never splits: its first ': ' leaves '10:30' in
    the prefix.
    """
    head, sep, rest = title.partition(": ")
    head, rest = head.strip(), rest.strip()
    if not sep or not has_title_text(rest) or not _is_kicker(head):
        return None, title
    return head, rest


def _is_kicker(head: str) -> bool:
    if not 0 < len(head) <= KICKER_MAX_CHARS or not head[0].isupper():
        return False
    if any(c in _KICKER_STOPS for c in head) or _TIME.search(head):
        return False
    words = [w for w in head.split() if any(c.isalnum() for c in w)]
    if not 1 <= len(words) <= KICKER_MAX_WORDS:
        return False
    return all(_VERSION.fullmatch(w) or sum(c.isalpha() for c in w) <= 3 for w in words if "." in w)


@dataclass(slots=True)
class _Reader:
    """The articles and problems of one feed so far, and the guids already taken."""

    path: str
    tz: ZoneInfo
    years: Years
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    guids: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # control characters of this entry

    def read(self, entry: _Raw, n: int) -> None:
        """Turn entry number `n` into an article, or report why it is left out."""
        self.removed = []
        name = _entry_name(entry, n)
        guid = _string(entry, "id").strip()
        if guid and guid in self.guids:
            self.problem(
                f"{name} has the same id (guid) as entry {self.guids[guid]}; "
                "only the first one was kept",
                "ask the feed's publisher to give every entry its own guid",
            )
            return
        kicker, title = split_kicker(_line(self.clean(_string(entry, "title"))))
        author = _author(self.clean(_string(entry, "author")))
        keywords = self.keywords(entry)
        lead, body, markup, urls = self.texts(entry)
        if self.removed:
            removed = "".join(self.removed)
            self.problem(
                f"{name}: {len(removed)} control character{'s' if len(removed) != 1 else ''} "
                f"removed ({describe_chars(removed)})",
                "they are not allowed in XML or e-mail; the text was kept without them, "
                "check that no letter is missing there",
            )
        if not has_title_text(title):
            self.problem(f"{name} has no title; skipped", "ask the feed's publisher to add one")
            return
        day, plausible = self.date(entry, name)
        if not plausible:
            return
        if guid:
            self.guids[guid] = n
        self.articles.append(
            Article(
                id=article_id(title, day),
                kind="main",
                format=FORMAT,
                title=title,
                date=day,
                kicker=kicker,
                lead=lead,
                body=body,
                author=author,
                urls=urls,
                keywords=keywords,
                html=markup,
                sources=(Source(self.path, n, "main"),),
            )
        )

    def date(self, entry: _Raw, name: str) -> tuple[date | None, bool]:
        """The entry's date in the feed's zone (None if undated), and whether it is plausible."""
        raw = ""
        for key in ("published", "updated"):
            raw = raw or _string(entry, key)
            moment = _moment(_string(entry, key), _get(entry, f"{key}_parsed"), self.tz)
            if moment is None:
                continue
            day = moment.date()
            first, last = self.years
            if first <= day.year <= last:
                return day, True
            self.problem(
                f"{name}: the date {day.day}.{day.month}.{day.year} is outside the plausible "
                f"years {first}-{last}; the entry was skipped",
                "ask the feed's publisher to correct it, or change [ingest] "
                "earliest_year/latest_year in config.toml",
            )
            return None, False
        shown = f" (unreadable: {clean_line(clean_text(raw)[0])[:40]!r})" if raw.strip() else ""
        self.problem(
            f"{name} has no date{shown}: stored undated, it appears in no issue",
            "ask the feed's publisher to date its entries, or set the date by hand",
        )
        return None, True

    def texts(self, entry: _Raw) -> tuple[str | None, tuple[str, ...], str | None, tuple[str, ...]]:
        """The lead, body paragraphs, safe HTML and addresses of the entry's summary/content."""
        # feedparser copies an Atom entry's content into `summary` when it has none; only
        # `summary_detail` says that the feed really gave one.
        summary_html, summary = self.as_html(_get(entry, "summary_detail") or {})
        contents = [c for c in _get(entry, "content") or [] if _string(c, "value").strip()]
        content_html, content = self.as_html(contents[0] if contents else {})
        lead = summary.paragraphs[0] if summary.paragraphs else None
        if content_html:
            body = content.paragraphs
            if body and body[0] == lead:  # the summary is the content's first paragraph
                body = body[1:]
        else:
            body = summary.paragraphs[1:]
        shown, shown_read = (
            (content_html, content) if content_html else
            (summary_html, summary) if summary.markup else ("", _NOTHING)
        )  # fmt: skip
        link = _string(entry, "link").strip()
        found = dict.fromkeys([link] if is_web_url(link) else [])
        found.update(dict.fromkeys(shown_read.links))
        markup = sanitise(shown) if shown else ""
        return lead, body, markup or None, tuple(found)[:MAX_URLS]

    def as_html(self, detail: _Raw) -> tuple[str, Reading]:
        """A text construct's value as HTML, and what it says (html.read).

        Plain text is escaped, not parsed: 'Tom <3 Jerry' is text. An RSS description is
        typed HTML even when it is plain text; it counts as markup only if it has elements.
        """
        value = self.clean(_string(detail, "value"))
        if not value.strip():
            return "", _NOTHING
        if _string(detail, "type").lower() in _MARKUP_TYPES:
            return value, read(value)
        paragraphs = read(html_text.escape(value)).paragraphs
        markup = "".join(f"<p>{html_text.escape(p)}</p>" for p in paragraphs)
        return markup, Reading(paragraphs, (), False)

    def keywords(self, entry: _Raw) -> tuple[str, ...]:
        """The entry's category terms, cleaned, each once, in order."""
        terms = (self.clean(_string(tag, "term")) for tag in _get(entry, "tags") or [])
        return tuple(dict.fromkeys(t for t in map(clean_line, terms) if t))

    def clean(self, text: str) -> str:
        """Remove control characters, remembering them for the entry's problem."""
        cleaned, count = clean_text(text)
        if count:
            self.removed.extend(ILLEGAL_CHARS.findall(text))
        return cleaned

    def problem(self, message: str, hint: str) -> None:
        self.problems.append(Problem(self.path, None, message, hint))


def _moment(raw: str, parsed: object, tz: ZoneInfo) -> datetime | None:
    """Read a feed date, keeping its own offset; one without an offset is taken as `tz`'s.

    feedparser's struct_time is UTC and has lost the difference between "no offset" and
    "+00:00"; the raw string still has it. Formats only feedparser can read use its UTC time.
    """
    raw = raw.strip()
    moment: datetime | None = None
    if raw:
        try:
            moment = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            try:
                moment = datetime.fromisoformat(raw)
            except ValueError:
                moment = None
    if moment is None and isinstance(parsed, time.struct_time):
        try:
            moment = datetime(*parsed[:6], tzinfo=UTC)
        except ValueError:
            return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    try:
        return moment.astimezone(tz)
    except (OverflowError, ValueError):  # a year 1 or 9999 moved past the calendar's end
        return None


def _author(text: str) -> str | None:
    """The author's name; an address alone is not shown (RSS writes 'mail@x.de (Name)')."""
    text = clean_line(text)
    if "@" in text:
        name, _ = email.utils.parseaddr(text)
        text = clean_line(name) if "@" not in name else ""
    return text or None


def _line(value: str) -> str:
    """A title as one line of plain text: entities decoded, markup removed.

    Even a title typed as plain text is read as HTML: feeds escape titles once, twice or not
    at all, so '&amp;amp;' and '<em>' turn up in them; a real '<' ('a<b') is rare there.
    """
    return " ".join(to_paragraphs(value))


def _feed_title(feed: _Raw) -> str | None:
    return _line(_string(feed, "title")) or None


def _entry_name(entry: _Raw, n: int) -> str:
    """Name an entry for people: its position, and its link or else its guid."""
    link = _string(entry, "link").strip()
    if is_web_url(link):
        return f"entry {n} ({link})"
    guid = clean_line(clean_text(_string(entry, "id"))[0])
    return f"entry {n} (guid {guid[:80]!r})" if guid else f"entry {n}"


def _syntax_error(parsed: _Raw, data: bytes) -> str | None:
    """Say why the document is not well-formed XML, or None if it is.

    feedparser records harmless findings (a missing or contradicting charset) in the same
    place: those are not errors of the feed.
    """
    if not _get(parsed, "bozo"):
        return None
    from feedparser import ThingsNobodyCaresAboutButMe

    exc = _get(parsed, "bozo_exception")
    if exc is None or isinstance(exc, ThingsNobodyCaresAboutButMe):
        return None
    if isinstance(exc, SAXParseException):
        line: int = exc.getLineNumber() or 0
        # feedparser puts an XML declaration of its own line before a document without one.
        if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            line -= 1
        return f"{exc.getMessage()} at line {max(line, 1)}"
    return str(exc) or type(exc).__name__


def _looks_like_html(data: bytes) -> bool:
    """Sniff the start of a document for an HTML page, as browsers do (WHATWG MIME sniffing)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<!doctype html") or b"<html" in head


def _is_html_type(headers: Mapping[str, str]) -> bool:
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml")


def _get(mapping: _Raw, key: str) -> Any:
    """A field of a feedparser dict; its own get() maps old key names, some with a warning."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _string(mapping: _Raw, key: str) -> str:
    """A string field of a feedparser dict, or '' if it has none."""
    value = _get(mapping, key)
    return value if isinstance(value, str) else ""


def _failed(reason: str, hint: str) -> FeedResult:
    return FeedResult((), (), None, 0, failed=reason, hint=hint)
