"""The subscription and delivery sections of config.toml: [subscribe], [consent], [delivery],
[smtp] and [dkim]. Secrets are never read here: the SMTP password and the token key come from
the environment (see delivery/smtp.py and subscribers/tokens.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .config_email import read_address

if TYPE_CHECKING:
    from .config import _Reader

Security = Literal["none", "starttls", "tls"]
TransportName = Literal["maildir", "smtp"]


@dataclass(frozen=True, slots=True)
class SubscribeConfig:
    confirm_days: int  # a confirmation link is valid this long; then the sign-up is purged
    resend_minutes: int  # a pending address gets at most one new confirmation mail per this


@dataclass(frozen=True, slots=True)
class ConsentConfig:
    version: str  # changes whenever the text changes; stored with every consent
    text: str  # what a subscriber agrees to, shown on the sign-up form
    privacy_url: str  # the organisation's privacy page (Datenschutzerklärung)

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    user: str  # empty: no login
    connections: int
    rate_per_second: float  # 0: unlimited
    reconnect_after: int  # messages per connection before it is renewed
    timeout: float  # seconds for connect and each command
    ca_file: Path | None  # extra CA certificates for a relay with its own certificate


@dataclass(frozen=True, slots=True)
class DkimConfig:
    key_file: Path
    selector: str
    domain: str


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    transport: TransportName
    maildir: Path
    return_path: str  # envelope sender (MAIL FROM), where bounces go
    bounce_after: int  # permanent failures in a row before a subscriber is marked bounced
    retries: int  # attempts per message within one run for temporary failures
    backoff_seconds: float  # first wait before a retry; doubled each time
    smtp: SmtpConfig
    dkim: DkimConfig | None


DEFAULT_CONSENT = (
    "Ja, ich möchte den wöchentlichen Newsletter per E-Mail erhalten. Meine E-Mail-Adresse wird "
    "nur dafür verwendet. Ich kann mich jederzeit über den Link in jeder E-Mail abmelden."
)


def read_subscribe(r: _Reader, data: Mapping[str, Any]) -> SubscribeConfig:
    t = r.take(data, "", "subscribe", dict, {})
    r.only(t, "subscribe", {"confirm_days", "resend_minutes"})
    return SubscribeConfig(
        confirm_days=r.number(t, "subscribe", "confirm_days", int, 7, 1, 365, " days"),
        # 0: a new mail each time the address is entered; at most a week between two.
        resend_minutes=r.number(t, "subscribe", "resend_minutes", int, 60, 0, 10_080, " minutes"),
    )


def read_consent(r: _Reader, data: Mapping[str, Any], base_url: str) -> ConsentConfig:
    t = r.take(data, "", "consent", dict, {})
    r.only(t, "consent", {"version", "text", "privacy_url"})
    consent = ConsentConfig(
        version=r.take(t, "consent", "version", str, "1"),
        text=r.take(t, "consent", "text", str, DEFAULT_CONSENT).strip(),
        privacy_url=r.take(t, "consent", "privacy_url", str, f"{base_url}datenschutz"),
    )
    if not consent.text:
        raise r.fail("consent.text", "must not be empty", "write what a subscriber agrees to")
    return consent


def read_delivery(r: _Reader, data: Mapping[str, Any], from_address: str) -> DeliveryConfig:
    t = r.take(data, "", "delivery", dict, {})
    r.only(
        t,
        "delivery",
        {"transport", "maildir", "return_path", "bounce_after", "retries", "backoff_seconds"},
    )
    transport = r.take(t, "delivery", "transport", str, "maildir")
    if transport not in ("maildir", "smtp"):
        raise r.fail(
            "delivery.transport", f"unknown transport {transport!r}", 'use "maildir" or "smtp"'
        )
    return DeliveryConfig(
        transport=transport,  # type: ignore[arg-type]
        maildir=r.root / r.take(t, "delivery", "maildir", str, "var/outbox"),
        # The envelope sender: ASCII, an IDN domain as punycode (see config_email.py).
        return_path=read_address(r, t, "delivery", "return_path", from_address),
        bounce_after=r.number(t, "delivery", "bounce_after", int, 3, 1, 100, " refusals"),
        retries=r.number(t, "delivery", "retries", int, 4, 1, 100, " attempts"),
        # The wait doubles with each retry: an hour to start with is more than enough.
        backoff_seconds=r.number(
            t, "delivery", "backoff_seconds", float, 2.0, 0.0, 3600.0, " seconds"
        ),
        smtp=_smtp(r, data),
        dkim=_dkim(r, data),
    )


def _smtp(r: _Reader, data: Mapping[str, Any]) -> SmtpConfig:
    t = r.take(data, "", "smtp", dict, {})
    r.only(
        t,
        "smtp",
        {
            "host",
            "port",
            "security",
            "user",
            "connections",
            "rate_per_second",
            "reconnect_after",
            "timeout",
            "ca_file",
        },
    )
    security = r.take(t, "smtp", "security", str, "starttls")
    if security not in ("none", "starttls", "tls"):
        raise r.fail(
            "smtp.security", f"unknown value {security!r}", 'use "none", "starttls" or "tls"'
        )
    ca_file = r.take(t, "smtp", "ca_file", str, "")
    return SmtpConfig(
        host=r.take(t, "smtp", "host", str, "localhost"),
        port=r.number(t, "smtp", "port", int, 465 if security == "tls" else 587, 1, 65_535),
        security=security,  # type: ignore[arg-type]
        user=r.take(t, "smtp", "user", str, ""),
        connections=r.number(t, "smtp", "connections", int, 2, 1, 100),
        rate_per_second=r.number(
            t, "smtp", "rate_per_second", float, 0.0, 0.0, 10_000.0, " (0: no limit)"
        ),
        reconnect_after=r.number(t, "smtp", "reconnect_after", int, 100, 1, 1_000_000, " messages"),
        timeout=r.number(t, "smtp", "timeout", float, 30.0, 0.1, 3600.0, " seconds"),
        ca_file=r.root / ca_file if ca_file else None,
    )


def _dkim(r: _Reader, data: Mapping[str, Any]) -> DkimConfig | None:
    t = r.take(data, "", "dkim", dict, {})
    r.only(t, "dkim", {"key_file", "selector", "domain"})
    values = {k: r.take(t, "dkim", k, str, "") for k in ("key_file", "selector", "domain")}
    if not any(values.values()):
        return None
    for key, value in values.items():
        if not value:
            raise r.fail(f"dkim.{key}", "missing", "set key_file, selector and domain, or none")
    return DkimConfig(r.root / values["key_file"], values["selector"], values["domain"])
