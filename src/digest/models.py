"""Plain, immutable model objects passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal, Self

from .normalise import canonical_url, fold_words, is_web_url
from .weeks import IsoWeek

Kind = Literal["main", "teaser"]
OTHER = "other"


class _Compact:
    """Pickle as constructor arguments: much faster than the frozen-dataclass default,
    which matters when worker processes hand back tens of thousands of articles."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        names: tuple[str, ...] = self.__slots__
        return type(self), tuple(getattr(self, name) for name in names)

    def evolve(self, **changes: Any) -> Self:
        """A copy with `changes`, like dataclasses.replace without its per-call look at the
        fields (three times faster; readers call it for every article they classify)."""
        names: tuple[str, ...] = self.__slots__
        if not changes.keys() <= set(names):
            unknown = sorted(set(changes) - set(names))
            raise TypeError(f"{type(self).__name__} has no field {unknown}")
        make: Any = type(self)
        copy: Self = make(*[changes[n] if n in changes else getattr(self, n) for n in names])
        return copy


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

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        return match_of, (self.topic, self.term, self.field, self.count, self.points, self.modifier)


@lru_cache(maxsize=1 << 14, typed=True)
def match_of(
    topic: str, term: str, field: str, count: int, points: float, modifier: bool = False
) -> Match:
    """The one Match with these values. The same few thousand matches (a term, a field, a
    count) recur in every article, ten per article: shared, they cost a dictionary look-up
    instead of an object each, in the readers, in unpickling their results and in memory
    (a third of what a stored article took in an ingest's memory)."""
    return Match(topic, term, field, count, points, modifier)


@dataclass(frozen=True, slots=True)
class Classification(_Compact):
    """The topic of an article and why: per-topic scores and the terms behind them."""

    topic: str
    scores: tuple[tuple[str, float], ...] = ()
    matches: tuple[Match, ...] = ()
    override: str | None = None  # what the manual override matched (an id or a URL), if any


UNCLASSIFIED = Classification(topic=OTHER)


@dataclass(frozen=True, slots=True)
class Origin(_Compact):
    """Whom an article is credited to, from its [[sources]] entry (never stored: the config's
    word counts at every build)."""

    name: str  # shown as "Quelle: <name>"
    url: str | None = None  # the source's own site
    full_text: bool = True  # may the article page republish the whole text?
    link: Literal["page", "original"] = "page"  # where the article's title leads
    also: tuple[str, ...] = ()  # the other sources that told the same story


@dataclass(frozen=True, slots=True)
class Article(_Compact):
    """One news item, a page's main article or one of its teasers, as extracted from a source."""

    id: str
    kind: Kind
    format: str  # "K" portal page, "P" press release, "F" feed entry, "M" Markdown note
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
    # The text as a safe HTML fragment (sanitised feed content, a rendered note), shown on the
    # article page instead of `body`; `body` stays the plain-text version for email and feeds.
    html: str | None = None
    # A topic the editor chose for this article (a note's front matter): wins over the rules,
    # not over config.toml's [overrides].
    editor_topic: str | None = None
    sources: tuple[Source, ...] = ()
    classification: Classification = field(default=UNCLASSIFIED)
    origin: Origin | None = None  # set at build time from the matching [[sources]] entry

    @property
    def iso_week(self) -> IsoWeek | None:
        return IsoWeek.of(self.date) if self.date else None

    @property
    def link(self) -> str | None:
        """The first http(s) address of the article: what its title links to, if anything."""
        return next((url for url in self.urls if is_web_url(url)), None)

    @property
    def own_url(self) -> str | None:
        """The address of the story itself, canonical: a feed entry's link. (The URLs of a
        page dump or a note are further reading, which many stories share.)"""
        if self.format != "F" or not self.urls or not is_web_url(self.urls[0]):
            return None
        return canonical_url(self.urls[0])

    @property
    def topic(self) -> str:
        return self.classification.topic

    @property
    def kicker_shown(self) -> str | None:
        """The kicker, unless the title already starts with it ("Kaiserslautern: Kaiserslautern
        nimmt ..." reads as a stutter): press releases name their city in both."""
        if not self.kicker or _stutters(self.kicker, self.title):
            return None
        return self.kicker

    @property
    def headline(self) -> str:
        """Kicker and title on one line, as a feed entry or a list shows them."""
        kicker = self.kicker_shown
        return f"{kicker}: {self.title}" if kicker else self.title

    @property
    def summary(self) -> str | None:
        """The text to show under the title: lead, else teaser text, else first body paragraph."""
        return self.lead or self.teaser or (self.body[0] if self.body else None)

    @property
    def fullness(self) -> tuple[int, int]:
        """Rank two versions of one story: a main article beats a teaser, then more text wins.

        A feed entry with only a summary ranks as a teaser: a portal's teaser says as much."""
        whole = self.kind == "main" and (self.format != "F" or bool(self.body))
        return (1 if whole else 0, self.size)

    @property
    def size(self) -> int:
        """The characters of its text: body, lead and teaser."""
        return sum(map(len, self.body)) + len(self.lead or "") + len(self.teaser or "")


