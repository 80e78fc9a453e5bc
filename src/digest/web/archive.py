"""Serving the build output (`public/`): the archive pages, feeds and email previews.

Every answer carries a strong ETag (a hash of the content) and Last-Modified, and a client
that already has the file gets 304. Text is gzip-compressed when the client asks for it;
the compressed copy is made once per file version and kept in a bounded memory cache keyed
by the file's inode, size and mtime, so a rebuilt file (written by rename) is picked up at
once. No path can leave the output folder: dot segments, hidden files, backslashes and NUL
are refused before the file system is asked, and the resolved path (symlinks followed) must
still lie inside the folder.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.http import http_date
from werkzeug.wrappers import Request, Response

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".mjml": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".eml": "message/rfc822",
}
COMPRESSIBLE = {".html", ".atom", ".xml", ".txt", ".mjml", ".css", ".json", ".eml", ".svg"}
MIN_GZIP = 512  # below this, gzip's header eats most of the saving
CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True, slots=True)
class Entry:
    """One version of one file, ready to answer with."""

    stamp: tuple[int, int, int]  # inode, size, mtime_ns: changes when the file is replaced
    body: bytes
    gzipped: bytes | None
    etag: str  # without quotes
    modified: datetime
    content_type: str


class ArchiveFiles:
    """Look up files below the output folder, with a bounded cache of their answers."""

    def __init__(self, root: Path, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._cache: OrderedDict[str, Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def resolve(self, subpath: str) -> str | None:
        """The real path of a request path below the root, or None if it is not allowed."""
        parts = subpath.split("/")
        directory = parts[-1] == ""
        parts = parts[:-1] if directory else parts
        for part in parts:
            if part in ("", ".", "..") or part.startswith(".") or "\\" in part or "\0" in part:
                return None
        try:
            root = os.path.realpath(self.root, strict=True)
        except OSError:
            return None
        path = os.path.join(root, *parts)
        if directory or os.path.isdir(path):
            path = os.path.join(path, "index.html")
        real = os.path.realpath(path)
        if not real.startswith(root + os.sep):
            return None  # a symlink pointing out of the folder
        return real

    def lookup(self, subpath: str) -> Entry | None:
        real = self.resolve(subpath)
        if real is None:
            return None
        try:
            st = os.stat(real)
        except OSError:
            return None
        if not os.path.isfile(real):
            return None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            cached = self._cache.get(real)
            if cached is not None and cached.stamp == stamp:
                self._cache.move_to_end(real)
                return cached
        try:
            with open(real, "rb") as f:
                body = f.read()
        except OSError:
            return None
        entry = _entry(real, stamp, body, st.st_mtime)
        self._remember(real, entry)
        return entry

    def _remember(self, key: str, entry: Entry) -> None:
        size = len(entry.body) + len(entry.gzipped or b"")
        if size > self.max_bytes // 4:
            return  # too big to keep; answered from disk each time
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._size -= len(old.body) + len(old.gzipped or b"")
            self._cache[key] = entry
            self._size += size
            while self._size > self.max_bytes and self._cache:
                _, dropped = self._cache.popitem(last=False)
                self._size -= len(dropped.body) + len(dropped.gzipped or b"")


def _entry(path: str, stamp: tuple[int, int, int], body: bytes, mtime: float) -> Entry:
    suffix = os.path.splitext(path)[1].lower()
    content_type = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    gzipped = None
    if suffix in COMPRESSIBLE and len(body) >= MIN_GZIP:
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    return Entry(
        stamp=stamp,
        body=body,
        gzipped=gzipped,
        etag=hashlib.sha256(body).hexdigest()[:32],
        modified=datetime.fromtimestamp(int(mtime), UTC),
        content_type=content_type,
    )


def answer(entry: Entry, request: Request) -> Response:
    """The response for a file: 304 when the client's copy is current, gzip when asked."""
    gz = entry.gzipped is not None and request.accept_encodings["gzip"] > 0
    etag = f"{entry.etag}-gz" if gz else entry.etag
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": http_date(entry.modified),
        "Cache-Control": CACHE_CONTROL,
    }
    if entry.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    if _not_modified(entry, etag, request):
        return Response(status=304, headers=headers)
    body = entry.gzipped if gz and entry.gzipped is not None else entry.body
    if gz:
        headers["Content-Encoding"] = "gzip"
    response = Response(body, status=200, headers=headers, content_type=entry.content_type)
    response.content_length = len(body)
    return response


def _not_modified(entry: Entry, etag: str, request: Request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.if_none_match:
        # Weak comparison (RFC 9110 13.1.2): the gzip and plain copies share one content.
        tags = request.if_none_match
        return tags.contains_weak(etag) or tags.contains_weak(entry.etag) or tags.star_tag
    since = request.if_modified_since
    return since is not None and entry.modified <= since
