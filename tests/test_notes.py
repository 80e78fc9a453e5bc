"""Format M: an editor's Markdown notes, one news item per file, with YAML front matter."""

from __future__ import annotations

from datetime import date

import pytest

from digest.ingest import NOTE_EXTENSIONS, NOTE_FORMAT
from digest.ingest.notes import parse_note
from digest.markup import render_markdown
from digest.models import Article, Problem, Source
from digest.normalise import article_id

TOPICS = ("policy", "congresses", "partnerships")

GOOD = """\
---
title: "Jena: KI-Leitlinien für die Verwaltung"
date: 2026-01-20            # the editor's comment
kicker: Jena
topic: policy
urls: [https://www.jena.de/ki-leitlinien, www.jena.de]
keywords: [KI, Verwaltung]
author: Stadt Jena
---

Die Stadt Jena gibt sich **Leitlinien** für den Einsatz von KI.
Mehr im [Beschluss](https://www.jena.de/beschluss).

## Was gilt

- Transparenz
- Datenschutz
"""


def parse(
    text: str | bytes, years: tuple[int, int] | None = (1990, 2030)
) -> tuple[list[Article], list[Problem]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_note(data, "notes/ki.md", years=years, topics=TOPICS)


def one(text: str | bytes) -> tuple[Article, list[str]]:
    articles, problems = parse(text)
    assert len(articles) == 1, [str(p) for p in problems]
    return articles[0], [str(p) for p in problems]


def skipped(text: str | bytes) -> list[str]:
    articles, problems = parse(text)
    assert articles == []
    return [str(p) for p in problems]


def note(front: str, body: str = "Text.\n") -> str:
    return f"---\n{front}---\n{body}"


MINIMAL = "title: Jena\ndate: 2026-01-20\n"


def test_constants() -> None:
    assert NOTE_FORMAT == "M"
    assert sorted(NOTE_EXTENSIONS) == [".markdown", ".md"]


def test_a_good_note_gives_every_field() -> None:
    article, problems = one(GOOD)
    assert problems == []
    day = date(2026, 1, 20)
    assert article.id == article_id("Jena: KI-Leitlinien für die Verwaltung", day)
    assert (article.kind, article.format) == ("main", "M")
    assert article.title == "Jena: KI-Leitlinien für die Verwaltung"
    assert article.date == day
    assert article.kicker == "Jena"
    assert article.editor_topic == "policy"
    assert article.urls == ("https://www.jena.de/ki-leitlinien", "https://www.jena.de")
    assert article.keywords == ("KI", "Verwaltung")
    assert article.author == "Stadt Jena"
    assert article.lead is None
    assert article.body == (
        "Die Stadt Jena gibt sich Leitlinien für den Einsatz von KI. "
        "Mehr im Beschluss (https://www.jena.de/beschluss).",
        "Was gilt",
        "- Transparenz\n- Datenschutz",
    )
    assert article.html is not None
    assert "<strong>Leitlinien</strong>" in article.html
    assert '<a href="https://www.jena.de/beschluss">Beschluss</a>' in article.html
    assert "<h2>Was gilt</h2>" in article.html
    assert "<li>Transparenz</li>" in article.html
    # The body starts on line 11, after the closing fence and a blank line.
    assert article.sources == (Source("notes/ki.md", 11, "main"),)


def test_the_kicker_is_never_taken_from_the_title() -> None:
    article, _ = one(note('title: "Jena: KI-Leitlinien"\ndate: 2026-01-20\n'))
    assert article.kicker is None
    assert article.title == "Jena: KI-Leitlinien"


@pytest.mark.parametrize(
    "written",
    [
        "2026-01-20",
        "'2026-01-20'",
        "20.01.2026",
        "20.1.2026",
        '"20.01.2026"',
        "2026-01-20T09:30:00",
        "2026-01-20 09:30:00+01:00",
        "2026-01-20T23:59:59Z",
        "2026-01-20t23:59",
    ],
)
def test_date_forms(written: str) -> None:
    article, problems = one(note(f"title: Jena\ndate: {written}\n"))
    assert problems == []
    assert article.date == date(2026, 1, 20)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2026-13-01", "notes/ki.md:3: 2026-13-01 is not a date (month must be in 1..12)"),
        ("32.01.2026", "notes/ki.md:3: 32.01.2026 is not a date (day is out of range"),
        ("2026-02-30T10:00", "notes/ki.md:3: 2026-02-30T10:00 is not a date"),
        ("next week", "notes/ki.md:3: 'next week' is not a date"),
        ("2026-01-20 noon", "notes/ki.md:3: '2026-01-20 noon' is not a date"),
        ("20.01.26", "notes/ki.md:3: '20.01.26' is not a date"),
        ("[2026, 1, 20]", "notes/ki.md:3: the date is a list, not a date"),
    ],
)
def test_a_bad_date_skips_the_note(written: str, message: str) -> None:
    problems = skipped(note(f"title: Jena\ndate: {written}\n"))
    assert len(problems) == 1
    assert problems[0].startswith(message)
    assert "2026-01-20 or 20.01.2026; the note was skipped" in problems[0]


