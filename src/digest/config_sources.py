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

from .normalise import is_web_url

if TYPE_CHECKING:
    from .config import _Reader

LinkTo = Literal["page", "original"]
_SOURCE_KEYS = {"path", "name", "url", "full_text", "link"}


@dataclass(frozen=True, slots=True)
class SourceConfig:
    path: Path
    key: str  # e.g. "sources[0].path", for messages
    line: int | None
    name: str = ""  # who the texts are from: "Quelle: <name>"
    url: str | None = None  # the source's home page, linked from the credit
    full_text: bool = True  # False: article pages show the lead and a link to the original
    link: LinkTo = "page"  # where an item's title leads: its article page, or the original


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
        raw = r.take(source, prefix, "path", str)
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
        url = r.take(source, prefix, "url", str, "") or None
        if url is not None and not is_web_url(url):
            raise r.fail(f"{prefix}.url", f"{url!r} is not an http(s) URL", "or leave it out")
        link = r.take(source, prefix, "link", str, "page")
        if link not in ("page", "original"):
            raise r.fail(
                f"{prefix}.link", f"expected \"page\" or \"original\", got {link!r}"
            )
        sources.append(
            SourceConfig(
                r.root / raw,
                f"{prefix}.path",
                r.lines.get(f"{prefix}.path"),
                name=name,
                url=url,
                full_text=r.take(source, prefix, "full_text", bool, True),
                link="original" if link == "original" else "page",
            )
        )
    return tuple(sources)


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
