"""Spotting form data that is not UTF-8, before anything parses it.

Werkzeug decodes url-encoded forms as UTF-8 and, on bytes that are not, silently drops the
whole form or leaves the escapes undecoded ("m%FCller@..."), which would then look like a
valid address. This WSGI middleware reads such a body once (only when it is within the size
limit, so 413 stays Flask's answer), puts it back for Flask, and flags a wrong encoding in
the environ; the app answers that flag with a German 400 page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

FLAG = "digest.form_not_utf8"
FORM = "application/x-www-form-urlencoded"


class FormEncodingCheck:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if environ.get("REQUEST_METHOD") == "POST" and kind == FORM:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if 0 < length <= self.max_bytes:
                body = environ["wsgi.input"].read(length)
                environ["wsgi.input"] = io.BytesIO(body)
                environ[FLAG] = not is_utf8_form(body)
        result: Iterable[bytes] = self.app(environ, start_response)
        return result


def is_utf8_form(body: bytes) -> bool:
    """Whether every name and value of a url-encoded body decodes as UTF-8."""
    try:
        for pair in body.split(b"&"):
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
