"""Subscriber CSV import: encodings, delimiters, header errors, row problems and line numbers.

Every CSV here is written by the test itself into tmp_path; the comment on each test says
what the file is meant to exercise.
"""

from __future__ import annotations

import codecs
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.errors import CsvError
from digest.subscribers.csvfile import CsvResult, read_subscriber_csv

# The topic keys of config.toml in digest order, plus "other".
TOPICS = ("partnerships", "congresses", "policy", "other")
BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "email,name,topics,consented_at,consent_source"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path, *, require_consent: bool = False) -> CsvResult:
    return read_subscriber_csv(path, TOPICS, BERLIN, require_consent=require_consent)


def problem_lines(result: CsvResult) -> list[int | None]:
    return [p.line for p in result.problems]


# --- encodings ---------------------------------------------------------------------------


def test_latin1_umlauts_in_names(tmp_path: Path) -> None:
    # An old export in ISO-8859-1: umlauts and ß are single bytes, none in 0x80-0x9F.
    text = "email,name\njoerg@x.de,Jörg Müller\nstrasse@x.de,Änne Groß\n"
    result = read(write(tmp_path, text, "latin-1"))
    assert result.encoding == "iso-8859-1"
    assert [r.name for r in result.rows] == ["Jörg Müller", "Änne Groß"]
    assert result.problems == []


def test_cp1252_typographic_characters(tmp_path: Path) -> None:
    # Windows-1252: the dash and German quotes are bytes 0x80-0x9F, which Latin-1 would
    # turn into control characters.
    text = "email;name;consent_source\nanna@x.de;Anna – Team „Digital“;Messe € 2026\n"
    result = read(write(tmp_path, text, "cp1252"))
    assert result.encoding == "cp1252"
    (row,) = result.rows
    assert row.name == "Anna – Team „Digital“"
    assert row.consent_source == "Messe € 2026"


def test_utf8_with_bom(tmp_path: Path) -> None:
    # Excel's "CSV UTF-8": the BOM must not become part of the first column's name.
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "email,name\nłukasz@x.pl,Łukasz Wójcik\n".encode())
    result = read(path)
    assert result.encoding == "utf-8-sig"
    # The local part is not ASCII, so that row is a problem; the header was still found.
    assert len(result.problems) == 1 and "before the @-sign" in result.problems[0].message
    path.write_bytes(codecs.BOM_UTF8 + "email,name\nlukasz@x.pl,Łukasz Wójcik\n".encode())
    assert [r.name for r in read(path).rows] == ["Łukasz Wójcik"]


def test_utf8_names_beyond_german_are_text(tmp_path: Path) -> None:
    # Valid UTF-8 full of Turkish and Polish letters must not be refused as "not text".
    rows = "".join(f"u{i}@x.de,Ayşe Yılmaz Ğüneş Łódź Żółć {i}\n" for i in range(50))
    result = read(write(tmp_path, "email,name\n" + rows))
    assert result.encoding == "utf-8" and len(result.rows) == 50


def test_utf16_with_bom(tmp_path: Path) -> None:
    # Some tools save "Unicode text": UTF-16 with a byte-order mark, tab-separated.
    result = read(write(tmp_path, "\ufeffemail\tname\nerika@x.de\tErika Müller\n", "utf-16-le"))
    assert result.encoding == "utf-16"
    assert [r.name for r in result.rows] == ["Erika Müller"]


def test_binary_file_is_refused(tmp_path: Path) -> None:
    # An .xlsx workbook saved under a .csv name: a zip archive with NUL bytes.
    path = tmp_path / "list.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" * 20)
    with pytest.raises(CsvError, match="binary") as caught:
        read(path)
    assert str(path) in caught.value.message and "CSV" in caught.value.hint


def test_missing_and_empty_files(tmp_path: Path) -> None:
    # No file at all, a zero-byte file, and one with only blank lines.
    with pytest.raises(CsvError, match=r"cannot read .*nope\.csv"):
        read(tmp_path / "nope.csv")
    with pytest.raises(CsvError, match=r"list\.csv:1: a quote opened .* is never closed"):
        read(write(tmp_path, 'email,"name\nerika@x.de,Erika\n'))
    for text in ("", "\n \r\n\n"):
        with pytest.raises(CsvError, match="is empty") as caught:
            read(write(tmp_path, text))
        assert HEADER in caught.value.hint


