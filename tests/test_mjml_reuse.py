"""A kept MJML skeleton with the week's texts filled in gives, byte for byte, what compiling
the week's whole MJML gives (render/mjml.py compile_pieces), whatever the texts hold."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import mjml
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Config
from digest.l10n import L10n
from digest.models import Editorial
from digest.render import mjml as mjml_module
from digest.render.email import render_email
from digest.render.environment import attribute, make_environment
from digest.render.mjml import compile_mjml, compile_pieces, forget_skeletons, label_as_title

from .issues import TOPICS, article, make_issue, week_of_articles


@pytest.fixture(autouse=True)
def _no_kept_skeletons() -> None:
    forget_skeletons()


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every MJML text mrml is given."""
    seen: list[str] = []
    original = mjml.mjml2html

    def counted(source: str, **kw: object) -> str:
        seen.append(source)
        return original(source, **kw)  # type: ignore[no-any-return]

    monkeypatch.setattr(mjml_module.mjml, "mjml2html", counted)
    return seen


def _email(cfg: Config, articles: list, week: str = "2024-W05", editorial=None):  # type: ignore[no-untyped-def,type-arg]
    issue = make_issue(week, articles, cfg.rules)
    if editorial is not None:
        issue = replace(issue, editorial=editorial)
    return render_email(issue, cfg, make_environment(cfg.templates), L10n("de_DE"))


def _joined(pieces: tuple[bytes, ...]) -> str:
    return b"".join(pieces).decode("utf-8")


def _whole(source: str) -> str:
    return compile_mjml(source, "test")


