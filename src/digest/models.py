"""Plain, immutable model objects passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from .normalise import is_web_url
from .weeks import IsoWeek

Kind = Literal["main", "teaser"]
OTHER = "other"


class _Compact:
    """Pickle as constructor arguments: much faster than the frozen-dataclass default,
    which matters when worker processes hand back tens of thousands of articles."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        names: tuple[str, ...] = self.__slots__
        return type(self), tuple(getattr(self, name) for name in names)


@dataclass(frozen=True, slots=True)
class Problem(_Compact):
    """Something wrong with one input: where it is, what it is, and what the user can do."""

    path: str
    line: int | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True, slots=True, order=True)
class Source(_Compact):
    """Where a version of an article was seen: file, first line, and as main article or teaser."""

    path: str
    line: int
    kind: Kind


@dataclass(frozen=True, slots=True)
class Match(_Compact):
    """One rule term found in one field of an article."""

    topic: str
    term: str
    field: str
    count: int
    points: float
    modifier: bool = False  # only found inside a compound, not as its head: counts less


@dataclass(frozen=True, slots=True)
class Classification(_Compact):
    """The topic of an article and why: per-topic scores and the terms behind them."""

    topic: str
    scores: tuple[tuple[str, float], ...] = ()
    matches: tuple[Match, ...] = ()
    override: str | None = None  # what the manual override matched (an id or a URL), if any


UNCLASSIFIED = Classification(topic=OTHER)


@dataclass(frozen=True, slots=True)
class Article(_Compact):
    """One news item, a page's main article or one of its teasers, as extracted from a source."""

    id: str
    kind: Kind
    format: str  # "K" portal page, "P" press release
    title: str
    date: date | None
    kicker: str | None = None
    label: str | None = None  # a teaser's trailing label such as "Bericht"
    lead: str | None = None
    teaser: str | None = None
    caption: str | None = None
    body: tuple[str, ...] = ()
    author: str | None = None
    place: str | None = None
    urls: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    image_credit: str | None = None
    section: str | None = None
    sources: tuple[Source, ...] = ()
    classification: Classification = field(default=UNCLASSIFIED)

    @property
    def iso_week(self) -> IsoWeek | None:
        return IsoWeek.of(self.date) if self.date else None

    @property
    def link(self) -> str | None:
        """The first http(s) address of the article: what its title links to, if anything."""
        return next((url for url in self.urls if is_web_url(url)), None)

    @property
    def topic(self) -> str:
        return self.classification.topic

    @property
    def summary(self) -> str | None:
        """The text to show under the title: lead, else teaser text, else first body paragraph."""
        return self.lead or self.teaser or (self.body[0] if self.body else None)

    @property
    def fullness(self) -> tuple[int, int]:
        """Rank two versions of one story: a main article beats a teaser, then more text wins."""
        size = sum(len(p) for p in self.body) + len(self.lead or "") + len(self.teaser or "")
        return (1 if self.kind == "main" else 0, size)


@dataclass(frozen=True, slots=True)
class Section(_Compact):
    """One topic's articles in an issue, under the topic's reader-facing label."""

    topic: str
    label: str
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Issue(_Compact):
    """One weekly edition: the non-empty topic sections of an ISO week, in configured order."""

    week: IsoWeek
    sections: tuple[Section, ...]

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for s in self.sections for a in s.articles)

    @property
    def count(self) -> int:
        return sum(len(s.articles) for s in self.sections)

    @property
    def latest(self) -> date:
        """The newest article date: the issue's 'updated' time for feeds (data, not the clock)."""
        return max((a.date for a in self.articles if a.date), default=self.week.sunday)


SubscriberState = Literal["pending", "active", "unsubscribed", "bounced"]
DeliveryState = Literal["queued", "sending", "sent", "skipped", "failed"]
ConsentSource = Literal["web", "cli", "import"]


@dataclass(frozen=True, slots=True)
class Consent:
    """Proof of a subscriber's consent (DSGVO Art. 7): which text, when, and how it was given."""

    version: str  # the consent text's version from config
    text_hash: str  # sha256 of the consent text as it was shown
    at: datetime
    source: str  # "web", "cli" or "import" (with the import file's own source note)
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A person on the list, in one of the states pending, active, unsubscribed or bounced."""

    id: int
    email: str  # as shown to people (Unicode domain)
    email_ascii: str  # for the envelope and the To header (IDN domain as punycode)
    email_key: str  # identity for duplicates and the suppression list
    name: str | None
    topics: tuple[str, ...]  # chosen topic keys in digest order; () means all topics
    state: SubscriberState
    signup_source: str  # "web", "cli" or "import"
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    optin_sent_at: datetime | None = None  # when the last confirmation mail went out
    optin_count: int = 0
    consent: Consent | None = None
    bounces: int = 0  # permanent failures in a row

    def wants(self, topic: str) -> bool:
        return not self.topics or topic in self.topics


@dataclass(frozen=True, slots=True)
class Delivery:
    """One row of the delivery ledger: the weekly issue `week` for one subscriber."""

    id: int
    week: str
    subscriber_id: int | None  # None once the subscriber was forgotten (Art. 17)
    recipient: str | None
    variant: str  # the topic keys the message carries, comma-separated
    state: DeliveryState
    attempts: int
    in_doubt: int  # how often the row was found in 'sending' after a crash
    last_reply: str | None
    message_id: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