# --- delimiters and header -------------------------------------------------------------


def test_semicolon_export_from_german_spreadsheet(tmp_path: Path) -> None:
    # A German Excel export: semicolons, CRLF, German dates, quoted topics (they contain the
    # delimiter), spaces around header names and a different column order.
    text = (
        " Consented_At ; E-Mail ; Name ;topics; consent_source\r\n".replace("E-Mail", "EMAIL")
        + '21.11.2025 14:05;erika@x.de;Erika Mustermann;"policy;congresses";Formular\r\n'
        + "01.02.2025;max@x.de;Max;;Messe\r\n"
    )
    result = read(write(tmp_path, text, "cp1252"), require_consent=True)
    assert result.problems == []
    erika, max_ = result.rows
    assert erika.topics == ("congresses", "policy")
    assert erika.consented_at == datetime(2025, 11, 21, 14, 5, tzinfo=BERLIN)
    assert max_.topics == () and max_.consent_source == "Messe"
    assert (erika.line, max_.line) == (2, 3)


def test_tab_delimited(tmp_path: Path) -> None:
    text = "email\tname\ttopics\nerika@x.de\tErika, Mustermann\tpolicy\n"
    (row,) = read(write(tmp_path, text)).rows
    assert row.name == "Erika, Mustermann" and row.topics == ("policy",)


def test_missing_email_column_is_an_error_at_line_1(tmp_path: Path) -> None:
    path = write(tmp_path, "name;topics\nErika;policy\n")
    with pytest.raises(CsvError) as caught:
        read(path)
    assert caught.value.message == f"{path}:1: the header has no 'email' column"
    # The hint shows a complete header line, in the file's own delimiter.
    assert "email;name;topics;consented_at;consent_source" in caught.value.hint


def test_require_consent_needs_consent_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "email,name\nerika@x.de,Erika\n")
    assert len(read(path).rows) == 1
    with pytest.raises(CsvError, match="no 'consented_at', 'consent_source' column"):
        read(path, require_consent=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("emial,name", "unknown column 'emial' (did you mean 'email'?)"),
        ("email,topic", "unknown column 'topic' (did you mean 'topics'?)"),
        ("email,telefon", "unknown column 'telefon'"),
        ("email,name,email", "the column 'email' appears twice"),
        ("email,,name", "column 2 of the header has no name"),
        ("erika@x.de,Erika", "the first line is data, not a header"),
    ],
)
def test_bad_header(tmp_path: Path, header: str, expected: str) -> None:
    path = write(tmp_path, header + "\nerika@x.de,Erika\n")
    with pytest.raises(CsvError) as caught:
        read(path)
    assert caught.value.message == f"{path}:1: {expected}"
    assert HEADER in caught.value.hint


def test_header_only_and_trailing_delimiters(tmp_path: Path) -> None:
    # A header with a trailing delimiter and rows with empty extra fields come from
    # spreadsheets with a formatted but empty column; they are not problems.
    assert read(write(tmp_path, "email,name\n")).rows == []
    result = read(write(tmp_path, "email;name;\nerika@x.de;Erika;\nmax@x.de;Max;;;\n"))
    assert result.problems == [] and len(result.rows) == 2


# --- rows ----------------------------------------------------------------------------------


def test_wrong_number_of_fields(tmp_path: Path) -> None:
    # Too few fields, too many fields, and the classic semicolon mistake: unquoted topics.
    text = (
        "email;name;topics\n"
        "erika@x.de;Erika\n"  # line 2: too few
        "max@x.de;Max;policy;extra\n"  # line 3: too many
        "ok@x.de;Ok;policy\n"
        "anna@x.de;Anna;policy;congresses\n"  # line 5: topics not quoted
    )
    result = read(write(tmp_path, text, name="shown.csv"))
    assert problem_lines(result) == [2, 3, 5]
    assert result.problems[0].message == "the row has 2 fields, the header has 3"
    assert result.problems[1].message == "the row has 4 fields, the header has 3"
    assert 'quote them: "policy;congresses"' in result.problems[2].hint
    assert [r.line for r in result.rows] == [4]


