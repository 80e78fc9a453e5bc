"""Read config.toml into frozen dataclasses; every error names the file, line and key.

Each section has its reader module (config_site.py, config_email.py, config_rules.py,
config_delivery.py, config_web.py, config_ingest.py); `_Reader` holds what they share. Values
are checked here, at load time, so that a bad one stops with `file:line: key: message` instead
of crashing a build or a send later: every string is refused when it holds a control character
(see `_Reader.take`), every number must lie in its range (`_Reader.number`), and addresses and
URLs are stored in their ASCII form (see config_site.py and config_email.py).
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .classify import Rules
from .config_delivery import (
    ConsentConfig,
    DeliveryConfig,
    SubscribeConfig,
    read_consent,
    read_delivery,
    read_subscribe,
)
from .config_email import (
    EmailConfig,
    FeedConfig,
    ImpressumConfig,
    read_email,
    read_feeds,
    read_impressum,
)
from .config_ingest import IngestConfig, read_ingest, read_store_timeout
from .config_rules import read_rules
from .config_site import SiteConfig, read_site
from .config_sources import (
    EditorialConfig,
    SourceConfig,
    read_editorial,
    read_exclude,
    read_sources,
)
from .config_web import WebConfig, read_web
from .errors import ConfigError

__all__ = [
    "Config",
    "ConsentConfig",
    "DeliveryConfig",
    "EditorialConfig",
    "EmailConfig",
    "FeedConfig",
    "ImpressumConfig",
    "IngestConfig",
    "SiteConfig",
    "SourceConfig",
    "SubscribeConfig",
    "WebConfig",
    "load_config",
]

T = TypeVar("T")
N = TypeVar("N", int, float)

# The only values that may span lines; config.toml writes them as """...""" paragraphs.
MULTILINE = frozenset({"consent.text", "web.privacy_text"})
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators. A CR or LF in a value
# that reaches a mail header (site.title is the List-Id phrase, email.from_name the From name)
# would start a header of its own ("Bcc: ..."); none of them belongs in a name, URL or path.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    site: SiteConfig
    store_path: Path
    store_timeout: float  # seconds to wait for a store another process is writing
    sources: tuple[SourceConfig, ...]
    rules: Rules
    email: EmailConfig
    impressum: ImpressumConfig
    feeds: FeedConfig
    templates: Path
    out: Path
    subscribe: SubscribeConfig
    consent: ConsentConfig
    delivery: DeliveryConfig
    web: WebConfig
    ingest: IngestConfig
    exclude: Mapping[str, str]  # [exclude]: article id or URL -> the editor's reason
    editorial: EditorialConfig
    preview: Path  # email previews (.eml, .mjml with placeholder tokens): not for the public
    page_size: int  # weeks per archive index page, articles per topic page

    @property
    def topic_keys(self) -> tuple[str, ...]:
        """Every topic a subscriber can choose, in digest order: the rules' topics, then other."""
        return self.rules.order


