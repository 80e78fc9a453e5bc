"""Composition root: wires the pure stages to files, the store and the configuration."""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from ..classify import Classifier
from ..config import Config
from ..ingest import FileResult
from ..ingest.feeds import FORMAT as FEED
from ..ingest.files import shown_path
from ..models import Article, Problem, Source
from ..store import FileFingerprint, Query, SourceState, Store
from .corrections import reading_of, retire_vanished, retract_corrected
from .dedup import fold, neighbour_ids, placed_id, places_differ, wanted_ids
from .feeds import FeedRead, Fetch, fetch_feeds, moved_notices
from .lookalikes import LookAlikes
from .reading import PARALLEL_MIN_FILES, classified, collect_inputs, job_of, read_all
from .sources import SourceStatus, file_states, source_status
from .unchanged import READER_KEY, Plan, deleted_files, fingerprint, plan_reads, reader_key

Progress = Callable[[int, int, str], None]
_RULES_KEY = "rules_fingerprint"
# Fields that make up an article's content; sources and classification are bookkeeping.
_CONTENT = tuple(
    f.name for f in fields(Article) if f.name not in ("id", "sources", "classification", "origin")
)
# Facts about the story that a lesser version may know and the fuller one lacks; the texts
# (lead, teaser, body) belong to their version and are never mixed.
_FILLABLE = ("kicker", "caption", "urls", "keywords", "image_credit", "section", "author", "place")


@dataclass
class IngestSummary:
    """What one ingest run did, for the closing summary and the exit code.

    Every article read counts once: the first copy of a story in this run as `new` (not
    stored before), `updated` (stored, and this run changed it) or `unchanged` (stored as
    it is, e.g. a file read again); every further copy in this run (the same teaser on two
    pages, a teaser and its full article) as `duplicate`.
    """

    files_read: int = 0
    files_failed: int = 0
    files_unchanged: int = 0  # skipped: the same as when last read (pipeline/unchanged.py)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    undated: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Not problems (--strict ignores them): articles that look like another live one.
    notices: list[Problem] = field(default_factory=list)
    retracted: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id)
    gone: list[str] = field(default_factory=list)  # vanished from every file that had them
    back: list[str] = field(default_factory=list)  # gone before, seen in a file again
    weeks: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0  # live articles in the store
    feeds_fetched: int = 0  # feeds fetched in full
    feeds_unchanged: int = 0  # ... answered 304 Not Modified
    feeds_failed: int = 0
    stopped: bool = False  # strict and a problem: nothing was stored

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicate


def open_store(cfg: Config, classifier: Classifier | None = None) -> Store:
    """Open the configured store and bring stored topics up to date with the current rules."""
    store = Store(cfg.store_path, cfg.store_timeout)
    try:
        with store.transaction():
            _reclassify_if_rules_changed(store, classifier or Classifier(cfg.rules))
    except BaseException:
        store.close()
        raise
    return store


