"""The privacy statement, the Impressum and the operator's health check."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, jsonify

from ..errors import DigestError
from ..pipeline.signup import subscriptions

if TYPE_CHECKING:
    from . import State

log = logging.getLogger("digest.web")


def register(app: Flask, state: State) -> None:
    bp = Blueprint("info", __name__)
    cfg = state.cfg

    @bp.get("/datenschutz")
    def privacy() -> Response:
        return state.pages.render(
            "privacy.html.j2",
            "datenschutz",
            paragraphs=state.pages.paragraphs(cfg.web.privacy_text),
            elsewhere=state.pages.external_privacy(),
        )

    @bp.get("/impressum")
    def impressum() -> Response:
        return state.pages.render("impressum.html.j2", "impressum")

    @bp.get("/healthz")
    def health() -> tuple[Response, int]:
        checks: dict[str, str] = {}
        try:
            # A fresh connection, not the thread's: the check is whether the store opens.
            with subscriptions(cfg, state.now, state.tokens) as subs:
                subs.counts()
            checks["store"] = "ok"
        except DigestError as exc:
            log.error("health check: store: %s", exc.message)
            checks["store"] = "unavailable"
        index = cfg.out / "index.html"
        if index.is_file():
            checks["output"] = "ok"
        else:
            log.error("health check: %s is missing; run digest build", index)
            checks["output"] = "missing"
        healthy = all(v == "ok" for v in checks.values())
        body = jsonify(status="ok" if healthy else "failing", **checks)
        body.headers["Cache-Control"] = "no-store"
        return body, 200 if healthy else 503

    app.register_blueprint(bp)
