"""The build output over HTTP: `/` is the archive index, any other path a file below it.

Two ways in, one answer. The Flask routes serve files for requests the app sees whole; the
`ArchiveFront` WSGI layer in front of Flask answers a GET or HEAD for an existing archive file
straight away, without Flask's request context, rate limiter and session machinery, which
were most of the cost of a static answer (bench/serve_bench.py). Anything else, a missing
file, a path that is not allowed, a form route or another method, goes on to Flask, so its
German error pages and checks stay the only ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, request
from werkzeug.wrappers import Request, Response

from .archive import ArchiveFiles, answer
from .headers import secure

if TYPE_CHECKING:
    from . import State

ENDPOINTS = ("archive.index", "archive.file")


def register(app: Flask, state: State) -> None:
    def archive_file(subpath: str = "") -> Response:
        entry = state.files.lookup(subpath)
        if entry is None:
            abort(404)
        return answer(entry, request)

    app.add_url_rule("/", ENDPOINTS[0], archive_file, methods=["GET", "HEAD"])
    app.add_url_rule("/<path:subpath>", ENDPOINTS[1], archive_file, methods=["GET", "HEAD"])


def app_prefixes(app: Flask) -> frozenset[str]:
    """The first path segments of the app's own routes (anmelden, abmelden, healthz, ...)."""
    firsts = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in ENDPOINTS:
            firsts.add(rule.rule.lstrip("/").split("/", 1)[0])
    return frozenset(firsts)


class ArchiveFront:
    """WSGI: answer GET/HEAD for existing archive files before Flask; pass on the rest."""

    def __init__(self, app: Any, files: ArchiveFiles, reserved: frozenset[str]) -> None:
        self.app = app
        self.files = files
        self.reserved = reserved

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            req = Request(environ)
            subpath = req.path[1:]
            if subpath.split("/", 1)[0] not in self.reserved:
                entry = self.files.lookup(subpath)
                if entry is not None:
                    response = answer(entry, req)
                    secure(response.headers, req.is_secure)
                    result: Iterable[bytes] = response(environ, start_response)
                    return result
        passed: Iterable[bytes] = self.app(environ, start_response)
        return passed