def test_quoted_multiline_name_keeps_line_numbers(tmp_path: Path) -> None:
    # A name cell with line breaks (Alt+Enter in Excel) spans three physical lines; blank
    # lines are skipped; every later record must still report its physical starting line.
    text = (
        "email,name,topics\n"
        'erika@x.de,"Erika\nvon\nMustermann",policy\n'  # lines 2-4
        "\n"  # line 5
        "bad@,Bad,policy\n"  # line 6
        'max@x.de,"Max\r\nMuster",nonsense\n'  # lines 7-8
        "ok@x.de,Ok,\n"  # line 9
    )
    result = read(write(tmp_path, text))
    assert [(r.line, r.name) for r in result.rows] == [
        (2, "Erika von Mustermann"),
        (9, "Ok"),
    ]
    assert problem_lines(result) == [6, 7]
    assert "unknown topic 'nonsense'" in result.problems[1].message


def test_unclosed_quote_is_reported_where_it_starts(tmp_path: Path) -> None:
    # A stray quote swallows the following lines into one field; the problem names the
    # first line and says which lines the broken record covers.
    text = 'email,name\nerika@x.de,Erika\nmax@x.de,"Max\nanna@x.de,Anna\nok@x.de,Ok\n'
    result = read(write(tmp_path, text))
    assert [r.line for r in result.rows] == [2]
    (problem,) = result.problems
    assert problem.line == 3 and problem.message == "a quote opened in this record is never closed"
    # A quote that stays open for longer than the csv module's field limit (128 KiB).
    rows = "".join(f"user{i}@x.de,Name {i}\n" for i in range(10_000))
    result = read(write(tmp_path, 'email,name\nerika@x.de,"Erika\n' + rows))
    (problem,) = result.problems
    assert problem.line == 2 and "the rest of the file was skipped" in problem.message
    assert result.rows == []


def test_bad_multiline_record_names_its_lines(tmp_path: Path) -> None:
    # A record over several lines that is wrong in some other way: the hint gives the range.
    text = 'email,name\nerika@x.de,"Erika\nMustermann",extra\nok@x.de,Ok\n'
    result = read(write(tmp_path, text))
    (problem,) = result.problems
    assert problem.line == 2 and "lines 2-3" in problem.hint
    assert [r.line for r in result.rows] == [4]


def test_invalid_addresses_and_shown_as(tmp_path: Path) -> None:
    # Problems carry the caller's name for the file and the validator's reason.
    text = "email\nerika@\nErika <erika@x.de>\n\ninfo@bücher.de\n\n"
    path = write(tmp_path, text)
    result = read_subscriber_csv(path, TOPICS, BERLIN, require_consent=False, shown_as="in.csv")
    assert [str(p).split(" (")[0] for p in result.problems] == [
        "in.csv:2: invalid email address 'erika@': there must be something after the @-sign",
        "in.csv:3: invalid email address 'Erika <erika@x.de>': a display name and angle "
        "brackets around the email address are not permitted here",
    ]
    (row,) = result.rows
    assert (row.line, row.address.ascii) == (5, "info@xn--bcher-kva.de")


def test_case_variant_duplicates_keep_the_first(tmp_path: Path) -> None:
    # The same subscriber three times in different spellings, plus an IDN in both forms.
    text = (
        "email,name\n"
        "Erika@X.de,First\n"
        "erika@x.de,Second\n"
        "ERIKA@X.DE,Third\n"
        "info@bücher.de,Unicode\n"
        "INFO@xn--bcher-kva.de,Punycode\n"
        "bad@,Not counted\n"
    )
    result = read(write(tmp_path, text))
    assert [(r.line, r.name) for r in result.rows] == [(2, "First"), (5, "Unicode")]
    assert result.duplicates == 3
    assert problem_lines(result) == [7]


