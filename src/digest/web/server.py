"""Run the app under waitress, a production WSGI server (threads, no fork, pure Python)."""

from __future__ import annotations

import logging
import socket
import sys

from waitress.server import create_server

from ..config import Config
from ..errors import UsageError
from . import create_app


def serve(cfg: Config, host: str | None = None, port: int | None = None) -> None:
    """Serve until interrupted; `host` and `port` default to the [web] section."""
    host = host or cfg.web.host
    port = cfg.web.port if port is None else port
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
    app = create_app(cfg)
    try:
        # Try the address first: a failed create_server leaves waitress's sockets open.
        with socket.create_server((host, port)):
            pass
        server = create_server(
            app,
            host=host,
            port=port,
            threads=cfg.web.threads,
            max_request_body_size=cfg.web.max_body_kb * 1024,
            # Behind a proxy, ProxyFix (in create_app) reads X-Forwarded-*; waitress must not.
            clear_untrusted_proxy_headers=True,
            ident="digest",
            channel_timeout=30,
            # The default (1 byte) makes waitress's main loop try to flush every answer while
            # its worker thread is still writing it, spinning on the channel lock and taking the
            # GIL from the workers: one-click POSTs under 50 clients went from ~190 to 360-570
            # per second with this (bench/serve_bench.py). Answers up to 18 KB
            # go out whole once written.
            send_bytes=18000,
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            "choose another --port, or stop the program that uses this one",
        ) from None
    if not (cfg.out / "index.html").is_file():
        print(f"digest: {cfg.out} has no index.html yet; run `digest build`", file=sys.stderr)
    addr = getattr(server, "effective_host", host), getattr(server, "effective_port", port)
    print(
        f"digest: serving {cfg.out} and the subscription pages on http://{addr[0]}:{addr[1]}/ "
        f"({cfg.web.threads} threads); Ctrl+C stops",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.run()
    finally:
        server.close()
