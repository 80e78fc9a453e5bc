"""Spam filters: the weekly email must not look like it hides text.

SpamAssassin's HTML_FONT_LOW_CONTRAST ("HTML font color similar or identical to background")
scored 0.7 on every issue, because mjml-python styled the hidden preview line white. The
SpamAssassin test runs the real filter on the sample week's .eml; it needs Debian's
`spamassassin` (scripts/ensure-spamassassin installs it) and is skipped without it unless
DIGEST_REQUIRE_SPAMASSASSIN=1. The other tests check the same thing in Python, always.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.cli import main
from digest.config import Config
from digest.l10n import L10n
from digest.render.environment import make_environment
from digest.render.optin import render_optin

from .conftest import CORPUS

WEEK = "2026-W01"
PREHEADER_START = "5 Meldungen aus der KW 1/2026: "

# ---- the helper: text styled in (nearly) its background's colour ---------------------------

CANVAS = "#ffffff"  # what a client shows when it drops <body> styles (Gmail), and what
# SpamAssassin assumes: its HTML parser ignores the style of <body>.
NAMED = {
    "white": "#ffffff",
    "black": "#000000",
    "silver": "#c0c0c0",
    "gray": "#808080",
    "grey": "#808080",
    "red": "#ff0000",
    "green": "#008000",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "navy": "#000080",
    "whitesmoke": "#f5f5f5",
    "snow": "#fffafa",
    "ivory": "#fffff0",
    "ghostwhite": "#f8f8ff",
    "transparent": "transparent",
}
_COLOUR = re.compile(r"rgba?\([^)]*\)|#[0-9a-f]{3,8}\b|[a-z]+")


def normalise_colour(value: str) -> str | None:
    """'#FFF', '#ffffff', 'white', 'rgb(255,255,255)' -> '#ffffff'; None if not a colour."""
    value = value.strip().lower().removesuffix("!important").strip()
    if value in NAMED:
        return NAMED[value]
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    rgb = re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,[^)]*)?\)", value)
    if rgb:
        return "#" + "".join(f"{min(int(n), 255):02x}" for n in rgb.groups())
    return None


def indistinguishable(fg: str, bg: str) -> bool:
    """Equal colours, or closer than SpamAssassin's near-invisibility limit (HTML.pm: a
    brightness-weighted distance under 12 also fires HTML_FONT_LOW_CONTRAST)."""
    if fg == "transparent" or fg == bg:
        return True
    if bg == "transparent":
        return False
    a, b = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (fg, bg))
    weights = (0.2126, 0.7152, 0.0722)
    return sum((w * (x - y)) ** 2 for w, x, y in zip(weights, a, b, strict=True)) ** 0.5 < 12


def _declarations(element: lxml_html.HtmlElement) -> dict[str, str]:
    style = element.get("style") or ""
    pairs = (part.split(":", 1) for part in style.split(";") if ":" in part)
    return {name.strip().lower(): value.strip() for name, value in pairs}


def _background(element: lxml_html.HtmlElement) -> str | None:
    """The background colour the element itself declares (style or bgcolor), if any."""
    style = _declarations(element)
    candidates = [style.get("background-color", ""), element.get("bgcolor") or ""]
    candidates += _COLOUR.findall(style.get("background", "").lower())
    for value in candidates:
        colour = normalise_colour(value)
        if colour and colour != "transparent":  # transparent shows the parent's background
            return colour
    return None


def _foreground(element: lxml_html.HtmlElement) -> str | None:
    """The text colour the element itself sets inline (style, or <font color>), if any."""
    value = _declarations(element).get("color") or element.get("color")
    return normalise_colour(value) if value else None


def _has_text(element: lxml_html.HtmlElement) -> bool:
    own = [element.text or ""] + [child.tail or "" for child in element]
    return any(text.strip() for text in own)


def low_contrast_text(document: str) -> list[str]:
    """Every element with text whose inline colour (its own or inherited) equals, or nearly
    equals, its effective background: its own or its nearest ancestor's background, else
    the body's, which is also checked against the white canvas of clients that drop it."""
    root = lxml_html.document_fromstring(document)
    body = root.find("body")
    assert body is not None, "no <body>"
    found = []
    for element in body.iter():
        if not isinstance(element.tag, str) or not _has_text(element):
            continue  # comments (MSO conditionals) and elements without text of their own
        chain = [element, *element.iterancestors()]
        fg = next((c for c in map(_foreground, chain) if c), None)
        if fg is None:
            continue  # the client's default text colour: nothing chosen, nothing hidden
        bg = next((b for e in chain if e is not body and (b := _background(e))), None)
        backgrounds = [bg] if bg else [b for b in (_background(body), CANVAS) if b]
        hidden_on = next((b for b in backgrounds if indistinguishable(fg, b)), None)
        if hidden_on:
            text = " ".join(element.text_content().split())[:60]
            found.append(f"<{element.tag}> color {fg} on {hidden_on}: {text!r}")
    return found


