"""Keys of outputs: a digest of everything a page, email or feed shows, taken before it is
rendered, so a build renders only what changed (pipeline/build.py, output.py).

An output's key is the digest of the build's *global* key (digest's code, the templates
folder, the configuration) and of the data the output shows: its context.

- `Digester.key` digests page data through pickle: fast (C), and complete, since pickle
  writes every value of every field. Articles and issues go in as their digests
  (`Digester.shown`, remembered for the last few thousand objects), so the pages that show
  one article each do not pickle it again and again. An issue the build did not load (a
  `Digested` stand-in) goes in as the digest the catalogue kept for it, which is the one
  `shown` gives the loaded issue (`issue_digest`). Functions are pickled by their qualified name:
  their code is part of the global key, and what they act on (the page, the article) is
  data.
  Pickle keeps the order of dicts and lists; it writes a set in its hash order, which may
  differ from process to process, so page data holds no sets (a set would cost a needless
  render, never a stale page).
- `Digester.stable` digests values that may hold sets, such as the configuration, by
  walking them: dataclasses by type and fields, mappings and sequences in order, sets
  sorted, strings, numbers, dates and times by value (and zone), functions by name.
  Slower, and used once per build.

The same data gives the same key in every process: nothing is digested by address or time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from functools import partial
from pathlib import PurePath
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any
from zoneinfo import ZoneInfo

from ..models import Article, Editorial, Issue, Section
from ..weeks import IsoWeek

# Digests remembered at most: each entry keeps its article alive, so an unbounded memo would
# hold the whole archive by the end of a full build.
MEMO_SIZE = 2048


class Digested:
    """A stand-in for an issue that knows its digest without its articles (an issue the
    build has not loaded, pipeline/catalogue.py): keys take the digest, which is the one
    `Digester.shown` gives the issue itself."""

    __slots__ = ()
    digest: bytes


class Digester:
    """Digests of values; remembers those of articles and issues (`shown`)."""

    def __init__(self) -> None:
        self._shown: dict[int, tuple[object, bytes]] = {}  # by id, the object kept alive

    def key(self, *parts: object) -> str:
        """The hex digest of `parts` (page data: see the module doc)."""
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(parts)
        return hashlib.sha256(buffer.getbuffer()).hexdigest()

    def shown(self, value: Article | Issue | Digested) -> bytes:
        """The digest of an article (by its repr: every field, in order; models have no
        sets) or of an issue (its week, editorial and sections, articles by digest), once
        per object and build."""
        if isinstance(value, Digested):
            return value.digest
        found = self._shown.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        if isinstance(value, Article):
            digest = hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).digest()
        else:
            digest = issue_digest(value.week, value.editorial, self.sections(value.sections))
        if len(self._shown) >= MEMO_SIZE:
            self._shown.clear()  # a build walks week by week: older entries are done with
        self._shown[id(value)] = (value, digest)
        return digest

    def sections(self, sections: Iterable[Section]) -> bytes:
        """The digest of an issue's sections: topics, labels and articles by digest."""
        parts = []
        for section in sections:
            parts.append(f"{section.topic}|{section.label}|".encode())
            parts.extend(self.shown(article) for article in section.articles)
        return hashlib.sha256(b"\0".join(parts)).digest()

    def stable(self, *parts: object) -> str:
        """The hex digest of `parts`, the same in every process even if they hold sets."""
        digest = hashlib.sha256()
        for part in parts:
            digest.update(self.digest(part))
        return digest.hexdigest()

    def digest(self, value: object) -> bytes:
        """A 32-byte digest of `value` by its content (the stable walk)."""
        return hashlib.sha256(b"".join(self._parts(value))).digest()

    def _parts(self, value: object) -> Iterable[bytes]:
        out: list[bytes] = []
        self._walk(value, out)
        return out

    def _walk(self, value: object, out: list[bytes]) -> None:
        if value is None or isinstance(value, (bool, int, float)):
            out.append(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            out.append(f"s{len(data)}:".encode())
            out.append(data)
        elif isinstance(value, bytes):
            out.append(f"b{len(value)}:".encode())
            out.append(value)
        elif isinstance(value, (datetime, date, time)):
            out.append(f"{type(value).__name__}:{value.isoformat()}:{_zone(value)};".encode())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.append(f"{type(value).__qualname__}(".encode())
            for field in dataclasses.fields(value):
                out.append(field.name.encode() + b"=")
                self._walk(getattr(value, field.name), out)
            out.append(b")")
        elif isinstance(value, Mapping):
            out.append(f"{{{len(value)}".encode())
            for k, v in value.items():
                self._walk(k, out)
                self._walk(v, out)
            out.append(b"}")
        elif isinstance(value, (list, tuple)):
            out.append(f"[{len(value)}".encode())
            for item in value:
                self._walk(item, out)
            out.append(b"]")
        elif isinstance(value, (set, frozenset)):
            items = sorted(self.digest(item) for item in value)
            out.append(f"<{len(items)}".encode() + b"".join(items) + b">")
        elif isinstance(value, (PurePath, ZoneInfo)):
            out.append(f"{type(value).__name__}:{value};".encode())
        elif isinstance(value, (FunctionType, BuiltinFunctionType, MethodType, partial)):
            out.append(f"fn:{_name(value)};".encode())
        elif hasattr(value, "pattern") and hasattr(value, "flags"):  # a compiled regex
            out.append(f"re:{value.flags}:".encode())
            self._walk(value.pattern, out)
        else:
            raise TypeError(f"no stable digest for {type(value).__qualname__}")


def issue_digest(week: IsoWeek, editorial: Editorial | None, sections: bytes) -> bytes:
    """An issue's digest from its week, its editorial and its sections' digest: so a week
    whose editorial changed gets its new digest without its articles (pipeline/catalogue)."""
    parts = [repr(week).encode(), repr(editorial).encode(), sections]
    return hashlib.sha256(b"\0".join(parts)).digest()


def _zone(value: date | time) -> str:
    tz = getattr(value, "tzinfo", None)
    return "" if tz is None else str(getattr(tz, "key", tz))


def _name(value: Any) -> str:
    if isinstance(value, partial):
        return f"partial({_name(value.func)})"
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"


class _Pickler(pickle.Pickler):
    """Pickles page data with each article and issue as its digest (Digester.shown): the
    tens of thousands of pages that show one article each cost one digest per article."""

    def __init__(self, file: io.BytesIO, digester: Digester) -> None:
        super().__init__(file, protocol=5)
        self.digester = digester

    def persistent_id(self, obj: object) -> bytes | None:
        if isinstance(obj, (Article, Issue, Digested)):
            return self.digester.shown(obj)
        return None