def test_topics(tmp_path: Path) -> None:
    # Empty means all topics; order follows TOPICS whatever the cell says; repeats and case
    # are folded; commas work too; unknown topics are listed with the valid keys.
    text = (
        "email;topics\n"
        "a@x.de;\n"
        'b@x.de;"Policy; partnerships;policy"\n'
        'c@x.de;"other,congresses"\n'
        'd@x.de;"policy;sport;kultur"\n'
    )
    result = read(write(tmp_path, text))
    assert [r.topics for r in result.rows] == [
        (),
        ("partnerships", "policy"),
        ("congresses", "other"),
    ]
    (problem,) = result.problems
    assert problem.line == 5 and problem.message == "unknown topics 'kultur', 'sport'"
    assert "partnerships, congresses, policy, other" in problem.hint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-21", datetime(2025, 11, 21, tzinfo=BERLIN)),
        ("2025-11-21T14:05", datetime(2025, 11, 21, 14, 5, tzinfo=BERLIN)),
        ("2025-11-21 14:05:09", datetime(2025, 11, 21, 14, 5, 9, tzinfo=BERLIN)),
        ("2025-11-21T14:05:00+00:00", datetime(2025, 11, 21, 15, 5, tzinfo=BERLIN)),
        ("2025-07-01T12:00Z", datetime(2025, 7, 1, 14, 0, tzinfo=BERLIN)),  # summer time
        ("21.11.2025", datetime(2025, 11, 21, tzinfo=BERLIN)),
        ("1.2.2025", datetime(2025, 2, 1, tzinfo=BERLIN)),
        ("21.11.2025 14:05", datetime(2025, 11, 21, 14, 5, tzinfo=BERLIN)),
        ('"21.11.2025, 9:05:30"', datetime(2025, 11, 21, 9, 5, 30, tzinfo=BERLIN)),
    ],
)
def test_consented_at_formats(tmp_path: Path, value: str, expected: datetime) -> None:
    (row,) = read(write(tmp_path, f"email,consented_at\nerika@x.de,{value}\n")).rows
    assert row.consented_at == expected
    assert row.consented_at is not None and row.consented_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31.02.2025", "is not a date or time"),
        ("21.11.25", "is not a date or time"),
        ("2025-13-01", "is not a date or time"),
        ("21.11.2025 25:00", "is not a date or time"),
        ("gestern", "is not a date or time"),
        ("21.11.2999", "is in the future"),
    ],
)
def test_bad_consented_at(tmp_path: Path, value: str, reason: str) -> None:
    result = read(write(tmp_path, f"email,consented_at\nerika@x.de,{value}\n"))
    assert result.rows == []
    (problem,) = result.problems
    assert problem.line == 2 and problem.message == f"consented_at {value!r} {reason}"


def test_consent_just_now_and_an_hour_ahead(tmp_path: Path) -> None:
    # "In the future" is judged to the second, in absolute time (offsets do not matter).
    past = datetime.now(UTC) - timedelta(minutes=1)
    ahead = datetime.now(UTC) + timedelta(hours=1)
    text = f"email,consented_at\na@x.de,{past.isoformat()}\nb@x.de,{ahead.isoformat()}\n"
    result = read(write(tmp_path, text))
    assert [r.line for r in result.rows] == [2] and problem_lines(result) == [3]


def test_require_consent(tmp_path: Path) -> None:
    # With require_consent both consent fields must be filled; without, empty ones are None.
    text = (
        "email,consented_at,consent_source\n"
        "a@x.de,2025-11-21,Formular\n"
        "b@x.de,,Formular\n"
        "c@x.de,2025-11-21,\n"
        "d@x.de,,\n"
    )
    path = write(tmp_path, text)
    strict = read(path, require_consent=True)
    assert [r.line for r in strict.rows] == [2]
    assert [(p.line, p.message) for p in strict.problems] == [
        (3, "consented_at is empty"),
        (4, "consent_source is empty"),
        (5, "consented_at is empty; consent_source is empty"),
    ]
    long_source = "Anmeldung am Stand der Stadt Musterstadt, Smart-City-Kongress 2025, " * 3
    path.write_text(f'email,consent_source\na@x.de," {long_source}"\n', encoding="utf-8")
    (row,) = read(path).rows
    assert row.consent_source == long_source.strip()  # never cut: it is evidence
    path = write(tmp_path, text)
    lenient = read(path)
    assert lenient.problems == []
    assert [(r.consented_at is None, r.consent_source) for r in lenient.rows] == [
        (False, "Formular"),
        (True, "Formular"),
        (False, None),
        (True, None),
    ]


