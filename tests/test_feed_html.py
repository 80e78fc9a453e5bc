"""Feed HTML: what the sanitiser keeps and drops, and how HTML and plain text become paragraphs."""

from __future__ import annotations

import pytest

from digest.ingest.html import has_markup, links, sanitise, to_paragraphs

HOSTILE = (
    '<p onclick="steal()">Die Stadt <b>Jena</b> informiert.<script>alert("x")</script></p>'
    "<style>p { display: none }</style>"
    '<img src="https://tracker.example/p.gif" onerror="alert(1)">'
    '<a href="javascript:alert(1)">Klick</a> '
    '<a href="JaVaScRiPt:alert(2)">Klick 2</a> '
    '<a href="data:text/html;base64,PHNjcmlwdD4=">Daten</a> '
    '<a href="vbscript:msgbox(1)">VB</a> '
    '<iframe src="https://evil.example/"></iframe>'
    '<a href="https://www.jena.example/ki" onmouseover="x()" target="_blank" rel="opener">KI</a>'
)


def test_sanitise_removes_scripts_handlers_and_dangerous_links() -> None:
    safe = sanitise(HOSTILE)
    assert safe == (
        "<p>Die Stadt <b>Jena</b> informiert.</p>"
        '<a rel="noopener noreferrer nofollow">Klick</a> '
        '<a rel="noopener noreferrer nofollow">Klick 2</a> '
        '<a rel="noopener noreferrer nofollow">Daten</a> '
        '<a rel="noopener noreferrer nofollow">VB</a> '
        '<a href="https://www.jena.example/ki" rel="noopener noreferrer nofollow">KI</a>'
    )
    for gone in ("script", "alert", "onclick", "onerror", "onmouseover", "javascript", "style",
                 "img", "iframe", "tracker", "data:", "target", "opener\""):  # fmt: skip
        assert gone not in safe.lower()


def test_sanitise_keeps_the_allowed_structure() -> None:
    source = (
        '<h1>Titel</h1><h2 class="x" id="y">Zwischentitel</h2>'
        '<div><p style="color:red">Absatz mit <em>Betonung</em> und <code>code</code>.</p></div>'
        "<ul><li>eins</li><li>zwei</li></ul><blockquote>Zitat</blockquote>"
        '<table><tr><th colspan="2">Termin</th></tr><tr><td>Mo</td><td>Rat</td></tr></table>'
        '<a href="mailto:presse@jena.example">Mail</a><a href="/relativ">relativ</a>'
        "<!-- intern -->"
    )
    assert sanitise(source) == (
        "Titel<h2>Zwischentitel</h2>"
        "<div><p>Absatz mit <em>Betonung</em> und <code>code</code>.</p></div>"
        "<ul><li>eins</li><li>zwei</li></ul><blockquote>Zitat</blockquote>"
        '<table><tbody><tr><th colspan="2">Termin</th></tr><tr><td>Mo</td><td>Rat</td></tr>'
        "</tbody></table>"
        '<a href="mailto:presse@jena.example" rel="noopener noreferrer nofollow">Mail</a>'
        '<a rel="noopener noreferrer nofollow">relativ</a>'
    )


def test_sanitise_removes_control_characters_and_escapes_text() -> None:
    assert sanitise("Ab\x01c & d < e\x9b") == "Abc &amp; d &lt; e"


def test_paragraphs_of_block_elements() -> None:
    source = (
        "<h2>Überschrift</h2><p>Die Stadt <b>Jena</b> hat&nbsp;beschlossen:\n  "
        "KI&amp;Verwaltung.</p><p>Zeile 1<br>Zeile 2<br/><br/></p>"
        "<ul><li>eins</li><li>zwei <a href='https://a.example'>Link</a></li></ul>"
        "<blockquote>Ein Zitat</blockquote>"
        "<table><tr><th>Tag</th><th>Thema</th></tr><tr><td>Mo</td><td>Rat</td></tr></table>"
        "<div>außen<div>innen</div>danach</div><p>   </p>"
    )
    assert to_paragraphs(source) == [
        "Überschrift",
        "Die Stadt Jena hat beschlossen: KI&Verwaltung.",
        "Zeile 1",
        "Zeile 2",
        "eins",
        "zwei Link",
        "Ein Zitat",
        "Tag | Thema",
        "Mo | Rat",
        "außen",
        "innen",
        "danach",
    ]


def test_paragraphs_of_plain_text_split_on_blank_lines() -> None:
    text = "Die Stadt Ulm hat 400 Sensoren\ninstalliert.\n\n\n  Ab Dezember & mehr.  \n"
    assert to_paragraphs(text) == [
        "Die Stadt Ulm hat 400 Sensoren installiert.",
        "Ab Dezember & mehr.",
    ]


def test_inline_markup_without_blocks_is_read_as_text() -> None:
    text = "Die Stadt <b>Kassel</b> &amp; ihr Landkreis.\n\nZweiter <i>Absatz</i>."
    assert to_paragraphs(text) == ["Die Stadt Kassel & ihr Landkreis.", "Zweiter Absatz."]


def test_paragraphs_leave_out_scripts_styles_and_comments() -> None:
    source = "<p>Vorher</p><script>var x = 1;</script><style>p{}</style><!-- c --><p>Nachher</p>"
    assert to_paragraphs(source) == ["Vorher", "Nachher"]
    assert to_paragraphs(HOSTILE) == ["Die Stadt Jena informiert.", "Klick Klick 2 Daten VB KI"]


@pytest.mark.parametrize("empty", ["", "   ", "<p> </p><div>\n</div>", "\x01\x02", "<!-- -->"])
def test_nothing_to_read(empty: str) -> None:
    assert to_paragraphs(empty) == []


def test_paragraphs_have_no_control_or_invisible_characters() -> None:
    assert to_paragraphs("<p>Da\x00ten\u00adschutz\x85heute</p>") == ["Datenschutz heute"]


def test_links_in_order_each_once_web_only() -> None:
    source = (
        '<a href="https://www.jena.example/a?x=1&amp;y=2">eins</a>'
        '<a href="javascript:alert(1)">böse</a>'
        '<a href=" https://www.jena.example/a?x=1&y=2 ">wieder eins</a>'
        '<a href="mailto:presse@jena.example">Mail</a>'
        '<a href="/relativ">relativ</a>'
        '<a href="http://ulm.example/">zwei</a>'
        "<a>kein Ziel</a>"
    )
    assert links(source) == ["https://www.jena.example/a?x=1&y=2", "http://ulm.example/"]
    assert links("") == []
    assert links("Text ohne Links, aber mit https://nicht-verlinkt.example") == []


def test_has_markup() -> None:
    assert has_markup("<p>Absatz</p>")
    assert has_markup("Die Stadt <b>Jena</b>")
    assert not has_markup("Die Stadt Jena &amp; Weimar")
    assert not has_markup("a < b")
    assert not has_markup("<span>nur erlaubte Tags zählen</span>")
    assert not has_markup("")


def test_deep_nesting_is_no_exception() -> None:
    assert to_paragraphs("<div>" * 200 + "tief" + "</div>" * 200) == ["tief"]
    # Deeper than libxml2's limit (256) the parser leaves the text out, rather than risking
    # its stack on a feed's whim; what matters here is that nothing raises.
    assert to_paragraphs("<div>" * 5000 + "tief" + "</div>" * 5000) == []
    assert sanitise("<div>" * 5000 + "tief" + "</div>" * 5000).count("<div>") == 5000
