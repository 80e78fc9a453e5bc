"""The only module that imports mjml: compile MJML markup to email HTML."""

from __future__ import annotations

import mjml

from ..errors import RenderError


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
    return html
