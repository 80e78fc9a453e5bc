"""The [site] section of config.toml: the newsletter's name, public address, locale, time zone
and the date in its tag: ids, each checked so that a bad value fails here, at load time, and not
later in the middle of a build or a send.

Internationalised domain names are converted here, once: `SiteConfig.base_url` holds the ASCII
form of what config.toml says (the host in punycode, "https://xn--brgerdienste-dlb.example/" for
"https://bürgerdienste.example/", and a non-ASCII path percent-encoded). So every use downstream
(links, the Message-ID and List-Id domain, the List-Unsubscribe header, tag: ids) is ASCII, and a
mail header never meets a character it cannot carry. config_email.py does the same for addresses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from .subscribers.addresses import AddressError, parse_address

if TYPE_CHECKING:
    from .config import _Reader


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    base_url: str  # http(s), ASCII (an IDN host as punycode), no query; always ends with "/"
    locale: str
    timezone: str
    since: str  # YYYY-MM-DD: date part of the permanent tag: URIs

    @property
    def domain(self) -> str:
        """The host of base_url, ASCII: the domain of Message-IDs, List-Id and tag: ids."""
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# What an ASCII URL may contain (RFC 3986 unreserved, reserved and "%"): anything else, such as
# "<", ">" or '"', would end the <...> of a List-Unsubscribe header or an HTML attribute.
_URL_CHARS = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+")
# An IANA zone name: no leading "/", no "." (so no "../", "zone.tab" or "__init__.py").
_TZ_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
_URL_HINT = 'write e.g. "https://digest.example.de/"'


def read_site(r: _Reader, data: Mapping[str, Any]) -> SiteConfig:
    t = r.take(data, "", "site", dict, {})
    r.only(t, "site", {"title", "base_url", "locale", "timezone", "since"})
    return SiteConfig(
        title=r.take(t, "site", "title", str, "Wochenrückblick"),
        base_url=_base_url(r, r.take(t, "site", "base_url", str, "https://digest.example.de/")),
        locale=_locale(r, r.take(t, "site", "locale", str, "de_DE")),
        timezone=_timezone(r, r.take(t, "site", "timezone", str, "Europe/Berlin")),
        since=_since(r, r.take(t, "site", "since", str, "2017-01-01")),
    )


def ascii_domain(domain: str) -> str:
    """Return the ASCII (punycode) form of a domain; an ASCII domain is returned as it is.

    The conversion is the one subscriber addresses get (email-validator: IDNA 2008 with UTS 46
    mapping, in subscribers/addresses.py), so that the site's domain and an address at it are
    always spelled alike. Raises AddressError for a name no address could have (no dot, or a
    reserved name such as .test or .local).
    """
    if domain.isascii():
        return domain
    return parse_address(f"postmaster@{domain}").ascii.rpartition("@")[2]


def _base_url(r: _Reader, raw: str) -> str:
    """Validate base_url completely and return its ASCII form ending in "/".

    Links are made by appending paths to it, so a query or fragment would end up in the middle
    of every link; a user name would make site.domain wrong.
    """
    key = "site.base_url"
    if not raw or any(c.isspace() for c in raw):
        raise r.fail(key, f"{raw!r} is not a URL: it is empty or contains a space", _URL_HINT)
    try:
        parts = urlsplit(raw)
        host, port = parts.hostname, parts.port  # .port raises ValueError for "x:99999"
        if parts.netloc.startswith("["):
            ipaddress.IPv6Address(host or "")
    except ValueError as exc:
        raise r.fail(key, f"{raw!r} is not a URL ({exc})", _URL_HINT) from None
    if parts.scheme not in ("http", "https") or not host:
        raise r.fail(key, f"{raw!r} is not an http(s) URL with a host name", _URL_HINT)
    if "@" in parts.netloc:
        raise r.fail(key, f"{raw!r} contains a user name", "leave out the part before the @")
    if "?" in raw or "#" in raw:
        raise r.fail(
            key,
            f"{raw!r} has a query (?...) or fragment (#...)",
            "base_url is the folder the archive lives in; links are made by appending to it",
        )
    netloc, path = parts.netloc, parts.path
    if not host.isascii():
        try:
            netloc = ascii_domain(host)
        except AddressError as exc:
            raise r.fail(key, f"{host!r} is not a usable domain name: {exc}", _URL_HINT) from None
        netloc += f":{port}" if port is not None else ""
    if not path.isascii():
        path = quote(path, safe="/%:@!$&'()*+,;=~")
    url = raw  # an ASCII URL stays exactly as written
    if (netloc, path) != (parts.netloc, parts.path):
        url = f"{parts.scheme}://{netloc}{path}"
    if not _URL_CHARS.fullmatch(url):
        raise r.fail(
            key, f"{raw!r} contains characters a URL cannot have", "percent-encode them (%3C)"
        )
    return url.rstrip("/") + "/"


def _locale(r: _Reader, value: str) -> str:
    try:
        locale = Locale.parse(value)
    except (UnknownLocaleError, ValueError, TypeError):
        raise r.fail(
            "site.locale", f"unknown locale {value!r}", "use e.g. de_DE, de_AT or en"
        ) from None
    if locale.language == "root":
        # CLDR's fallback data: no language of its own, and "root" is no BCP 47 tag for <html lang>.
        raise r.fail(
            "site.locale",
            f"{value!r} is CLDR's fallback data, not a language",
            "use a real locale, e.g. de_DE, de_AT or en",
        )
    return value


def _timezone(r: _Reader, value: str) -> str:
    """Refuse what ZoneInfo would refuse later: unknown names, folders ("Europe"), data files of
    the tz database ("zone.tab"), and paths ("../etc/passwd", "/etc/localtime")."""
    try:
        if not _TZ_KEY.fullmatch(value):
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: IsADirectoryError and others
        raise r.fail(
            "site.timezone",
            f"unknown time zone {value!r}",
            "use an IANA name such as Europe/Berlin or UTC",
        ) from None
    return value


def _since(r: _Reader, value: str) -> str:
    hint = "a real calendar date (YYYY-MM-DD) on which you already owned base_url's domain"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise r.fail("site.since", f"{value!r} is not a date like 2017-01-01", hint)
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise r.fail("site.since", f"{value!r} is not a calendar date ({exc})", hint) from None
    return value
