"""Read a subscriber list exported from a spreadsheet: one CSV file, one subscriber a row.

    email,name,topics,consented_at,consent_source
    erika@example.de,Erika Mustermann,policy;congresses,21.11.2026 14:05,Anmeldeformular

A file that cannot be used at all (missing, not text, empty, bad header) raises CsvError;
a bad row becomes a Problem with its line number and the other rows are still read.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import CsvError
from ..models import Problem
from ..normalise import decode_bytes
from .addresses import Address, AddressError, clean_name, parse_address

COLUMNS = ("email", "name", "topics", "consented_at", "consent_source")
CONSENT_COLUMNS = ("consented_at", "consent_source")
_DELIMITERS = (",", ";", "\t")  # ties go to the first: a one-column header means comma
_QUOTED = re.compile(r'"[^"]*"')
_TOPIC_SEPARATORS = re.compile(r"[;,]")
_GERMAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHEN = "2026-11-21, 2026-11-21T14:05, 2026-11-21T14:05+01:00, 21.11.2026 or 21.11.2026 14:05"


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One valid subscriber row."""

    line: int  # physical line where the record starts (the header is line 1)
    address: Address
    name: str | None
    topics: tuple[str, ...]  # in the order of topic_keys, no repeats; () means all topics
    consented_at: datetime | None  # aware, in the configured time zone
    consent_source: str | None


@dataclass
class CsvResult:
    """The usable rows of a file, what was wrong with the others, and how it was read."""

    rows: list[CsvRow]
    problems: list[Problem]
    duplicates: int  # rows skipped because the same address (key) came earlier
    encoding: str


def read_subscriber_csv(
    path: Path,
    topic_keys: Sequence[str],
    tz: ZoneInfo,
    *,
    require_consent: bool,
    shown_as: str | None = None,
) -> CsvResult:
    """Read a subscriber CSV; raise CsvError only when the file as a whole is unusable."""
    shown = str(path) if shown_as is None else shown_as
    text, encoding = _read_text(path, shown)
    # newline="" keeps the line ends, so quoted fields may contain line breaks and
    # reader.line_num counts physical lines (CRLF, LF or CR alike).
    lines = io.StringIO(text, newline="").readlines()
    delimiter = _sniff_delimiter(lines)
    reader = csv.reader(lines, delimiter=delimiter)
    rows = _Rows(shown, topic_keys, tz, require_consent, delimiter)
    end = 0  # last physical line consumed so far
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue  # blank line, or ";;;" for an empty spreadsheet row
            if end == len(lines) and end > start and _unclosed(lines[start - 1 :], delimiter):
                message = "a quote opened in this record is never closed"
                rows.problems.append(Problem(shown, start, message))
            elif rows.columns is None:
                rows.set_header(fields, start)
            else:
                rows.add(fields, start, end)
    except csv.Error as exc:
        # Only a runaway field (or a NUL) gets here; the reader cannot resync after it.
        message = f"unreadable CSV ({exc}); the rest of the file was skipped"
        hint = "check this record for a quote that is never closed"
        rows.problems.append(Problem(shown, end + 1, message, hint))
    if rows.columns is None:  # nothing but blank lines, or a header that never ends
        message = str(rows.problems[0]) if rows.problems else f"{shown} is empty"
        raise CsvError(message, _expected_header(delimiter, require_consent))
    return CsvResult(rows.rows, rows.problems, rows.duplicates, encoding)


def _read_text(path: Path, shown: str) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvError(f"cannot read {shown}: {exc.strerror or exc}", "check the path") from None
    hint = "export the list from the spreadsheet as CSV (UTF-8)"
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if b"\x00" in data:
            raise CsvError(f"{shown} is a binary file (a workbook?), not CSV text", hint)
        # Valid UTF-8 is text, whatever its letters: decode_bytes' plausibility test is tuned
        # for German articles and would reject a list of, say, Turkish or Polish names.
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        else:
            if len(_CONTROL.findall(text, 0, 20000)) > min(len(text), 20000) // 100:
                raise CsvError(f"{shown} does not look like text", hint)
            return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    decoded = decode_bytes(data)  # UTF-16 with BOM, cp1252 or Latin-1
    if decoded.text is None or decoded.encoding is None:
        raise CsvError(f"{shown} {decoded.error}", hint)
    return decoded.text, decoded.encoding


def _unclosed(record: list[str], delimiter: str) -> bool:
    """Tell whether the file's last record only ends because the file does.

    The lenient reader lets an unclosed quote swallow every later line into one field,
    which could look like a valid row; the strict reader refuses such a record."""
    try:
        list(csv.reader(record, delimiter=delimiter, strict=True))
    except csv.Error:
        return True
    return False


def _sniff_delimiter(lines: list[str]) -> str:
    """Pick the delimiter that occurs most often in the header (the first non-blank line)."""
    first = next((line for line in lines if line.strip()), "")
    unquoted = _QUOTED.sub("", first)
    return max(_DELIMITERS, key=unquoted.count)


def _expected_header(delimiter: str, require_consent: bool) -> str:
    sep = "<TAB>" if delimiter == "\t" else delimiter
    needed = "email, consented_at and consent_source" if require_consent else "only email"
    return f"the first line must name the columns, e.g. {sep.join(COLUMNS)} ({needed} required)"


def _parse_when(value: str, tz: ZoneInfo) -> datetime:
    """Parse ISO 8601 or German D.M.YYYY [H:MM[:SS]]; naive values are local time in tz."""
    match = _GERMAN.fullmatch(value)
    if match:
        day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
        when = datetime(year, month, day, hour, minute, second)
    else:
        when = datetime.fromisoformat(value)
    return when.replace(tzinfo=tz) if when.tzinfo is None else when.astimezone(tz)


