"""The [web] section of config.toml: how `digest serve` listens, whom it trusts, its limits,
and the privacy statement shown on /datenschutz."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import _Reader


@dataclass(frozen=True, slots=True)
class WebConfig:
    host: str  # address `digest serve` binds to; loopback unless a proxy needs more
    port: int
    threads: int  # worker threads of the WSGI server
    proxies: int  # reverse proxies in front whose X-Forwarded-* headers are trusted
    signup_limit_client: str  # sign-ups per client address, e.g. "10 per minute; 30 per hour"
    signup_limit_address: str  # sign-ups per email address
    max_body_kb: int  # larger request bodies get 413
    privacy_text: str  # paragraphs of the privacy statement (blank lines between them)


# Used only when config.toml has no [web] privacy_text; the shipped config.toml has a full one.
DEFAULT_PRIVACY = """
Für den Newsletter speichern wir Ihre E-Mail-Adresse, Ihre Themenauswahl und den Nachweis
Ihrer Einwilligung. Auskunft und Löschung erhalten Sie über die Kontaktadresse im Impressum.
"""

KEYS = {
    "host",
    "port",
    "threads",
    "proxies",
    "signup_limit_client",
    "signup_limit_address",
    "max_body_kb",
    "privacy_text",
}


def read_web(r: _Reader, data: Mapping[str, Any]) -> WebConfig:
    t = r.take(data, "", "web", dict, {})
    r.only(t, "web", KEYS)
    web = WebConfig(
        host=r.take(t, "web", "host", str, "127.0.0.1"),
        port=r.number(t, "web", "port", int, 8000, 1, 65_535, hint="e.g. 8000"),
        threads=r.number(t, "web", "threads", int, 8, 1, 1000),
        # Each trusted proxy adds one X-Forwarded-For hop; more than a few is a mistake.
        proxies=r.number(t, "web", "proxies", int, 0, 0, 10, hint="0 when nothing is in front"),
        signup_limit_client=r.take(t, "web", "signup_limit_client", str, _LIMITS["client"]),
        signup_limit_address=r.take(t, "web", "signup_limit_address", str, _LIMITS["address"]),
        max_body_kb=r.number(t, "web", "max_body_kb", int, 16, 1, 102_400, " KB"),
        privacy_text=r.take(t, "web", "privacy_text", str, DEFAULT_PRIVACY).strip(),
    )
    for which, text in (("client", web.signup_limit_client), ("address", web.signup_limit_address)):
        if text != _LIMITS[which]:  # the defaults are good; checking costs every command 50 ms
            _check_limit(r, f"web.signup_limit_{which}", text)
    return web


# The default sign-up rate limits, per client address and per email address.
_LIMITS = {"client": "10 per minute; 30 per hour", "address": "3 per hour"}


def _check_limit(r: _Reader, key: str, text: str) -> None:
    from limits import parse_many  # the rate-limit syntax of Flask-Limiter

    try:
        parse_many(text)
    except ValueError:
        raise r.fail(
            key, f"{text!r} is not a rate limit", 'write e.g. "10 per minute; 30 per hour"'
        ) from None
