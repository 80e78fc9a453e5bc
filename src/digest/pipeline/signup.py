"""Composition root for sign-ups: wires the subscriber library to the store, the signing
key, the opt-in mail and the clock. The CLI (`digest subscribers`) and the web app call these
same functions; neither talks to the store directly."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..delivery.dkim import DkimSigner
from ..delivery.message import build_message, encode_body, message_id
from ..delivery.transport import Connection, Outgoing, SendFailure, Transport
from ..errors import DigestError
from ..l10n import L10n
from ..models import Problem, Subscriber
from ..render.environment import make_environment
from ..render.optin import CONFIRM_PLACEHOLDER, render_optin
from ..store import Store
from ..subscribers.addresses import recipient_of
from ..subscribers.csvfile import read_subscriber_csv
from ..subscribers.manage import Imported, SignUp, Subscriptions
from ..subscribers.tokens import Tokens, load_secret
from .mailing import Clock, make_transport, utc_now


@contextmanager
def subscriptions(
    cfg: Config, now: Clock = utc_now, tokens: Tokens | None = None, store: Store | None = None
) -> Iterator[Subscriptions]:
    """Open the store (or use `store`, left open) and yield the subscriber operations on it.

    The subscriber tables do not depend on the topic rules, so this opens the store without
    the reclassification check that `open_store` makes for the article side. The web server
    passes each thread's own open store, which saves a connect and its PRAGMAs per request.
    """
    tokens = tokens or Tokens(load_secret(cfg.store_path))
    if store is not None:
        yield Subscriptions(store, cfg, tokens, now)
        return
    with Store(cfg.store_path, cfg.store_timeout) as opened:
        yield Subscriptions(opened, cfg, tokens, now)


class OptinMailer:
    """Send double-opt-in mails through one connection; renders each topic choice once."""

    def __init__(self, cfg: Config, transport: Transport, now: Clock) -> None:
        self.cfg = cfg
        self.transport = transport
        self.now = now
        self.env = make_environment(cfg.templates)
        self.l10n = L10n(cfg.site.locale)
        self.signer = DkimSigner(cfg.delivery.dkim) if cfg.delivery.dkim else None
        self._connection: Connection | None = None

    def send(self, signup: SignUp) -> str:
        """Send the confirmation mail of a sign-up; return the transport's reply."""
        s, token = signup.subscriber, signup.confirm_token
        assert token is not None
        sent = (s.optin_sent_at or self.now()).astimezone(self.cfg.site.tz)
        mail = render_optin(self.cfg, self.env, self.l10n, topics=s.topics, requested=sent)
        mid = message_id(f"optin.{s.id}", str(s.optin_count), self.cfg.site.domain)
        data = build_message(
            cfg=self.cfg,
            subject=mail.subject,
            body=encode_body(mail.text, mail.html, (CONFIRM_PLACEHOLDER,)),
            to=recipient_of(s),
            message_id=mid,
            sent=sent,
            tokens={CONFIRM_PLACEHOLDER: token},
        )
        if self.signer:
            data = self.signer.sign(data)
        if self._connection is None:
            self._connection = self.transport.connect()
        message = Outgoing(self.cfg.delivery.return_path, s.email_ascii, mid, data)
        try:
            return self._connection.send(message)
        except SendFailure as exc:
            raise DigestError(
                f"the confirmation mail to {s.email} was not sent: {exc.reply}",
                "the sign-up is kept as pending; add the address again to send a new mail",
            ) from None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def add(
    cfg: Config,
    address: str,
    name: str | None = None,
    topics: str | Sequence[str] | None = None,
    source: str = "cli",
    now: Clock = utc_now,
    tokens: Tokens | None = None,
    store: Store | None = None,
) -> SignUp:
    """Sign up an address (pending); `send_optin` then sends the mail if one is due.

    The two steps are apart so that the web form can answer before the mail goes out: the
    answer then takes as long for a known address as for a new one.
    """
    with subscriptions(cfg, now, tokens, store) as subs:
        return subs.add(address, name, topics, source)


def renew_expired(
    cfg: Config,
    subscriber_id: int,
    now: Clock = utc_now,
    tokens: Tokens | None = None,
    store: Store | None = None,
) -> SignUp | None:
    """A new confirmation mail for the holder of an expired link, if the sign-up still exists
    (None if it was purged). Send it with `send_optin`; the resend pause applies."""
    with subscriptions(cfg, now, tokens, store) as subs:
        return subs.renew(subscriber_id)


def send_optin(cfg: Config, signup: SignUp, now: Clock = utc_now) -> bool:
    """Send the confirmation mail of a sign-up if one is due; return whether one was sent.

    On failure the sign-up stays pending and may be added again at once, not only after
    the resend pause.
    """
    if signup.confirm_token is None:
        return False
    mailer = OptinMailer(cfg, make_transport(cfg), now)
    try:
        mailer.send(signup)
    except DigestError:
        with subscriptions(cfg, now) as subs:
            subs.mail_failed(signup.subscriber.id)
        raise
    finally:
        mailer.close()
    return True


@dataclass
class ImportReport:
    """What `import_csv` did."""

    path: str
    encoding: str
    rows: int  # valid rows in the file
    duplicates: int  # repeated addresses within the file
    problems: list[Problem]
    imported: Imported
    mails_sent: int = 0
    mail_errors: list[str] = field(default_factory=list)


def import_csv(
    cfg: Config,
    path: Path,
    *,
    consent_documented: bool = False,
    send_opt_in: bool = False,
    now: Clock = utc_now,
) -> ImportReport:
    """Import subscribers from a CSV file; pending ones get the opt-in mail on request."""
    result = read_subscriber_csv(
        path, cfg.topic_keys, cfg.site.tz, require_consent=consent_documented
    )
    with subscriptions(cfg, now) as subs:
        imported = subs.import_rows(
            result.rows, consent_documented=consent_documented, send_opt_in=send_opt_in
        )
        report = ImportReport(
            str(path),
            result.encoding,
            len(result.rows),
            result.duplicates,
            result.problems,
            imported,
        )
        if imported.mails:
            mailer = OptinMailer(cfg, make_transport(cfg), now)
            try:
                for signup in imported.mails:
                    try:
                        mailer.send(signup)
                        report.mails_sent += 1
                    except DigestError as exc:
                        report.mail_errors.append(exc.message)
            finally:
                mailer.close()
    return report


def subscriber_json(s: Subscriber) -> dict[str, Any]:
    """The listing fields of a subscriber (the full record is `export_json`)."""
    return {
        "id": s.id,
        "email": s.email,
        "name": s.name,
        "state": s.state,
        "topics": list(s.topics) or "all",
        "created_at": s.created_at.isoformat(),
        "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
        "bounces": s.bounces,
    }


def export_json(cfg: Config, address: str) -> dict[str, Any]:
    with subscriptions(cfg) as subs:
        return subs.export(address)
