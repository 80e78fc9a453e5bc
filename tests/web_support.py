"""Helpers for the web tests: a config whose store, output and outbox live in tmp_path, a
clock the test moves, CSRF tokens read off a page, mails read from the Maildir outbox, and a
live waitress server on a free loopback port for browser and load tests."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from waitress.server import create_server

from digest import pipeline
from digest.config import Config, SourceConfig

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
SECRET = "web-test-secret-0123456789abcdef"


class Clock:
    """A clock the test moves; starts on a Monday morning. Shared by the subscriber tests."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def web_config(cfg: Config, tmp_path: Path, base_url: str | None = None, **web: Any) -> Config:
    """`cfg` with its output, outbox and store in tmp_path; `web` overrides [web] keys."""
    site = replace(cfg.site, base_url=base_url) if base_url else cfg.site
    consent = replace(cfg.consent, privacy_url=f"{site.base_url}datenschutz")
    return replace(
        cfg,
        site=site,
        consent=consent,
        out=tmp_path / "public",
        store_path=tmp_path / "var" / "store.sqlite3",
        delivery=replace(cfg.delivery, transport="maildir", maildir=tmp_path / "outbox"),
        web=replace(cfg.web, **web),
    )


def build_sample(cfg: Config) -> Config:
    """Build the sample corpus into cfg.out (a real archive and feeds to serve)."""
    source = SourceConfig(CORPUS, "sources[0].path", None, name="Beispielkorpus")
    with_corpus = replace(cfg, sources=(source,))
    pipeline.build(with_corpus)
    return with_corpus


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def form_page(client: FlaskClient, path: str) -> str:
    """GET a form page and return its CSRF token."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_token(response.get_data(as_text=True))


def outbox(cfg: Config) -> list[EmailMessage]:
    """Every message in the Maildir outbox, oldest first."""
    folder = cfg.delivery.maildir / "new"
    if not folder.exists():
        return []
    files = sorted(folder.iterdir(), key=lambda p: (p.stat().st_mtime_ns, p.name))
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in files
    ]


def link_in(message: EmailMessage, path: str) -> str:
    """The first link in a mail's text part whose path starts with `path` (e.g. bestaetigen/)."""
    part = message.get_body(("plain",))
    assert part is not None
    text = part.get_content()
    found = re.search(rf"https?://\S*?/{re.escape(path)}[A-Za-z0-9_.\-]+", text)
    assert found, f"no {path} link in the mail"
    return found.group(0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_server(app: Flask, port: int, threads: int = 4) -> Iterator[str]:
    """Serve `app` with waitress on 127.0.0.1:`port` (see free_port); yield its base URL.

    The port is chosen before the app is made, so that the config's base_url, and with it
    every link in the mails, points at this server."""
    server = create_server(app, host="127.0.0.1", port=port, threads=threads, ident="digest")
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            # Closing the listening socket from here makes the loop's select() fail: that is
            # how waitress stops when it is not the main program.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stopping.set()
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        server.close()
        thread.join(timeout=10)
