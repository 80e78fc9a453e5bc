"""Format K: a news portal page dump with one main article and a list of teasers.

Kicker:                         optional, a place or a rubric ("Smart City:")
Title
[D.M.YYYY] Lead
Caption                         optional, own line (or merged into the first paragraph)
Body ... (xy)                   author tag closes the last paragraph
www.x.de / https://...          URL lines
Stichwörter: a, b               optional
Bildquelle: ...                 optional
Druckversion PDF Link mailen    page chrome from here on, except:
Weitere Meldungen und Beiträge aus dem Bereich X
Kicker: Teaser title [Bericht]  a teaser heading is recognised by the [date] line after it
[D.M.YYYY] Teaser text mehr...
Caption                         optional
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from ..models import Article, Problem, Source
from ..normalise import (
    BadDate,
    article_id,
    find_date,
    find_malformed_date,
    has_title_text,
    is_url,
    normalise_url,
)
from .dates import Years, implausible, malformed

FORMAT = "K"
SECTION_RE = re.compile(r"^Weitere Meldungen und Beiträge aus dem Bereich\s+(.+)$")
# A date line, also one whose marker is malformed ([0.0.0], [3.11.25]): it still marks where
# the lead begins, and its problem says what is wrong with the date, not that none is there.
_DATE_START = re.compile(r"^\[\s*\d{1,4}\s*[./-]\s*\d{1,4}\s*[./-]\s*\d{1,4}\s*\]")
_AUTHOR_TAG = re.compile(r"\s*\(([a-zäöüß]{1,5}(?:/[a-zäöüß]{1,5})?)\)$")
_MORE = re.compile(r"\s*mehr\s*(?:\.\.\.|…)$")
_STOP = re.compile(r"^(?:Suchen\s*(?:\.\.\.|…)|Anzeige|Aktuelle Meldungen)$")
_CHROME = re.compile(
    r"^(?:Druckversion\b.*|Anzeige|Suchen\s*(?:\.\.\.|…)|Aktuelle Meldungen|Aboverwaltung"
    r"|Abb?onn?ement k(?:ue|ü)ndigen|Aktionscode\b.*|Ausgewählte Anbieter\b.*|\d{5} \S.*)$"
)
LABELS = ("Bericht", "Interview", "Kommentar")
CAPTION_MAX = 250


def detect(lines: Sequence[str]) -> bool:
    """Tell whether the lines look like a portal page dump."""
    return any(
        _DATE_START.match(line)
        or line.startswith(("Stichwörter:", "Druckversion"))
        or SECTION_RE.match(line)
        for line in lines
    )


@dataclass
class _Parse:
    path: str
    lines: Sequence[str]
    years: Years | None = None
    problems: list[Problem] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # date lines outside the plausible years

    def problem(self, index: int | None, message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(self.path, None if index is None else index + 1, message, hint)
        )

    def date_at(self, index: int) -> tuple[date | None, str] | None:
        """Parse a date line; report a malformed or impossible date and return (None, rest).

        A date outside the plausible years is reported too, and its line goes into
        `rejected`: the article it dates is skipped.
        """
        line = self.lines[index]
        try:
            found = find_date(line)
        except BadDate as exc:
            self.problem(index, str(exc), "correct the date in the file and ingest it again")
            return None, _DATE_START.sub("", line).strip()
        if found is None:
            marker = find_malformed_date(line)
            if marker is None:
                return None
            self.problems.append(malformed(self.path, index + 1, marker))
            return None, line[len(marker) :].strip()
        if problem := implausible(self.path, index + 1, found[0], self.years):
            self.problems.append(problem)
            self.rejected.add(index)
        return found

    def next_filled(self, index: int) -> int | None:
        for j in range(index, len(self.lines)):
            if self.lines[j]:
                return j
        return None


def parse(
    path: str, lines: Sequence[str], years: Years | None = None
) -> tuple[list[Article], list[Problem]]:
    """Extract the main article and every teaser from a portal page dump.

    An article without a title, or dated outside `years`, is reported and left out.
    """
    p = _Parse(path, lines, years)
    end = next((i for i, line in enumerate(lines) if SECTION_RE.match(line)), len(lines))
    articles: list[Article] = []
    main = _parse_main(p, end)
    teasers = _parse_teasers(p, end)
    if main is not None:
        section = teasers[0].section if teasers else None
        articles.append(replace(main, section=section))
    articles.extend(teasers)
    return articles, p.problems


def _split_heading(text: str) -> tuple[str | None, str, str | None]:
    """Split 'Kicker: Title Bericht' into kicker, title and label."""
    label = None
    for candidate in LABELS:
        if text.endswith(" " + candidate):
            label, text = candidate, text[: -len(candidate) - 1].rstrip()
            break
    kicker, sep, title = text.partition(": ")
    if not sep or not title.strip():
        return None, text.rstrip(":").strip(), label
    return kicker.strip(), title.strip(), label


def _parse_main(p: _Parse, end: int) -> Article | None:
    lines = p.lines
    start = p.next_filled(0)
    if start is None or start >= end:
        return None
    date_index = next((i for i in range(start, end) if _DATE_START.match(lines[i])), None)
    if date_index is None:
        p.problem(
            start,
            "the main article has no [D.M.YYYY] date line",
            "it is stored without a date and appears in no week; add the date before the lead",
        )
        heading_end = next((i for i in range(start, end) if not lines[i]), end)
    else:
        heading_end = date_index
    heading = [line for line in lines[start:heading_end] if line]
    if not heading:
        p.problem(start, "the main article has no title before its date line", "add a title line")
        return None
    kicker: str | None = None
    if len(heading) > 1 and heading[0].endswith(":"):
        kicker, heading = heading[0][:-1].strip(), heading[1:]
    title = " ".join(heading)
    if not has_title_text(title):
        p.problem(
            start,
            "the main article has no title",
            "write the title above the [date] line; the article was skipped",
        )
        return None

    day: date | None = None
    lead_parts: list[str] = []
    cursor = heading_end
    if date_index is not None:
        found = p.date_at(date_index)
        if date_index in p.rejected:
            return None
        if found:
            day, rest = found
            lead_parts.append(rest)
        cursor = date_index + 1
        while cursor < end and lines[cursor] and not _is_trailer(lines[cursor]):
            lead_parts.append(lines[cursor])
            cursor += 1
    lead = " ".join(part for part in lead_parts if part) or None

    paragraphs: list[tuple[int, str]] = []
    while cursor < end and not _is_trailer(lines[cursor]):
        if lines[cursor]:
            paragraphs.append((cursor, lines[cursor]))
        cursor += 1
    caption = None
    if len(paragraphs) > 1:
        first_index, first = paragraphs[0]
        own_line = first_index + 1 < len(lines) and not lines[first_index + 1]
        if own_line and len(first) <= CAPTION_MAX and not _AUTHOR_TAG.search(first):
            caption = first
            paragraphs = paragraphs[1:]
    body = [text for _, text in paragraphs]
    author = None
    if body and (tag := _AUTHOR_TAG.search(body[-1])):
        author = tag.group(1)
        body[-1] = body[-1][: tag.start()].rstrip()

    urls: list[str] = []
    keywords: list[str] = []
    image_credit = None
    for line in lines[cursor:end]:
        if line.startswith("Stichwörter:"):
            keywords = [k.strip() for k in line.partition(":")[2].split(",") if k.strip()]
        elif line.startswith("Bildquelle:"):
            image_credit = line.partition(":")[2].strip() or None
        elif is_url(line):
            urls.append(normalise_url(line))
    return Article(
        id=article_id(title, day),
        kind="main",
        format=FORMAT,
        title=title,
        date=day,
        kicker=kicker,
        lead=lead,
        caption=caption,
        body=tuple(body),
        author=author,
        urls=tuple(dict.fromkeys(urls)),
        keywords=tuple(keywords),
        image_credit=image_credit,
        sources=(Source(p.path, start + 1, "main"),),
    )


def _is_trailer(line: str) -> bool:
    """Tell whether a line ends the body: URL, Stichwörter, Bildquelle or page chrome."""
    return (
        is_url(line)
        or line.startswith(("Stichwörter:", "Bildquelle:"))
        or bool(_CHROME.match(line))
    )


def _parse_teasers(p: _Parse, start: int) -> list[Article]:
    lines = p.lines
    teasers: list[Article] = []
    section: str | None = None
    i = start
    stopped = start >= len(lines)
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if m := SECTION_RE.match(line):
            section = m.group(1).strip()
            i += 1
            continue
        if _STOP.match(line):
            stopped = True
            break
        nxt = p.next_filled(i + 1)
        if nxt is None or not _DATE_START.match(lines[nxt]):
            if nxt is None and not _CHROME.match(line):
                p.problem(
                    i,
                    f"the file ends after the teaser heading {line!r} without its [date] line",
                    "the page looks cut off; the teaser was skipped, save the complete page",
                )
            i += 1  # chrome, a stray vendor name, or a caption without a teaser
            continue
        teaser, i = _parse_teaser(p, i, nxt, section)
        if teaser is not None:
            teasers.append(teaser)
    if not stopped and teasers:
        p.problem(
            len(lines) - 1,
            "the teaser list does not end with the page's 'Suchen...' line",
            "the page may be cut off; check that the last teaser is complete",
        )
    return teasers


def _parse_teaser(
    p: _Parse, head: int, date_index: int, section: str | None
) -> tuple[Article | None, int]:
    """Parse one teaser; None (after reporting why) for one without a title or plausible date."""
    lines = p.lines
    kicker, title, label = _split_heading(lines[head])
    found = p.date_at(date_index)
    day, text = found if found else (None, "")
    cursor = date_index + 1
    # A teaser text may wrap; it ends with "mehr...".
    if not _MORE.search(text):
        extra = cursor
        while extra < len(lines) and lines[extra] and not _CHROME.match(lines[extra]):
            nxt = p.next_filled(extra + 1)
            if nxt is not None and _DATE_START.match(lines[nxt]):
                break
            if _MORE.search(lines[extra]):
                text = " ".join([text, *lines[cursor : extra + 1]])
                cursor = extra + 1
                break
            extra += 1
        else:
            if p.next_filled(cursor) is None:
                p.problem(
                    date_index,
                    "the teaser text stops without 'mehr...'",
                    "the file looks cut off; the teaser was kept as far as it goes",
                )
    text = _MORE.sub("", text).strip()
    caption = None
    cap = p.next_filled(cursor)
    if cap is not None and not _CHROME.match(lines[cap]) and not SECTION_RE.match(lines[cap]):
        after = p.next_filled(cap + 1)
        if after is None or not _DATE_START.match(lines[after]):
            caption = lines[cap]
            cursor = cap + 1
    if not has_title_text(title):
        p.problem(
            head,
            "teaser has no title",
            "write it as 'Kicker: Title' above the [date] line; the teaser was skipped",
        )
        return None, cursor
    if date_index in p.rejected:
        return None, cursor
    teaser = Article(
        id=article_id(title, day),
        kind="teaser",
        format=FORMAT,
        title=title,
        date=day,
        kicker=kicker,
        label=label,
        teaser=text or None,
        caption=caption,
        section=section,
        sources=(Source(p.path, head + 1, "teaser"),),
    )
    return teaser, cursor