@pytest.mark.parametrize(
    "front", ["title: Jena\n", "title: Jena\ndate:\n", "title: Jena\ndate: ''\n"]
)
def test_a_missing_date_skips_the_note(front: str) -> None:
    problems = skipped(note(front))
    line = 3 if "date" in front else 1
    assert problems == [
        f"notes/ki.md:{line}: the note has no date "
        "(add 'date: 2026-01-20' to the front matter; the note was skipped)"
    ]


def test_a_date_outside_the_plausible_years_skips_the_note() -> None:
    problems = skipped(note("title: Jena\ndate: 1017-10-04\n"))
    assert len(problems) == 1
    assert problems[0].startswith(
        "notes/ki.md:3: the date 4.10.1017 is outside the plausible years 1990-2030"
    )


def test_without_years_any_calendar_date_is_taken() -> None:
    articles, problems = parse(note("title: Jena\ndate: 1017-10-04\n"), years=None)
    assert problems == [] and articles[0].date == date(1017, 10, 4)


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("date: 2026-01-20\n", 1, "the note has no title"),
        ("title:\ndate: 2026-01-20\n", 2, "the note has no title"),
        ("title: '  '\ndate: 2026-01-20\n", 2, "the note has no title"),
        ("title: ' : '\ndate: 2026-01-20\n", 2, "the note has no title"),
        ("date: 2026-01-20\ntitle: [a, b]\n", 3, "the title is a list, not text"),
        ("title:\n  a: b\ndate: 2026-01-20\n", 3, "the title is a mapping, not text"),
    ],
)
def test_a_missing_or_blank_title_skips_the_note(front: str, line: int, message: str) -> None:
    problems = skipped(note(front))
    assert problems == [
        f"notes/ki.md:{line}: {message} "
        "(write 'title: …' in the front matter; the note was skipped)"
    ]


def test_front_matter_that_is_not_yaml() -> None:
    problems = skipped(note("title: [unclosed\ndate: 2026-01-20\n"))
    assert len(problems) == 1
    assert problems[0].startswith(
        "notes/ki.md:3: the front matter is not YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence started on line 2)"
    )
    assert "the note was skipped" in problems[0]


def test_an_unquoted_colon_in_a_value_is_reported_on_its_line() -> None:
    problems = skipped(note("date: 2026-01-20\ntitle: Jena: KI-Leitlinien\n"))
    assert len(problems) == 1
    assert problems[0].startswith(
        "notes/ki.md:3: the front matter is not YAML: mapping values are not allowed here"
    )
    assert "quote a value that holds ': '" in problems[0]