def load_config(path: Path) -> Config:
    """Load and validate config.toml; raise ConfigError naming the key on any mistake."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            f"config file not found: {path}",
            "run from the project folder or pass --config PATH (see README.md)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", "save it as UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", "fix the syntax at that line") from None
    return _Reader(path, text).config(data)


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.root = path.resolve().parent
        self.lines = _key_lines(text)

    def fail(self, key: str, message: str, hint: str = "") -> ConfigError:
        line = self.lines.get(key) or self.lines.get(key.rsplit(".", 1)[0])
        where = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(f"{where}: {key}: {message}", hint)

    def take(
        self, table: Mapping[str, Any], prefix: str, key: str, kind: type[T], default: Any = ...
    ) -> T:
        """Return table[key] if it has the expected kind, or `default` when it is absent.

        A string is also refused if it holds a control character (see `text`): this one check
        covers every string key of every section, so a new key cannot forget it.
        """
        dotted = f"{prefix}.{key}" if prefix else key
        if key not in table:
            if default is ...:
                raise self.fail(
                    dotted, "missing", f"add `{key} = ...` (see the comments in config.toml)"
                )
            return default  # type: ignore[no-any-return]
        value = table[key]
        ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            try:
                value, ok = float(value), True
            except OverflowError:  # an integer too big for a float: out of every range
                value, ok = math.inf, True
        if not ok:
            raise self.fail(
                dotted,
                f"expected {_KIND_NAMES.get(kind, kind.__name__)}, got {value!r} "
                f"({_KIND_NAMES.get(type(value), type(value).__name__)})",
            )
        if isinstance(value, str):
            self.text(dotted, value)
        return value  # type: ignore[no-any-return]

    def text(self, key: str, value: str) -> None:
        """Refuse control characters; only the MULTILINE texts may hold line breaks and tabs."""
        multiline = key in MULTILINE
        found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
        if found is None:
            return
        char = f"U+{ord(found.group()):04X}"
        if multiline:
            raise self.fail(
                key,
                f"contains the control character {char}",
                "line breaks and tabs are fine here; remove the other control characters",
            )
        raise self.fail(
            key,
            f"contains a line break or another control character ({char})",
            f"write it on one line; only {' and '.join(sorted(MULTILINE))} may span lines",
        )

    def number(
        self,
        table: Mapping[str, Any],
        prefix: str,
        key: str,
        kind: type[N],
        default: N,
        low: N,
        high: N,
        unit: str = "",
        hint: str = "",
    ) -> N:
        """Return a number of `kind` that lies in [low, high]; nan never does."""
        value = self.take(table, prefix, key, kind, default)
        if not low <= value <= high:
            raise self.fail(
                f"{prefix}.{key}",
                f"must be from {_shown(low)} to {_shown(high)}{unit}, got {_shown(value)}",
                hint,
            )
        return value

    def strings(self, table: Mapping[str, Any], prefix: str, key: str) -> list[str]:
        values = self.take(table, prefix, key, list, [])
        if not all(isinstance(v, str) for v in values):
            raise self.fail(f"{prefix}.{key}", "expected a list of strings")
        for value in values:
            self.text(f"{prefix}.{key}", value)
        return values

    def only(self, table: Mapping[str, Any], prefix: str, known: set[str]) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"known keys: {', '.join(sorted(known))}"
                )
                raise self.fail(f"{prefix}.{key}" if prefix else key, "unknown key", hint)

    def config(self, data: Mapping[str, Any]) -> Config:
        self.only(
            data,
            "",
            {
                "site",
                "store",
                "sources",
                "classify",
                "topics",
                "overrides",
                "email",
                "impressum",
                "feeds",
                "render",
                "subscribe",
                "consent",
                "delivery",
                "smtp",
                "dkim",
                "web",
                "ingest",
                "exclude",
                "editorial",
            },
        )
        site = read_site(self, data)
        store_t = self.take(data, "", "store", dict, {})
        self.only(store_t, "store", {"path", "busy_timeout"})
        store_path = self.root / self.take(store_t, "store", "path", str, "var/digest.sqlite3")
        store_timeout = read_store_timeout(self, store_t)

        email = read_email(self, data, site)
        impressum = read_impressum(self, data, email)
        render_t = self.take(data, "", "render", dict, {})
        self.only(render_t, "render", {"templates", "out", "preview", "page_size"})
        return Config(
            self.path,
            site,
            store_path,
            store_timeout,
            read_sources(self, data),
            read_rules(self, data),
            email,
            impressum,
            read_feeds(self, data, impressum),
            self.root / self.take(render_t, "render", "templates", str, "templates"),
            self.root / self.take(render_t, "render", "out", str, "public"),
            read_subscribe(self, data),
            read_consent(self, data, site.base_url),
            read_delivery(self, data, email.from_address),
            read_web(self, data),
            read_ingest(self, data),
            read_exclude(self, data),
            read_editorial(self, data),
            self.root / self.take(render_t, "render", "preview", str, "preview"),
            self.number(render_t, "render", "page_size", int, 25, 1, 10000, " items"),
        )


def _shown(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def key_lines(path: Path) -> dict[str, int]:
    """The line of each dotted key in a config file, for messages found after loading it."""
    try:
        return _key_lines(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return {}


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted keys ('classify.threshold', 'sources[1].path') to their line numbers."""
    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            name = header.group(2).replace('"', "")
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                name = f"{name}[{counts[name]}]"
            table = name
            lines.setdefault(table, number)
        elif key := _KEY.match(line):
            name = key.group(1) or key.group(2) or key.group(3)
            lines.setdefault(f"{table}.{name}" if table else name, number)
    return lines
