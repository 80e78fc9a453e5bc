"""The app as a whole: security headers on every answer, cookies only on form pages, the
privacy and Impressum pages linked from everywhere, the health check, German error pages
without stack traces, trusted proxies, the [web] config, and `digest serve` itself."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from digest.cli import main
from digest.config import Config, load_config
from digest.errors import ConfigError, StoreError
from digest.subscribers.tokens import Tokens
from digest.web import create_app

from .web_support import SECRET, form_page, free_port

PAGES = ["/", "/anmelden", "/datenschutz", "/impressum", "/healthz", "/feed.atom", "/nirgends"]


def security_headers_present(headers: Any) -> None:
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "script-src" not in csp  # falls back to default-src 'none': no script at all
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_answer(client: Any, path: str) -> None:
    security_headers_present(client.get(path).headers)


def test_security_headers_on_304_413_429_and_405(client: Any, site: Config) -> None:
    etag = client.get("/feed.atom").headers["ETag"]
    security_headers_present(client.get("/feed.atom", headers={"If-None-Match": etag}).headers)
    security_headers_present(client.post("/feed.atom").headers)
    big = client.post("/anmelden", data={"x": "y" * (site.web.max_body_kb * 1024 + 10)})
    assert big.status_code == 413
    security_headers_present(big.headers)
    for _ in range(40):
        last = client.post("/anmelden", data={})
    assert last.status_code == 429
    security_headers_present(last.headers)


def test_cookies_only_on_form_pages(client: Any, site: Config) -> None:
    token = Tokens(SECRET.encode()).make("unsubscribe", 1)
    for path in ["/", "/datenschutz", "/impressum", "/healthz", "/feed.atom", f"/abmelden/{token}"]:
        fresh = client.application.test_client()
        assert "Set-Cookie" not in fresh.get(path).headers, path
    assert "digest_csrf=" in client.get("/anmelden").headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/anmelden", "/datenschutz", "/impressum", "/nirgends"])
def test_every_page_links_privacy_and_impressum(client: Any, path: str) -> None:
    root = lxml.html.fromstring(client.get(path).data)
    assert root.get("lang") == "de-DE"
    links = root.xpath("//footer//a/@href")
    assert "/datenschutz" in links and "/impressum" in links and "/anmelden" in links
    assert not root.xpath("//script | //img[starts-with(@src,'http')] | //link[@rel='stylesheet']")


def test_privacy_and_impressum_come_from_config(client: Any, site: Config, app: Any) -> None:
    privacy = client.get("/datenschutz").get_data(as_text=True)
    first = " ".join(site.web.privacy_text.split("\n\n")[0].split())
    assert first in " ".join(privacy.split())
    impressum = client.get("/impressum").get_data(as_text=True)
    for value in (site.impressum.publisher, site.impressum.address, site.impressum.responsible):
        assert value in impressum
    # An organisation with its own privacy page: /datenschutz and the form link to it.
    elsewhere = replace(site, consent=replace(site.consent, privacy_url="https://stadt.example/ds"))
    other = create_app(elsewhere).test_client()
    assert "https://stadt.example/ds" in other.get("/datenschutz").get_data(as_text=True)
    form = lxml.html.fromstring(other.get("/anmelden").data)
    assert form.xpath("//*[@id='consent-privacy']//a/@href") == ["https://stadt.example/ds"]


def test_health_check(client: Any, site: Config) -> None:
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.json == {"status": "ok", "store": "ok", "output": "ok"}
    site.store_path.unlink()
    site.store_path.write_bytes(b"this is not an SQLite database, just text" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{site.store_path}{suffix}").unlink(missing_ok=True)
    broken = client.get("/healthz")
    assert broken.status_code == 503 and broken.json["store"] == "unavailable"
    assert str(site.store_path) not in broken.get_data(as_text=True)


def test_errors_are_german_pages_without_traces(
    client: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from digest.pipeline import signup

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals at /srv/digest/db")

    token = form_page(client, "/anmelden")
    monkeypatch.setattr(signup, "add", explode)
    crash = client.post(
        "/anmelden", data={"csrf_token": token, "email": "a@example.org", "consent": "y"}
    )
    assert crash.status_code == 500
    body = crash.get_data(as_text=True)
    assert "Interner Fehler" in body and "Traceback" not in body and "/srv/" not in body
    assert "RuntimeError" in caplog.text  # the operator gets the trace in the log

    def store_down(*args: Any, **kwargs: Any) -> Any:
        raise StoreError("database is locked", "try again")

    monkeypatch.setattr(signup, "add", store_down)
    down = client.post(
        "/anmelden", data={"csrf_token": token, "email": "a@example.org", "consent": "y"}
    )
    assert down.status_code == 503 and "Vorübergehend nicht verfügbar" in down.get_data(
        as_text=True
    )


def test_trusted_proxy_gives_the_client_address(site: Config, clock: Any) -> None:
    behind = create_app(replace(site, web=replace(site.web, proxies=1)), now=clock)
    client = behind.test_client()
    token = form_page(client, "/anmelden")
    codes = []
    for i in range(12):
        response = client.post(
            "/anmelden",
            data={"csrf_token": token, "email": f"p{i}@example.org", "consent": "y"},
            headers={"X-Forwarded-For": "203.0.113.5" if i < 11 else "203.0.113.6"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # every request comes from the proxy
            buffered=True,
        )
        codes.append(response.status_code)
    # The limit applies per client behind the proxy, not to the proxy itself.
    assert codes[:10] == [200] * 10 and codes[10] == 429 and codes[11] == 200


@pytest.mark.parametrize(
    ("line", "wrong", "key"),
    [
        ("port = 8000", "port = 70000", "web.port"),
        (
            'signup_limit_client = "10 per minute; 30 per hour"',
            'signup_limit_client = "viele"',
            "web.signup_limit_client",
        ),
        ("threads = 8", "threads = 0", "web.threads"),
        ("[web]", '[web]\nhots = "0.0.0.0"', "web.hots"),
    ],
)
def test_web_config_errors_name_the_key(config_file: Path, line: str, wrong: str, key: str) -> None:
    text = config_file.read_text(encoding="utf-8")
    assert text.count(line) == 1
    config_file.write_text(text.replace(line, wrong), encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(config_file)


def test_serve_refuses_a_busy_port(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["--config", str(config_file), "serve", "--port", str(port)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


def test_digest_serve_runs_and_answers(config_file: Path, tmp_path: Path) -> None:
    """The real command in its own process: binds to loopback, serves, stops on SIGTERM."""
    port = free_port()
    env = {"DIGEST_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "digest.cli",
            "--config",
            str(config_file),
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/impressum", timeout=5) as r:
                    assert r.status == 200 and r.headers["Server"] == "digest"
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "digest serve did not answer"
                time.sleep(0.2)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in err
    assert "run `digest build`" in err  # nothing built in this fresh folder yet


def test_the_default_rate_limits_are_valid_limits() -> None:
    # load_config checks only limits that differ from these defaults (importing the limits
    # package costs every command 50 ms), so the defaults themselves must parse.
    from limits import parse_many

    from digest.config_web import _LIMITS

    assert all(parse_many(text) for text in _LIMITS.values())