def _reclassify_if_rules_changed(store: Store, classifier: Classifier) -> None:
    fingerprint = hashlib.sha256(classifier.rules.fingerprint().encode()).hexdigest()
    if store.get_meta(_RULES_KEY) != fingerprint:
        stored = store.articles(Query(include_hidden=True))  # a restored one must be current
        store.set_classifications((a.id, classifier.classify(a)) for a in stored)
        store.set_meta(_RULES_KEY, fingerprint)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Let no cyclic garbage collection run in this process inside the block (the reader
    processes turn it on again: reading._start_worker).

    An ingest keeps every article it reads until its transaction: at 50,000 articles some
    650,000 objects, none of them in a cycle, that the collector's full passes scanned again
    and again as they grew, 2 s of a 16 s ingest. What the block leaves in cycles (a caught
    exception's traceback) is collected when the collector runs again after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_no_cycle_collection()
def ingest(
    cfg: Config,
    paths: Sequence[Path] | None = None,
    progress: Progress | None = None,
    *,
    strict: bool = False,
    now: Callable[[], datetime] | None = None,
    fetcher: Fetch | None = None,
) -> IngestSummary:
    """Read the given paths (default: the configured sources, feeds fetched) into the store
    in one transaction.

    Under `strict`, any problem leaves the store untouched: every source is read first. The
    same story from several sources becomes one article (pipeline/dedup.py states the
    rules). A file read again that holds a corrected version of an article retracts the old
    one (see corrections.retract_corrected); a new article that looks like another live one
    is reported in `notices`. `now` gives the time of a retraction and of a fetch.
    """
    summary = IngestSummary()
    at = (now or _utc_now)()
    inputs, summary.problems = collect_inputs(cfg, paths)
    classifier = Classifier(cfg.rules)
    files: list[tuple[str, list[Article]]] = []  # per file read, its articles as finally kept
    feeds: list[FeedRead] = []
    read: list[FileResult] = []
    known: dict[str, SourceState] = {}
    plan, deleted, key = Plan(read=list(inputs)), list[str](), reader_key(cfg)
    configured = paths is None  # the configured sources: their last reads matter
    if configured:
        with open_store(cfg, classifier) as store:
            known = store.source_states()
            prints = store.file_fingerprints() if store.get_meta(READER_KEY) == key else {}
            deleted = deleted_files(cfg, inputs, [*store.reading_paths(), *prints])
        plan = plan_reads(inputs, prints, cfg.path.resolve().parent, cfg.ingest.max_file_bytes)
        summary.files_unchanged = len(plan.skipped)
        feeds = fetch_feeds(cfg, known, at, **({"fetcher": fetcher} if fetcher else {}))
    results = read_all(plan.read, job_of(cfg, classifier, hash_files=configured))
    try:
        for number, result in enumerate(results, start=1):
            _count(summary, result)
            for article in result.articles:  # while the readers work: dedup caches them
                neighbour_ids(article)
            read.append(result)
            files.append((result.path, list(result.articles)))
            if progress:
                progress(number, len(plan.read), result.path)
    finally:
        results.close()  # an interrupt here must stop (and reap) the workers now, not at GC
    states = file_states(cfg, read, plan.skipped, summary.problems, known, at) if configured else []
    for feed in feeds:
        summary.problems.extend(feed.result.problems)
        summary.feeds_unchanged += feed.unchanged
        summary.feeds_failed += feed.failed
        summary.feeds_fetched += not (feed.unchanged or feed.failed)
        entries = [_feed_entry(classifier, a) for a in feed.result.articles]
        files.append((feed.result.path, entries))
        states.append(feed.state)
    summary.notices += moved_notices(feeds, cfg)
    if strict and summary.problems:
        summary.stopped = True
        return summary

    with open_store(cfg, classifier) as store, store.transaction(), ExitStack() as later:
        incoming = [a for _, found in files for a in found]
        existing = store.get_many(sorted({a.id for a in incoming}))
        pending: dict[str, Article] = {}
        merged_ids: set[str] = set()  # combined from two versions: classify again
        seen_at: dict[str, Source] = {}  # where this run first saw each story
        for _, found in files:
            for index, article in enumerate(found):
                before = pending.get(article.id) or existing.get(article.id)
                if before is not None and places_differ(before, article):
                    article = found[index] = replace(article, id=placed_id(article))
                    if article.id not in existing and (stored := store.get(article.id)):
                        existing[article.id] = stored
                    before = pending.get(article.id) or existing.get(article.id)
                if before is None:
                    pending[article.id] = article
                else:
                    newer = article.id not in pending and rereads(before, article)
                    pending[article.id] = merge(before, article, prefer_other=newer)
                    merged_ids.add(article.id)
                if article.sources:
                    seen_at.setdefault(article.id, article.sources[0])
        folded = _fold(store, pending, existing)
        existing.update(folded.stored)
        pending = folded.articles
        merged_ids = {folded.alias.get(i, i) for i in merged_ids} | set(folded.alias.values())
        for old, kept in folded.alias.items():
            if old in seen_at:
                seen_at.setdefault(kept, seen_at[old])
        summary.duplicate = len(incoming) - len(pending)
        rewrite: set[str] = set()  # new or changed content: write the article
        for i, merged in pending.items():
            if i not in existing:
                summary.new += 1
                rewrite.add(i)
            elif same_content(existing[i], merged):
                summary.unchanged += 1
            else:
                summary.updated += 1
                rewrite.add(i)
        # Articles arrive classified; only a merge of two versions needs a fresh look.
        for i in rewrite & merged_ids:
            pending[i] = classified(classifier, pending[i])
        fresh = [pending[i] for i in pending if i not in existing]
        lookalikes = later.enter_context(LookAlikes.start(store, fresh, pending))  # see there
        store.put(pending[i] for i in sorted(rewrite))
        store.add_sources(a for i, a in pending.items() if i not in rewrite)
        for old, kept in folded.retire:
            store.replace(old, kept, at)
        readings = [
            (path, reading_of(found, folded.alias))
            for path, found in files
            if found and found[0].format != FEED
        ]
        summary.retracted = retract_corrected(store, readings, pending, existing, at)
        summary.back = store.unmark_gone(pending)
        unclean = {r.path for r in read if r.problems}
        if configured:  # reconcile with the sources as they are (see retire_vanished)
            summary.gone = retire_vanished(
                store,
                [(path, reading) for path, reading in readings if path not in unclean],
                deleted,
                [old for old, _ in summary.retracted],
                at,
            )
        store.set_readings(readings)
        store.set_source_states(states)
        if configured:
            _remember_files(store, read, plan, deleted, key)
        summary.notices += lookalikes.notices(store, seen_at)
        summary.undated = store.count_undated()
        summary.weeks = store.weeks()
        summary.total = store.count()
    return summary


def _remember_files(
    store: Store, read: Sequence[FileResult], plan: Plan, deleted: Sequence[str], key: str
) -> None:
    """Record the fingerprint of each file read cleanly; forget those of the others."""
    if store.get_meta(READER_KEY) != key:
        store.forget_file_fingerprints()
        store.set_meta(READER_KEY, key)
    moment = time.time_ns()
    clean: list[FileFingerprint] = list(plan.touched)
    for result in read:
        stat = plan.stats.get(result.path)
        if result.problems or result.sha256 is None or stat is None:
            continue
        clean.append(fingerprint(result.path, stat, result.sha256, len(result.articles), moment))
    store.forget_file_fingerprints([*deleted, *(r.path for r in read if r.problems)])
    store.set_file_fingerprints(clean)


def _count(summary: IngestSummary, result: FileResult) -> None:
    summary.problems.extend(result.problems)
    if result.articles:
        summary.files_read += 1
    else:
        summary.files_failed += 1


def _feed_entry(classifier: Classifier, article: Article) -> Article:
    """A fetched entry, classified; where it stood in the feed changes with every fetch, so
    its source is the feed alone."""
    sources = tuple(Source(s.path, 0, s.kind) for s in article.sources)
    return classified(classifier, replace(article, sources=sources))


@dataclass(frozen=True, slots=True)
class _Fold:
    articles: dict[str, Article]
    alias: dict[str, str]
    retire: list[tuple[str, str]]
    stored: dict[str, Article]  # stored articles the run's versions were folded into


def _fold(store: Store, pending: dict[str, Article], existing: dict[str, Article]) -> _Fold:
    """Fold the run's versions of one story into one article (see pipeline/dedup.py)."""
    urls = sorted({u for a in pending.values() if (u := a.own_url) is not None})
    by_url = store.live_by_own_url(urls) if urls else {}
    wanted = sorted(set(wanted_ids(list(pending.values()))) | set(by_url.values()))
    live = store.get_many([i for i in wanted if i not in pending], live=True)
    live.update(store.get_many([i for i in wanted if i in pending], live=True))
    folded = fold(pending, existing, live, by_url, merge)
    stored = {i: live[i] for i in folded.articles if i in live and i not in existing}
    return _Fold(folded.articles, folded.alias, folded.retire, stored)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def merge(kept: Article, other: Article, *, prefer_other: bool = False) -> Article:
    """Combine two versions of one story: the fuller wins (or `other`, if preferred), gaps
    are filled from the other."""
    wins = prefer_other or other.fullness > kept.fullness
    winner, loser = (other, kept) if wins else (kept, other)
    gaps = {
        name: getattr(loser, name)
        for name in _FILLABLE
        if getattr(winner, name) in (None, ()) and getattr(loser, name) not in (None, ())
    }
    sources = tuple(sorted({*kept.sources, *other.sources}))
    return replace(winner, sources=sources, **gaps)


def rereads(stored: Article, read: Article) -> bool:
    """Tell whether `read` is the stored story read again from the file (or feed) its stored
    text can only have come from: the same kind, and every source of that kind is one that
    `read` was seen in. Then the file is the truth, and its text replaces the stored one even
    when it is shorter (a corrected number, a cut sentence); otherwise the fuller text wins."""
    if stored.kind != read.kind or not read.sources:
        return False
    mine = {s.path for s in stored.sources if s.kind == stored.kind}
    return bool(mine) and mine <= {s.path for s in read.sources}


def same_content(a: Article, b: Article) -> bool:
    """Tell whether two versions carry the same content (ignoring sources and topic)."""
    return all(getattr(a, name) == getattr(b, name) for name in _CONTENT)


def list_articles(cfg: Config, query: Query) -> list[Article]:
    """Return the stored articles matching `query`, classified by the current rules."""
    with open_store(cfg) as store:
        return store.articles(query)


def find_article(cfg: Config, ref: str) -> tuple[Article | None, list[str]]:
    """Find one article by id or unique id prefix; also return all ids the prefix matched."""
    with open_store(cfg) as store:
        ids = store.find_ids(ref.strip().lower())
        return (store.get(ids[0]) if len(ids) == 1 else None), ids


def sources(cfg: Config) -> list[SourceStatus]:
    """Return every configured source with its last read and its live article count."""
    with open_store(cfg) as store:
        return source_status(cfg, store)


def weeks(cfg: Config) -> list[tuple[str, int]]:
    """Return the ISO weeks in the store with their article counts."""
    with open_store(cfg) as store:
        return store.weeks()


from .build import BuildSummary, build, render_week_email  # noqa: E402  (build uses ingest)

__all__ = [
    "PARALLEL_MIN_FILES",
    "BuildSummary",
    "IngestSummary",
    "build",
    "collect_inputs",
    "ingest",
    "open_store",
    "render_week_email",
    "shown_path",
]
