"""Readers for the input formats, and the registry that picks one per file.

A reader never raises on bad input: it returns the articles it could extract and a list of
`Problem`s naming the file, the line, what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..models import Article, Problem
from ..normalise import decode_bytes, split_lines
from . import text_k, text_p

Parser = Callable[[str, Sequence[str]], tuple[list[Article], list[Problem]]]
Detector = Callable[[Sequence[str]], bool]

# Order matters: a press release may quote a [date];
# a portal page never says "Pressemitteilung vom".
FORMATS: tuple[tuple[str, Detector, Parser], ...] = (
    (text_p.FORMAT, text_p.detect, text_p.parse),
    (text_k.FORMAT, text_k.detect, text_k.parse),
)
# Extensions picked up when a directory is ingested; a file named explicitly is always read.
EXTENSIONS = frozenset({".txt", ".text"})


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one input file gave: its articles, its problems, and how it was read."""

    path: str
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    format: str | None = None
    encoding: str | None = None


def read_file(path: Path, shown_as: str) -> FileResult:
    """Read one file, detect its encoding and format, and extract its articles."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _failed(shown_as, f"cannot be read ({exc.strerror or exc})", "check the path")
    return parse_bytes(data, shown_as)


def parse_bytes(data: bytes, shown_as: str) -> FileResult:
    """Extract articles from the bytes of one file, named `shown_as` in problems."""
    if not data.strip():
        return _failed(shown_as, "is empty", "remove it or save the page again")
    decoded = decode_bytes(data)
    if decoded.text is None:
        return _failed(shown_as, decoded.error or "is not text", "only text dumps can be ingested")
    lines = split_lines(decoded.text)
    for name, detect, parse in FORMATS:
        if detect(lines):
            articles, problems = parse(shown_as, lines)
            if not articles and not problems:
                problems = [Problem(shown_as, None, f"no article found in this format-{name} file")]
            return FileResult(shown_as, tuple(articles), tuple(problems), name, decoded.encoding)
    return _failed(
        shown_as,
        "is in no known format (neither a portal page with [D.M.YYYY] dates "
        "nor a press release with 'Pressemitteilung vom')",
        "check that this is an article dump, or leave it out of the sources",
    )


def _failed(path: str, message: str, hint: str) -> FileResult:
    return FileResult(path, (), (Problem(path, None, message, hint),))
