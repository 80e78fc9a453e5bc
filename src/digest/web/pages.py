"""Rendering the pages of `digest serve` with the archive's own templates and environment
(autoescaped, StrictUndefined), so they look like the archive and fail the same way."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from ..config import Config
from ..l10n import L10n
from ..render.archive import contact_href
from ..render.environment import make_environment, render_template


class Pages:
    """Render a page template to a response, with the layout's context filled in."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.env = make_environment(cfg.templates)
        self.l10n = L10n(cfg.site.locale)

    def paragraphs(self, text: str) -> list[str]:
        """Blank-line separated paragraphs of a config text, each on one line."""
        return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]

    def render(self, template: str, page: str, status: int = 200, **context: Any) -> Response:
        root = request.script_root + "/"
        html = render_template(
            self.env,
            f"web/app/{template}",
            page=page,
            site=self.cfg.site,
            impressum=self.cfg.impressum,
            contact_href=contact_href(self.cfg.impressum.contact),
            l10n=self.l10n,
            t=self.l10n.strings,
            home=root,
            feed=f"{root}feed.atom",
            topics=[],
            current_topic=None,
            service={
                "subscribe": url_for("subscribe.signup"),
                "privacy": url_for("info.privacy"),
                "impressum": url_for("info.impressum"),
            },
            privacy_url=self.privacy_url(),
            consent_text=" ".join(self.cfg.consent.text.split()),
            **context,
        )
        response = Response(html, status=status, content_type="text/html; charset=utf-8")
        # Pages with a personal link or a form must not land in a shared cache.
        response.headers["Cache-Control"] = "no-store"
        return response

    def external_privacy(self) -> str | None:
        """The organisation's own privacy page, if [consent] privacy_url is not ours."""
        url = self.cfg.consent.privacy_url
        return None if url == f"{self.cfg.site.base_url}datenschutz" else url

    def privacy_url(self) -> str:
        """Where the consent text's privacy link goes: our page unless config names another."""
        return self.external_privacy() or url_for("info.privacy")