def test_a_tab_in_the_front_matter_is_reported_on_its_line() -> None:
    problems = skipped(note("title: Jena\n\tdate: 2026-01-20\n"))
    assert len(problems) == 1 and problems[0].startswith("notes/ki.md:3: the front matter is not")


def test_front_matter_that_is_not_a_mapping() -> None:
    problems = skipped(note("- title: Jena\n- date: 2026-01-20\n"))
    assert len(problems) == 1
    assert problems[0].startswith(
        "notes/ki.md:2: the front matter is not a set of 'key: value' lines; the note was skipped"
    )


def test_empty_front_matter() -> None:
    problems = skipped("---\n---\nText\n")
    assert len(problems) == 1 and problems[0].startswith("notes/ki.md:1: the front matter is empty")


def test_a_file_without_front_matter_shows_the_expected_header() -> None:
    problems = skipped("# Jena\n\nKI-Leitlinien.\n")
    assert len(problems) == 1
    assert problems[0].startswith("notes/ki.md:1: no front matter; the note was skipped (")
    assert "a line '---', 'title: …', 'date: 2026-01-20'" in problems[0]


def test_front_matter_that_is_not_closed() -> None:
    problems = skipped("---\ntitle: Jena\ndate: 2026-01-20\n\nText\n")
    assert problems == [
        "notes/ki.md:1: the front matter is not closed "
        "(end the front matter with a line '---' before the text; the note was skipped)"
    ]


def test_an_unknown_key_is_reported_and_the_note_kept() -> None:
    article, problems = one(note(MINIMAL + "url: https://www.jena.de\nfoo: 1\n"))
    assert problems == [
        "notes/ki.md:4: unknown key 'url'; ignored (did you mean 'urls'?)",
        "notes/ki.md:5: unknown key 'foo'; ignored "
        "(the keys are title, date, kicker, topic, urls, keywords, author)",
    ]
    assert article.urls == ()


def test_a_key_given_twice_is_reported_and_the_later_used() -> None:
    article, problems = one(note(MINIMAL + "kicker: Erfurt\nkicker: Jena\n"))
    assert problems == [
        "notes/ki.md:5: 'kicker' given twice (first on line 4) "
        "(keep one of the two; the later is used)"
    ]
    assert article.kicker == "Jena"


def test_an_unknown_topic_is_reported_and_ignored() -> None:
    article, problems = one(note(MINIMAL + "topic: polcy\n"))
    assert problems == ["notes/ki.md:4: unknown topic 'polcy'; ignored (did you mean 'policy'?)"]
    assert article.editor_topic is None
    article, problems = one(note(MINIMAL + "topic: kultur\n"))
    assert problems == [
        "notes/ki.md:4: unknown topic 'kultur'; ignored "
        "(the topics are policy, congresses, partnerships, other)"
    ]


@pytest.mark.parametrize(("written", "topic"), [("other", "other"), ("Policy", "policy")])
def test_a_known_topic_and_other_are_taken(written: str, topic: str) -> None:
    article, problems = one(note(MINIMAL + f"topic: {written}\n"))
    assert problems == [] and article.editor_topic == topic


def test_without_topics_any_topic_is_taken() -> None:
    articles, problems = parse_note(note(MINIMAL + "topic: weather\n").encode(), "n.md")
    assert problems == [] and articles[0].editor_topic == "weather"


def test_urls_one_string_bare_hosts_and_repeats() -> None:
    article, problems = one(note(MINIMAL + "urls: www.jena.de/ki\n"))
    assert problems == [] and article.urls == ("https://www.jena.de/ki",)
    article, problems = one(
        note(MINIMAL + "urls:\n  - http://jena.de\n  - https://jena.de/ki\n  - http://jena.de\n")
    )
    assert problems == [] and article.urls == ("http://jena.de", "https://jena.de/ki")