def _shown(value: str) -> str:
    """Quote a field for a message, shortened: a runaway field can be thousands of lines."""
    return repr(value if len(value) <= 80 else value[:77] + "...")


class _Rows:
    """The state of one read: header columns, seen address keys, rows and problems."""

    def __init__(
        self, shown: str, topic_keys: Sequence[str], tz: ZoneInfo, consent: bool, delim: str
    ) -> None:
        self.shown, self.tz, self.consent, self.delimiter = shown, tz, consent, delim
        self.topic_keys = tuple(topic_keys)
        self.topic_rank = {key.lower(): i for i, key in enumerate(self.topic_keys)}
        self.columns: dict[str, int] | None = None
        self.width = 0
        self.rows: list[CsvRow] = []
        self.problems: list[Problem] = []
        self.duplicates = 0
        self.seen: set[str] = set()
        self.now = datetime.now(tz)  # once: every row is judged against the same instant

    def set_header(self, fields: list[str], line: int) -> None:
        def fail(message: str) -> CsvError:
            hint = _expected_header(self.delimiter, self.consent)
            return CsvError(f"{self.shown}:{line}: {message}", hint)

        names = [field.strip().lower() for field in fields]
        while names and not names[-1]:
            names.pop()  # a trailing delimiter after the last column name is harmless
        columns: dict[str, int] = {}
        for index, name in enumerate(names):
            if not name:
                raise fail(f"column {index + 1} of the header has no name")
            if name in columns:
                raise fail(f"the column {name!r} appears twice")
            if "@" in name:
                raise fail("the first line is data, not a header")
            if name not in COLUMNS:
                close = difflib.get_close_matches(name, COLUMNS, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                raise fail(f"unknown column {name!r}{guess}")
            columns[name] = index
        required = ("email", *CONSENT_COLUMNS) if self.consent else ("email",)
        missing = ", ".join(repr(name) for name in required if name not in columns)
        if missing:
            raise fail(f"the header has no {missing} column")
        self.columns, self.width = columns, len(names)

    def add(self, fields: list[str], start: int, end: int) -> None:
        count = len(fields)
        # Extra fields that are empty come from stray delimiters at the end of a row.
        if count < self.width or any(field.strip() for field in fields[self.width :]):
            hint = "quote fields that contain the delimiter"
            if self.delimiter == ";" and self.columns and "topics" in self.columns:
                hint = 'topics are separated by ";" too, so quote them: "policy;congresses"'
            issues = [(f"the row has {count} fields, the header has {self.width}", hint)]
        else:
            issues = self._parse(fields, start)
        if not issues:
            return
        message = "; ".join(message for message, _ in issues)
        hint = next((hint for _, hint in issues if hint), "")
        if end > start:
            # A record over several lines is fine for a quoted name, but a bad one usually
            # means a quote that was opened and never closed.
            hint = f"{hint}; " if hint else ""
            hint += f"this record runs over lines {start}-{end}: check for an unclosed quote"
        self.problems.append(Problem(self.shown, start, message, hint))

    def _parse(self, fields: list[str], line: int) -> list[tuple[str, str]]:
        assert self.columns is not None
        get = {name: fields[index].strip() for name, index in self.columns.items()}.get
        issues: list[tuple[str, str]] = []
        address: Address | None = None
        email = get("email", "")
        try:
            address = parse_address(email)
        except AddressError as exc:
            issues.append((f"invalid email address {_shown(email)}: {exc}", "correct the address"))
        topics = self._topics(get("topics", ""), issues)
        when = self._when(get("consented_at", ""), issues)
        # Not clean_name: that cuts at 100 characters, and this is evidence of consent.
        source = " ".join(_CONTROL.sub("", get("consent_source", "")).split()) or None
        if source is None and self.consent:
            issues.append(("consent_source is empty", "say where the subscriber consented"))
        if issues or address is None:
            return issues
        if address.key in self.seen:
            self.duplicates += 1  # the first row wins; a repeat is not the user's mistake
            return []
        self.seen.add(address.key)
        name = clean_name(get("name"))
        self.rows.append(CsvRow(line, address, name, topics, when, source))
        return []

    def _topics(self, value: str, issues: list[tuple[str, str]]) -> tuple[str, ...]:
        wanted = {part.strip().lower() for part in _TOPIC_SEPARATORS.split(value)} - {""}
        unknown = sorted(wanted - self.topic_rank.keys())
        if unknown:
            listed = ", ".join(repr(topic) for topic in unknown)
            message = f"unknown topic{'s' if len(unknown) > 1 else ''} {listed}"
            hint = f"valid topics: {', '.join(self.topic_keys)}, separated by ';'; none: all"
            issues.append((message, hint))
        ranks = sorted(self.topic_rank[topic] for topic in wanted if topic in self.topic_rank)
        return tuple(self.topic_keys[rank] for rank in ranks)

    def _when(self, value: str, issues: list[tuple[str, str]]) -> datetime | None:
        if not value:
            if self.consent:
                issues.append(("consented_at is empty", "enter when the subscriber consented"))
            return None
        try:
            when = _parse_when(value, self.tz)
        except (ValueError, OverflowError):
            issues.append((f"consented_at {_shown(value)} is not a date or time", f"use {_WHEN}"))
            return None
        if when > self.now:
            issues.append((f"consented_at {_shown(value)} is in the future", "correct the date"))
            return None
        return when