def test_low_contrast_helper() -> None:
    page = '<html><body style="background-color:#F3F4F6">{}</body></html>'.format
    assert normalise_colour("#FFF") == normalise_colour("white") == "#ffffff"
    assert normalise_colour("rgb(255, 255, 255)") == "#ffffff"
    assert low_contrast_text(page('<div style="color:#fff">x</div>'))  # white canvas
    assert low_contrast_text(page('<p style="color:#F3F4F6 !important">x</p>'))
    assert low_contrast_text(page('<div style="color:#f4f4f6">x</div>'))  # nearly
    assert low_contrast_text(
        page('<table><tr><td bgcolor="BLACK"><span style="color:#000">x</span></td></tr></table>')
    )
    assert low_contrast_text(page('<div style="color:white"><b>x</b></div>'))  # inherited
    assert low_contrast_text(page('<div style="color:transparent">x</div>'))
    on_dark = '<table style="background:#111827 url(x.png)"><tr><td style="color:#fff">x</td>'
    assert not low_contrast_text(page(on_dark + "</tr></table>"))
    assert not low_contrast_text(page('<div style="color:#1f2933">x</div>'))
    assert not low_contrast_text(page('<div style="color:#fff"><p></p></div>'))  # no text
    assert not low_contrast_text(page("<div>x</div>"))  # default colour


# ---- the sample week's email, as `digest build` writes it ----------------------------------


@pytest.fixture
def built(config_file: Path) -> Path:
    """Build the sample corpus's week 2026-W01; return the folder holding its email/*.eml."""
    text = config_file.read_text("utf-8").replace('path = "in"', f'path = "{CORPUS}"')
    config_file.write_text(text, "utf-8")
    root = config_file.parent
    args = ["--config", str(config_file), "build", "--out", str(root / "public"), "--week", WEEK]
    assert main(args) == 0
    # The previews live in public/email/ or, with [render] preview, in their own folder.
    return next(root.rglob(f"email/{WEEK}.eml")).parent


def _html_part(eml: Path) -> str:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    part = message.get_body(("html",))
    assert part is not None, "no text/html part"
    content: str = part.get_content()
    return content


def test_no_text_in_its_background_colour(built: Path) -> None:
    html = _html_part(built / f"{WEEK}.eml")
    assert low_contrast_text(html) == []


def test_optin_has_no_text_in_its_background_colour(repo_config: Config) -> None:
    optin = render_optin(
        repo_config,
        make_environment(repo_config.templates),
        L10n("de_DE"),
        topics=(),
        requested=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
    )
    assert "display:none" in optin.html  # it has a preview line too
    assert low_contrast_text(optin.html) == []


def test_preview_line_is_kept_and_hidden(built: Path) -> None:
    html = _html_part(built / f"{WEEK}.eml")
    mjml = (built / f"{WEEK}.mjml").read_text("utf-8")
    source = re.search(r"<mj-preview>(.*?)</mj-preview>", mjml, re.S)
    assert source, "the template no longer passes a preview line"
    preheader = lxml_html.fragment_fromstring(f"<p>{source.group(1)}</p>").text_content()
    assert preheader.startswith(PREHEADER_START)
    body = lxml_html.document_fromstring(html).find("body")
    assert body is not None
    first = body[0]  # clients take the preview from the first text in the body
    assert first.tag == "div" and first.text_content().strip() == preheader.strip()
    style = first.get("style", "").replace(" ", "").lower()
    for rule in ("display:none", "max-height:0", "opacity:0", "overflow:hidden", "mso-hide:all"):
        assert rule in style, f"preview line not hidden in every client: {rule} missing"
    assert not re.search(r"(^|;)color:", style), "the preview line needs no text colour"


# ---- the real filter ------------------------------------------------------------------------


@pytest.fixture
def spamassassin() -> str:
    """The spamassassin command; skip (or, with DIGEST_REQUIRE_SPAMASSASSIN=1, fail) without."""
    path = shutil.which("spamassassin")
    if path:
        return path
    why = "spamassassin is not installed (run scripts/ensure-spamassassin as root)"
    if os.environ.get("DIGEST_REQUIRE_SPAMASSASSIN") == "1":
        pytest.fail(f"DIGEST_REQUIRE_SPAMASSASSIN=1 but {why}")
    pytest.skip(why)


def spamassassin_rules(spamassassin: str, raw: bytes, home: Path) -> tuple[float, set[str]]:
    """Score and names of the rules SpamAssassin hits on `raw`, offline and reproducibly:
    -L runs local tests only (no DNS, no URIBL), a fresh HOME holds the user preferences, and
    Bayes and auto-learning are off, so an earlier run cannot change the next one."""
    home.mkdir(parents=True, exist_ok=True)
    prefs = home / "user_prefs"
    prefs.touch()
    command = [
        spamassassin,
        "--test-mode",
        "-L",
        "-p",
        str(prefs),
        "--cf=use_bayes 0",
        "--cf=bayes_auto_learn 0",
    ]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C"}
    done = subprocess.run(command, input=raw, capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    headers = email.message_from_bytes(done.stdout, policy=email.policy.compat32)
    # The header is folded after commas: "tests=A,B,\n\tC autolearn=no ...".
    status = re.sub(r",\s+", ",", " ".join(str(headers.get("X-Spam-Status", "")).split()))
    match = re.search(r"score=(-?[\d.]+) .*?tests=(\S*)", status)
    assert match, f"no X-Spam-Status in spamassassin's output: {status!r}"
    return float(match.group(1)), {t for t in match.group(2).split(",") if t and t != "none"}


def test_spamassassin_sees_no_low_contrast_text(
    spamassassin: str, built: Path, tmp_path: Path
) -> None:
    eml = (built / f"{WEEK}.eml").read_bytes()
    score, rules = spamassassin_rules(spamassassin, eml, tmp_path / "sa")
    assert "HTML_MESSAGE" in rules  # the filter did read the HTML part
    assert "HTML_FONT_LOW_CONTRAST" not in rules, (score, sorted(rules))
