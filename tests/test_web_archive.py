"""The archive and feeds over HTTP: content types, ETag/Last-Modified and 304, gzip, and no
way out of the output folder, through the test client and through a real waitress server
that receives the raw, unnormalised paths."""

from __future__ import annotations

import gzip
import http.client
import os
import time
from typing import Any

import pytest

from digest.config import Config

from .web_support import free_port, live_server


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/weeks/2026-W01.html", "text/html; charset=utf-8"),
        ("/feed.atom", "application/atom+xml; charset=utf-8"),
        ("/email/2026-W01.eml", "message/rfc822"),
        ("/tiny.txt", "text/plain; charset=utf-8"),
    ],
)
def test_content_types(client: Any, site: Config, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    on_disk = site.out / (path.lstrip("/") or "index.html")
    assert response.data == on_disk.read_bytes()
    assert response.headers["Cache-Control"].startswith("public")


def test_etag_and_last_modified_give_304(client: Any) -> None:
    first = client.get("/feed.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get("/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    weak = client.get("/feed.atom", headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    assert client.get("/feed.atom", headers={"If-Modified-Since": modified}).status_code == 304
    other = client.get("/feed.atom", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    # A matching ETag wins over a stale If-Modified-Since and vice versa (RFC 9110 13.2.2).
    stale = "Mon, 01 Jan 2001 00:00:00 GMT"
    both = client.get("/feed.atom", headers={"If-None-Match": etag, "If-Modified-Since": stale})
    assert both.status_code == 304


def test_a_rebuilt_file_gets_a_new_etag(client: Any, site: Config) -> None:
    first = client.get("/weeks/2026-W01.html")
    page = site.out / "weeks" / "2026-W01.html"
    replacement = page.with_suffix(".tmp")
    replacement.write_text("<!DOCTYPE html><p>neu gebaut</p>", "utf-8")
    os.replace(replacement, page)  # as the build writes: a new file renamed into place
    later = time.time() + 5
    os.utime(page, (later, later))
    again = client.get("/weeks/2026-W01.html", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.data == b"<!DOCTYPE html><p>neu gebaut</p>"
    assert again.headers["ETag"] != first.headers["ETag"]


def test_gzip_only_when_asked(client: Any, site: Config) -> None:
    plain = client.get("/feed.atom")
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"
    packed = client.get("/feed.atom", headers={"Accept-Encoding": "br;q=1, gzip;q=0.8"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    assert gzip.decompress(packed.data) == (site.out / "feed.atom").read_bytes()
    assert packed.headers["ETag"] != plain.headers["ETag"]
    refused = client.get("/feed.atom", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    # Too small to be worth it: sent as it is.
    tiny = client.get("/tiny.txt", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers and tiny.data == b"klein"
    # A gzip copy's ETag also revalidates.
    etag = packed.headers["ETag"]
    hit = client.get("/feed.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert hit.status_code == 304


def test_head_has_headers_and_no_body(client: Any) -> None:
    response = client.head("/feed.atom")
    assert response.status_code == 200 and response.data == b""
    assert int(response.headers["Content-Length"]) > 0
    assert response.headers["ETag"]


def test_other_methods_are_refused(client: Any) -> None:
    response = client.post("/feed.atom", data={"x": "y"})
    assert response.status_code == 405
    assert "Nicht erlaubt" in response.get_data(as_text=True)
    assert "GET" in response.headers["Allow"]


ESCAPES = [
    "/../secret.txt",
    "/weeks/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/weeks/%2E%2E/%2e%2e/secret.txt",
    "/weeks%2f..%2f..%2fsecret.txt",
    "/..%2fsecret.txt",
    "/..%5csecret.txt",
    "/weeks/..\\..\\secret.txt",
    "/leak.html",
    "/.hidden",
    "/%2ehidden",
    "/weeks/./2026-W01.html",
    "//etc/passwd",
    "/%00index.html",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_no_way_out_via_test_client(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    body = response.get_data(as_text=True)
    assert "GEHEIM" not in body and "versteckt" not in body and "root:" not in body


def test_no_way_out_over_a_real_socket(app: Any) -> None:
    """The raw request line reaches waitress unnormalised (http.client sends it verbatim)."""
    port = free_port()
    with live_server(app, port):
        for path in ESCAPES:
            if "\\" in path:
                continue  # not a valid request-target; covered by the test client above
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            connection.close()
            assert response.status in (400, 404), (path, response.status)
            assert "GEHEIM" not in body and "versteckt" not in body, path
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/weeks/2026-W01.html")
        assert connection.getresponse().status == 200  # and the real file is still served
        connection.close()


def test_a_symlink_inside_the_folder_is_served(client: Any, site: Config) -> None:
    (site.out / "latest.html").symlink_to(site.out / "weeks" / "2026-W01.html")
    assert client.get("/latest.html").status_code == 200


def test_missing_output_folder_is_a_404_not_a_crash(client: Any, site: Config) -> None:
    for path in sorted(site.out.rglob("*"), reverse=True):
        path.unlink() if not path.is_dir() or path.is_symlink() else path.rmdir()
    site.out.rmdir()
    response = client.get("/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["output"] == "missing"


def test_front_answers_files_itself_and_passes_the_rest_to_flask(site: Config) -> None:
    """ArchiveFront serves an existing file without calling the app behind it; a missing
    file, a form route, another method and a forbidden path all reach the app."""
    from werkzeug.test import Client

    from digest.web.archive import ArchiveFiles
    from digest.web.static import ArchiveFront

    reached: list[str] = []

    def behind(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        reached.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"app"]

    (site.out / "anmelden").mkdir()
    (site.out / "anmelden" / "index.html").write_text("not the form", "utf-8")
    front = Client(ArchiveFront(behind, ArchiveFiles(site.out), frozenset({"anmelden"})))
    served = front.get("/weeks/2026-W01.html")
    assert served.status_code == 200 and b"KW 1" in served.data
    assert served.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert front.head("/feed.atom").status_code == 200
    assert reached == []
    for path in ["/fehlt.html", "/anmelden/", "/../secret", "/.hidden"]:
        assert front.get(path).data == b"app", path
    assert front.post("/feed.atom").data == b"app"
    assert reached == [
        "GET /fehlt.html",
        "GET /anmelden/",
        "GET /../secret",
        "GET /.hidden",
        "POST /feed.atom",
    ]


def test_a_file_named_like_a_form_route_does_not_hide_it(client: Any, site: Config) -> None:
    (site.out / "anmelden").write_text("a stray file in the output", "utf-8")
    (site.out / "impressum").mkdir()
    (site.out / "impressum" / "index.html").write_text("a stray page", "utf-8")
    assert "Anmelden" in client.get("/anmelden").get_data(as_text=True)
    page = client.get("/impressum").get_data(as_text=True)
    assert "Impressum" in page and "stray" not in page


def test_archive_files_get_hsts_behind_an_https_proxy(site: Config, clock: Any) -> None:
    from dataclasses import replace

    from digest.web import create_app

    behind = create_app(replace(site, web=replace(site.web, proxies=1)), now=clock).test_client()
    secure = behind.get("/feed.atom", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in behind.get("/feed.atom").headers
