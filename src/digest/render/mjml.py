"""The only module that imports mjml: compile MJML markup to email HTML."""

from __future__ import annotations

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
    try:
        # fonts={}: no Google Fonts <link>, which would leak every reader's IP address.
        html: str = mjml.mjml2html(source, fonts={}, disable_comments=True)
    except ValueError as exc:
        raise RenderError(
            f"{name}: MJML rejected the rendered template: {exc}",
            "check the .mjml.j2 template for unbalanced or misspelt tags; nothing was written",
        ) from None
    return restyle_preview(html)


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
