"""Format P: a city press release from a press archive.

(archive disclaimer paragraphs)
Pressemitteilung vom DD.MM.YYYY
Title
Body paragraphs, separated by blank lines
Autor/in: Name
City, DD.MM.YYYY

The web addresses the title and body mention ("mehr unter www.x.de/y.") become its `urls`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..models import Article, Problem, Source
from ..normalise import BadDate, article_id, has_title_text, parse_dmy
from .dates import Years, implausible
from .links import find_urls

FORMAT = "P"
_RELEASE = re.compile(r"^Pressemitteilung vom\s+(\d{1,2}\.\d{1,2}\.\d{4})$")
_AUTHOR = re.compile(r"^Autor(?:/in|in)?:\s*(.*)$")
_CLOSING = re.compile(r"^(\S.*?),\s*(\d{1,2}\.\d{1,2}\.\d{4})$")


def detect(lines: Sequence[str]) -> bool:
    """Tell whether the lines look like a press release."""
    return any(_RELEASE.match(line) for line in lines[:60])


def parse(
    path: str, lines: Sequence[str], years: Years | None = None
) -> tuple[list[Article], list[Problem]]:
    """Extract the one article of a press release.

    A release without a title, or dated outside `years`, is reported and left out.
    """
    problems: list[Problem] = []

    def dated(index: int, text: str) -> date | None:
        try:
            return parse_dmy(text)
        except BadDate as exc:
            problems.append(Problem(path, index + 1, str(exc), "correct the date in the file"))
            return None

    start = next(i for i, line in enumerate(lines) if _RELEASE.match(line))
    match = _RELEASE.match(lines[start])
    assert match is not None
    day = dated(start, match.group(1))

    place = None
    end = len(lines)
    day_index = start
    closing = next((i for i in range(len(lines) - 1, start, -1) if lines[i]), None)
    if closing is not None and (m := _CLOSING.match(lines[closing])):
        place = m.group(1).strip()
        closing_day = dated(closing, m.group(2))
        if day is None:
            day, day_index = closing_day, closing
        elif closing_day is not None and closing_day != day:
            problems.append(
                Problem(
                    path,
                    closing + 1,
                    f"the closing date {closing_day:%d.%m.%Y} differs from the release date "
                    f"{day:%d.%m.%Y}",
                    "the release date is used; correct whichever is wrong",
                )
            )
        end = closing

    author = None
    author_index = next((i for i in range(start, end) if _AUTHOR.match(lines[i])), None)
    if author_index is not None:
        m = _AUTHOR.match(lines[author_index])
        author = m.group(1).strip() or None if m else None
        end = author_index

    paragraphs: list[str] = []
    current: list[str] = []
    title_index = None
    for i in range(start + 1, end):
        line = lines[i]
        if title_index is None:
            if line:
                title_index = i
            continue
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    if title_index is None or not has_title_text(lines[title_index]):
        problems.append(
            Problem(
                path,
                (title_index if title_index is not None else start) + 1,
                "the press release has no title",
                "add the title line after 'Pressemitteilung vom'; the release was skipped",
            )
        )
        return [], problems
    title = lines[title_index]
    if day is not None and (problem := implausible(path, day_index + 1, day, years)):
        problems.append(problem)
        return [], problems
    if not paragraphs:
        problems.append(
            Problem(path, title_index + 1, "the press release has no text after its title")
        )
    article = Article(
        id=article_id(title, day),
        kind="main",
        format=FORMAT,
        title=title,
        date=day,
        kicker=place,
        body=tuple(paragraphs),
        author=author,
        place=place,
        # A release has no URL lines: its links are written into its sentences.
        urls=tuple(dict.fromkeys(url for text in (title, *paragraphs) for url in find_urls(text))),
        sources=(Source(path, title_index + 1, "main"),),
    )
    return [article], problems
