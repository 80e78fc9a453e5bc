"""The editor's part of config.toml: the [[sources]] with their attribution, [exclude] and
[editorial].

Every source names who wrote its texts (`name`, shown as "Quelle: …" on every item) and says
whether its full text may be republished on the article pages (`full_text`) and where an item's
title leads (`link`: the article page, or the original article where one is known). A source
without a name, or two sources with the same name, stop at load time with the config line: a
digest must never publish a text without saying whose it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .normalise import is_web_url

if TYPE_CHECKING:
    from .config import _Reader

LinkTo = Literal["page", "original"]
SourceType = Literal["dumps", "feed", "markdown"]
TYPES: tuple[SourceType, ...] = ("dumps", "feed", "markdown")
_SOURCE_KEYS = {"type", "path", "name", "url", "site", "allow_file", "full_text", "link"}


@dataclass(frozen=True, slots=True)
class SourceConfig:
    path: Path | None  # a file or folder; None for a feed fetched from `feed_url`
    key: str  # e.g. "sources[0].path", for messages
    line: int | None
    name: str = ""  # who the texts are from: "Quelle: <name>"
    url: str | None = None  # the source's home page, linked from the credit
    full_text: bool = True  # False: article pages show the lead and a link to the original
    link: LinkTo = "page"  # where an item's title leads: its article page, or the original
    type: SourceType = "dumps"  # text dumps (K and P), an RSS/Atom feed, Markdown notes
    feed_url: str | None = None  # a feed's address (http, https; file: with allow_file)
    allow_file: bool = False  # may feed_url be a file: URL?


@dataclass(frozen=True, slots=True)
class EditorialConfig:
    folder: Path  # one Markdown file per week: <folder>/2019-W38.md


def read_sources(r: _Reader, data: Mapping[str, Any]) -> tuple[SourceConfig, ...]:
    sources: list[SourceConfig] = []
    seen: dict[str, str] = {}
    for i, source in enumerate(r.take(data, "", "sources", list, [])):
        prefix = f"sources[{i}]"
        if not isinstance(source, dict):
            raise r.fail(
                prefix, "expected a table", "write each source as [[sources]] with path = ..."
            )
        r.only(source, prefix, _SOURCE_KEYS)
        kind = r.take(source, prefix, "type", str, "dumps")
        if kind not in TYPES:
            raise r.fail(
                f"{prefix}.type",
                f"expected one of {', '.join(repr(t) for t in TYPES)}, got {kind!r}",
                '"dumps" for page dumps and press releases (the default), "feed" for RSS/Atom,'
                ' "markdown" for a folder of notes',
            )
        name = r.take(source, prefix, "name", str, "").strip()
        if not name:
            raise r.fail(
                f"{prefix}.name",
                "missing: every source needs the name its texts are credited to",
                'add e.g. name = "Kommune21" (shown as "Quelle: Kommune21" on every item)',
            )
        if name.casefold() in seen:
            raise r.fail(
                f"{prefix}.name",
                f"{name!r} is already the name of {seen[name.casefold()]}",
                "give each [[sources]] entry its own name, or merge the two entries",
            )
        seen[name.casefold()] = prefix
        link = r.take(source, prefix, "link", str, "page")
        if link not in ("page", "original"):
            raise r.fail(f"{prefix}.link", f'expected "page" or "original", got {link!r}')
        place = _place(r, source, prefix, kind)
        sources.append(
            SourceConfig(
                place.path,
                place.key,
                r.lines.get(place.key),
                name=name,
                url=place.site,
                full_text=r.take(source, prefix, "full_text", bool, True),
                link="original" if link == "original" else "page",
                type="feed" if kind == "feed" else "markdown" if kind == "markdown" else "dumps",
                feed_url=place.feed_url,
                allow_file=place.allow_file,
            )
        )
    return tuple(sources)


@dataclass(frozen=True, slots=True)
class _Place:
    path: Path | None
    key: str
    site: str | None
    feed_url: str | None = None
    allow_file: bool = False


def _place(r: _Reader, source: Mapping[str, Any], prefix: str, kind: str) -> _Place:
    """Where a source is read from, and the site its credit links to.

    For a feed, `url` is the feed's own address (or `path` a feed file) and `site` the
    portal the credit links to; for dumps and notes, `url` is that portal.
    """
    allow_file = r.take(source, prefix, "allow_file", bool, False)
    if kind != "feed":
        for key in ("site", "allow_file"):
            if key in source:
                raise r.fail(
                    f"{prefix}.{key}",
                    f'only a source with type = "feed" has {key}',
                    "the credit link of a folder of dumps or notes is its url"
                    if key == "site"
                    else "remove it",
                )
        raw = r.take(source, prefix, "path", str)
        return _Place(r.root / raw, f"{prefix}.path", _site(r, source, prefix, "url"))
    site = _site(r, source, prefix, "site")
    has_url, has_path = "url" in source, "path" in source
    if has_url == has_path:
        raise r.fail(
            prefix,
            "a feed needs either url (its address) or path (a saved feed file), not "
            + ("both" if has_url else "neither"),
            'e.g. url = "https://www.example.de/presse/rss.xml"',
        )
    if has_path:
        return _Place(r.root / r.take(source, prefix, "path", str), f"{prefix}.path", site)
    url = r.take(source, prefix, "url", str).strip()
    r.text(f"{prefix}.url", url)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file" and not allow_file:
        raise r.fail(
            f"{prefix}.url",
            f"{url!r} is a file: URL, which is read only with allow_file = true",
            'set allow_file = true on this source, or use path = "..." for a local feed file',
        )
    if scheme not in ("http", "https", "file") or (scheme != "file" and not is_web_url(url)):
        raise r.fail(
            f"{prefix}.url",
            f"{url!r} is not an http(s) address (unsupported scheme {scheme or 'none'!r})",
            "a feed is fetched over http or https",
        )
    return _Place(None, f"{prefix}.url", site, url, allow_file)


def _site(r: _Reader, source: Mapping[str, Any], prefix: str, key: str) -> str | None:
    site = r.take(source, prefix, key, str, "") or None
    if site is not None and not is_web_url(site):
        raise r.fail(f"{prefix}.{key}", f"{site!r} is not an http(s) URL", "or leave it out")
    return site


def read_exclude(r: _Reader, data: Mapping[str, Any]) -> dict[str, str]:
    """[exclude]: article id or URL = the reason (shown by `digest articles --dropped`)."""
    t = r.take(data, "", "exclude", dict, {})
    excluded: dict[str, str] = {}
    for ref, reason in t.items():
        if not isinstance(reason, str):
            raise r.fail(
                f"exclude.{ref}",
                f"expected the reason as a string, got {reason!r}",
                'write e.g. "9803254955e007d4" = "Doppelt gemeldet"',
            )
        r.text(f"exclude.{ref}", reason)
        excluded[ref.strip()] = reason
    return excluded


def read_editorial(r: _Reader, data: Mapping[str, Any]) -> EditorialConfig:
    t = r.take(data, "", "editorial", dict, {})
    r.only(t, "editorial", {"folder"})
    return EditorialConfig(r.root / r.take(t, "editorial", "folder", str, "editorial"))