# Text as an editor's sources may hold it once cleaned: umlauts, typographic and ASCII quotes,
# markup characters, no-break and other Unicode spaces, soft hyphens, emoji with variation
# selectors and joiners, combining accents, backslashes, line breaks and runs of spaces.
_TEXT = st.lists(
    st.sampled_from(
        [
            "Stadt",
            " ",
            "  ",
            "\n",
            "\n  ",
            "ä",
            "ß",
            "„Zitat“",
            '"',
            "'",
            "&",
            "<b>",
            ">",
            "…",
            "\u00a0",
            "\u00ad",
            "\u2009",
            "\u200b",
            "❤️",
            "👩‍💻",
            "e\u0301",
            "\\",
            "{",
            "Mjslot7Q0001Z",
        ]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    titles=st.lists(_TEXT, min_size=1, max_size=6),
    # long enough to be cut: the "…" link carries the title in its aria-label
    lead=st.one_of(_TEXT, _TEXT.map(lambda text: text + " Wort" * 80)),
    kicker=_TEXT,
)
def test_reuse_gives_what_compiling_the_whole_mjml_gives(
    repo_config: Config, titles: list[str], lead: str, kicker: str
) -> None:
    monday = date(2024, 1, 29)
    articles = [
        article(
            f"{title} {n}",
            monday + timedelta(days=n % 7),
            TOPICS[n % len(TOPICS)],
            kicker=kicker or None,
            lead=lead,
            keywords=(kicker.strip() or "Wort",),
        )
        for n, title in enumerate(titles)
    ]
    email = _email(repo_config, articles)
    assert email.html == _whole(email.mjml)
    assert b"".join(email.html_pieces) == email.html_utf8 == email.html.encode("utf-8")
    # reused, not compiled whole: the skeleton learnt from the first example held for all
    assert None not in mjml_module._SKELETONS.values()
    assert len(email.html_pieces) > 1 or "Mjslot7Q" in email.mjml


def test_a_kept_skeleton_spares_every_later_week_its_compile(
    repo_config: Config, compiles: list[str]
) -> None:
    weeks = [f"2024-W{n:02d}" for n in range(2, 8)]
    emails = [_email(repo_config, week_of_articles(w, 12, repo_config.rules), w) for w in weeks]
    # The first week: the whole MJML, then the skeleton to check against it.
    assert len(compiles) == 2
    assert "Mjslot7Q" not in compiles[0] and "Mjslot7Q" in compiles[1]
    assert all(email.html == _whole(email.mjml) for email in emails)
    compiles.clear()
    # A week with fewer sections has another skeleton: learnt once more.
    email = _email(repo_config, week_of_articles("2024-W09", 2, repo_config.rules), "2024-W09")
    assert len(compiles) == 2
    assert email.html == _whole(email.mjml)


def test_the_same_pieces_come_back_for_every_week(repo_config: Config) -> None:
    first = _email(repo_config, week_of_articles("2024-W02", 12, repo_config.rules), "2024-W02")
    second = _email(repo_config, week_of_articles("2024-W03", 12, repo_config.rules), "2024-W03")
    shared = [a for a, b in zip(first.html_pieces, second.html_pieces, strict=True) if a is b]
    # the head with its CSS and every stretch of tables between two texts
    assert len(shared) >= len(first.html_pieces) // 2
    assert sum(map(len, shared)) > 5000


def test_a_week_with_an_editorial_is_compiled_whole(
    repo_config: Config, compiles: list[str]
) -> None:
    intro = (
        "<p>Liebe Leserinnen,</p>\n<p>eine Zeile<br />\nund noch eine.</p>\n<ul>\n<li>x</li>\n</ul>"
    )
    editorial = Editorial(
        week=make_issue("2024-W05", [], repo_config.rules).week,
        path="editorial.md",
        subject=None,
        top=(),
        html=intro,
        text="Liebe Leserinnen,",
    )
    email = _email(
        repo_config, week_of_articles("2024-W05", 8, repo_config.rules), editorial=editorial
    )
    assert compiles == [email.mjml]
    assert email.html_pieces == (email.html_utf8,)
    assert "<p>Liebe Leserinnen,</p><p>eine Zeile" in email.html  # as mrml writes it


def test_a_template_whose_texts_mrml_rewrites_is_always_compiled_whole(
    repo_config: Config, tmp_path: Path, compiles: list[str]
) -> None:
    shutil.copytree(repo_config.templates, tmp_path / "templates")
    cfg = replace(repo_config, templates=tmp_path / "templates")
    path = cfg.templates / "email" / "digest.mjml.j2"
    # mrml writes <br/> as <br /> and drops the comment: filled in as they are, they would differ
    text = path.read_text("utf-8").replace(
        '<div class="item">', '<div class="item"><!-- Meldung --><br/>', 1
    )
    path.write_text(text, "utf-8")
    emails = [_email(cfg, week_of_articles(w, 12, cfg.rules), w) for w in ("2024-W02", "2024-W03")]
    assert len(compiles) == 2 + 1  # skeleton, the check that fails, then the second week whole
    for email in emails:
        assert email.html == _whole(email.mjml)
        assert "<br />" in email.html and "Meldung -->" not in email.html


def test_a_marker_in_the_source_itself_is_compiled_whole(compiles: list[str]) -> None:
    source = (
        "<mjml><mj-head><mj-title>Mjslot7Q0000Z</mj-title></mj-head><mj-body><mj-section>"
        "<mj-column><mj-text>x</mj-text></mj-column></mj-section></mj-body></mjml>"
    )
    pieces = compile_pieces(source, "test")
    assert compiles == [source]
    assert pieces == (_whole(source).encode("utf-8"),)


def test_self_closing_and_attributed_texts(compiles: list[str]) -> None:
    source = (
        "<mjml><mj-body><mj-section><mj-column>"
        '<mj-text css-class="a" padding="4px"><p>eins</p>\n  <p>zwei</p></mj-text>'
        "<mj-text /><mj-text>drei</mj-text>"
        "</mj-column></mj-section></mj-body></mjml>"
    )
    html = _joined(compile_pieces(source, "test"))
    assert html == _whole(source)
    assert "<p>eins</p><p>zwei</p>" in html


@pytest.mark.parametrize("space", [" ", "\n", "\t", "\r", "\u00a0", "\u2003", "\u3000", "\x85"])
def test_white_space_nodes_are_dropped_as_mrml_drops_them(space: str) -> None:
    for run in ("".join(p) for n in (1, 2, 3) for p in itertools.product(f"{space}\n ", repeat=n)):
        for html in (f"<b>x</b>{run}<i>y</i>", f"{run}<i>y</i>", f"<i>y</i>{run}", f"<i>{run}</i>"):
            source = (
                "<mjml><mj-body><mj-section><mj-column>"
                f"<mj-text>{html}</mj-text><mj-text>{html}!</mj-text>"
                "</mj-column></mj-section></mj-body></mjml>"
            )
            forget_skeletons()
            assert _joined(compile_pieces(source, "test")) == _whole(source), repr(html)
            assert mjml_module._SKELETONS[next(iter(mjml_module._SKELETONS))] is not None


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("Woche\u00a0KW 5", "Woche\u00a0KW 5"),
        ("Gr\u00fc\u00dfe \u2764\ufe0f", "Gr\u00fc\u00dfe \u2764\ufe0f"),
        ("a &amp; b &#34;c&#34;", "a &amp; b &#34;c&#34;"),
        ('roh "zitiert"', "roh &quot;zitiert&quot;"),
        ("a\\b", "a\\b"),
    ],
)
def test_the_article_label_reads_like_the_title(title: str, label: str) -> None:
    source = (
        f"<mjml><mj-head><mj-title>{title}</mj-title></mj-head><mj-body><mj-section>"
        "<mj-column><mj-text>x</mj-text></mj-column></mj-section></mj-body></mjml>"
    )
    for html in (compile_mjml(source, "test"), _joined(compile_pieces(source, "test"))):
        assert f'<div aria-label="{label}" aria-roledescription="email"' in html
        assert f"<title>{title}</title>" in html
    raw = mjml.mjml2html(source, fonts={}, disable_comments=True)
    assert label_as_title(label_as_title(raw)) == label_as_title(raw)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(
        # controls but tab and line feed never reach a template (normalise.py drops them)
        st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n"),
        max_size=20,
    )
)
def test_mrml_leaves_an_attribute_filtered_value_as_it_is(text: str) -> None:
    value = attribute(text)
    source = (
        "<mjml><mj-body><mj-section><mj-column>"
        f'<mj-text><a href="x" aria-label="{value}">x</a></mj-text>'
        "</mj-column></mj-section></mj-body></mjml>"
    )
    assert f'aria-label="{value}"' in _whole(source)
    assert unescape(value) == text  # what a browser or screen reader gets


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Grüße „aus“ Köln – 5²", "Grüße „aus“ Köln – 5²"),
        ("12.\u00a0Mai", "12.&#160;Mai"),
        ("Herz ❤️", "Herz ❤&#65039;"),
        ("a\\b", "a&#92;b"),
        ("e\u0301", "e&#769;"),
        ('A & "B" <C>', "A &amp; &#34;B&#34; &lt;C&gt;"),
    ],
)
def test_the_attribute_filter(text: str, written: str) -> None:
    assert attribute(text) == written


def test_a_skeleton_mrml_rejects_is_compiled_whole(compiles: list[str]) -> None:
    # "<mj-text>" inside a comment: cutting from there to the real "</mj-text>" takes the
    # comment's end along, and mrml rejects the skeleton. The template itself is valid.
    source = (
        "<mjml><mj-head><mj-title>Titel</mj-title></mj-head><mj-body><mj-section><mj-column>"
        "<mj-raw><!-- <mj-text> --></mj-raw><mj-text>eins</mj-text>"
        "</mj-column></mj-section></mj-body></mjml>"
    )
    for _ in range(2):
        assert compile_pieces(source, "test") == (_whole(source).encode("utf-8"),)
    assert list(mjml_module._SKELETONS.values()) == [None]  # learnt once: compile it whole
    assert sum("Mjslot7Q" in source for source in compiles) == 1
