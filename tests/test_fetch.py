"""Fetching feeds from a real HTTP server on the loopback interface: conditional GET,
redirects, limits, and every failure turned into a sentence instead of an exception."""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from digest.ingest import fetch as fetch_module
from digest.ingest.fetch import Fetched, Validators, fetch

DATA = Path(__file__).parent / "data" / "feeds"
FEED = (DATA / "rss20.xml").read_bytes()
AGENT = "digest/test (+https://digest.example/)"
RSS = "application/rss+xml; charset=utf-8"
LAST_MODIFIED = "Mon, 03 Nov 2025 10:00:00 GMT"


def get(url: str, validators: Validators | None = None, **kwargs: Any) -> Fetched:
    return fetch(url, validators, user_agent=AGENT, **kwargs)


@pytest.fixture
def slow_server() -> Iterator[HTTPServer]:
    """A server of the test's own for slow handlers: the shared one answers one request at a
    time, and a handler still sleeping after the client gave up would delay the next test."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# ---- success ------------------------------------------------------------------------------


def test_a_feed_with_its_validators_and_our_request_headers(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        FEED, content_type=RSS, headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED}
    )
    got = get(httpserver.url_for("/feed.xml"))
    assert (got.status, got.body, got.error, got.moved_permanently) == (200, FEED, None, False)
    assert got.final_url == got.url == httpserver.url_for("/feed.xml")
    assert got.validators == Validators('"v1"', LAST_MODIFIED)
    assert got.headers["content-type"] == RSS and got.headers["etag"] == '"v1"'
    assert all(name == name.lower() for name in got.headers)
    assert not got.not_modified
    [(request, _)] = httpserver.log
    assert request.headers["User-Agent"] == AGENT
    assert request.headers["Accept"].startswith("application/atom+xml, application/rss+xml")
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers


def test_gzip_is_decoded(httpserver: HTTPServer) -> None:
    packed = gzip.compress(FEED)
    httpserver.expect_request("/feed.xml").respond_with_data(
        packed, content_type=RSS, headers={"Content-Encoding": "gzip"}
    )
    got = get(httpserver.url_for("/feed.xml"))
    assert (got.status, got.body, got.error) == (200, FEED, None)
    assert got.headers["content-encoding"] == "gzip" and len(packed) < len(FEED)


# ---- conditional GET ----------------------------------------------------------------------


def test_not_modified_by_etag(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    sent = Validators(etag='"v1"')
    got = get(httpserver.url_for("/feed.xml"), sent)
    assert (got.status, got.body, got.error, got.not_modified) == (304, None, None, True)
    assert got.validators == sent
    [(request, _)] = httpserver.log
    assert request.headers["If-None-Match"] == '"v1"'


def test_not_modified_by_last_modified(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/feed.xml", headers={"If-Modified-Since": LAST_MODIFIED}
    ).respond_with_data("", status=304)
    sent = Validators(last_modified=LAST_MODIFIED)
    got = get(httpserver.url_for("/feed.xml"), sent)
    assert (got.status, got.body, got.not_modified, got.validators) == (304, None, True, sent)
    [(request, _)] = httpserver.log
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in request.headers


def test_not_modified_with_a_new_etag_keeps_the_rest(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=304, headers={"ETag": '"v2"'}
    )
    got = get(httpserver.url_for("/feed.xml"), Validators('"v1"', LAST_MODIFIED))
    assert got.validators == Validators('"v2"', LAST_MODIFIED)


def test_validators_that_cannot_be_sent_are_left_out(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type=RSS)
    got = fetch(
        httpserver.url_for("/feed.xml"),
        Validators('"v1"\r\nX-Injected: 1', "Mo, 3. Nov 2025 – früh"),
        user_agent="digest/1.0 (+https://städte.example/)",
    )
    assert (got.status, got.body) == (200, FEED)
    [(request, _)] = httpserver.log
    assert "If-None-Match" not in request.headers and "X-Injected" not in request.headers
    assert "If-Modified-Since" not in request.headers
    assert request.headers["User-Agent"] == "digest/1.0 (+https://st%C3%A4dte.example/)"


# ---- redirects ----------------------------------------------------------------------------


def redirect(server: HTTPServer, path: str, status: int, to: str) -> None:
    server.expect_request(path).respond_with_data("", status=status, headers={"Location": to})


def test_a_temporary_redirect_is_followed(httpserver: HTTPServer) -> None:
    redirect(httpserver, "/temp", 302, "/feed.xml")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type=RSS)
    got = get(httpserver.url_for("/temp"))
    assert (got.status, got.body, got.moved_permanently) == (200, FEED, False)
    assert got.final_url == httpserver.url_for("/feed.xml")


@pytest.mark.parametrize("status", [301, 308])
def test_a_permanent_redirect_says_so(httpserver: HTTPServer, status: int) -> None:
    redirect(httpserver, "/old.xml", status, httpserver.url_for("/feed.xml"))
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type=RSS)
    got = get(httpserver.url_for("/old.xml"))
    assert (got.status, got.body, got.moved_permanently) == (200, FEED, True)
    assert got.final_url == httpserver.url_for("/feed.xml")


def test_permanent_then_temporary_is_no_move_to_the_end(httpserver: HTTPServer) -> None:
    redirect(httpserver, "/a", 301, "/b")
    redirect(httpserver, "/b", 302, "/feed.xml")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type=RSS)
    got = get(httpserver.url_for("/a"))
    assert (got.body, got.moved_permanently) == (FEED, False)


def test_too_many_redirects(httpserver: HTTPServer) -> None:
    redirect(httpserver, "/loop", 302, "/loop")
    got = get(httpserver.url_for("/loop"), max_redirects=2)
    assert (got.status, got.body, got.error) == (None, None, "more than 2 redirects")


@pytest.mark.parametrize("target", ["ftp://ftp.example/feed.xml", "file:///etc/passwd"])
def test_a_redirect_away_from_the_web_is_not_followed(httpserver: HTTPServer, target: str) -> None:
    redirect(httpserver, "/feed.xml", 302, target)
    got = get(httpserver.url_for("/feed.xml"), allow_file=True)
    assert (got.status, got.body) == (None, None)
    assert got.error == f"redirected to {target!r}, which is not http or https; not followed"
    assert len(httpserver.log) == 1


# ---- HTTP errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_http_errors(httpserver: HTTPServer, status: int, error: str) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data("Fehler", status=status)
    sent = Validators('"v1"', LAST_MODIFIED)
    got = get(httpserver.url_for("/feed.xml"), sent)
    assert (got.status, got.body, got.error, got.validators) == (status, None, error, sent)
    assert not got.not_modified


# ---- network failures ---------------------------------------------------------------------


def test_timeout(slow_server: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(FEED, content_type=RSS)

    slow_server.expect_request("/slow.xml").respond_with_handler(slow)
    got = get(slow_server.url_for("/slow.xml"), timeout=0.2)
    assert (got.status, got.body, got.error) == (None, None, "no answer within 0.2 s")


def test_a_server_that_trickles_runs_out_of_time(
    slow_server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch_module, "TOTAL_TIMEOUTS", 1)

    def trickle() -> Iterator[bytes]:
        for _ in range(12):
            yield b"<!-- noch da -->\n"
            time.sleep(0.1)

    slow_server.expect_request("/trickle.xml").respond_with_response(
        Response(trickle(), content_type=RSS)
    )
    # Each piece comes within the timeout; all of them take longer than the whole may.
    got = get(slow_server.url_for("/trickle.xml"), timeout=0.5)
    assert (got.status, got.body, got.error) == (200, None, "no complete answer within 0.5 s")


def test_connection_refused() -> None:
    port = free_port()
    got = get(f"http://127.0.0.1:{port}/feed.xml")
    assert (got.status, got.body, got.headers) == (None, None, {})
    assert got.error == f"connection refused by 127.0.0.1:{port}"


def test_unknown_host() -> None:
    got = get("http://feed.example.invalid/", Validators('"v1"'))
    assert (got.status, got.body) == (None, None)
    assert got.error == "cannot resolve host feed.example.invalid"
    assert got.validators == Validators('"v1"')


def test_connection_broken_mid_body() -> None:
    """A server that promises 1000 bytes, sends 30 and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                b"Content-Length: 1000\r\n\r\n<?xml version='1.0'?><rss><ch"
            )

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        got = get(f"http://127.0.0.1:{port}/feed.xml")
    finally:
        thread.join(5)
        listener.close()
    assert (got.status, got.body) == (200, None)
    assert got.error is not None
    assert got.error.startswith("the connection broke off while reading the feed (")