def test_urls_that_are_not_web_addresses_are_left_out() -> None:
    article, problems = one(
        note(
            MINIMAL + "urls:\n  - javascript:alert(1)\n  - ftp://jena.de/x\n"
            "  - https://www.jena.de\n  - [a, b]\n  -\n"
        )
    )
    assert article.urls == ("https://www.jena.de",)
    assert problems == [
        "notes/ki.md:5: 'javascript:alert(1)' is not a web address; left out "
        "(write http(s) addresses such as https://www.jena.de/seite)",
        "notes/ki.md:6: 'ftp://jena.de/x' is not a web address; left out "
        "(write http(s) addresses such as https://www.jena.de/seite)",
        "notes/ki.md:8: urls: an entry is a list, not text; left out "
        "(write urls: [https://www.jena.de/seite, …])",
    ]


def test_urls_of_a_wrong_type_are_reported_and_the_note_kept() -> None:
    article, problems = one(note(MINIMAL + "urls: {home: https://www.jena.de}\n"))
    assert problems == [
        "notes/ki.md:4: urls must be a list, not a mapping; ignored "
        "(write urls: [https://www.jena.de/seite, …])"
    ]
    assert article.urls == ()


def test_keywords_as_a_list_or_a_comma_separated_string() -> None:
    article, _ = one(note(MINIMAL + "keywords: KI, Verwaltung ,, KI\n"))
    assert article.keywords == ("KI", "Verwaltung")
    article, _ = one(note(MINIMAL + "keywords: [KI, 'Open Data, offen', 2026]\n"))
    assert article.keywords == ("KI", "Open Data, offen", "2026")


def test_keywords_of_a_wrong_type_are_reported_and_the_note_kept() -> None:
    article, problems = one(note(MINIMAL + "keywords:\n  KI: ja\n"))
    assert problems == [
        "notes/ki.md:5: keywords must be a list, not a mapping; ignored "
        "(write keywords: [KI, Verwaltung])"
    ]
    assert article.keywords == ()
    article, problems = one(note(MINIMAL + "keywords: [KI, {a: b}]\n"))
    assert article.keywords == ("KI",)
    assert problems[0].startswith("notes/ki.md:4: keywords: an entry is a mapping, not text")


def test_kicker_and_author_of_a_wrong_type_are_reported() -> None:
    article, problems = one(note(MINIMAL + "kicker: [Jena]\nauthor: {name: x}\n"))
    assert problems == [
        "notes/ki.md:4: kicker must be text, not a list; ignored",
        "notes/ki.md:5: author must be text, not a mapping; ignored",
    ]
    assert article.kicker is None and article.author is None


def test_values_are_read_as_written_not_as_yaml_types() -> None:
    article, problems = one(note("title: 2026\ndate: 2026-01-20\nkicker: no\nauthor: ~\n"))
    assert problems == []
    assert (article.title, article.kicker, article.author) == ("2026", "no", None)


def test_a_folded_title_is_one_line() -> None:
    article, _ = one(note("title: >\n  Jena gibt sich\n  KI-Leitlinien\ndate: 2026-01-20\n"))
    assert article.title == "Jena gibt sich KI-Leitlinien"


def test_yaml_tags_are_never_constructed() -> None:
    # The safe loader only composes: no Python object is built, whatever the tag says.
    problems = skipped(note("title: !!python/object/apply:os.system ['true']\ndate: 2026-01-20\n"))
    assert problems[0].startswith("notes/ki.md:2: the title is a list, not text")


def test_script_and_javascript_links_do_not_reach_the_html() -> None:
    body = (
        "Vorher <script>alert(1)</script> nachher.\n\n"
        "[Klick](javascript:alert(1)) und <javascript:alert(2)>\n\n"
        "[Gut](https://www.jena.de)\n"
    )
    article, problems = one(note(MINIMAL, body))
    html = article.html or ""
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html and "href='javascript" not in html
    assert '<a href="https://www.jena.de">Gut</a>' in html
    hint = "(write links like [text](https://example.de/seite); it is shown as plain text)"
    assert problems == [
        f"notes/ki.md:7: link target 'javascript:alert({n})' is not an absolute http(s) or "
        f"mailto address {hint}"
        for n in (1, 2)
    ]


