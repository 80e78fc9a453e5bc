"""Fetching one feed over HTTP(S): conditional GET, redirects, a size cap, errors as data.

The only module that talks to the network (and imports httpx). Whatever goes wrong, from a
host that does not resolve to a gzip bomb, comes back as `Fetched.error`, a sentence for
people, never as an exception: a run reads many feeds and one broken feed must not stop it.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from .files import Refused, read_regular

if TYPE_CHECKING:
    import httpx

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
# httpx decodes these itself; brotli and zstd are left out so that no optional package
# decides what a server may send.
ACCEPT_ENCODING = "gzip, deflate"
WEB_SCHEMES = frozenset({"http", "https"})
PERMANENT = frozenset({301, 308})
# A slow server may answer each read just within `timeout` and so never time out; the whole
# exchange gets this many timeouts at most.
TOTAL_TIMEOUTS = 6
_MB = 1024 * 1024
_PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))  # what a header value may hold


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said identifies its copy, for a conditional GET next time."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of one fetch: the body and what to keep for next time, or why it failed."""

    url: str  # asked for
    final_url: str  # after redirects
    status: int | None  # HTTP status, None when no response (DNS, refused, timeout, scheme)
    body: bytes | None  # None on 304 and on errors
    headers: dict[str, str]  # response headers (lower-case names), {} without a response
    validators: Validators  # to store for next time (the old ones kept on 304 and errors)
    error: str | None = None  # why it failed, for people: "HTTP 404 Not Found", ...
    moved_permanently: bool = False  # only 301/308 on the way: final_url is the new address

    @property
    def not_modified(self) -> bool:
        return self.status == HTTPStatus.NOT_MODIFIED


class _Refused(Exception):
    """A redirect we do not follow (raised from the request hook, caught in fetch)."""


