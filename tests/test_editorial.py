from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.editorial import Editorial, read_editorials
from digest.models import Problem
from digest.weeks import IsoWeek

W38 = IsoWeek(2019, 38)
FIRST = "3f2a9c1d0b7e4a55"
SECOND = "9803254955e007d4"
SIBLING = "9803259999aaaaaa"  # shares the prefix 980325 with SECOND
IDS = (FIRST, SECOND, SIBLING)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    folder = tmp_path / "editorial"
    folder.mkdir(exist_ok=True)
    path = folder / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))  # exactly these bytes: no newline translation
    else:
        path.write_bytes(content)
    return path


def read(tmp_path: Path) -> tuple[dict[IsoWeek, Editorial], list[Problem]]:
    return read_editorials(tmp_path / "editorial", IDS, tmp_path)


def read_one(tmp_path: Path, content: str | bytes) -> tuple[Editorial | None, list[str]]:
    write(tmp_path, "2019-W38.md", content)
    editorials, problems = read(tmp_path)
    return editorials.get(W38), [str(p) for p in problems]


GOOD = """\
---
# the subject of the mail
subject: Kaiserslautern lädt zum Smart-City-Kongress
top: 3f2a9c1d0b7e4a55, 9803254
---
Liebe Leserinnen und Leser,

diese Woche **zwei** Kongresse und *ein* Preis: [Programm](https://example.de/programm).
"""


def test_good_file_with_front_matter_pins_and_markdown(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, GOOD)
    assert problems == []
    assert editorial is not None
    assert editorial.week == W38
    assert editorial.path == "editorial/2019-W38.md"
    assert editorial.subject == "Kaiserslautern lädt zum Smart-City-Kongress"
    assert editorial.top == (FIRST, SECOND)  # the prefix resolved to the full id
    assert editorial.html == (
        "<p>Liebe Leserinnen und Leser,</p>\n"
        "<p>diese Woche <strong>zwei</strong> Kongresse und <em>ein</em> Preis: "
        '<a href="https://example.de/programm">Programm</a>.</p>'
    )
    assert editorial.text == (
        "Liebe Leserinnen und Leser,\n\n"
        "diese Woche zwei Kongresse und ein Preis: Programm (https://example.de/programm)."
    )


def test_no_front_matter(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, "Hallo **Welt**\n")
    assert problems == []
    assert editorial is not None
    assert (editorial.subject, editorial.top) == (None, ())
    assert editorial.html == "<p>Hallo <strong>Welt</strong></p>"
    assert editorial.text == "Hallo Welt"


@pytest.mark.parametrize(
    "content",
    ["---\nsubject: Nur ein Betreff\n---\n", "---\nsubject: Nur ein Betreff\n---\n\n  \n"],
)
def test_front_matter_only_has_an_empty_body(tmp_path: Path, content: str) -> None:
    editorial, problems = read_one(tmp_path, content)
    assert problems == []
    assert editorial is not None
    assert (editorial.subject, editorial.html, editorial.text) == ("Nur ein Betreff", "", "")


def test_empty_file_is_an_empty_editorial(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, "")
    assert problems == []
    assert editorial == Editorial(W38, "editorial/2019-W38.md", None, (), "", "")


def test_raw_html_is_shown_as_text(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, 'Vorsicht <script>alert("x")</script> <b>fett</b>\n')
    assert problems == []
    assert editorial is not None
    assert "<script" not in editorial.html and "<b>" not in editorial.html
    assert editorial.html == (
        "<p>Vorsicht &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt;</p>"
    )
    assert editorial.text == 'Vorsicht <script>alert("x")</script> <b>fett</b>'


@pytest.mark.parametrize(
    "target", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "programm.html"]
)
def test_link_that_is_not_http_or_mailto_stays_text(tmp_path: Path, target: str) -> None:
    editorial, problems = read_one(tmp_path, f"---\nsubject: S\n---\nErst\n\n[klick]({target})\n")
    assert editorial is not None  # a bad link costs only the link
    assert "<a" not in editorial.html
    assert editorial.html == f"<p>Erst</p>\n<p>[klick]({target})</p>"
    assert len(problems) == 1
    assert problems[0].startswith(f"editorial/2019-W38.md:6: link target '{target}' is not ")