def test_raw_html_is_escaped_not_rendered() -> None:
    body = '<div class="x"><b>fett</b></div>\n\nText mit <img src="https://t.example/p.gif">.\n'
    article, problems = one(note(MINIMAL, body))
    assert problems == []
    html = article.html or ""
    assert "<b>" not in html and "<div" not in html and "<img" not in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html
    assert article.body[0] == '<div class="x"><b>fett</b></div>'  # plain text: as written


def test_markdown_images_become_links() -> None:
    article, _ = one(note(MINIMAL, "![Rathaus](https://www.jena.de/rathaus.jpg)\n"))
    assert "<img" not in (article.html or "")


def test_an_empty_body_is_kept_when_the_note_has_urls() -> None:
    article, problems = one(note("title: Jena\ndate: 2026-01-20\nurls: www.jena.de\n", ""))
    assert problems == []
    assert article.body == () and article.html is None
    assert article.sources == (Source("notes/ki.md", 2, "main"),)  # the title's line


def test_an_empty_body_without_urls_is_kept_and_reported() -> None:
    article, problems = one(note("date: 2026-01-20\ntitle: Jena\n", "\n  \n"))
    assert problems == [
        "notes/ki.md:3: the note has neither text nor urls "
        "(write the text below the front matter, or give the note urls)"
    ]
    assert article.body == () and article.html is None


def test_crlf_lines_count_like_lf() -> None:
    crlf = GOOD.replace("\n", "\r\n").encode("utf-8")
    article, problems = one(crlf)
    lf, _ = one(GOOD)
    assert problems == []
    assert article == lf
    bad = note("title: Jena\n\ndate: 2026-13-01\n").replace("\n", "\r\n")
    assert skipped(bad)[0].startswith("notes/ki.md:4: 2026-13-01 is not a date")


def test_a_latin_1_file() -> None:
    article, problems = one(GOOD.encode("latin-1"))
    assert problems == []
    assert article.title == "Jena: KI-Leitlinien für die Verwaltung"
    assert article.body[0].endswith(
        "für den Einsatz von KI. Mehr im Beschluss (https://www.jena.de/beschluss)."
    )


def test_a_utf_8_bom_is_not_part_of_the_fence() -> None:
    article, problems = one(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert problems == [] and article.title.startswith("Jena")


def test_control_characters_are_removed_and_reported_by_line() -> None:
    text = "Ein Text\x01 mit einem Steuerzeichen, lang genug, um Text zu sein: " + "x" * 100
    article, problems = one(note(MINIMAL, text + "\n"))
    assert problems == [
        "notes/ki.md:5: 1 control character removed (U+0001) (they are not allowed in XML or "
        "e-mail; the text was kept without them, check that no letter is missing there)"
    ]
    assert article.body == (text.replace("\x01", ""),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "notes/ki.md: is empty"),
        (b"  \n", "notes/ki.md: is empty"),
        (b"\x00\x01\x02", "notes/ki.md: is a binary file"),
    ],
)
def test_empty_and_binary_files(data: bytes, message: str) -> None:
    problems = skipped(data)
    assert len(problems) == 1 and problems[0].startswith(message)


def test_render_markdown_gives_html_blocks_and_refused_links() -> None:
    rendered = render_markdown("# Titel\n\nEins [a](ftp://x) zwei.\n\n> Zitat\n")
    assert rendered.html.startswith("<h1>Titel</h1>")
    assert rendered.blocks == ("Titel", "Eins [a](ftp://x) zwei.", "> Zitat")
    assert rendered.text == "Titel\n\nEins [a](ftp://x) zwei.\n\n> Zitat"
    assert rendered.refused == ("ftp://x",)
