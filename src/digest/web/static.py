"""Routes for the build output: `/` is the archive index, any other path a file below it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, abort, request

from .archive import answer

if TYPE_CHECKING:
    from . import State


def register(app: Flask, state: State) -> None:
    def archive_file(subpath: str = "") -> Response:
        entry = state.files.lookup(subpath)
        if entry is None:
            abort(404)
        return answer(entry, request)

    app.add_url_rule("/", "archive.index", archive_file, methods=["GET", "HEAD"])
    app.add_url_rule("/<path:subpath>", "archive.file", archive_file, methods=["GET", "HEAD"])
