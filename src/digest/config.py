"""Read config.toml into frozen dataclasses; every error names the file, line and key."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from .classify import FIELDS, TIER_WEIGHTS, Rules, Term, Topic
from .config_delivery import (
    ConsentConfig,
    DeliveryConfig,
    SubscribeConfig,
    read_consent,
    read_delivery,
    read_subscribe,
)
from .config_ingest import IngestConfig, read_ingest, read_store_timeout
from .config_web import WebConfig, read_web
from .errors import ConfigError
from .models import OTHER

T = TypeVar("T")
_TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    base_url: str  # always ends with "/"
    locale: str
    timezone: str
    since: str  # YYYY-MM-DD: date part of the permanent tag: URIs

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class EmailConfig:
    from_name: str
    from_address: str
    reply_to: str
    list_id: str  # the List-Id identifier, e.g. "wochenrueckblick.digest.example.de"
    unsubscribe_mailto: str
    max_html_kb: int  # Gmail clips near 100 KB; stay below this decoded size
    lead_chars: int  # leads longer than this are shortened at a word boundary
    short_lead_chars: int  # the shorter limit used when a week is too big


@dataclass(frozen=True, slots=True)
class ImpressumConfig:
    publisher: str
    address: str
    responsible: str
    contact: str


@dataclass(frozen=True, slots=True)
class FeedConfig:
    weeks: int  # how many of the newest weekly issues feed.atom carries
    author_name: str
    author_email: str


@dataclass(frozen=True, slots=True)
class SourceConfig:
    path: Path
    key: str  # e.g. "sources[0].path", for messages
    line: int | None


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
            value, ok = float(value), True
        if not ok:
            raise self.fail(
                dotted,
                f"expected {_KIND_NAMES.get(kind, kind.__name__)}, got {value!r} "
                f"({_KIND_NAMES.get(type(value), type(value).__name__)})",
            )
        return value  # type: ignore[no-any-return]

    def strings(self, table: Mapping[str, Any], prefix: str, key: str) -> list[str]:
        values = self.take(table, prefix, key, list, [])
        if not all(isinstance(v, str) for v in values):
            raise self.fail(f"{prefix}.{key}", "expected a list of strings")
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
            },
        )
        site_t = self.take(data, "", "site", dict, {})
        self.only(site_t, "site", {"title", "base_url", "locale", "timezone", "since"})
        base_url = self.take(site_t, "site", "base_url", str, "https://digest.example.de/")
        if not re.match(r"^https?://[^/\s]+", base_url):
            raise self.fail("site.base_url", f"{base_url!r} is not an http(s) URL")
        since = self.take(site_t, "site", "since", str, "2017-01-01")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
            raise self.fail("site.since", f"{since!r} is not a date like 2017-01-01")
        site = SiteConfig(
            title=self.take(site_t, "site", "title", str, "Wochenrückblick"),
            base_url=base_url.rstrip("/") + "/",
            locale=self.take(site_t, "site", "locale", str, "de_DE"),
            timezone=self.take(site_t, "site", "timezone", str, "Europe/Berlin"),
            since=since,
        )
        try:
            Locale.parse(site.locale)
        except (UnknownLocaleError, ValueError):
            raise self.fail(
                "site.locale", f"unknown locale {site.locale!r}", "use e.g. de_DE, de_AT or en"
            ) from None
        try:
            ZoneInfo(site.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                "site.timezone", f"unknown time zone {site.timezone!r}", "use e.g. Europe/Berlin"
            ) from None

        store_t = self.take(data, "", "store", dict, {})
        self.only(store_t, "store", {"path", "busy_timeout"})
        store_path = self.root / self.take(store_t, "store", "path", str, "var/digest.sqlite3")
        store_timeout = read_store_timeout(self, store_t)

        sources = []
        for i, source in enumerate(self.take(data, "", "sources", list, [])):
            prefix = f"sources[{i}]"
            if not isinstance(source, dict):
                raise self.fail(
                    prefix, "expected a table", "write each source as [[sources]] with path = ..."
                )
            self.only(source, prefix, {"path"})
            raw = self.take(source, prefix, "path", str)
            sources.append(
                SourceConfig(self.root / raw, f"{prefix}.path", self.lines.get(f"{prefix}.path"))
            )
        email_t = self.take(data, "", "email", dict, {})
        self.only(email_t, "email", {f.name for f in fields(EmailConfig)})
        domain = site.domain
        email = EmailConfig(
            from_name=self.take(email_t, "email", "from_name", str, site.title),
            from_address=self.take(email_t, "email", "from_address", str, f"newsletter@{domain}"),
            reply_to=self.take(email_t, "email", "reply_to", str, f"redaktion@{domain}"),
            list_id=self.take(email_t, "email", "list_id", str, f"digest.{domain}"),
            unsubscribe_mailto=self.take(
                email_t, "email", "unsubscribe_mailto", str, f"abmelden@{domain}"
            ),
            max_html_kb=self.take(email_t, "email", "max_html_kb", int, 90),
            lead_chars=self.take(email_t, "email", "lead_chars", int, 400),
            short_lead_chars=self.take(email_t, "email", "short_lead_chars", int, 160),
        )
        for key in ("from_address", "reply_to", "unsubscribe_mailto"):
            if "@" not in getattr(email, key):
                raise self.fail(f"email.{key}", f"{getattr(email, key)!r} is not an email address")
        imp_t = self.take(data, "", "impressum", dict, {})
        self.only(imp_t, "impressum", {f.name for f in fields(ImpressumConfig)})
        impressum = ImpressumConfig(
            publisher=self.take(imp_t, "impressum", "publisher", str),
            address=self.take(imp_t, "impressum", "address", str),
            responsible=self.take(imp_t, "impressum", "responsible", str),
            contact=self.take(imp_t, "impressum", "contact", str, email.reply_to),
        )
        feeds_t = self.take(data, "", "feeds", dict, {})
        self.only(feeds_t, "feeds", {f.name for f in fields(FeedConfig)})
        feeds = FeedConfig(
            weeks=self.take(feeds_t, "feeds", "weeks", int, 12),
            author_name=self.take(feeds_t, "feeds", "author_name", str, impressum.publisher),
            author_email=self.take(feeds_t, "feeds", "author_email", str, impressum.contact),
        )
        if feeds.weeks < 1:
            raise self.fail("feeds.weeks", "must be at least 1")
        render_t = self.take(data, "", "render", dict, {})
        self.only(render_t, "render", {"templates", "out"})
        return Config(
            self.path,
            site,
            store_path,
            store_timeout,
            tuple(sources),
            self.rules(data),
            email,
            impressum,
            feeds,
            self.root / self.take(render_t, "render", "templates", str, "templates"),
            self.root / self.take(render_t, "render", "out", str, "public"),
            read_subscribe(self, data),
            read_consent(self, data, site.base_url),
            read_delivery(self, data, email.from_address),
            read_web(self, data),
            read_ingest(self, data),
        )

    def rules(self, data: Mapping[str, Any]) -> Rules:
        cls_t = self.take(data, "", "classify", dict, {})
        known = {
            "threshold",
            "order",
            "other_label",
            "field_weights",
            "joint_kicker_topic",
            "joint_kicker_weight",
            "modifier_factor",
        }
        self.only(cls_t, "classify", known)
        topics_t = self.take(data, "", "topics", dict, {})
        order = self.strings(cls_t, "classify", "order") or list(topics_t)
        for key in order:
            if key not in topics_t:
                raise self.fail("classify.order", f"topic {key!r} has no [topics.{key}] table")
        topics = []
        for key, table in topics_t.items():
            prefix = f"topics.{key}"
            if key not in order:
                raise self.fail(
                    prefix, "topic missing from classify.order", f"add {key!r} to classify.order"
                )
            if key == OTHER or not _TOPIC_KEY.match(key):
                raise self.fail(
                    prefix, "bad topic key", "use lower-case letters; 'other' is reserved"
                )
            if not isinstance(table, dict):
                raise self.fail(prefix, "expected a table")
            self.only(table, prefix, {"label", *TIER_WEIGHTS})
            terms: list[Term] = []
            for tier, weight in TIER_WEIGHTS.items():
                for spelling in self.strings(table, prefix, tier):
                    try:
                        terms.append(Term.parse(spelling, weight, key))
                    except ValueError as exc:
                        raise self.fail(f"{prefix}.{tier}", str(exc)) from None
            topics.append(
                (order.index(key), Topic(key, self.take(table, prefix, "label", str), tuple(terms)))
            )
        weights_t = self.take(cls_t, "classify", "field_weights", dict, {})
        self.only(weights_t, "classify.field_weights", set(FIELDS))
        weights = {
            name: self.take(weights_t, "classify.field_weights", name, float, 0.0)
            for name in FIELDS
        }
        joint = self.take(cls_t, "classify", "joint_kicker_topic", str, "") or None
        if joint and joint not in topics_t:
            raise self.fail("classify.joint_kicker_topic", f"unknown topic {joint!r}")
        overrides_t = self.take(data, "", "overrides", dict, {})
        overrides: dict[str, str] = {}
        for ref, topic in overrides_t.items():
            if not isinstance(topic, str) or (topic not in topics_t and topic != OTHER):
                raise self.fail(
                    f"overrides.{ref}",
                    f"expected a topic key, got {topic!r}",
                    f"use one of: {', '.join([*order, OTHER])}",
                )
            overrides[ref] = topic
        return Rules(
            topics=tuple(t for _, t in sorted(topics, key=lambda pair: pair[0])),
            other_label=self.take(cls_t, "classify", "other_label", str, "Weitere Meldungen"),
            threshold=self.take(cls_t, "classify", "threshold", float, 4.0),
            field_weights=weights,
            joint_kicker_topic=joint,
            joint_kicker_weight=self.take(cls_t, "classify", "joint_kicker_weight", float, 0.0),
            modifier_factor=self.take(cls_t, "classify", "modifier_factor", float, 0.5),
            overrides=overrides,
        )


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
