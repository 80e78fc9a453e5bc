"""The [email], [impressum] and [feeds] sections of config.toml: who the newsletter comes from,
the legal notice in every footer, and the author of the Atom feeds.

Every address that reaches a mail header, the SMTP envelope or a feed (email.from_address,
reply_to, unsubscribe_mailto, feeds.author_email, and delivery.return_path in config_delivery.py)
goes through `read_address`: the rules of a subscriber's address (subscribers/addresses.py), and
the ASCII form is kept. An internationalised domain (newsletter@bürgerdienste.example) becomes
punycode (newsletter@xn--brgerdienste-dlb.example): our headers are 7-bit and we do not rely on
the relay offering SMTPUTF8, which is also why the part before the @ must be ASCII. This is the
one place the conversion happens; delivery/message.py takes the values as they are.
impressum.contact is shown to people and never reaches a header, so it keeps its spelling.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from .config_site import SiteConfig, ascii_domain
from .subscribers.addresses import AddressError, parse_address

if TYPE_CHECKING:
    from .config import _Reader


@dataclass(frozen=True, slots=True)
class EmailConfig:
    from_name: str
    from_address: str  # ASCII (IDN domain as punycode), like every address here
    reply_to: str
    list_id: str  # the List-Id identifier, e.g. "wochenrueckblick.digest.example.de"; ASCII
    unsubscribe_mailto: str
    max_html_kb: int  # Gmail clips near 100 KB; stay below this decoded size
    lead_chars: int  # leads longer than this are shortened at a word boundary
    short_lead_chars: int  # the shorter limit used when a week is too big


@dataclass(frozen=True, slots=True)
class ImpressumConfig:
    publisher: str
    address: str
    responsible: str
    contact: str  # an address, a web page or a phone number, as written (shown, never a header)


@dataclass(frozen=True, slots=True)
class FeedConfig:
    weeks: int  # how many of the newest weekly issues feed.atom carries
    author_name: str
    author_email: str  # ASCII address, or "" for none
    topic_items: int = 50  # how many of the newest articles each topic feed carries


# RFC 2919: list-label "." namespace, both dot-atom text; at least one dot.
_LIST_ID = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+")
# The shape render/archive.py links with mailto: one @, no spaces, no ":" or "/" (not a URL).
_LOOKS_LIKE_ADDRESS = re.compile(r"[^@\s:/]+@[^@\s:/]+")
_SHORT_UNIT = " characters (at most lead_chars)"


def read_address(r: _Reader, t: Mapping[str, Any], prefix: str, key: str, default: str) -> str:
    """Return the ASCII form of the address at `key`, or `default` (already ASCII: it is built
    from validated parts, e.g. "newsletter@" + site.domain) when the key is absent."""
    if key not in t:
        return default
    value = r.take(t, prefix, key, str)
    try:
        return parse_address(value).ascii
    except AddressError as exc:
        raise r.fail(
            f"{prefix}.{key}",
            f"{value!r} is not a usable email address: {exc}",
            "write a bare address such as newsletter@example.de (ASCII before the @)",
        ) from None


def read_email(r: _Reader, data: Mapping[str, Any], site: SiteConfig) -> EmailConfig:
    t = r.take(data, "", "email", dict, {})
    r.only(t, "email", {f.name for f in fields(EmailConfig)})
    domain = site.domain
    lead = r.number(t, "email", "lead_chars", int, 400, 20, 10_000, " characters")
    return EmailConfig(
        from_name=r.take(t, "email", "from_name", str, site.title),
        from_address=read_address(r, t, "email", "from_address", f"newsletter@{domain}"),
        reply_to=read_address(r, t, "email", "reply_to", f"redaktion@{domain}"),
        list_id=_list_id(r, t, f"digest.{domain}"),
        unsubscribe_mailto=read_address(r, t, "email", "unsubscribe_mailto", f"abmelden@{domain}"),
        # Below 10 KB not even the frame of an issue fits; above 10 MB many servers refuse mail.
        max_html_kb=r.number(t, "email", "max_html_kb", int, 90, 10, 10_240, " KB"),
        lead_chars=lead,
        short_lead_chars=r.number(
            t, "email", "short_lead_chars", int, min(160, lead), 20, lead, _SHORT_UNIT
        ),
    )


def _list_id(r: _Reader, t: Mapping[str, Any], default: str) -> str:
    if "list_id" not in t:
        return default
    value = r.take(t, "email", "list_id", str)
    hint = "a name under your domain, e.g. wochenrueckblick.digest.example.de (RFC 2919)"
    try:
        ascii_id = ascii_domain(value)
    except AddressError as exc:
        raise r.fail("email.list_id", f"{value!r} is not a list identifier: {exc}", hint) from None
    if not _LIST_ID.fullmatch(ascii_id) or len(ascii_id) > 255:
        raise r.fail("email.list_id", f"{value!r} is not a list identifier", hint)
    return ascii_id


def read_impressum(r: _Reader, data: Mapping[str, Any], email: EmailConfig) -> ImpressumConfig:
    t = r.take(data, "", "impressum", dict, {})
    r.only(t, "impressum", {f.name for f in fields(ImpressumConfig)})
    impressum = ImpressumConfig(
        publisher=r.take(t, "impressum", "publisher", str),
        address=r.take(t, "impressum", "address", str),
        responsible=r.take(t, "impressum", "responsible", str),
        contact=r.take(t, "impressum", "contact", str, email.reply_to),
    )
    if _LOOKS_LIKE_ADDRESS.fullmatch(impressum.contact):
        read_address(r, t, "impressum", "contact", "")  # only to refuse a broken address
    return impressum


def read_feeds(r: _Reader, data: Mapping[str, Any], impressum: ImpressumConfig) -> FeedConfig:
    t = r.take(data, "", "feeds", dict, {})
    r.only(t, "feeds", {f.name for f in fields(FeedConfig)})
    author_email = ""  # written as "": no address in the feeds
    if t.get("author_email") != "":
        author_email = read_address(r, t, "feeds", "author_email", _address_of(impressum.contact))
    return FeedConfig(
        weeks=r.number(t, "feeds", "weeks", int, 12, 1, 1000, " issues"),
        author_name=r.take(t, "feeds", "author_name", str, impressum.publisher),
        author_email=author_email,
        topic_items=r.number(t, "feeds", "topic_items", int, 50, 1, 10000, " articles"),
    )


def _address_of(contact: str) -> str:
    """The feeds' default author address: the Impressum's contact if it is an address, ASCII."""
    if not _LOOKS_LIKE_ADDRESS.fullmatch(contact):
        return ""
    try:
        return parse_address(contact).ascii
    except AddressError:  # a default built from site.domain ("redaktion@localhost"): ASCII
        return contact