def test_mailto_and_autolinks(tmp_path: Path) -> None:
    body = "<redaktion@example.de>, [schreiben](mailto:a@example.de), <https://example.de/ä>\n"
    editorial, problems = read_one(tmp_path, body)
    assert problems == []
    assert editorial is not None
    assert '<a href="mailto:redaktion@example.de">redaktion@example.de</a>' in editorial.html
    assert '<a href="https://example.de/%C3%A4">https://example.de/ä</a>' in editorial.html
    # An address shown as its own text is not repeated in parentheses.
    assert editorial.text == (
        "redaktion@example.de, schreiben (mailto:a@example.de), https://example.de/ä"
    )


def test_text_rendering_of_lists_quotes_and_headings(tmp_path: Path) -> None:
    body = (
        "# Die Woche\n\n"
        "- eins\n- zwei\n  mit Fortsetzung\n  - innen\n\n"
        "1. erst\n\n   lose\n2. dann\n\n"
        "> ein *Zitat*\n\n"
        "Zeile  \numbruch und `code`\n"
    )
    editorial, problems = read_one(tmp_path, body)
    assert problems == []
    assert editorial is not None
    assert editorial.text == (
        "Die Woche\n\n"
        # A soft line break inside a paragraph is a space (the text part rewraps it); the
        # hard break ("Zeile  " with two trailing spaces) stays a line break.
        "- eins\n- zwei mit Fortsetzung\n  - innen\n\n"
        "1. erst\n\n   lose\n\n2. dann\n\n"
        "> ein Zitat\n\n"
        "Zeile\numbruch und code"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "---\nsubject: Ohne Ende\n\nText\n",
            "editorial/2019-W38.md:1: front matter is not closed"
            " (end the front matter with a line '---' before the text)",
        ),
        (
            "---\nsubject Kongress\n---\n",
            "editorial/2019-W38.md:2: expected 'key: value', found 'subject Kongress'"
            " (write 'key: value' (subject or top), or a '# comment')",
        ),
        (
            "---\n# Kommentar\nsubjekt: Kongress\n---\nText\n",
            "editorial/2019-W38.md:3: unknown key 'subjekt' (did you mean 'subject'?)",
        ),
        (
            "---\nautor: Anna\n---\n",
            "editorial/2019-W38.md:2: unknown key 'autor' (the keys are subject, top)",
        ),
        (
            "---\n\nsubject:   \n---\n",
            "editorial/2019-W38.md:3: subject is empty"
            " (write the subject after 'subject:' or drop the line)",
        ),
        (
            "---\nsubject: ''\n---\n",
            "editorial/2019-W38.md:2: subject is empty"
            " (write the subject after 'subject:' or drop the line)",
        ),
        (
            "---\nsubject: " + "x" * 151 + "\n---\n",
            "editorial/2019-W38.md:2: subject is 151 characters long, more than 150"
            " (shorten it; mail clients show only the first 60 to 80 characters)",
        ),
        (
            "---\nsubject: Kongress\tBerlin\n---\n",
            "editorial/2019-W38.md:2: subject contains the control character U+0009"
            " (write the subject as plain text on one line)",
        ),
        (
            "---\nsubject: A\x1bB\n---\n",
            "editorial/2019-W38.md:2: subject contains the control character U+001B"
            " (write the subject as plain text on one line)",
        ),
        (
            "---\nsubject: A\n\nsubject: B\n---\n",
            "editorial/2019-W38.md:4: 'subject' given twice (first on line 2)"
            " (keep one of the two lines)",
        ),
        (
            "---\ntop:\n  - 3f2a9c1d0b7e4a55\n---\n",
            "editorial/2019-W38.md:3: expected 'key: value', found '- 3f2a9c1d0b7e4a55'"
            " (write a list on one line: top: 3f2a9c1d0b7e, 9803254955e0)",
        ),
        (
            "---\ntop: [3f2a9c1d0b7e4a55\n---\n",
            "editorial/2019-W38.md:2: unbalanced '[' ']' in top"
            " (write top: [id, id] or top: id, id)",
        ),
    ],
)
def test_bad_front_matter_leaves_the_editorial_out(
    tmp_path: Path, content: str, expected: str
) -> None:
    editorial, problems = read_one(tmp_path, content)
    assert editorial is None
    assert problems == [expected]