# --- a big file ----------------------------------------------------------------------------

# One fault per bad row: (description, row text). {i} makes every address unique.
FAULTS = [
    ("invalid address", "user{i}@,Name,policy,2025-01-02,web"),
    ("invalid address", "user{i}.x.de,Name,policy,2025-01-02,web"),
    ("display name", "Name <user{i}@x.de>,Name,policy,2025-01-02,web"),
    ("non-ASCII local part", "jörg{i}@x.de,Name,policy,2025-01-02,web"),
    ("unknown topic", "user{i}@x.de,Name,sport,2025-01-02,web"),
    ("too few fields", "user{i}@x.de,Name,policy"),
    ("too many fields", "user{i}@x.de,Name,policy,2025-01-02,web,extra"),
    ("bad date", "user{i}@x.de,Name,policy,32.01.2025,web"),
    ("future date", "user{i}@x.de,Name,policy,2999-01-01,web"),
    ("no consent date", "user{i}@x.de,Name,policy,,web"),
    ("no consent source", "user{i}@x.de,Name,policy,2025-01-02,"),
]


def test_ten_thousand_rows_with_exactly_one_hundred_bad(tmp_path: Path) -> None:
    # 10,000 records; 100 bad ones at random positions (fixed seed), cycling through the
    # faults above; 40 good ones are case variants of an earlier address (duplicates); every
    # 97th good record has a two-line quoted name and every 50th is followed by a blank
    # line, so physical lines drift away from record numbers.
    rng = random.Random(20261121)
    bad = set(rng.sample(range(10_000), 100))
    dup_sources = {}
    good_positions = [i for i in range(10_000) if i not in bad]
    for position in rng.sample(good_positions[1000:], 40):
        dup_sources[position] = rng.choice([p for p in good_positions[:1000]])
    lines = [HEADER]
    physical = 1  # physical lines written so far
    expected_problems: list[int] = []
    expected_rows = 0
    for i in range(10_000):
        start = physical + 1
        if i in bad:
            fault = FAULTS[len(expected_problems) % len(FAULTS)][1]
            lines.append(fault.format(i=i))
            expected_problems.append(start)
        elif i in dup_sources:
            lines.append(f"USER{dup_sources[i]}@X.DE,Copy,,21.11.2025,web")
        else:
            name = f'"Name {i}\nzweite Zeile"' if i % 97 == 0 else f"Name {i}"
            lines.append(f"user{i}@x.de,{name},policy;congresses,2025-03-0{i % 9 + 1},web")
            expected_rows += 1
        physical += lines[-1].count("\n") + 1
        if i % 50 == 0:
            lines.append("")
            physical += 1
    text = "\n".join(lines).replace("policy;congresses", '"policy;congresses"') + "\n"
    path = write(tmp_path, text)
    began = time.perf_counter()
    result = read(path, require_consent=True)
    elapsed = time.perf_counter() - began
    assert problem_lines(result) == expected_problems
    assert len(result.rows) == expected_rows == 9_900 - 40
    assert result.duplicates == 40
    # Spot-check that row line numbers are physical lines, after the two-line names.
    by_line = {r.line: r for r in result.rows}
    last = result.rows[-1]
    assert text.split("\n")[last.line - 1].startswith(last.address.ascii)
    assert all(text.split("\n")[line - 1].startswith("user") for line in list(by_line)[::500])
    # Linear work: ~0.5 s here; a generous bound still catches quadratic behaviour.
    assert elapsed < 10, elapsed
