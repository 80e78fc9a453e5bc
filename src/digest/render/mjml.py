"""The only module that imports mjml: compile MJML markup to email HTML.

A weekly email's MJML differs from week to week only in its texts: the subject in
<mj-title>, the preheader in <mj-preview>, the HTML inside each <mj-text>. Everything
MJML computes (tables, Outlook conditionals, column widths, inlined attributes, the head's
CSS) depends on the markup around them. So with reuse=True the texts are cut out and
replaced by numbered markers, the remaining skeleton is compiled once and kept, and each
week's HTML is the kept skeleton with the week's texts put back where the markers came out.
Compiling a 40-item week took about as long as everything else in its render together;
after the first week with a given number of sections, reuse skips it.

A text goes back as mrml would have written it (see _as_mrml_writes), and the first week
of every skeleton is also compiled whole and compared byte for byte: a template whose
texts mrml would change in some other way (comments, single-quoted attributes, <br/>) is
found there, and its skeleton is then always compiled whole. The caller keeps reuse off for
texts it did not escape itself (an editorial's HTML): only escaped text and the template's
own markup are known to come out of mrml unchanged. (So mrml checks a template's markup
inside the texts in the first week of each skeleton, not in every week.)
"""

from __future__ import annotations

import re
from collections import OrderedDict

import mjml

from ..errors import RenderError

# mjml-python (mrml) renders <mj-preview> as the first element of <body>: a hidden div styled
# "display:none;font-size:1px;color:#ffffff;…". The colour is white text meant to vanish on a
# white page, and white-on-white is exactly what SpamAssassin's HTML_FONT_LOW_CONTRAST ("HTML
# font color similar or identical to background", 0.7 points) looks for: its HTML parser ignores
# display:none when it compares colours, and our body is #f3f4f6, a hair from white. The colour
# is also the only part of the trick the div does not need, so it is dropped; the rest keeps
# the preview line (what clients show after the subject) out of every rendering: display:none
# for most clients, max-height/max-width 0 with overflow:hidden and opacity 0 for those that
# ignore display:none on a div, mso-hide:all for Outlook's Word engine.
PREVIEW_STYLE = (
    "display:none;font-size:1px;line-height:1px;max-height:0px;max-width:0px;"
    "opacity:0;overflow:hidden;mso-hide:all;"
)
_PREVIEW_DIV = '<div style="display:none;'


def compile_mjml(source: str, name: str) -> str:
    """Compile MJML to HTML without remote fonts; raise RenderError on malformed markup."""
    return _finish(_compile(source, name))


def compile_pieces(source: str, name: str, *, reuse: bool = True) -> tuple[bytes, ...]:
    """Compile MJML like compile_mjml, but return the HTML in UTF-8, in pieces that join to it.

    With reuse, the skeleton of `source` is compiled once and its texts filled in (see
    above); the pieces are then the skeleton's (the same bytes objects every time) and the
    texts', so whoever encodes the HTML further can keep what it made of the skeleton's.
    """
    if reuse:
        texts: list[str] = []
        skeleton = _skeleton(source, texts)
        if skeleton is not None:
            pieces = _SKELETONS.get(skeleton, _UNKNOWN)
            if pieces is _UNKNOWN:
                return _learn(skeleton, source, texts, name)
            _SKELETONS.move_to_end(skeleton)
            if pieces is not None:
                return _fill(pieces, texts)
    return _whole(compile_mjml(source, name))


def _whole(html: str) -> tuple[bytes, ...]:
    """HTML compiled whole, as compile_pieces returns it: one piece."""
    return (html.encode("utf-8"),)


def _compile(source: str, name: str) -> str:
    try:
        # fonts={}: no Google Fonts <link>, which would leak every reader's IP address.
        html: str = mjml.mjml2html(source, fonts={}, disable_comments=True)
    except ValueError as exc:
        raise RenderError(
            f"{name}: MJML rejected the rendered template: {exc}",
            "check the .mjml.j2 template for unbalanced or misspelt tags; nothing was written",
        ) from None
    return html


def _finish(html: str) -> str:
    return label_as_title(restyle_preview(html))


def restyle_preview(html: str) -> str:
    """Give the <mj-preview> div PREVIEW_STYLE: hidden everywhere, but no text colour.

    The div is the one mrml writes first in <body>, only whitespace before it. A template
    without <mj-preview> has no such div, and the HTML is returned unchanged. (Found with
    str.find: a regex over the 40 KB page cost three times as much.)
    """
    body = html.find("<body")
    opened = html.find(">", body) + 1 if body != -1 else 0
    div = html.find("<div", opened) if opened else -1
    if div == -1 or html[opened:div].strip() or not html.startswith(_PREVIEW_DIV, div):
        return html
    end = html.find('"', div + len(_PREVIEW_DIV))  # the end of the style, the div's only attribute
    if not html.startswith('">', end):
        return html
    return f'{html[:div]}<div style="{PREVIEW_STYLE}">{html[end + 2 :]}'


def label_as_title(html: str) -> str:
    """Make the aria-label of mrml's outer <div role="article"> the <title>'s text.

    mrml writes the title into that attribute with Rust's debug escaping, so a no-break space
    becomes the six characters \\u{a0}, a soft hyphen \\u{ad}, an emoji's variation
    selector \\u{fe0f}: a screen reader reads them out. The title is already HTML (escaped
    by Jinja2), so the attribute gets it as it is, only a double quote escaped.
    """
    opened = html.find("<title>")
    closed = html.find("</title>", opened)
    label = html.find(_LABEL)
    if opened == -1 or closed == -1 or label == -1:
        return html
    end = html.find('" aria-roledescription="email"', label)
    if end == -1:
        return html
    title = html[opened + len("<title>") : closed].replace('"', "&quot;")
    start = label + len(_LABEL)
    if html[start:end] == title:
        return html
    return f"{html[:start]}{title}{html[end:]}"