@dataclass(frozen=True, slots=True)
class Section(_Compact):
    """One topic's articles in an issue, under the topic's reader-facing label."""

    topic: str
    label: str
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Editorial(_Compact):
    """The editor's word on one week's issue: an intro, a subject, pinned Top-Meldungen."""

    week: IsoWeek
    path: str  # the Markdown file, as shown in messages
    subject: str | None = None
    top: tuple[str, ...] = ()  # article ids, in the editor's order
    html: str = ""  # the intro as a safe HTML fragment
    text: str = ""  # the intro as plain text


@dataclass(frozen=True, slots=True)
class Issue(_Compact):
    """One weekly edition: the non-empty topic sections of an ISO week, in configured order."""

    week: IsoWeek
    sections: tuple[Section, ...]
    editorial: Editorial | None = None

    @property
    def top(self) -> tuple[Article, ...]:
        """The pinned Top-Meldungen that this issue (or this subscriber's part of it) holds."""
        if self.editorial is None or not self.editorial.top:
            return ()
        by_id = {a.id: a for a in self.articles}
        return tuple(by_id[i] for i in self.editorial.top if i in by_id)

    @property
    def remaining(self) -> tuple[Section, ...]:
        """The sections without the pinned Top-Meldungen (shown above them); a section left
        empty by pinning is dropped."""
        top = {a.id for a in self.top}
        if not top:
            return self.sections
        rest = (
            Section(s.topic, s.label, tuple(a for a in s.articles if a.id not in top))
            for s in self.sections
        )
        return tuple(s for s in rest if s.articles)

    @property
    def lead(self) -> Article | None:
        """The story the subject line names when the editor gives none (see lead_rank)."""
        top = self.top
        if top:
            return top[0]
        return min(self.articles, key=lead_rank, default=None)

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for s in self.sections for a in s.articles)

    @property
    def count(self) -> int:
        return sum(len(s.articles) for s in self.sections)

    @property
    def topic_counts(self) -> tuple[tuple[str, int], ...]:
        """Each section's topic and number of articles, in order."""
        return tuple((s.topic, len(s.articles)) for s in self.sections)

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(a.id for s in self.sections for a in s.articles)

    @property
    def latest(self) -> date:
        """The newest article date: the issue's 'updated' time for feeds (data, not the clock)."""
        return max((a.date for a in self.articles if a.date), default=self.week.sunday)


def lead_rank(article: Article) -> tuple[int, float, int, int, str]:
    """Order candidates for a week's lead story, best first.

    A story with a topic beats one in "Weitere Meldungen"; a full article beats a teaser; then
    the higher score for its own topic (the clearest case of what the digest is about); then
    the longer text; then the earlier date (an undated story last) and the id, so the choice
    never depends on input order. (Every email ranks all its week's stories with this: a loop
    rather than a generator, and the date's ordinal rather than its ISO text, halve its cost.)
    """
    classification = article.classification
    topic = classification.topic
    score = 0.0
    for name, value in classification.scores:
        if name == topic:
            score = value
            break
    day = article.date
    return (
        (0 if topic != OTHER else 2) + (0 if article.kind == "main" else 1),
        -score,
        -article.size,
        day.toordinal() if day else _UNDATED,
        article.id,
    )


_UNDATED = date.max.toordinal() + 1  # after every date


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


@lru_cache(maxsize=4096)
def _stutters(kicker: str, title: str) -> bool:
    """Whether the title starts with the kicker's words (Article.kicker_shown). Templates ask
    for the kicker shown four times per item and email; the folding was an eighth of the
    time an email took to render."""
    head, folded = fold_words(kicker), fold_words(title)
    return bool(head) and (folded == head or folded.startswith(head + " "))
