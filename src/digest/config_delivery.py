"""The subscription and delivery sections of config.toml: [subscribe], [consent], [delivery],
[smtp] and [dkim]. Secrets are never read here: the SMTP password and the token key come from
the environment (see delivery/smtp.py and subscribers/tokens.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
    sub = SubscribeConfig(
        confirm_days=r.take(t, "subscribe", "confirm_days", int, 7),
        resend_minutes=r.take(t, "subscribe", "resend_minutes", int, 60),
    )
    if sub.confirm_days < 1:
        raise r.fail("subscribe.confirm_days", "must be at least 1")
    if sub.resend_minutes < 0:
        raise r.fail("subscribe.resend_minutes", "must not be negative")
    return sub


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
    delivery = DeliveryConfig(
        transport=transport,  # type: ignore[arg-type]
        maildir=r.root / r.take(t, "delivery", "maildir", str, "var/outbox"),
        return_path=r.take(t, "delivery", "return_path", str, from_address),
        bounce_after=r.take(t, "delivery", "bounce_after", int, 3),
        retries=r.take(t, "delivery", "retries", int, 4),
        backoff_seconds=r.take(t, "delivery", "backoff_seconds", float, 2.0),
        smtp=_smtp(r, data),
        dkim=_dkim(r, data),
    )
    if "@" not in delivery.return_path:
        raise r.fail("delivery.return_path", f"{delivery.return_path!r} is not an email address")
    for key in ("bounce_after", "retries"):
        if getattr(delivery, key) < 1:
            raise r.fail(f"delivery.{key}", "must be at least 1")
    if delivery.backoff_seconds < 0:
        raise r.fail("delivery.backoff_seconds", "must not be negative")
    return delivery


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
    smtp = SmtpConfig(
        host=r.take(t, "smtp", "host", str, "localhost"),
        port=r.take(t, "smtp", "port", int, 465 if security == "tls" else 587),
        security=security,  # type: ignore[arg-type]
        user=r.take(t, "smtp", "user", str, ""),
        connections=r.take(t, "smtp", "connections", int, 2),
        rate_per_second=r.take(t, "smtp", "rate_per_second", float, 0.0),
        reconnect_after=r.take(t, "smtp", "reconnect_after", int, 100),
        timeout=r.take(t, "smtp", "timeout", float, 30.0),
        ca_file=r.root / ca_file if ca_file else None,
    )
    if not 0 < smtp.port < 65536:
        raise r.fail("smtp.port", f"{smtp.port} is not a port number")
    for key in ("connections", "reconnect_after"):
        if getattr(smtp, key) < 1:
            raise r.fail(f"smtp.{key}", "must be at least 1")
    if smtp.rate_per_second < 0:
        raise r.fail("smtp.rate_per_second", "must not be negative", "0 means no limit")
    if smtp.timeout <= 0:
        raise r.fail("smtp.timeout", "must be positive")
    return smtp


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