_LABEL = '<div aria-label="'

# The markers that stand for the texts in a skeleton: ASCII letters and digits, which mrml
# copies unchanged into every place a text goes (the title also into an attribute).
_MARK = "Mjslot7Q"
_MARKS = re.compile(_MARK + r"(\d{4})Z")
# The elements whose content is a text. <mj-text> may carry attributes; a self-closing one
# has no content and stays in the skeleton as it is.
_TEXTS = (("<mj-title>", "</mj-title>"), ("<mj-preview>", "</mj-preview>"))
_TEXT_OPEN = "<mj-text"
_TEXT_CLOSE = "</mj-text>"
# mrml drops a text node that is only white space and begins with a line break (the
# indentation between two tags of a template). White space as Rust's char::is_whitespace
# has it, the Unicode White_Space property (Python's str.isspace also counts \x1c-\x1f).
_WHITE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_DROPPED = re.compile(f">\n[{_WHITE}]*<")
_KEPT = 64  # skeletons kept: one per number of sections in practice, a handful per build
# A compiled skeleton: the HTML between the markers in UTF-8; which text goes into each gap;
# whether that gap lies inside a double-quoted attribute.
_Pieces = tuple[tuple[bytes, ...], tuple[int, ...], tuple[bool, ...]]
_SKELETONS: OrderedDict[str, _Pieces | None] = OrderedDict()
_UNKNOWN: _Pieces = ((), (), ())


def forget_skeletons() -> None:
    """Drop every kept skeleton (for tests and benchmarks that time or count compiles)."""
    _SKELETONS.clear()


def _skeleton(source: str, texts: list[str]) -> str | None:
    """`source` with each text replaced by a marker, the texts appended to `texts` in order
    (as mrml would write them); None where a marker could be confused with the source."""
    if _MARK in source:
        return None
    out: list[str] = []
    done = 0
    for start, end, html in _spans(source):
        if start < done:  # one inside another: "<mj-title>" in a comment, say
            return None
        out.append(source[done:start])
        out.append(f"{_MARK}{len(texts):04d}Z")
        texts.append(_as_mrml_writes(source[start:end]) if html else source[start:end])
        done = end
    out.append(source[done:])
    return "".join(out)


def _spans(source: str) -> list[tuple[int, int, bool]]:
    """Where the texts of `source` lie, in order, and whether each is an <mj-text>'s HTML."""
    spans = []
    for opening, closing in _TEXTS:
        start = source.find(opening)
        if start != -1:
            end = source.find(closing, start)
            if end != -1:
                spans.append((start + len(opening), end, False))
    at = source.find(_TEXT_OPEN)
    while at != -1:
        tag_end = source.find(">", at)
        if tag_end == -1:
            break
        at = tag_end + 1
        if source[tag_end - 1] != "/":  # not <mj-text/>
            end = source.find(_TEXT_CLOSE, at)
            if end == -1:
                break
            spans.append((at, end, True))
            at = end + len(_TEXT_CLOSE)
        at = source.find(_TEXT_OPEN, at)
    spans.sort()
    return spans


def _learn(skeleton: str, source: str, texts: list[str], name: str) -> tuple[bytes, ...]:
    """Compile a new skeleton and `source` whole; keep the skeleton's pieces if, filled with
    `texts`, they give what the whole compile gave (else remember that they do not)."""
    whole = compile_mjml(source, name)  # a template mrml rejects fails here, as without reuse
    try:
        compiled = compile_mjml(skeleton, name)
    except RenderError:  # markers where mrml takes no text: such a template is compiled whole
        _keep(skeleton, None)
        return _whole(whole)
    parts = _MARKS.split(compiled)
    static = tuple(parts[0::2])
    slots = tuple(int(index) for index in parts[1::2])
    # A marker inside an attribute (the title in the aria-label) gets its quotes escaped.
    quoted = tuple(piece.endswith('="') for piece in static[:-1])
    encoded = tuple(piece.encode("utf-8") for piece in static)
    pieces = (encoded, slots, quoted)
    filled = _fill(pieces, texts)
    if b"".join(filled) != whole.encode("utf-8"):  # texts that mrml does not write as given
        _keep(skeleton, None)
        return _whole(whole)
    _keep(skeleton, pieces)
    return filled


def _keep(skeleton: str, pieces: _Pieces | None) -> None:
    _SKELETONS[skeleton] = pieces
    if len(_SKELETONS) > _KEPT:
        _SKELETONS.popitem(last=False)


def _fill(pieces: _Pieces, texts: list[str]) -> tuple[bytes, ...]:
    encoded, slots, quoted = pieces
    data = [encoded[0]]
    for index, slot in enumerate(slots):
        text = texts[slot]
        if quoted[index]:
            text = text.replace('"', "&quot;")
        data += (text.encode("utf-8"), encoded[index + 1])
    return tuple(data)


def _as_mrml_writes(text: str) -> str:
    """A text as mrml writes it back: without the white-space nodes it drops."""
    if "\n" not in text:
        return text
    return _DROPPED.sub("><", f">{text}<")[1:-1]
