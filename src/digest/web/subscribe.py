"""Sign up, confirm, preferences and unsubscribe: the pages behind the links in the mails.

GET never changes anything (mail scanners open links); a button POSTs. The unsubscribe POST
takes no CSRF token: the signed link authorises it, and RFC 8058 one-click clients send only
`List-Unsubscribe=One-Click`, without cookies. Logs name subscribers by id and a keyed hash
of the address, never the address itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, Response, request, url_for
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from ..errors import DigestError, UsageError
from ..models import Subscriber
from ..pipeline import signup as signups
from ..subscribers.addresses import AddressError, parse_address
from ..subscribers.manage import Proof, SignUp, parse_topics
from ..subscribers.tokens import BadToken, TokenExpired, WrongPurpose
from .forms import ConfirmForm, PreferencesForm, RenewForm, SignupForm, set_choices

if TYPE_CHECKING:
    from . import State

log = logging.getLogger("digest.web")

LINK_NAMES = {
    "confirm": "ein Bestätigungslink",
    "unsubscribe": "ein Abmeldelink",
    "preferences": "ein Link zu den Einstellungen",
}
BAD_LINK = (
    "Dieser Link ist ungültig oder unvollständig. Bitte kopieren Sie den ganzen Link aus der "
    "E-Mail in die Adresszeile. Es wurde nichts geändert."
)


def register(app: Flask, state: State, limiter: Limiter, csrf: CSRFProtect) -> None:
    cfg = state.cfg
    topics = [(key, cfg.rules.label(key)) for key in cfg.topic_keys]

    def who(s: Subscriber) -> str:
        return f"subscriber {s.id} (address {state.tokens.address_hash(s.email_key)[:12]})"

    def page(template: str, name: str, status: int = 200, **context: object) -> Response:
        return state.pages.render(template, name, status=status, **context)

    def notice(
        heading: str,
        *paragraphs: str,
        status: int = 200,
        links: list[tuple[str, str]] | None = None,
        form: object = None,
        action: str = "",
        tone: str = "info",
    ) -> Response:
        return page(
            "notice.html.j2",
            "notice",
            status=status,
            heading=heading,
            paragraphs=list(paragraphs),
            links=links or [],
            form=form,
            action=action,
            tone=tone,
        )

    @app.errorhandler(BadToken)
    @app.errorhandler(WrongPurpose)
    def link_error(exc: BadToken | WrongPurpose) -> Response:
        """A link that is not genuine, from any route: say so, change nothing."""
        if isinstance(exc, WrongPurpose):
            text = (
                f"Dieser Link ist {LINK_NAMES[exc.actual]}, nicht {LINK_NAMES[exc.expected]}. "
                "Bitte verwenden Sie den passenden Link aus der E-Mail. Es wurde nichts geändert."
            )
        else:
            text = BAD_LINK
        return notice(
            "Link ungültig",
            text,
            status=400,
            links=[(url_for("subscribe.signup"), "Zur Anmeldung")],
            tone="error",
        )

    def after_response(job: Callable[[], None], response: Response) -> Response:
        """Run `job` once the answer is sent, so it cannot slow the answer down."""

        def run() -> None:
            try:
                job()
            except DigestError as exc:
                log.error("after the answer: %s", exc.message)
            except Exception:
                log.exception("after the answer")

        response.call_on_close(run)
        return response

    def mail_optin(signup: SignUp) -> None:
        if signups.send_optin(cfg, signup, state.now):
            log.info("confirmation mail sent to %s", who(signup.subscriber))

    def email_key() -> str:
        typed = (request.form.get("email") or "").strip().lower()
        return "address:" + state.tokens.address_hash(typed)

    def proof() -> Proof:
        return Proof("web", request.remote_addr, request.user_agent.string or None)

    # ---- sign up -------------------------------------------------------------------------

    def signup() -> Response:
        form = SignupForm()
        set_choices(form.topics, topics)
        if request.method == "GET":
            form.topics.data = []
            return page("signup.html.j2", "anmelden", form=form)
        csrf.protect()
        if form.homepage.data:
            # A bot filled the hidden field: answer as if accepted, store nothing.
            log.info("sign-up refused: honeypot filled")
            return sent_page()
        valid = form.validate()
        checked = _checked(form, cfg.topic_keys)
        if valid and checked is not None:
            result = signups.add(
                cfg, checked[0], None, checked[1], "web", state.now, state.tokens, state.store()
            )
            log.info("sign-up: %s, %s", who(result.subscriber), result.outcome)
            return after_response(lambda: mail_optin(result), sent_page())
        return page("signup.html.j2", "anmelden", status=400, form=form)

    def sent_page() -> Response:
        # The same answer for a new, a pending and an active address.
        return notice(
            "Fast geschafft: Bitte prüfen Sie Ihr Postfach",
            "Wenn die Adresse noch nicht angemeldet ist, schicken wir Ihnen jetzt eine E-Mail "
            "mit einem Bestätigungslink. Erst wenn Sie ihn öffnen und bestätigen, erhalten Sie "
            "den Newsletter.",
            f"Der Link ist {cfg.subscribe.confirm_days} Tage gültig. Keine E-Mail bekommen? "
            "Sehen Sie im Spam-Ordner nach.",
        )

    limited = limiter.limit(cfg.web.signup_limit_client, methods=["POST"])(signup)
    limited = limiter.limit(cfg.web.signup_limit_address, key_func=email_key, methods=["POST"])(
        limited
    )
    app.add_url_rule("/anmelden", "subscribe.signup", limited, methods=["GET", "POST"])

    # ---- confirm -------------------------------------------------------------------------

    def confirm(token: str) -> Response:
        try:
            subscriber_id = state.tokens.check(
                "confirm",
                token,
                now=state.now(),
                max_age=timedelta(days=cfg.subscribe.confirm_days),
            )
        except TokenExpired as exc:
            return expired(token, exc.subscriber_id)
        with state.subscriptions() as subs:
            known = subs.get(subscriber_id)
            if known is None:
                return gone()
            if known.state != "pending":
                return confirmed_page(known, again=True)
            form = ConfirmForm()
            if request.method == "POST":
                csrf.protect()
                if not form.validate():
                    return page("confirm.html.j2", "bestaetigen", status=400, form=form)
                done = subs.confirm(token, proof())
                log.info("confirmed: %s", who(done))
                return confirmed_page(done, again=False)
        return page("confirm.html.j2", "bestaetigen", form=form)

    def confirmed_page(s: Subscriber, *, again: bool) -> Response:
        if s.state != "active":
            return notice(
                "Nicht angemeldet",
                "Diese Anmeldung ist nicht mehr aktiv. Sie können sich jederzeit neu anmelden.",
                links=[(url_for("subscribe.signup"), "Neu anmelden")],
            )
        prefs = url_for("subscribe.preferences", token=state.tokens.make("preferences", s.id))
        return notice(
            "Ihre Anmeldung ist bereits bestätigt" if again else "Vielen Dank, Sie sind angemeldet",
            "Sie erhalten den Newsletter ab der nächsten Ausgabe einmal pro Woche.",
            links=[(prefs, "Themen auswählen"), (url_for("archive.index"), "Zum Archiv")],
            tone="success",
        )

    def expired(token: str, subscriber_id: int) -> Response:
        with state.subscriptions() as subs:
            known = subs.get(subscriber_id)
        if known is not None and known.state == "active":
            return confirmed_page(known, again=True)
        if known is None or known.state != "pending":
            return gone()
        return notice(
            "Der Bestätigungslink ist abgelaufen",
            f"Bestätigungslinks gelten {cfg.subscribe.confirm_days} Tage. Wir können Ihnen "
            "eine neue Bestätigungsmail an dieselbe Adresse schicken.",
            status=400,
            form=RenewForm(),
            action=url_for("subscribe.renew", token=token),
            tone="error",
        )

    def renew(token: str) -> Response:
        subscriber_id = state.tokens.check("confirm", token)  # genuine; age does not matter
        csrf.protect()
        result = signups.renew_expired(cfg, subscriber_id, state.now, state.tokens, state.store())
        if result is None:
            return gone()
        if result.subscriber.state == "active":
            return confirmed_page(result.subscriber, again=True)
        log.info("renewal: %s, %s", who(result.subscriber), result.outcome)
        response = notice(
            "Neue Bestätigungsmail ist unterwegs",
            "Bitte öffnen Sie den Link in der neuen E-Mail. Kam schon vor kurzem eine, gilt "
            "deren Link; eine weitere schicken wir erst nach einer Pause.",
        )
        return after_response(lambda: mail_optin(result), response)

    def gone() -> Response:
        return notice(
            "Anmeldung nicht gefunden",
            "Zu diesem Link gibt es keine Anmeldung mehr: Unbestätigte Anmeldungen löschen wir "
            f"nach {cfg.subscribe.confirm_days} Tagen. Bitte melden Sie sich neu an.",
            status=404,
            links=[(url_for("subscribe.signup"), "Neu anmelden")],
            tone="error",
        )

    app.add_url_rule("/bestaetigen/<token>", "subscribe.confirm", confirm, methods=["GET", "POST"])
    app.add_url_rule("/bestaetigen/<token>/neu", "subscribe.renew", renew, methods=["POST"])

    # ---- preferences ---------------------------------------------------------------------

    def preferences(token: str) -> Response:
        with state.subscriptions() as subs:
            known = subs.by_token("preferences", token)
            if known is None or known.state != "active":
                return not_subscribed(known is None)
            form = PreferencesForm()
            set_choices(form.topics, topics)
            saved = False
            status = 200
            if request.method == "POST":
                csrf.protect()
                chosen: tuple[str, ...] = ()
                if form.validate():
                    picked = form.topics.data or []
                    if not picked:
                        form.topics.errors = [
                            "Bitte wählen Sie mindestens ein Thema. Wenn Sie keinen Newsletter "
                            "mehr möchten, melden Sie sich unten ab."
                        ]
                    else:
                        try:
                            chosen = parse_topics(picked, cfg.topic_keys)
                        except UsageError:
                            form.topics.errors = ["Bitte wählen Sie nur Themen aus der Liste."]
                if form.errors:
                    status = 400
                else:
                    known = subs.set_topics(known, chosen)
                    log.info("topics changed: %s -> %s", who(known), ",".join(chosen) or "all")
                    saved = True
            if status == 200:
                form.topics.data = list(known.topics or cfg.topic_keys)
        unsubscribe = url_for(
            "subscribe.unsubscribe", token=state.tokens.make("unsubscribe", known.id)
        )
        return page(
            "preferences.html.j2",
            "einstellungen",
            status=status,
            form=form,
            saved=saved,
            unsubscribe_url=unsubscribe,
        )

    def not_subscribed(erased: bool) -> Response:
        return notice(
            "Kein aktives Abonnement",
            "Zu diesem Link ist kein Newsletter-Abonnement (mehr) aktiv."
            if erased
            else "Sie sind abgemeldet und erhalten den Newsletter nicht mehr.",
            links=[(url_for("subscribe.signup"), "Wieder anmelden")],
        )

    app.add_url_rule(
        "/einstellungen/<token>", "subscribe.preferences", preferences, methods=["GET", "POST"]
    )

    # ---- unsubscribe ---------------------------------------------------------------------

    def unsubscribe(token: str) -> Response:
        with state.subscriptions() as subs:
            known = subs.by_token("unsubscribe", token)
            if request.method == "GET":
                if known is None or known.state in ("unsubscribed", "pending"):
                    return not_subscribed(known is None)
                return page("unsubscribe.html.j2", "abmelden")
            one_click = request.form.get("List-Unsubscribe") == "One-Click"
            if known is not None and known.state != "unsubscribed":
                subs.unsubscribe(known)
                log.info("unsubscribed%s: %s", " (one-click)" if one_click else "", who(known))
        # 200 with a page, never a redirect (RFC 8058 section 3.2).
        return notice(
            "Sie sind abgemeldet",
            "Sie erhalten den Newsletter nicht mehr. Ihre Adresse wird für den Versand nicht "
            "mehr verwendet.",
            links=[(url_for("subscribe.signup"), "Versehentlich abgemeldet? Wieder anmelden")],
            tone="success",
        )

    app.add_url_rule(
        "/abmelden/<token>", "subscribe.unsubscribe", unsubscribe, methods=["GET", "POST"]
    )


def _checked(form: SignupForm, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """The address and topics of a sign-up, checked by the library; errors go to the fields."""
    address = topics = None
    if not form.email.errors:
        try:
            address = parse_address(form.email.data or "").display
        except AddressError:
            form.email.errors = [
                "Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de."
            ]
    try:
        topics = parse_topics(form.topics.data or [], keys)
    except UsageError:
        form.topics.errors = ["Bitte wählen Sie nur Themen aus der Liste."]
    return None if address is None or topics is None else (address, topics)
