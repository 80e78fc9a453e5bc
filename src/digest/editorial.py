"""The editor's per-week editorial files: `<folder>/2019-W38.md` holds an intro text shown above
that week's sections, plus optional front matter (`subject:`, `top:`) between `---` lines.

The front matter is read by a small strict parser rather than PyYAML: two known keys do not
need YAML's surprises (`no` as false, `2019-09-16` as a date, tabs), and every mistake must come
back as a problem with its line. The body is Markdown (markdown-it-py, CommonMark) with raw HTML
off, so whatever an editor types ends up as text, never as markup in a subscriber's mail.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Collection, Sequence
from pathlib import Path

from .errors import DigestError
from .ingest.files import Refused, printable_name, read_regular
from .models import Editorial, Problem
from .normalise import ILLEGAL_CHARS, clean_text, describe_chars
from .weeks import IsoWeek

MAX_BYTES = 256 * 1024
MAX_SUBJECT = 150
MIN_PREFIX = 6
KEYS = ("subject", "top")
# Only the canonical spelling: IsoWeek.parse would also take '2019w38', and two spellings
# would let two files claim the same week.
_NAME_RE = re.compile(r"(\d{4})-W(\d{2})\.md")
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_FENCE = "---"
_NAME_HINT = "name an editorial <year>-W<week>.md, like 2019-W38.md"
_LINE_HINT = "write 'key: value' (subject or top), or a '# comment'"
_LIST_HINT = "write a list on one line: top: 3f2a9c1d0b7e, 9803254955e0"
# A tab or line separator in a Subject header folds or splits it in some clients.
_NOT_IN_SUBJECT = re.compile(f"[\t\u2028\u2029]|{ILLEGAL_CHARS.pattern}")
_Ids = tuple[frozenset[str], list[str]]  # the known ids, as a set and sorted (for prefixes)

__all__ = ["Editorial", "read_editorials"]  # Editorial lives in models: issues carry it


def read_editorials(
    folder: Path, article_ids: Collection[str], base: Path
) -> tuple[dict[IsoWeek, Editorial], list[Problem]]:
    """Read every <week>.md in folder; return the usable editorials by week and the problems."""
    # Resolve the folder, not each file: a symlinked editorial is shown by its own name.
    folder, base = folder.resolve(), base.resolve()
    try:
        entries = sorted(folder.iterdir())
    except FileNotFoundError:
        return {}, []  # editorials are optional: no folder, no editorials
    except OSError as exc:
        hint = "make [editorial] folder in config.toml name a readable folder"
        reason = exc.strerror or str(exc)
        return {}, [Problem(_shown(folder, base), None, f"cannot be read ({reason})", hint)]
    ids = frozenset(article_ids), sorted(article_ids)
    editorials: dict[IsoWeek, Editorial] = {}
    problems: list[Problem] = []
    for path in entries:
        # Dot files are editors' litter (.DS_Store, ._2019-W38.md from macOS, swap files).
        if path.name.startswith(".") or not path.name.lower().endswith(".md"):
            continue
        shown = _shown(path, base)
        week = _week_of(path.name, shown)
        if isinstance(week, Problem):
            problems.append(week)
            continue
        text = _read_text(path, shown)
        if isinstance(text, Problem):
            problems.append(text)
            continue
        editorial, found = _parse(text, week, shown, ids)
        problems.extend(found)
        if editorial is not None:
            editorials[week] = editorial
    return editorials, problems


def _parse(
    text: str, week: IsoWeek, path: str, ids: _Ids
) -> tuple[Editorial | None, list[Problem]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems: list[Problem] = []  # the front matter's: each one makes the editorial unusable
    fields, body_start = _front_matter(lines, path, problems)
    subject = _subject(*fields["subject"], path, problems) if "subject" in fields else None
    soft: list[Problem] = []  # a bad pin costs only that pin, a bad link only its link
    top = _top(*fields["top"], path, ids, problems, soft) if "top" in fields else ()
    rendered = _render(lines, body_start, path, soft)
    if problems or rendered is None:
        return None, problems + soft
    return Editorial(week, path, subject, top, *rendered), soft


def _render(
    lines: Sequence[str], start: int, path: str, problems: list[Problem]
) -> tuple[str, str] | None:
    """Render the body (lines from `start`) as HTML and as plain text."""
    # Imported here: markdown_it costs every run 18 ms, a build with nothing to render too.
    from .markup import REFUSED_HINT, line_of_link, refused_message, render_markdown

    raw = "\n".join(lines[start:])
    body, dropped = clean_text(raw)
    if dropped:  # lxml and MJML refuse them; mail clients and terminals show garbage
        message = f"control characters removed from the text ({describe_chars(raw)})"
        line = _line_of(lines, start, ILLEGAL_CHARS)
        problems.append(Problem(path, line, message, "save the text without them"))
    try:
        rendered = render_markdown(body)
    except Exception as exc:  # a parser bug on odd input must not stop the whole build
        hint = "simplify the Markdown, and report the file to the digest maintainers"
        problems.append(Problem(path, None, f"the text cannot be rendered ({exc!r})", hint))
        return None
    for url in rendered.refused:
        line = line_of_link(lines, start, url)
        problems.append(Problem(path, line, refused_message(url), REFUSED_HINT))
    return rendered.html, rendered.text


def _line_of(lines: Sequence[str], start: int, pattern: re.Pattern[str]) -> int | None:
    return next((n + 1 for n in range(start, len(lines)) if pattern.search(lines[n])), None)


# ---- reading ------------------------------------------------------------------------------


def _shown(path: Path, base: Path) -> str:
    # Like ingest.files.shown_path, but without resolving the file itself: a symlinked
    # editorial is shown by its own name.
    try:
        return printable_name(path.relative_to(base).as_posix())
    except ValueError:
        return printable_name(path.as_posix())


def _week_of(name: str, shown: str) -> IsoWeek | Problem:
    match = _NAME_RE.fullmatch(name)
    if not match:
        return Problem(shown, None, "the name is not an ISO week; ignored", _NAME_HINT)
    try:
        return IsoWeek(int(match.group(1)), int(match.group(2)))
    except DigestError as exc:  # week 00, week 54, or week 53 of a year that has only 52
        return Problem(shown, None, f"{exc.message}; ignored", f"{_NAME_HINT}; {exc.hint}")


def _read_text(path: Path, shown: str) -> str | Problem:
    # read_regular refuses FIFOs, folders and devices without blocking, and big files unread;
    # its hints speak of ingest's sources, so an editorial gets its own.
    data = read_regular(path, MAX_BYTES)
    if isinstance(data, Refused):
        hint = f"keep only UTF-8 <week>.md text files up to {MAX_BYTES // 1024} KB in the folder"
        return Problem(shown, None, data.message, hint)
    try:
        return data.decode("utf-8-sig")  # -sig: editors on Windows save with a BOM
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"is not UTF-8 (byte 0x{data[exc.start]:02x}); ignored"
        return Problem(shown, line, message, "save the file with the encoding UTF-8")


# ---- front matter -------------------------------------------------------------------------


def _front_matter(
    lines: Sequence[str], path: str, problems: list[Problem]
) -> tuple[dict[str, tuple[str, int]], int]:
    """Return the front matter's fields (value, line number) and the index of the body."""
    if not lines or lines[0].rstrip() != _FENCE:
        return {}, 0
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
    if close is None:
        hint = "end the front matter with a line '---' before the text"
        problems.append(Problem(path, 1, "front matter is not closed", hint))
        return {}, len(lines)
    fields: dict[str, tuple[str, int]] = {}
    for number in range(2, close + 1):
        line = lines[number - 1].strip()
        if not line or line.startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or not _KEY_RE.fullmatch(key):
            hint = _LIST_HINT if line.startswith("-") else _LINE_HINT
            problems.append(Problem(path, number, f"expected 'key: value', found {line!r}", hint))
        elif key not in KEYS:
            close_keys = difflib.get_close_matches(key.lower(), KEYS, n=1)
            hint = f"did you mean {close_keys[0]!r}?" if close_keys else "the keys are subject, top"
            problems.append(Problem(path, number, f"unknown key {key!r}", hint))
        elif key in fields:
            message = f"{key!r} given twice (first on line {fields[key][1]})"
            problems.append(Problem(path, number, message, "keep one of the two lines"))
        else:
            fields[key] = (value.strip(), number)
    return fields, close + 1