def fetch(
    url: str,
    validators: Validators | None = None,
    *,
    user_agent: str,
    timeout: float = 20.0,
    max_bytes: int = 10 * _MB,
    max_redirects: int = 5,
    allow_file: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """Fetch `url` with a conditional GET; never raise, report failures in `error`.

    Only http and https are fetched, and file: too with `allow_file` (never as a redirect's
    target). A body is read up to `max_bytes` (after gzip/deflate decoding); a 304 keeps
    the validators sent, unless the server sends new ones.
    """
    import httpx  # here: a run without feeds over HTTP need not pay its import

    sent = validators or Validators()
    scheme = _scheme(url)
    if scheme == "file" and allow_file:
        return _read_file(url, sent, max_bytes)
    if scheme not in WEB_SCHEMES:
        return _failed(url, _scheme_error(scheme, allow_file), sent)
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        return _failed(url, f"malformed address ({exc})", sent)
    if not parsed.host or any(c.isspace() or ord(c) < 32 for c in url):
        return _failed(url, "malformed address (no host, or spaces in it)", sent)
    headers = {
        # A header is ASCII: a site address with umlauts in the agent is sent percent-encoded.
        "User-Agent": quote(user_agent, safe=_PRINTABLE),
        "Accept": ACCEPT,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    # Validators come from the last response: one that could not be sent back as it came
    # (a line break, a non-ASCII byte) is left out, and the feed is fetched in full.
    if sent.etag and _sendable(sent.etag):
        headers["If-None-Match"] = sent.etag
    if sent.last_modified and _sendable(sent.last_modified):
        headers["If-Modified-Since"] = sent.last_modified
    client = httpx.Client(
        headers=headers,
        timeout=timeout,
        follow_redirects=True,
        max_redirects=max_redirects,
        transport=transport,
        event_hooks={"request": [_check_request], "response": [_check_redirect]},
    )
    deadline = time.monotonic() + timeout * TOTAL_TIMEOUTS
    response: httpx.Response | None = None
    try:
        with client, client.stream("GET", url) as response:
            return _received(url, response, sent, max_bytes, deadline, timeout)
    except _Refused as exc:
        return _failed(url, str(exc), sent)
    except httpx.HTTPError as exc:
        error = _describe(exc, timeout, max_redirects, response is not None)
        if response is None:
            return _failed(url, error, sent)
        return Fetched(url, str(response.url), response.status_code, None, {}, sent, error)
    except (OSError, ValueError) as exc:  # below httpx's own errors; one feed must not stop a run
        return _failed(url, f"could not be fetched ({type(exc).__name__}: {exc})", sent)


def _received(
    url: str,
    response: httpx.Response,
    sent: Validators,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> Fetched:
    """Turn a response into a Fetched, reading its body within the limits."""
    status = response.status_code
    headers = {name.lower(): value for name, value in response.headers.items()}
    final_url = str(response.url)
    moved = bool(response.history) and all(r.status_code in PERMANENT for r in response.history)
    if status == HTTPStatus.NOT_MODIFIED:
        new = _validators(headers)
        kept = Validators(new.etag or sent.etag, new.last_modified or sent.last_modified)
        return Fetched(url, final_url, status, None, headers, kept, None, moved)
    if not 200 <= status < 300:
        # The standard phrase, as servers spell theirs differently ("INTERNAL SERVER ERROR").
        phrase = _phrase(status) or response.reason_phrase
        error = f"HTTP {status} {phrase}".rstrip()
        return Fetched(url, final_url, status, None, headers, sent, error, moved)
    declared = headers.get("content-length", "")
    # Content-Length counts the encoded bytes; the limit is on the decoded ones, so it can
    # only refuse early, and the count while reading below decides the rest.
    if declared.isdigit() and int(declared) > max_bytes:
        error = _too_big(max_bytes, int(declared))
        return Fetched(url, final_url, status, None, headers, sent, error, moved)
    body = bytearray()
    # httpx decodes gzip one network read (64 KiB) at a time, so a gzip bomb costs at most
    # about 1000 times that before the count below stops it.
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            return Fetched(url, final_url, status, None, headers, sent, _too_big(max_bytes), moved)
        if time.monotonic() > deadline:
            error = f"no complete answer within {timeout * TOTAL_TIMEOUTS:g} s"
            return Fetched(url, final_url, status, None, headers, sent, error, moved)
    return Fetched(url, final_url, status, bytes(body), headers, _validators(headers), None, moved)


def _check_redirect(response: httpx.Response) -> None:
    """Refuse to follow a redirect to anything but http or https (file: above all)."""
    if response.has_redirect_location:
        location = response.headers["Location"]
        if _scheme(location) not in WEB_SCHEMES | {""}:  # "" is a relative address
            raise _Refused(_not_followed(location))


def _check_request(request: httpx.Request) -> None:
    """Refuse a request that is not http or https, whatever httpx made of a Location."""
    if request.url.scheme not in WEB_SCHEMES:
        raise _Refused(_not_followed(str(request.url)))


def _not_followed(location: str) -> str:
    return f"redirected to {location[:200]!r}, which is not http or https; not followed"


def _describe(exc: httpx.HTTPError, timeout: float, max_redirects: int, reading: bool) -> str:
    """Say in a sentence what an httpx exception means for the person running the digest."""
    import httpx

    host = _host(exc)
    if isinstance(exc, httpx.TimeoutException):
        if reading:
            return f"the server stopped sending the feed (nothing within {timeout:g} s)"
        return f"no answer within {timeout:g} s"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {max_redirects} redirects"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"unsupported address ({exc})"
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(exc, host)
    if isinstance(exc, httpx.DecodingError):
        return f"the compressed response is broken ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        if reading:
            return f"the connection broke off while reading the feed ({exc})"
        return f"{host or 'the server'} sent no valid HTTP answer ({exc})"
    return f"{type(exc).__name__}: {exc}"


def _connect_error(exc: httpx.ConnectError, host: str) -> str:
    """Tell DNS failures, refused connections and TLS errors apart (httpx wraps them all)."""
    import ssl  # here, like httpx: every run imports this module, few meet a network error

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error with {host}: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error with {host}: {cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host}"
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve host {host}"
        cause = cause.__cause__ or cause.__context__
    return f"cannot connect to {host} ({exc})"


def _host(exc: httpx.HTTPError) -> str:
    try:
        url = exc.request.url
    except RuntimeError:  # an exception raised before any request was made
        return ""
    port = f":{url.port}" if url.port else ""
    return f"{url.host}{port}"


def _read_file(url: str, sent: Validators, max_bytes: int) -> Fetched:
    """Read a file: URL (allowed for this source) with the same size limit as a download."""
    from urllib.request import url2pathname  # 10 ms of imports, for file: sources only

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return _failed(url, f"file: address on another host ({parts.netloc}) cannot be read", sent)
    data = read_regular(Path(url2pathname(parts.path)), max_bytes)
    if isinstance(data, Refused):
        return _failed(url, data.message, sent)
    return Fetched(url, url, None, data, {}, Validators())


def _scheme(url: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:  # "http://[::1": a scheme, but no address; httpx.URL says why below
        return "http" if url.lower().startswith("http:") else ""


def _scheme_error(scheme: str, allow_file: bool) -> str:
    if not scheme:
        return "not a web address (it has no http:// or https://)"
    if scheme == "file" and not allow_file:
        return "unsupported scheme 'file' (only http and https; file: where the source allows it)"
    return f"unsupported scheme {scheme[:20]!r} (only http and https)"


def _sendable(value: str) -> bool:
    return all(c in _PRINTABLE for c in value)


def _validators(headers: dict[str, str]) -> Validators:
    return Validators(headers.get("etag") or None, headers.get("last-modified") or None)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _too_big(limit: int, size: int | None = None) -> str:
    said = f" (it says {_amount(size)})" if size is not None else ""
    return f"bigger than the limit of {_amount(limit)}{said}"


def _amount(size: int) -> str:
    """A size for people: '10 MB', '12.5 MB', or '2000 bytes' below a megabyte."""
    if size < _MB:
        return f"{size} bytes"
    return f"{size / _MB:.1f}".removesuffix(".0") + " MB"


def _failed(url: str, error: str, sent: Validators) -> Fetched:
    # The validators sent are kept: after a failure the copy we hold is still the last one.
    return Fetched(url, url, None, None, {}, sent, error)
