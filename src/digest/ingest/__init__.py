"""Readers for the input formats, and the registry that picks one per file.

A reader never raises on bad input: it returns the articles it could extract and a list of
`Problem`s naming the file, the line, what is wrong and what to do. Before a reader sees a
file, it is read safely (files.py: regular files only, size-capped), decoded, and cleaned of
characters no output can carry (normalise.clean_text), each cleaned line reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..models import Article, Problem
from ..normalise import ILLEGAL_CHARS, clean_text, decode_bytes, describe_chars, split_lines
from . import text_k, text_p
from .dates import Years, default_years
from .files import Refused, document_kind, read_regular

# A reader gets the file's name for problems, its cleaned lines, and the plausible years
# (first, last) of an article date, or None to accept any calendar date.
Parser = Callable[[str, Sequence[str], Years | None], tuple[list[Article], list[Problem]]]
Detector = Callable[[Sequence[str]], bool]

# Order matters: a press release may quote a [date];
# a portal page never says "Pressemitteilung vom".
FORMATS: tuple[tuple[str, Detector, Parser], ...] = (
    (text_p.FORMAT, text_p.detect, text_p.parse),
    (text_k.FORMAT, text_k.detect, text_k.parse),
)
# Extensions picked up when a directory is ingested; a file named explicitly is always read.
EXTENSIONS = frozenset({".txt", ".text"})
# The editor's notes (notes.py; imported only when a note is read, since it brings yaml and
# the Markdown renderer, 30 ms of every run's start-up otherwise).
NOTE_FORMAT = "M"
NOTE_EXTENSIONS = frozenset({".md", ".markdown"})
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # the default of [ingest] max_file_mb (config_ingest.py)


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one input file gave: its articles, its problems, and how it was read."""

    path: str
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    format: str | None = None
    encoding: str | None = None
    sha256: str | None = None  # of the file's content, when the run keeps fingerprints


def read_file(
    path: Path,
    shown_as: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    years: Years | None = None,
    data: bytes | Refused | None = None,
) -> FileResult:
    """Read one file, detect its encoding and format, and extract its articles.

    Only a regular file of at most `max_bytes` is read; a document in a format we cannot
    read (.docx, .pdf, .html ...) is refused by its name, with what to do instead. An
    article dated outside `years` (default: those of a default config) is left out. `data`
    is what read_regular(path, max_bytes) gave, when the caller has read the file already.
    """
    kind = document_kind(path)
    if kind is not None:
        return _failed(
            shown_as,
            f"is {kind} ({path.suffix.lower()}), not a plain-text dump",
            "save it as plain text (.txt) and ingest that file",
        )
    if data is None:
        data = read_regular(path, max_bytes)
    if isinstance(data, Refused):
        return _failed(shown_as, data.message, data.hint)
    return parse_bytes(data, shown_as, years)


def parse_bytes(data: bytes, shown_as: str, years: Years | None = None) -> FileResult:
    """Extract articles from the bytes of one file, named `shown_as` in problems.

    An article dated outside `years` (default: those of a default config) is left out.
    """
    if not data.strip():
        return _failed(shown_as, "is empty", "remove it or save the page again")
    decoded = decode_bytes(data, lone_surrogates=True)
    if decoded.text is None:
        return _failed(shown_as, decoded.error or "is not text", "only text dumps can be ingested")
    text, cleaned = _clean(decoded.text, shown_as)
    lines = split_lines(text)
    for name, detect, parse in FORMATS:
        if detect(lines):
            articles, problems = parse(shown_as, lines, years or default_years())
            if not articles and not problems:
                problems = [Problem(shown_as, None, f"no article found in this format-{name} file")]
            return FileResult(
                shown_as, tuple(articles), (*cleaned, *problems), name, decoded.encoding
            )
    unknown = Problem(
        shown_as,
        None,
        "is in no known format (neither a portal page with [D.M.YYYY] dates "
        "nor a press release with 'Pressemitteilung vom')",
        "check that this is an article dump, or leave it out of the sources",
    )
    return FileResult(shown_as, (), (*cleaned, unknown))


# The line breaks that survive clean_text, as str.splitlines sees them, so that the line
# numbers counted here are the ones the readers count in split_lines' output.
_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")


def _clean(text: str, path: str) -> tuple[str, list[Problem]]:
    """Remove illegal characters (see clean_text) and report each line that had some."""
    if not ILLEGAL_CHARS.search(text):
        return text, []
    problems: list[Problem] = []
    lines = _BREAK.split(text)
    for index, line in enumerate(lines):
        cleaned, count = clean_text(line)
        if count:
            problems.append(
                Problem(
                    path,
                    index + 1,
                    f"{count} control character{'s' if count != 1 else ''} removed "
                    f"({describe_chars(line)})",
                    "they are not allowed in XML or e-mail; the text was kept without them, "
                    "check that no letter is missing there",
                )
            )
            lines[index] = cleaned
    return "\n".join(lines), problems


def _failed(path: str, message: str, hint: str) -> FileResult:
    return FileResult(path, (), (Problem(path, None, message, hint),))
