"""The weekly email: content, size budget, plain text, .eml headers, escaping, errors."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from dataclasses import replace
from datetime import date, datetime
from email.utils import formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Config
from digest.delivery.message import build_message, encode_body, message_id, preview_key
from digest.errors import RenderError
from digest.l10n import L10n
from digest.render.email import (
    PLACEHOLDERS,
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    render_email,
    shorten,
)
from digest.render.environment import make_environment

from .issues import article, make_issue, week_of_articles

BERLIN = ZoneInfo("Europe/Berlin")


def _issue(cfg: Config, articles: list | None = None):  # type: ignore[no-untyped-def,type-arg]
    items = articles or [
        article(
            "Smarte Städtepartnerschaft",
            date(2019, 9, 17),
            "partnerships",
            kicker="Heidelberg / Palo Alto",
            keywords=("Politik", "Heidelberg"),
        ),
        article(
            "Smart-City-Kongress in Stuttgart",
            date(2019, 9, 18),
            "congresses",
            kicker="Kaiserslautern",
            url=None,
        ),
        article("Neue Strategie", date(2019, 9, 16), "policy", lead=None, kind="teaser"),
        article("Radarsensoren", date(2019, 9, 22), "other", kicker=None),
    ]
    return make_issue("2019-W38", items, cfg.rules)


def _render(cfg: Config, articles: list | None = None):  # type: ignore[no-untyped-def,type-arg]
    return render_email(_issue(cfg, articles), cfg, make_environment(cfg.templates), L10n("de_DE"))


def test_email_content(repo_config: Config) -> None:
    out = _render(repo_config)
    # No editorial: the subject names the lead story (see test_edition.py for the rule).
    assert out.subject == "Wochenrückblick KW 38/2019: Smarte Städtepartnerschaft"
    html = out.html
    assert html.startswith("<!doctype html>") and '<html lang="de"' in html
    for text in (
        "Wochenrückblick KW 38/2019",
        "16.–22. September 2019",
        "Dienstag, 17. September 2019",
        "Partnerschaften &amp; Kooperationen",
        "Heidelberg / Palo Alto",
        "Politik, Heidelberg",
        "Inhalt",
        "Impressum",
        "Erika Mustermann",
        "Abmelden",
        "Einstellungen",
        "Im Browser lesen",
    ):
        assert text in html, text
    order = [html.index(f'id="{t}"') for t in ("partnerships", "congresses", "policy", "other")]
    assert order == sorted(order)
    assert "(1 Meldung)" in html
    assert "https://digest.example.de/weeks/2019-W38.html" in html
    assert f"https://digest.example.de/abmelden/{UNSUBSCRIBE_PLACEHOLDER}" in html
    assert f"https://digest.example.de/einstellungen/{PREFERENCES_PLACEHOLDER}" in html
    # Every title leads to its article page, with or without URLs of its own.
    page = r'<a href="https://digest\.example\.de/articles/[0-9a-f]{16}\.html">'
    assert re.search(page + "Smarte Städtepartnerschaft</a>", html)
    assert re.search(page + "Smart-City-Kongress in Stuttgart</a>", html)
    assert "https://www.example.de/meldung" not in html
    assert '<a href="https://digest.example.de/datenschutz">Datenschutz</a>' in html
    assert "Ein Satz als Vorspann." in html


def test_email_is_private_by_default(repo_config: Config) -> None:
    html = _render(repo_config).html
    assert "fonts.googleapis" not in html and "@import" not in html
    assert not re.search(r"<img\b", html)  # no remote images, no tracking pixel
    assert '<meta name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html


def test_preheader_is_one_honest_sentence(repo_config: Config) -> None:
    out = _render(repo_config)
    match = re.search(r'<div style="display:none[^>]*>([^<]+)', out.html)
    assert match, "no preheader"
    assert match.group(1).strip().startswith("4 Meldungen aus der KW 38/2019")


def test_forty_items_fit_the_budget(repo_config: Config) -> None:
    items = week_of_articles("2019-W38", 40, repo_config.rules)
    out = _render(repo_config, items)
    assert out.budget == "full"
    assert len(out.html.encode()) <= 90_000


def test_big_week_degrades_gracefully(repo_config: Config) -> None:
    items = week_of_articles("2019-W38", 300, repo_config.rules, lead_chars=600)
    out = _render(repo_config, items)
    assert out.budget.startswith("capped")
    assert len(out.html.encode()) <= 90_000
    assert "… und " in out.html and "weitere Meldungen" in out.html
    assert "weeks/2019-W38.html#partnerships" in out.html
    # The footer survives, inside the budget.
    assert "Abmelden" in out.html and "Impressum" in out.html
    medium = week_of_articles("2019-W38", 120, repo_config.rules, lead_chars=600)
    assert _render(repo_config, medium).budget == "short"
    # The cap is the largest that fits: one more item per section would not.
    cap = int(out.budget.split()[1])
    assert cap >= 20


def test_plain_text_part(repo_config: Config) -> None:
    text = _render(repo_config).text
    assert text.startswith("Wochenrückblick KW 38/2019\n16.–22. September 2019\n")
    assert "== PARTNERSCHAFTEN & KOOPERATIONEN (1 Meldung) ==" in text
    assert "Heidelberg / Palo Alto: Smarte Städtepartnerschaft [1]" in text
    # Every item links to its article page; the article's own URLs are on that page.
    assert "[1] https://digest.example.de/articles/" in text
    assert "https://www.example.de/meldung" not in text
    assert f"Abmelden: https://digest.example.de/abmelden/{UNSUBSCRIBE_PLACEHOLDER}" in text
    assert "Impressum: Stadt Musterstadt" in text
    assert "<" not in text.replace("<KI>", "")
    assert max(len(line) for line in text.splitlines()) <= 100


def test_markup_in_article_text_is_escaped(repo_config: Config) -> None:
    evil = article(
        "<script>alert(1)</script> & „Zitat“ <KI>",
        date(2019, 9, 17),
        "policy",
        kicker='Ulm & "Neu-Ulm"',
        lead="Vorspann mit <b>fett</b> & Co.",
    )
    out = _render(repo_config, [evil])
    assert "<script>" not in out.html and "<b>fett" not in out.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; „Zitat“ &lt;KI&gt;" in out.html
    assert "&lt;b&gt;fett&lt;/b&gt; &amp; Co." in out.html
    assert "<script>alert(1)</script> & „Zitat“ <KI>" in out.text  # plain text stays literal


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("Eins zwei drei vier", 12) == "Eins zwei…"
    assert shorten("kurz", 12) == "kurz"
    assert shorten(None, 12) is None


def test_eml_headers_and_structure(repo_config: Config) -> None:
    out = _render(repo_config)
    raw = build_message(
        cfg=repo_config,
        subject=out.subject,
        body=encode_body(out.text, out.html, PLACEHOLDERS),
        to=formataddr(("Vorschau Müller", "v@example.de"), charset="utf-8"),
        message_id=message_id("2019-W38", preview_key("v@example.de"), "digest.example.de"),
        sent=datetime(2019, 9, 23, 7, 0, tzinfo=BERLIN),
        unsubscribe=UNSUBSCRIBE_PLACEHOLDER,
    )
    assert all(b < 128 for b in raw), "not 7-bit clean"
    assert b"\r\n" in raw and max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert re.search(rb"^Subject: =\?utf-8\?", raw, re.M), "subject not RFC 2047 encoded"
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "Wochenrückblick KW 38/2019: Smarte Städtepartnerschaft"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert {p["Content-Transfer-Encoding"] for p in parts} == {"quoted-printable"}
    assert parts[0].get_content().replace("\r\n", "\n") == out.text
    assert parts[1].get_content().replace("\r\n", "\n") == out.html
    assert msg["To"].addresses[0].display_name == "Vorschau Müller"
    assert msg["From"].addresses[0].addr_spec == "newsletter@digest.example.de"
    assert msg["Reply-To"] == "redaktion@digest.example.de"
    assert msg["Date"] == "Mon, 23 Sep 2019 07:00:00 +0200"
    assert re.fullmatch(r"<digest\.2019-W38\.[0-9a-f]{16}@digest\.example\.de>", msg["Message-ID"])
    assert msg["List-Id"].endswith("<wochenrueckblick.digest.example.de>")
    assert msg["List-Unsubscribe"] == (
        f"<https://digest.example.de/abmelden/{UNSUBSCRIBE_PLACEHOLDER}>, "
        f"<mailto:abmelden@digest.example.de?subject=abmelden%20{UNSUBSCRIBE_PLACEHOLDER}>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_template_syntax_error_names_file_and_line(repo_config: Config, tmp_path: Path) -> None:
    cfg = _copy_templates(repo_config, tmp_path)
    path = cfg.templates / "email" / "digest.txt.j2"
    lines = path.read_text("utf-8").splitlines()
    lines[4] = "{% for x in %}"
    path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(RenderError, match=r"digest\.txt\.j2:5: syntax error"):
        _render(cfg)


def test_undefined_variable_names_file_and_line(repo_config: Config, tmp_path: Path) -> None:
    cfg = _copy_templates(repo_config, tmp_path)
    path = cfg.templates / "email" / "digest.txt.j2"
    text = path.read_text("utf-8").replace("{{ view.web_url }}", "{{ view.web_adresse }}", 1)
    path.write_text(text, "utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "view.web_adresse" in t)
    with pytest.raises(RenderError, match=rf"digest\.txt\.j2:{line}: .*web_adresse"):
        _render(cfg)


def test_mjml_rejected_markup_is_a_clear_error(repo_config: Config, tmp_path: Path) -> None:
    cfg = _copy_templates(repo_config, tmp_path)
    path = cfg.templates / "email" / "digest.mjml.j2"
    path.write_text(path.read_text("utf-8").replace("</mj-body>", "", 1), "utf-8")
    with pytest.raises(RenderError, match="MJML rejected"):
        _render(cfg)


def _copy_templates(cfg: Config, tmp_path: Path) -> Config:
    shutil.copytree(cfg.templates, tmp_path / "templates")
    return replace(cfg, templates=tmp_path / "templates")


def test_wrap_filter() -> None:
    from digest.render.environment import wrap

    text = "Ein langer Satz " * 10
    lines = wrap(text.strip(), 30).splitlines()
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines) == text.strip()
    assert wrap("x" * 50, 10) == "x" * 50  # long words are not broken (URLs stay whole)


def _wrapped_by_substitution(text: str, width: int) -> str:
    """The wrap rule written the plain way: every (line, spaces) match becomes line + break."""
    pattern = re.compile(rf"(.{{1,{width}}}|\S+)(?:[ \t]+|$)")
    return "\n".join(pattern.sub("\\1\n", p).rstrip("\n") for p in text.split("\n"))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    text=st.lists(
        st.sampled_from(["Wort", "ü", " ", "  ", "\t", "\n", "\xa0", "x" * 40, "-", "\u2009"]),
        max_size=40,
    ).map("".join),
    width=st.sampled_from([8, 20, 72]),
)
def test_wrap_breaks_like_the_substitution_rule(text: str, width: int) -> None:
    from digest.render.environment import wrap

    assert wrap(text, width) == _wrapped_by_substitution(text, width)
    for line in wrap(text, width).split("\n"):
        assert len(line) <= width or not re.search(r"\S[ \t]+\S", line)


# The preview div as mrml writes it, and how restyle_preview must treat it: the regex states
# the rule (the first div after <body>, only whitespace between, its one attribute a style
# starting "display:none;").
_PREVIEW_RULE = re.compile(r'(<body\b[^>]*>\s*)<div style="display:none;[^"]*">')


@pytest.mark.parametrize(
    "html",
    [
        '<html><body style="x">\n  <div style="display:none;color:#fff">Vorschau</div></body>',
        '<html><body><div style="display:none;font-size:1px">V</div><div style="display:none;">',
        '<html><body><div style="display:none;x" class="y">V</div></body>',  # not mrml's div
        '<html><body><p>x</p><div style="display:none;">V</div></body>',  # not the first
        '<html><body style="a"><div style="display:block;">V</div></body>',
        '<html><bod><div style="display:none;">V</div>',
        '<html><body><div style="display:none;',  # cut off
        "",
    ],
)
def test_the_preview_div_loses_its_colour_and_nothing_else(html: str) -> None:
    from digest.render.mjml import PREVIEW_STYLE, restyle_preview

    want = _PREVIEW_RULE.sub(lambda m: f'{m.group(1)}<div style="{PREVIEW_STYLE}">', html, 1)
    assert restyle_preview(html) == want


def test_the_rendered_preview_div_is_restyled(repo_config: Config) -> None:
    from digest.render.mjml import PREVIEW_STYLE

    out = _render(repo_config)
    assert (
        f'<body style="word-spacing:normal;background-color:#f3f4f6;"><div style="{PREVIEW_STYLE}">'
        in out.html
    )
    assert out.html.count('<div style="display:none;') == 1
    assert out.html_utf8 == out.html.encode("utf-8") and out.text_utf8 == out.text.encode()


def test_items_read_the_same_by_name_as_unpacked(repo_config: Config, tmp_path: Path) -> None:
    """The shipped templates unpack each item in their loops (cheaper than a lookup per
    field); a template that names the fields (`item.title`) must show the same, so the
    unpacking order is checked against the field names here."""
    cfg = _copy_templates(repo_config, tmp_path)
    header = re.compile(r"{% for ([a-z, ]+) in block\.items %}")
    for name in ("digest.mjml.j2", "digest.txt.j2"):
        path = cfg.templates / "email" / name
        source = path.read_text("utf-8")
        found = header.search(source)
        assert found is not None, f"{name} no longer unpacks its items"
        fields = found[1].split(", ")
        by_name = (
            "{% for item in block.items %}{% set "
            + ", ".join(fields)
            + " = "
            + ", ".join(f"item.{field}" for field in fields)
            + " %}"
        )
        path.write_text(source.replace(found[0], by_name), "utf-8")
    unpacked, named = _render(repo_config), _render(cfg)
    assert named.mjml == unpacked.mjml
    assert named.text == unpacked.text
    assert "Smarte Städtepartnerschaft" in named.text