def test_tls_errors_and_a_trusted_transport(tmp_path: Path) -> None:
    ca = trustme.CA()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(server_context)
    server = HTTPServer(host="localhost", port=0, ssl_context=server_context)
    server.expect_request("/feed.xml").respond_with_data(FEED, content_type=RSS)
    server.start()
    try:
        url = server.url_for("/feed.xml")
        assert url.startswith("https://localhost:")
        untrusted = get(url)
        trust = ssl.create_default_context()
        ca.configure_trust(trust)
        trusted = get(url, transport=httpx.HTTPTransport(verify=trust))
    finally:
        server.stop()
    assert (untrusted.status, untrusted.body) == (None, None)
    assert untrusted.error is not None
    assert untrusted.error.startswith(f"TLS error with localhost:{server.port}: ")
    assert "certificate" in untrusted.error
    assert (trusted.status, trusted.body, trusted.error) == (200, FEED, None)


# ---- size limit ---------------------------------------------------------------------------


def test_too_big_by_content_length(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big.xml").respond_with_data(b"x" * 2000, content_type=RSS)
    got = get(httpserver.url_for("/big.xml"), max_bytes=1000)
    assert (got.status, got.body) == (200, None)
    assert got.error == "bigger than the limit of 1000 bytes (it says 2000 bytes)"


def test_too_big_without_content_length(httpserver: HTTPServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"y" * 100

    httpserver.expect_request("/stream.xml").respond_with_response(
        Response(chunks(), content_type=RSS)
    )
    got = get(httpserver.url_for("/stream.xml"), max_bytes=1000)
    assert "content-length" not in got.headers
    assert (got.status, got.body, got.error) == (200, None, "bigger than the limit of 1000 bytes")


def test_a_gzip_bomb_is_stopped_at_the_limit(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * (5 * 1024 * 1024))
    httpserver.expect_request("/bomb.xml").respond_with_data(
        bomb, content_type=RSS, headers={"Content-Encoding": "gzip"}
    )
    got = get(httpserver.url_for("/bomb.xml"), max_bytes=1024 * 1024)
    assert len(bomb) < 1024 * 1024  # Content-Length alone lets it through
    assert (got.status, got.body, got.error) == (200, None, "bigger than the limit of 1 MB")


def test_a_body_just_at_the_limit_is_read(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/exact.xml").respond_with_data(FEED, content_type=RSS)
    got = get(httpserver.url_for("/exact.xml"), max_bytes=len(FEED))
    assert (got.body, got.error) == (FEED, None)


# ---- addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://ftp.example/feed.xml", "unsupported scheme 'ftp' (only http and https)"),
        ("javascript:alert(1)", "unsupported scheme 'javascript' (only http and https)"),
        ("file:///etc/passwd",
         "unsupported scheme 'file' (only http and https; file: where the source allows it)"),
        ("www.jena.example/feed.xml", "not a web address (it has no http:// or https://)"),
        ("", "not a web address (it has no http:// or https://)"),
        ("http:///feed.xml", "malformed address (no host, or spaces in it)"),
        ("http://jena example/feed.xml", "malformed address (no host, or spaces in it)"),
        ("http://[::1/feed.xml", "malformed address (Invalid port: ':1')"),
    ],
)  # fmt: skip
def test_addresses_that_are_not_fetched(url: str, error: str) -> None:
    got = get(url)
    assert got == Fetched(url, url, None, None, {}, Validators(), error)


def test_a_file_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "Nachrichten feed.xml"
    path.write_bytes(FEED)
    url = path.as_uri()
    assert "%20" in url
    assert get(url, allow_file=True) == Fetched(url, url, None, FEED, {}, Validators())
    too_big = get(url, allow_file=True, max_bytes=100)
    assert (too_big.body, too_big.error is not None) == (None, True)
    assert too_big.error is not None and "more than the limit" in too_big.error
    missing = get((tmp_path / "fehlt.xml").as_uri(), allow_file=True)
    assert missing.error == "cannot be read (No such file or directory)"
