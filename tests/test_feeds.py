"""Feed documents (RSS 0.91, 1.0, 2.0, Atom) read as articles: the mapping of each field, the
problems of broken entries, the documents that are no feed at all, and bounded memory."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digest.ingest.feeds import FORMAT, FeedResult, parse_feed, split_kicker
from digest.models import Article, Source
from digest.normalise import ILLEGAL_CHARS, article_id

DATA = Path(__file__).parent / "data" / "feeds"
BERLIN = ZoneInfo("Europe/Berlin")
YEARS = (2000, 2030)
URL = "https://www.kommunal-digital.example/feed.xml"


def parse(name: str, shown_as: str = URL, **kwargs: Any) -> FeedResult:
    return parse_feed((DATA / name).read_bytes(), shown_as, tz=BERLIN, years=YEARS, **kwargs)


def rss(items: str, *, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (
        f'{prolog}\n<rss version="2.0"><channel><title>Stadt Jena</title>'
        f"<link>https://www.jena.example/</link><description>Meldungen</description>"
        f"{items}</channel></rss>"
    ).encode()


def item(title: str, n: int = 1, extra: str = "") -> str:
    return (
        f"<item><title>{title}</title><link>https://www.jena.example/n/{n}</link>"
        f"<guid>jena-{n}</guid><pubDate>Mon, 03 Nov 2025 10:00:00 +0100</pubDate>{extra}</item>"
    )


def messages(result: FeedResult) -> list[str]:
    return [p.message for p in result.problems]


# ---- the four formats -------------------------------------------------------------------


def test_rss_20() -> None:
    result = parse("rss20.xml")
    assert (result.title, result.entries, result.failed, result.problems) == (
        "Kommunal digital – Nachrichten",
        3,
        None,
        (),
    )
    jena, ulm, kassel = result.articles
    assert jena == Article(
        id=article_id("KI-Leitlinien für die Verwaltung beschlossen", date(2025, 11, 4)),
        kind="main",
        format=FORMAT,
        title="KI-Leitlinien für die Verwaltung beschlossen",
        # 23:30 UTC on 3 November is 00:30 on the 4th in Berlin: the day of the feed's zone.
        date=date(2025, 11, 4),
        kicker="Jena",
        lead="Der Stadtrat hat Leitlinien für den Einsatz von KI in der Verwaltung beschlossen.",
        body=(
            "Die Leitlinien regeln, wofür Mitarbeitende generative KI nutzen dürfen. "
            "Der Text der Leitlinien (PDF) steht online.",
            "Mehr dazu auf der Themenseite KI.",
        ),
        author="Anna Schmidt",
        urls=(
            "https://www.kommunal-digital.example/2025/11/jena-ki-leitlinien",
            "https://www.jena.example/ki-leitlinien.pdf",
            # "/themen/ki" in the content, resolved against the feed's address
            "https://www.kommunal-digital.example/themen/ki",
        ),
        keywords=("Künstliche Intelligenz", "Verwaltung"),
        html=(
            "<p>Der Stadtrat hat Leitlinien für den Einsatz von KI in der Verwaltung "
            "beschlossen.</p>\n<p>Die Leitlinien regeln, wofür Mitarbeitende generative KI "
            'nutzen dürfen. Der\n<a href="https://www.jena.example/ki-leitlinien.pdf" '
            'rel="noopener noreferrer nofollow">Text der Leitlinien (PDF)</a> steht online.</p>'
            '\n<p>Mehr dazu auf der <a href="https://www.kommunal-digital.example/themen/ki" '
            'rel="noopener noreferrer nofollow">Themenseite KI</a>.</p>'
        ),
        sources=(Source(URL, 1, "main"),),
    )
    # A plain-text description: its blank line separates lead and body, no HTML is kept,
    # and the author is the name in "address (Name)".
    assert (ulm.kicker, ulm.title, ulm.date, ulm.author) == (
        "Ulm",
        "Parksensoren melden freie Plätze in Echtzeit",
        date(2025, 11, 4),
        "Pressestelle Ulm",
    )
    assert ulm.lead == (
        "Die Stadt Ulm hat 400 Parksensoren installiert. "
        "Die Daten fließen in die Park-App & ins Open-Data-Portal."
    )
    assert (ulm.body, ulm.html, ulm.sources) == (
        ("Ab Dezember sollen weitere Parkhäuser folgen.",),
        None,
        (Source(URL, 2, "main"),),
    )
    # Entities and markup in a title are decoded and removed; the rubric is the kicker.
    assert (kassel.kicker, kassel.title) == (
        "Smart City & Open Data",
        "Kassel veröffentlicht Verkehrsdaten",
    )
    assert kassel.lead == "Kassel stellt Zählstellen-Daten als Open Data bereit."
    assert kassel.body == ("Ein Dashboard zeigt die Auslastung.",)
    assert kassel.html == (
        "<p>Kassel stellt Zählstellen-Daten als Open Data bereit.</p>"
        "<p>Ein Dashboard zeigt die Auslastung.</p>"
    )


def test_rss_091_entries_without_dates_are_kept_undated() -> None:
    result = parse("rss091.xml")
    assert result.title == "Landkreis Musterland – Pressemitteilungen"
    assert [(a.kicker, a.title, a.date, a.lead, a.urls) for a in result.articles] == [
        (
            "Landkreis Musterland",
            "Neues Bürgerportal geht online",
            None,
            "Ab sofort können 120 Verwaltungsleistungen online beantragt werden.",
            ("https://www.musterland.example/presse/buergerportal",),
        ),
        (
            None,
            "Kfz-Zulassung jetzt auch digital",
            None,
            "Die Zulassungsstelle bietet i-Kfz an.",
            ("https://www.musterland.example/presse/kfz",),
        ),
    ]
    assert result.articles[1].id == article_id("Kfz-Zulassung jetzt auch digital", None)
    assert messages(result) == [
        "entry 1 (https://www.musterland.example/presse/buergerportal) has no date: "
        "stored undated, it appears in no issue",
        "entry 2 (https://www.musterland.example/presse/kfz) has no date: "
        "stored undated, it appears in no issue",
    ]
    assert "set the date by hand" in result.problems[0].hint
    assert all(p.path == URL and p.line is None for p in result.problems)


def test_rss_10_rdf() -> None:
    result = parse("rss10.rdf")
    assert (result.title, result.entries, result.problems) == ("IT-Verbund Mitte", 2, ())
    centre, akte = result.articles
    assert (centre.kicker, centre.title, centre.date, centre.author, centre.keywords) == (
        "Wiesbaden",
        "Neues Rechenzentrum für 40 Kommunen",
        date(2025, 10, 30),
        "Jonas Weber",
        ("Rechenzentrum",),
    )
    assert centre.lead == "Das georedundante Rechenzentrum ging im Oktober in Betrieb."
    # A date without a time is that day in the feed's zone, not midnight UTC.
    assert (akte.title, akte.date, akte.kicker) == (
        "E-Akte in allen Ämtern eingeführt",
        date(2025, 11, 2),
        None,
    )


def test_rss_10_date_only_is_the_day_in_any_zone() -> None:
    data = (DATA / "rss10.rdf").read_bytes()
    result = parse_feed(data, URL, tz=ZoneInfo("America/New_York"), years=YEARS)
    assert result.articles[1].date == date(2025, 11, 2)


def test_atom() -> None:
    result = parse("atom.xml")
    assert (result.title, result.entries, result.problems) == (
        "Digitale Kommune Baden-Württemberg",
        2,
        (),
    )
    stuttgart, partnership = result.articles
    # published (22:30 UTC = 23:30 in Berlin, still the 5th) wins over updated (the 6th).
    assert (stuttgart.kicker, stuttgart.title, stuttgart.date) == (
        "Stuttgart",
        "Kommunaltag Digitalisierung mit 800 Gästen",
        date(2025, 11, 5),
    )
    assert (stuttgart.author, stuttgart.keywords) == ("Lena Maier", ("Veranstaltung", "OZG"))
    assert stuttgart.lead == "Rund 800 Gäste kamen zum Kommunaltag nach Stuttgart."
    # The content repeats the summary as its first paragraph: the body does not.
    assert stuttgart.body == (
        "OZG 2.0",
        "Im Mittelpunkt stand die Umsetzung des OZG 2.0, siehe OZG-Portal.",
    )
    assert stuttgart.urls == (
        "https://digitale-kommune.example/2025/stuttgart-kommunaltag",
        "https://www.ozg.example/",
    )
    assert stuttgart.html is not None and "<h2>OZG 2.0</h2>" in stuttgart.html
    # No summary: no lead; the XHTML content is the body, its list items paragraphs.
    assert (partnership.date, partnership.lead, partnership.author) == (
        date(2025, 11, 4),
        None,
        None,
    )
    assert partnership.body == (
        "Die Städte tauschen Lösungen für Online-Dienste aus.",
        "Gemeinsame Formulare",
        "Geteilte Fachverfahren",
    )
    assert partnership.html == (
        "<p>Die Städte tauschen Lösungen für Online-Dienste aus.</p>"
        "<ul><li>Gemeinsame Formulare</li><li>Geteilte Fachverfahren</li></ul>"
    )
    assert partnership.summary == "Die Städte tauschen Lösungen für Online-Dienste aus."


def test_relative_links_need_the_feed_address() -> None:
    from_file = parse("rss20.xml", shown_as="feeds/rss20.xml")
    jena = from_file.articles[0]
    assert jena.sources == (Source("feeds/rss20.xml", 1, "main"),)
    # No base to resolve "/themen/ki" against: it is no link, in the HTML or in urls.
    assert "https://www.kommunal-digital.example/themen/ki" not in jena.urls
    assert jena.html is not None and 'href="/themen/ki"' not in jena.html
    assert '<a rel="noopener noreferrer nofollow">Themenseite KI</a>' in jena.html


# ---- encodings ----------------------------------------------------------------------------

LATIN1_TITLE = ("Überlingen-Süd", "Rathaus öffnet digitales Bürgerbüro")
LATIN1_LEAD = (
    "Anträge für Führungszeugnisse und Meldebescheinigungen gehen jetzt online. "
    "Größere Änderungen folgen."
)


def test_iso_8859_1_declared_in_the_prolog() -> None:
    result = parse("latin1.xml")
    assert result.title == "Gemeinde Überlingen-Süd"
    [article] = result.articles
    assert (article.kicker, article.title, article.lead) == (*LATIN1_TITLE, LATIN1_LEAD)
    assert result.problems == ()


def test_iso_8859_1_only_in_the_content_type_header() -> None:
    headers = {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}
    result = parse("latin1_no_prolog_encoding.xml", headers=headers)
    [article] = result.articles
    assert (article.kicker, article.title, article.lead) == (*LATIN1_TITLE, LATIN1_LEAD)
    assert result.problems == ()


def test_the_header_charset_decides() -> None:
    # ISO-8859-15 has € where Latin-1 and Windows-1252 have ¤: only the header tells them apart.
    data = rss(item("Gebühr für Anwohnerparken sinkt auf 5 €"), prolog='<?xml version="1.0"?>')
    encoded = data.decode("utf-8").encode("iso-8859-15")
    with_header = parse_feed(
        encoded, URL, tz=BERLIN, years=YEARS,
        headers={"content-type": "application/rss+xml; charset=ISO-8859-15"},
    )  # fmt: skip
    without = parse_feed(encoded, URL, tz=BERLIN, years=YEARS)
    assert with_header.articles[0].title == "Gebühr für Anwohnerparken sinkt auf 5 €"
    assert without.articles[0].title == "Gebühr für Anwohnerparken sinkt auf 5 ¤"


# ---- broken entries -----------------------------------------------------------------------


def test_quirks_duplicates_missing_titles_and_dates() -> None:
    result = parse("quirks.xml", shown_as="kreis.xml")
    assert result.entries == 7
    titles = [(a.kicker, a.title, a.date, a.sources[0].line) for a in result.articles]
    assert titles == [
        ("Beispielkreis", "Glasfaser für alle Schulen", date(2025, 11, 10), 1),
        # Another guid, same title and day: the same article id, left for the pipeline.
        ("Beispielkreis", "Glasfaser für alle Schulen", date(2025, 11, 10), 3),
        (None, "Digitale Sprechstunde im Landratsamt", None, 6),
        ("Datenschutz", "Neue Hinweise für Bürger", date(2025, 11, 12), 7),
    ]
    assert result.articles[0].id == result.articles[1].id
    assert result.articles[0].lead == "Alle 42 Schulen sind angeschlossen."  # the first guid
    base = "https://www.beispielkreis.example/aktuell"
    assert messages(result) == [
        f"entry 2 ({base}/glasfaser-2) has the same id (guid) as entry 1; "
        "only the first one was kept",
        f"entry 4 ({base}/ohne-titel) has no title; skipped",
        f"entry 5 ({base}/alt): the date 11.11.1985 is outside the plausible years "
        "2000-2030; the entry was skipped",
        f"entry 6 ({base}/sprechstunde) has no date (unreadable: 'irgendwann im November'): "
        "stored undated, it appears in no issue",
        f"entry 7 ({base}/datenschutz): 3 control characters removed (U+0090, U+009D)",
    ]
    assert all(p.path == "kreis.xml" and p.hint for p in result.problems)
    datenschutz = result.articles[3]
    # An author given only as a mail address is not shown.
    assert (datenschutz.author, datenschutz.lead) == (None, "Die Hinweise wurden überarbeitet.")


def test_default_years_accept_this_century_and_refuse_the_last() -> None:
    data = rss(item("Alt", 1).replace("2025", "1985") + item("Neu", 2))
    result = parse_feed(data, URL, tz=BERLIN)
    assert [a.title for a in result.articles] == ["Neu"]
    assert "outside the plausible years 1990-" in messages(result)[0]


def test_control_characters_in_titles_are_removed_and_reported() -> None:
    # Raw C0 controls make the XML malformed: it is read leniently, and both are reported.
    data = rss(item("Jena:\x01 KI-Leit\x02linien\x0bbeschlossen", 7))
    result = parse_feed(data, "jena.xml", tz=BERLIN, years=YEARS)
    [article] = result.articles
    assert (article.kicker, article.title) == ("Jena", "KI-Leitlinien beschlossen")
    assert messages(result) == [
        "feed is malformed (not well-formed (invalid token) at line 2): read leniently, "
        "1 entry found; some may be missing or incomplete",
        "entry 1 (https://www.jena.example/n/7): 3 control characters removed "
        "(U+0001, U+0002, U+000B)",
    ]
    assert not ILLEGAL_CHARS.search(article.title + article.id)


def test_plain_text_is_not_read_as_markup() -> None:
    extra = "<description>Kosten &amp;lt;5 €, Nutzen &gt; Kosten. Tom &lt;3 Jerry</description>"
    data = rss(item("Umfrage: Bürger &lt;3 Online-Dienste", 1, extra))
    [article] = parse_feed(data, URL, tz=BERLIN, years=YEARS).articles
    assert (article.kicker, article.title) == ("Umfrage", "Bürger <3 Online-Dienste")
    assert article.lead == "Kosten <5 €, Nutzen > Kosten. Tom <3 Jerry"
    assert article.html is None


def test_urls_are_web_links_each_once_at_most_ten() -> None:
    anchors = "".join(
        f'<a href="https://www.jena.example/doc/{i % 12}">{i}</a> ' for i in range(30)
    )
    extra = f"<description><![CDATA[<p>{anchors}</p>]]></description>"
    [article] = parse_feed(rss(item("Viele Links", 3, extra)), URL, tz=BERLIN, years=YEARS).articles
    assert article.urls == (
        "https://www.jena.example/n/3",
        *(f"https://www.jena.example/doc/{i}" for i in range(9)),
    )


def test_hostile_html_is_gone_from_html_body_and_urls() -> None:
    result = parse("hostile.xml")
    [article] = result.articles
    assert (article.kicker, article.title) == ("Musterstadt", "Neues Serviceportal freigeschaltet")
    # The entry's own link is javascript: and is dropped; only the real web link remains.
    assert article.urls == ("https://portal.musterstadt.example/",)
    assert article.lead == "Das Portal bietet 80 Leistungen."
    assert article.body == ("Anträge laufen über das Serviceportal.", "Hilfe und Datenschutz.")
    assert article.html is not None
    everything = " ".join([article.html, *article.body, *article.urls, article.title]).lower()
    for gone in ("script", "alert", "javascript", "onclick", "onmouseover", "onerror",
                 "cookie", "evil", "tracker", "<img", "<style", "data:"):  # fmt: skip
        assert gone not in everything, gone
    assert '<a href="https://portal.musterstadt.example/" rel="noopener noreferrer nofollow">' in (
        article.html
    )


# ---- documents that are no (good) feed ------------------------------------------------------


def test_truncated_xml_gives_the_entries_before_the_cut() -> None:
    result = parse("truncated.xml", shown_as="erfurt.xml")
    assert (result.failed, result.entries) == (None, 3)
    assert [(a.title, a.date) for a in result.articles] == [
        ("Bürgerbüro bietet Online-Termine an", date(2025, 11, 3)),
        ("WLAN in allen Bibliotheken", date(2025, 11, 4)),
        ("Digitale Bauakte startet", date(2025, 11, 5)),
    ]
    assert messages(result) == [
        "feed is malformed (no element found at line 23): read leniently, 3 entries found; "
        "some may be missing or incomplete"
    ]


def test_a_web_page_is_not_a_feed() -> None:
    result = parse("webpage.html")
    assert result == FeedResult(
        (), (), None, 0,
        failed="is a web page (HTML), not a feed",
        hint="use the page's feed address (look for an RSS/Atom link)",
    )  # fmt: skip


def test_a_page_served_as_html_without_doctype_is_a_web_page() -> None:
    data = b"<body><p>Willkommen auf den Seiten der Stadt</p></body>"
    result = parse_feed(data, URL, tz=BERLIN, headers={"Content-Type": "text/html; charset=utf-8"})
    assert result.failed is not None and result.failed.startswith("is a web page (HTML)")


def test_a_feed_served_as_text_html_is_still_a_feed() -> None:
    headers = {"content-type": "text/html"}
    result = parse("rss20.xml", headers=headers)
    assert (result.failed, len(result.articles)) == (None, 3)


@pytest.mark.parametrize(
    ("data", "failed"),
    [
        (b"", "is empty"),
        (b" \n\t", "is empty"),
        (b"Hallo Welt, kein Feed", "is not a feed: syntax error at line 1"),
        (b"<?xml version='1.0'?>\n<rss><channel><title>x</titl", "is not a feed: "),
        (
            b"<?xml version='1.0'?><urlset><url><loc>https://x.example/</loc></url></urlset>",
            "is not a feed (neither RSS nor Atom)",
        ),
    ],
)
def test_documents_that_are_no_feed(data: bytes, failed: str) -> None:
    result = parse_feed(data, URL, tz=BERLIN)
    assert result.failed is not None and result.failed.startswith(failed)
    assert (result.articles, result.entries) == ((), 0)


def test_a_feed_without_entries_is_no_failure() -> None:
    data = rss("")
    assert parse_feed(data, URL, tz=BERLIN) == FeedResult((), (), "Stadt Jena", 0)


# ---- kicker -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kicker", "rest"),
    [
        ("Jena: Stadt startet KI-Pilotprojekt", "Jena", "Stadt startet KI-Pilotprojekt"),
        ("Dresden / Chemnitz: Gemeinsames Kompetenzzentrum", "Dresden / Chemnitz",
         "Gemeinsames Kompetenzzentrum"),
        ("Landkreis Musterland: Neues Portal", "Landkreis Musterland", "Neues Portal"),
        ("Frankfurt am Main: Neue App", "Frankfurt am Main", "Neue App"),
        ("St. Ingbert: Rathaus digital", "St. Ingbert", "Rathaus digital"),
        ("Halle (Saale): Open Data", "Halle (Saale)", "Open Data"),
        ("OZG 2.0: Was sich ändert", "OZG 2.0", "Was sich ändert"),
        ("Update: Stadt verschiebt Portalstart", "Update", "Stadt verschiebt Portalstart"),
        ("Smart City: Sensoren messen Luft", "Smart City", "Sensoren messen Luft"),
    ],
)  # fmt: skip
def test_kicker_split(title: str, kicker: str, rest: str) -> None:
    assert split_kicker(title) == (kicker, rest)


@pytest.mark.parametrize(
    "title",
    [
        "Termin 10:30: Sitzung des Digitalausschusses",
        "Ab 10.30 Uhr: Bürgersprechstunde online",
        "5G: Netzausbau in Ulm",
        "eAkte: Einführung abgeschlossen",
        "Der Rat der Stadt hat beschlossen: Alle Anträge online",
        "Was bleibt, was kommt: Bilanz des Jahres",
        "Fertig! Jetzt: das Portal",
        "Die Verwaltung sagt. Dann: mehr",
        "Ein sehr langer Ortsname der Gemeinde Nirgendwo: Text",
        "Jena:",
        "Jena: –",
        "Jena ohne Doppelpunkt",
        "Jena:Ohne Leerzeichen",
    ],
)
def test_no_kicker(title: str) -> None:
    assert split_kicker(title) == (None, title)


# ---- memory -------------------------------------------------------------------------------


def big_feed(count: int) -> bytes:
    items = "".join(
        f"<item><title>Stadt {i}: Antrag {i} jetzt online</title><guid>kd-{i}</guid>"
        "<pubDate>Mon, 03 Nov 2025 10:00:00 +0100</pubDate>"
        f"<description>Die Stadt {i} bietet den Antrag jetzt online an.</description></item>\n"
        for i in range(count)
    )
    return rss(items)


_MEMORY_PROBE = """
import resource, sys
from zoneinfo import ZoneInfo
from digest.ingest.feeds import parse_feed
from tests.test_feeds import big_feed
data = big_feed(10_000)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = parse_feed(data, "gross.xml", tz=ZoneInfo("Europe/Berlin"), years=(1990, 2100))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(data), len(result.articles), result.entries, len(result.problems),
      result.articles[-1].title, (peak - before) * 1024, sep="|")
"""


def test_ten_thousand_entries_in_bounded_memory() -> None:
    # Measured in a fresh process by its peak resident size (tracemalloc would slow the parse
    # down ninefold): the parse adds about 9 times the document's 2.1 MB, feedparser's own
    # parse tree; the articles replace entries as they are released.
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    size, articles, entries, problems, last, grown = run.stdout.strip().split("|")
    assert (articles, entries, problems) == ("10000", "10000", "0")
    assert last == "Antrag 9999 jetzt online"
    assert int(grown) < 20 * int(size), f"grew by {int(grown) / int(size):.1f} x the document"