def test_every_front_matter_mistake_is_reported_at_once(tmp_path: Path) -> None:
    _, problems = read_one(tmp_path, "---\nsubjekt: A\ntitle B\nsubject:\n---\n")
    assert [p.split(": ")[0] for p in problems] == [
        "editorial/2019-W38.md:2",
        "editorial/2019-W38.md:3",
        "editorial/2019-W38.md:4",
    ]


def test_subject_of_150_characters_and_quoted_subject(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, "---\nsubject: " + "ä" * 150 + "\n---\n")
    assert problems == []
    assert editorial is not None and editorial.subject == "ä" * 150
    editorial, problems = read_one(tmp_path, '---\nsubject: "Kongress: 2 Tage"\n---\n')
    assert problems == []
    assert editorial is not None and editorial.subject == "Kongress: 2 Tage"


def test_unknown_id_costs_only_that_pin(tmp_path: Path) -> None:
    content = "---\nsubject: S\ntop: deadbeef00, 3f2a9c1d0b7e4a55\n---\nText\n"
    editorial, problems = read_one(tmp_path, content)
    assert problems == [
        "editorial/2019-W38.md:3: no article has the id 'deadbeef00'"
        " (look the id up with 'digest articles')"
    ]
    assert editorial is not None
    assert (editorial.subject, editorial.top, editorial.text) == ("S", (FIRST,), "Text")


def test_ambiguous_prefix_costs_only_that_pin(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, "---\ntop: [980325, 3f2a9c]\n---\n")
    assert problems == [
        "editorial/2019-W38.md:2: id prefix '980325' matches several articles"
        f" ({SECOND}, {SIBLING}) (write more of the id)"
    ]
    assert editorial is not None and editorial.top == (FIRST,)


@pytest.mark.parametrize(
    ("top", "message"),
    [
        ("3f2a9", "article id '3f2a9' is too short"),
        ("3f2a9c1d 9803254955e007d4", "'3f2a9c1d 9803254955e007d4' is not one article id"),
        (f"{SECOND}, 9803254955", f"article {SECOND} is pinned twice"),
    ],
)
def test_other_bad_pins(tmp_path: Path, top: str, message: str) -> None:
    editorial, problems = read_one(tmp_path, f"---\n\ntop: {top}\n---\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"editorial/2019-W38.md:3: {message} (")
    assert editorial is not None
    assert editorial.top == ((SECOND,) if "twice" in message else ())


def test_list_form_with_quotes_keeps_the_written_order(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, f"---\ntop: ['{SECOND}', \"3f2a9c1d\",]\n---\n")
    assert problems == []
    assert editorial is not None and editorial.top == (SECOND, FIRST)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("README.md", "the name is not an ISO week; ignored"),
        ("2019-w38.md", "the name is not an ISO week; ignored"),
        ("2019-W38.MD", "the name is not an ISO week; ignored"),
        ("2019-W8.md", "the name is not an ISO week; ignored"),
        ("2019-W53.md", "2019-W53 is not an ISO week (Invalid week: 53); ignored"),
        ("2019-W00.md", "2019-W00 is not an ISO week (Invalid week: 0); ignored"),
    ],
)
def test_bad_file_name(tmp_path: Path, name: str, message: str) -> None:
    write(tmp_path, name, "Text\n")
    editorials, problems = read(tmp_path)
    assert editorials == {}
    assert len(problems) == 1
    assert problems[0].path == f"editorial/{name}"
    assert problems[0].line is None
    assert problems[0].message == message
    assert problems[0].hint.startswith("name an editorial <year>-W<week>.md, like 2019-W38.md")


def test_week_53_of_a_long_year_is_fine(tmp_path: Path) -> None:
    write(tmp_path, "2020-W53.md", "Text\n")
    editorials, problems = read(tmp_path)
    assert problems == []
    assert list(editorials) == [IsoWeek(2020, 53)]