def _unquote(value: str) -> str:
    # Editors who know YAML quote values; the quotes are not part of the subject.
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _subject(value: str, number: int, path: str, problems: list[Problem]) -> str | None:
    subject = _unquote(value)
    bad = _NOT_IN_SUBJECT.search(subject)
    if not subject:
        message, hint = "subject is empty", "write the subject after 'subject:' or drop the line"
    elif bad is not None:
        message = f"subject contains the control character U+{ord(bad.group()):04X}"
        hint = "write the subject as plain text on one line"
    elif len(subject) > MAX_SUBJECT:
        message = f"subject is {len(subject)} characters long, more than {MAX_SUBJECT}"
        hint = "shorten it; mail clients show only the first 60 to 80 characters"
    else:
        return subject
    problems.append(Problem(path, number, message, hint))
    return None


def _top(
    value: str, number: int, path: str, ids: _Ids, problems: list[Problem], pins: list[Problem]
) -> tuple[str, ...]:
    opened, closed = value.startswith("["), value.endswith("]")
    if opened != closed:
        hint = "write top: [id, id] or top: id, id"
        problems.append(Problem(path, number, "unbalanced '[' ']' in top", hint))
        return ()
    inner = value[1:-1] if opened else value
    top: list[str] = []
    for item in filter(None, (_unquote(part.strip()) for part in inner.split(","))):
        found = _resolve(item, ids)
        if isinstance(found, str) and found in top:
            message = f"article {found} is pinned twice"
            pins.append(Problem(path, number, message, "remove the repeat"))
        elif isinstance(found, str):
            top.append(found)
        else:
            pins.append(Problem(path, number, *found))
    return tuple(top)


def _resolve(pin: str, ids: _Ids) -> str | tuple[str, str]:
    """Return the article id `pin` names, or (message, hint) saying why it names none."""
    exact, ordered = ids
    if pin in exact:
        return pin
    if any(char.isspace() for char in pin):
        return f"{pin!r} is not one article id", "separate the ids with commas"
    if len(pin) < MIN_PREFIX:
        hint = f"write at least {MIN_PREFIX} characters of the id, or all of it"
        return f"article id {pin!r} is too short", hint
    # The ids are sorted, so those starting with `pin` follow where it would be inserted.
    start = bisect_left(ordered, pin)
    matches = [i for i in ordered[start : start + 3] if i.startswith(pin)]
    if not matches:
        return f"no article has the id {pin!r}", "look the id up with 'digest articles'"
    if len(matches) > 1:
        shown = ", ".join(matches[:2]) + (", …" if len(matches) > 2 else "")
        return f"id prefix {pin!r} matches several articles ({shown})", "write more of the id"
    return matches[0]
