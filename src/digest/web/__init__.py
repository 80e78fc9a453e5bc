"""The web app of `digest serve`: the archive and feeds from the build output, and the pages
to sign up, confirm, choose topics and unsubscribe. The only package that knows HTTP; every
state change goes through the same library functions as the CLI (pipeline.signup).

Flask, with Flask-WTF for CSRF-protected forms and Flask-Limiter for rate limits; served by
waitress (server.py). Every answer carries the security headers below; errors become German
pages without a trace of the code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import Config
from ..errors import DigestError
from ..pipeline.mailing import Clock, utc_now
from ..pipeline.signup import subscriptions
from ..store import Store
from ..subscribers.manage import Subscriptions
from ..subscribers.tokens import Tokens, load_secret
from .archive import ArchiveFiles
from .encoding import FLAG as ENCODING_FLAG
from .encoding import FormEncodingCheck
from .headers import secure
from .pages import Pages

log = logging.getLogger("digest.web")

_ERRORS = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    404: ("Seite nicht gefunden", "Unter dieser Adresse gibt es keine Seite."),
    405: ("Nicht erlaubt", "Diese Seite kann so nicht aufgerufen werden."),
    413: (
        "Anfrage zu groß",
        "Das Formular enthielt mehr Daten, als wir annehmen. Bitte senden Sie es ohne "
        "zusätzliche Inhalte noch einmal.",
    ),
    429: (
        "Zu viele Anfragen",
        "Von Ihrem Anschluss oder für diese Adresse kamen in kurzer Zeit zu viele Anmeldungen. "
        "Bitte warten Sie einige Minuten und versuchen Sie es dann noch einmal.",
    ),
    500: (
        "Interner Fehler",
        "Etwas ist schiefgegangen. Bitte versuchen Sie es später noch einmal.",
    ),
    503: (
        "Vorübergehend nicht verfügbar",
        "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal.",
    ),
}


@dataclass(frozen=True)
class State:
    """What the views need, made once per app."""

    cfg: Config
    tokens: Tokens
    now: Clock
    pages: Pages
    files: ArchiveFiles
    local: threading.local = field(default_factory=threading.local)

    def store(self) -> Store:
        """This thread's open store: a connection per worker thread, opened on first use."""
        store: Store | None = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.cfg.store_path, self.cfg.store_timeout)
        return store

    def subscriptions(self) -> AbstractContextManager[Subscriptions]:
        return subscriptions(self.cfg, self.now, self.tokens, self.store())


def create_app(cfg: Config, *, now: Clock = utc_now) -> Flask:
    """Build the app for one configuration; `now` is the clock (tests move it)."""
    secret = load_secret(cfg.store_path)
    app = Flask(__name__, static_folder=None)
    app.config.update(
        # The session cookie carries only the CSRF token; its key is derived, not the token key.
        SECRET_KEY=hmac.new(secret, b"web.session", hashlib.sha256).hexdigest(),
        SESSION_COOKIE_NAME="digest_csrf",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=cfg.site.base_url.startswith("https://"),
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=cfg.web.max_body_kb * 1024,
        MAX_FORM_MEMORY_SIZE=cfg.web.max_body_kb * 1024,
        MAX_FORM_PARTS=50,
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        # Each form view checks the CSRF token itself, after the link's token: a forged link
        # is reported as such, and the unsubscribe POST (RFC 8058) is not checked at all.
        WTF_CSRF_CHECK_DEFAULT=False,
        # Referrer-Policy: no-referrer means browsers send no Referer; the token and the
        # SameSite cookie protect the forms, so Flask-WTF must not demand one over https.
        WTF_CSRF_SSL_STRICT=False,
    )
    state = State(
        cfg, Tokens(secret), now, Pages(cfg), ArchiveFiles(cfg.out, max_bytes=64 * 1024 * 1024)
    )

    @app.before_request
    def refuse_wrong_encoding() -> Response | None:
        if request.environ.get(ENCODING_FLAG):
            return error_page(
                state,
                400,
                "Die Formulardaten kamen nicht in der Zeichenkodierung UTF-8 an. Bitte laden "
                "Sie die Seite neu und senden Sie das Formular aus einem aktuellen Browser.",
            )
        return None

    # The limiter comes next, so a flood is throttled before anything else reads it.
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri="memory://",
        strategy="moving-window",
        headers_enabled=True,
    )
    csrf = CSRFProtect(app)
    app.extensions["digest"] = state

    from . import info, static, subscribe

    subscribe.register(app, state, limiter, csrf)
    info.register(app, state)
    static.register(app, state)
    _errors(app, state)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        secure(response.headers, request.is_secure)
        return response

    # WSGI layers, innermost first: archive files before Flask, then X-Forwarded-* (so the
    # front sees the client's scheme), then the form-encoding check outermost.
    app.wsgi_app = static.ArchiveFront(  # type: ignore[method-assign]
        app.wsgi_app, state.files, static.app_prefixes(app)
    )
    if cfg.web.proxies:
        n = cfg.web.proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n
        )
    app.wsgi_app = FormEncodingCheck(  # type: ignore[method-assign]
        app.wsgi_app, cfg.web.max_body_kb * 1024
    )
    return app


def error_page(state: State, status: int, text: str | None = None) -> Response:
    heading, default = _ERRORS.get(status, _ERRORS[400])
    return state.pages.render(
        "notice.html.j2",
        f"error-{status}",
        status=status,
        heading=heading,
        paragraphs=[text or default],
        links=[],
        form=None,
        action="",
        tone="error",
    )


def _errors(app: Flask, state: State) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> Response:
        log.info("form refused: %s", exc.description)
        return error_page(
            state,
            400,
            "Das Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. Bitte "
            "laden Sie die Seite neu und senden Sie es noch einmal. Cookies für diese Seite "
            "müssen dafür erlaubt sein.",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        response = error_page(state, status)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(DigestError)
    def unavailable(exc: DigestError) -> Response:
        log.error("request failed: %s", exc.message)
        return error_page(state, 503)

    @app.errorhandler(Exception)
    def crashed(exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_page(state, 500)