def test_other_files_are_ignored(tmp_path: Path) -> None:
    for name in ("2019-W38.txt", ".2019-W38.md", "2019-W38.md~", ".DS_Store", "notes"):
        write(tmp_path, name, "---\nkaputt\n")
    assert read(tmp_path) == ({}, [])


def test_missing_folder_is_not_a_problem(tmp_path: Path) -> None:
    assert read_editorials(tmp_path / "nowhere", IDS, tmp_path) == ({}, [])


def test_folder_that_is_a_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "editorial").write_text("x", encoding="utf-8")
    editorials, problems = read(tmp_path)
    assert editorials == {}
    assert [(p.path, p.line) for p in problems] == [("editorial", None)]
    assert problems[0].message.startswith("cannot be read (")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, b"---\nsubject: Gr\xfc\xdfe\n---\n")
    assert editorial is None
    assert problems == [
        "editorial/2019-W38.md:2: is not UTF-8 (byte 0xfc); ignored"
        " (save the file with the encoding UTF-8)"
    ]


def test_crlf_and_bom(tmp_path: Path) -> None:
    content = (
        "\ufeff---\r\nsubject: Grüße\r\ntop: 3f2a9c1d\r\n---\r\n"
        "Erste Zeile\r\nzweite\r\n\r\n- a\r\n"
    )
    editorial, problems = read_one(tmp_path, content)
    assert problems == []
    assert editorial is not None
    assert (editorial.subject, editorial.top) == ("Grüße", (FIRST,))
    assert editorial.html == "<p>Erste Zeile\nzweite</p>\n<ul>\n<li>a</li>\n</ul>"
    assert editorial.text == "Erste Zeile zweite\n\n- a"


def test_control_characters_in_the_text_are_removed(tmp_path: Path) -> None:
    editorial, problems = read_one(tmp_path, "---\nsubject: S\n---\nA\n\nB\x00C\x0bD\n")
    assert problems == [
        "editorial/2019-W38.md:6: control characters removed from the text"
        " (U+0000, U+000B) (save the text without them)"
    ]
    assert editorial is not None
    assert (editorial.html, editorial.text) == ("<p>A</p>\n<p>BC D</p>", "A\n\nBC D")


def test_folder_named_like_an_editorial(tmp_path: Path) -> None:
    (tmp_path / "editorial" / "2019-W38.md").mkdir(parents=True)
    editorials, problems = read(tmp_path)
    assert editorials == {}
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("editorial/2019-W38.md", None, "not a regular file (a folder), skipped")
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "editorial").mkdir()
    os.mkfifo(tmp_path / "editorial" / "2019-W38.md")
    editorials, problems = read(tmp_path)
    assert editorials == {}
    assert [p.message for p in problems] == ["not a regular file (a named pipe), skipped"]


def test_too_big(tmp_path: Path) -> None:
    write(tmp_path, "2019-W38.md", b"x" * (256 * 1024 + 1))
    write(tmp_path, "2019-W39.md", b"y" * (256 * 1024))
    editorials, problems = read(tmp_path)
    assert list(editorials) == [IsoWeek(2019, 39)]
    assert [(p.path, p.line) for p in problems] == [("editorial/2019-W38.md", None)]
    assert problems[0].message.startswith("is 0.3 MB, more than the limit of 0.25 MB")


def test_several_files_in_name_order_and_outside_base(tmp_path: Path) -> None:
    write(tmp_path, "2019-W39.md", "Zwei\n")
    write(tmp_path, "2019-W38.md", "---\nsubjekt: x\n---\n")
    write(tmp_path, "2019-W40.md", "Drei\n")
    elsewhere = tmp_path / "config"
    elsewhere.mkdir()
    editorials, problems = read_editorials(tmp_path / "editorial", IDS, elsewhere)
    assert sorted(editorials) == [IsoWeek(2019, 39), IsoWeek(2019, 40)]
    assert editorials[IsoWeek(2019, 39)].text == "Zwei"
    # Outside the base folder a file is shown by its absolute path.
    assert [p.path for p in problems] == [(tmp_path / "editorial" / "2019-W38.md").as_posix()]
