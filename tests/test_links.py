"""Web addresses inside running text (ingest/links.py), and a press release's links."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.ingest import parse_bytes
from digest.ingest.links import find_urls
from digest.normalise import is_web_url


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        # The three ways a press release writes its links.
        (
            "Die Partnerschaften stehen unter www.freiburg.de/partnerstaedte im Netz.",
            ["https://www.freiburg.de/partnerstaedte"],
        ),
        (
            "Die Leitlinien: https://www.jena.de/ki-leitlinien",
            ["https://www.jena.de/ki-leitlinien"],
        ),
        ("Weitere Informationen unter www.xyz.de.", ["https://www.xyz.de"]),
        # Sentence punctuation after the address is the sentence's.
        (
            "Siehe www.a.de, www.b.de; www.c.de: und www.d.de!",
            ["https://www.a.de", "https://www.b.de", "https://www.c.de", "https://www.d.de"],
        ),
        ("Mehr unter https://www.jena.de/ki/.", ["https://www.jena.de/ki/"]),
        ("Ist das www.jena.de? Ja…", ["https://www.jena.de"]),
        ("Programm: www.jena.de/programm...", ["https://www.jena.de/programm"]),
        # In parentheses, brackets and quotation marks.
        ("Die Stadt (www.jena.de/ki) lädt ein.", ["https://www.jena.de/ki"]),
        ("(siehe https://www.jena.de/ki).", ["https://www.jena.de/ki"]),
        ("[www.jena.de]", ["https://www.jena.de"]),
        ("„www.jena.de/ki“ und «https://x.de/y»", ["https://www.jena.de/ki", "https://x.de/y"]),
        ("<https://www.jena.de/ki>", ["https://www.jena.de/ki"]),
        # A bracket that belongs to the address stays.
        (
            "(https://de.wikipedia.org/wiki/Jena_(Stadt)).",
            ["https://de.wikipedia.org/wiki/Jena_(Stadt)"],
        ),
        # Query strings and fragments.
        (
            "Anmeldung: https://www.jena.de/anmelden?termin=3&lang=de#form.",
            ["https://www.jena.de/anmelden?termin=3&lang=de#form"],
        ),
        ("www.jena.de/suche?q=ki,", ["https://www.jena.de/suche?q=ki"]),
        # An address in another's query is part of that one.
        ("https://x.de/?next=www.y.de/z", ["https://x.de/?next=www.y.de/z"]),
        # A bare host counts with a well-known domain and a path.
        ("Unter jena.de/ki-leitlinien steht alles.", ["https://jena.de/ki-leitlinien"]),
        ("Das Portal smart-city.nrw/projekte ist neu.", ["https://smart-city.nrw/projekte"]),
        # Scheme and host are compared in lower case; the path is kept as written.
        ("HTTPS://WWW.Jena.DE/KI und https://www.jena.de/KI", ["https://www.jena.de/KI"]),
        ("http://www.jena.de stays http", ["http://www.jena.de"]),
        ("www.Lörrach.de/Über", ["https://www.lörrach.de/Über"]),
        ("Port: https://www.jena.de:8443/x", ["https://www.jena.de:8443/x"]),
        # Repeats once, in order.
        ("www.b.de, www.a.de und nochmal www.b.de.", ["https://www.b.de", "https://www.a.de"]),
    ],
)
def test_addresses_in_text(text: str, urls: list[str]) -> None:
    assert find_urls(text) == urls


@pytest.mark.parametrize(
    "text",
    [
        # E-mail addresses are not web addresses, whatever their domain looks like.
        "Fragen an presse@jena.de oder pressestelle@www.jena.de.",
        "Kontakt: vorname.nachname@stadt.jena.de/presse",
        "mailto:presse@jena.de",
        # Abbreviations, numbers and names with dots.
        "z.B. ca. 1.000 Teilnehmende, d.h. u.a. Nr. 3, S. 12/13, bzw./oder",
        "Die 1.000.000-Euro-Frage und Version 2.0/3.1",
        "seit Gründung der KL.digital im Fokus",
        "Die Datei bericht.pdf/anlage.docx liegt bei.",
        "Die Stadt.Land/Fluss-Runde",
        # A bare host without a path may be a name ("Jena.de") or an e-mail's domain.
        "Das Portal jena.de ist neu.",
        # Nothing after the scheme, no domain, a user name before the host.
        "https:// und www. und http://localhost/x und https://127.0.0.1/",
        "https://www.jena.de@evil.example/x",
        "javascript:alert(1) data:text/html,x ftp://jena.de/x",
    ],
)
def test_not_addresses(text: str) -> None:
    assert find_urls(text) == []


def test_an_address_glued_to_a_word_is_not_taken_but_one_after_a_colon_is() -> None:
    assert find_urls("Infos:https://www.jena.de/ki") == ["https://www.jena.de/ki"]
    assert find_urls("xwww.jena.de") == []


@given(st.text())
def test_every_address_found_is_a_plain_web_url(text: str) -> None:
    for url in find_urls(text):
        assert is_web_url(url)
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and "@" not in parts.netloc
        assert url[-1] not in ".,;:!?…"


@given(st.sampled_from(["www.jena.de/ki", "https://x.de/a?b=1"]), st.sampled_from(".,;:!?)"))
def test_punctuation_after_an_address_is_never_part_of_it(url: str, mark: str) -> None:
    assert find_urls(f"Siehe {url}{mark} Danach.") == [
        url if url.startswith("https://") else "https://" + url
    ]


RELEASE = """\
Achtung! Diese archivierte Pressemitteilung könnte inhaltlich veraltet sein

Bitte beachten Sie, dass Sie sich im Pressearchiv befinden (www.archiv.de/hinweis).

Pressemitteilung vom 20.01.2026

Jena gibt sich KI-Leitlinien (www.jena.de/ki-leitlinien)

Die Stadt Jena hat Leitlinien für KI in der Verwaltung beschlossen. Der Text steht unter
https://www.jena.de/ki-leitlinien, die Beschlussvorlage unter
www.jena.de/ratsinfo?vorlage=2026/017.

Fragen beantwortet die Pressestelle unter presse@jena.de. Rund 1.000 Beschäftigte,
z.B. im Bürgerservice, sollen geschult werden. Weitere Informationen unter www.xyz.de.

Autor/in: Pressestelle

Jena, 20.01.2026"""


def test_a_press_release_gets_the_addresses_in_its_title_and_text() -> None:
    result = parse_bytes(RELEASE.encode("utf-8"), "jena.txt")
    assert result.problems == ()
    assert result.format == "P"
    (article,) = result.articles
    # In order, each once; the archive notice before the release is not the release's.
    assert article.urls == (
        "https://www.jena.de/ki-leitlinien",
        "https://www.jena.de/ratsinfo?vorlage=2026/017",
        "https://www.xyz.de",
    )
    assert article.link == "https://www.jena.de/ki-leitlinien"
    # The text itself is unchanged.
    assert "unter presse@jena.de." in article.body[1]


def test_a_press_release_without_addresses_has_no_urls() -> None:
    text = RELEASE.replace("(www.jena.de/ki-leitlinien)", "")
    text = "\n".join(
        line for line in text.split("\n") if "www." not in line and "https://" not in line
    )
    (article,) = parse_bytes(text.encode("utf-8"), "jena.txt").articles
    assert article.urls == ()
