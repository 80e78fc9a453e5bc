"""Composition root: wires the pure stages to files, the store and the configuration."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from ..classify import Classifier
from ..config import Config
from ..ingest import EXTENSIONS, FileResult, read_file
from ..ingest.dates import Years
from ..ingest.files import document_kind, printable_name
from ..models import Article, Problem, Source
from ..store import Query, Reading, Store
from .corrections import near_duplicate_notices, reading_of, retract_corrected

Progress = Callable[[int, int, str], None]
_RULES_KEY = "rules_fingerprint"
# Fields that make up an article's content; sources and classification are bookkeeping.
_CONTENT = tuple(
    f.name
    for f in fields(Article)
    if f.name not in ("id", "sources", "classification", "origin")
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
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    undated: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Not problems (--strict ignores them): articles that look like another live one.
    notices: list[Problem] = field(default_factory=list)
    retracted: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id)
    weeks: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0  # live articles in the store
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


def collect_inputs(cfg: Config, paths: Sequence[Path] | None) -> tuple[list[Path], list[Problem]]:
    """Expand the given paths (or the configured sources) into a sorted list of files.

    A folder gives its text dumps (EXTENSIONS), skipping dot files and dot folders; a
    document we cannot read (.html, .docx, .pdf ..., see ingest.files.DOCUMENTS) is
    reported, anything else is skipped silently. A file named explicitly is always taken.
    """
    problems: list[Problem] = []
    wanted: list[tuple[Path, Problem]] = []
    if paths is None:
        for source in cfg.sources:
            wanted.append(
                (
                    source.path,
                    Problem(
                        printable_name(str(cfg.path)),
                        source.line,
                        f"{source.key}: {printable_name(str(source.path))} does not exist",
                        "fix the path in config.toml or remove this [[sources]] entry",
                    ),
                )
            )
    else:
        for path in paths:
            wanted.append(
                (path, Problem(printable_name(str(path)), None, "does not exist", "check the path"))
            )
    files: dict[Path, None] = {}
    skipped: dict[Path, str] = {}
    for path, missing in wanted:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(root) / name
                    if name.startswith("."):
                        continue
                    if candidate.suffix.lower() in EXTENSIONS:
                        files[candidate] = None
                    elif kind := document_kind(candidate):
                        skipped[candidate] = kind
        elif path.exists():
            files[path] = None
        else:
            problems.append(missing)
    base = cfg.path.resolve().parent
    for path, kind in sorted(skipped.items()):
        problems.append(
            Problem(
                shown_path(path, base),
                None,
                f"skipped: not a supported format ({kind})",
                "only plain-text dumps (.txt, .text) are read; save it as plain text",
            )
        )
    return sorted(files), problems


def ingest(
    cfg: Config,
    paths: Sequence[Path] | None = None,
    progress: Progress | None = None,
    *,
    strict: bool = False,
    now: Callable[[], datetime] | None = None,
) -> IngestSummary:
    """Read the given paths (default: the configured sources) into the store in one transaction.

    Under `strict`, any problem leaves the store untouched: every file is read first. A file
    read again that holds a corrected version of an article retracts the old one (see
    corrections.retract_corrected, which states the rule); a new article that looks like
    another live one is reported in `notices`. `now` gives the time of a retraction.
    """
    summary = IngestSummary()
    files, summary.problems = collect_inputs(cfg, paths)
    classifier = Classifier(cfg.rules)
    incoming: list[Article] = []
    readings: list[tuple[str, Reading]] = []
    job = _Job(
        classifier,
        cfg.path.resolve().parent,
        cfg.ingest.max_file_bytes,
        cfg.ingest.plausible_years(),
    )
    results = _read_all(files, job)
    try:
        for number, result in enumerate(results, start=1):
            summary.problems.extend(result.problems)
            if result.articles:
                summary.files_read += 1
                readings.append((result.path, reading_of(result.articles)))
            else:
                summary.files_failed += 1
            incoming.extend(result.articles)
            if progress:
                progress(number, len(files), result.path)
    finally:
        results.close()  # an interrupt here must stop (and reap) the workers now, not at GC
    if strict and summary.problems:
        summary.stopped = True
        return summary

    with open_store(cfg, classifier) as store, store.transaction():
        existing = store.get_many(sorted({a.id for a in incoming}))
        pending: dict[str, Article] = {}
        merged_ids: set[str] = set()  # combined from two versions: classify again
        seen_at: dict[str, Source] = {}  # where this run first saw each story
        for article in incoming:
            before = pending.get(article.id) or existing.get(article.id)
            if before is None:
                pending[article.id] = article
            else:
                pending[article.id] = merge(before, article)
                merged_ids.add(article.id)
            if article.sources:
                seen_at.setdefault(article.id, article.sources[0])
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
            pending[i] = _classified(classifier, pending[i])
        store.put(pending[i] for i in sorted(rewrite))
        store.add_sources(a for i, a in pending.items() if i not in rewrite)
        at = (now or _utc_now)()
        summary.retracted = retract_corrected(store, readings, pending, existing, at)
        store.set_readings(readings)
        fresh = [pending[i] for i in pending if i not in existing]
        summary.notices = near_duplicate_notices(store, fresh, seen_at)
        summary.undated = store.count_undated()
        summary.weeks = store.weeks()
        summary.total = store.count()
    return summary


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _classified(classifier: Classifier, article: Article) -> Article:
    return replace(article, classification=classifier.classify(article))


@dataclass(frozen=True, slots=True)
class _Job:
    """What reading one file needs besides its path: the same for every file of a run."""

    classifier: Classifier
    base: Path  # files inside it are shown relative to it
    max_bytes: int
    years: Years


# Worker state for parallel reading; set in the parent before the pool forks, so the
# children share the loaded lemma dictionary instead of loading it again.
_WORKER: _Job | None = None
PARALLEL_MIN_FILES = 64


def _read_one(path: Path) -> FileResult:
    assert _WORKER is not None
    job = _WORKER
    result = read_file(path, shown_path(path, job.base), max_bytes=job.max_bytes, years=job.years)
    articles = tuple(_classified(job.classifier, a) for a in result.articles)
    return replace(result, articles=articles)


def _read_all(files: Sequence[Path], job: _Job) -> Generator[FileResult, None, None]:
    """Read, parse and classify files in order, on all cores when there are many."""
    global _WORKER
    _WORKER = job
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (
        len(files) < PARALLEL_MIN_FILES
        or (cores or 1) < 2
        or "fork" not in mp.get_all_start_methods()
    ):
        yield from map(_read_one, files)
        return
    job.classifier.warm_up()
    # Ctrl-C goes to the whole process group. Only the parent may act on it: a worker that
    # also raised KeyboardInterrupt would print its traceback and could die holding the
    # pool's queue lock, leaving the parent blocked for ever. So SIGINT is blocked while the
    # pool forks (a child must not get it before its initializer ignores it) and delivered
    # to the parent afterwards; on any exit the parent terminates and reaps the workers.
    main = threading.current_thread() is threading.main_thread()
    if main:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = mp.get_context("fork").Pool(min(cores or 2, 8), initializer=_ignore_sigint)
    except BaseException:
        if main:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        raise
    try:
        if main:  # a Ctrl-C pressed meanwhile arrives here, where the workers get reaped
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        yield from pool.imap(_read_one, files, chunksize=16)
        pool.close()
        pool.join()
    except BaseException:  # KeyboardInterrupt, or the consumer closing this generator early
        with _sigint_ignored(main):  # a second Ctrl-C must not leave the workers behind
            pool.terminate()
            pool.join()
        raise


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def _sigint_ignored(main: bool) -> Iterator[None]:
    if not main:
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def merge(kept: Article, other: Article) -> Article:
    """Combine two versions of one story: the fuller wins, gaps are filled from the other."""
    winner, loser = (other, kept) if other.fullness > kept.fullness else (kept, other)
    gaps = {
        name: getattr(loser, name)
        for name in _FILLABLE
        if getattr(winner, name) in (None, ()) and getattr(loser, name) not in (None, ())
    }
    sources = tuple(sorted({*kept.sources, *other.sources}))
    return replace(winner, sources=sources, **gaps)


def same_content(a: Article, b: Article) -> bool:
    """Tell whether two versions carry the same content (ignoring sources and topic)."""
    return all(getattr(a, name) == getattr(b, name) for name in _CONTENT)


def shown_path(path: Path, base: Path) -> str:
    """Name a file relative to `base` when it lies inside it, else by its absolute path.

    The name is printable (ingest.files.printable_name): a byte that is not UTF-8 shows as
    `\\xNN`, so it can be printed, stored with the article and put into a feed.
    """
    absolute = path.resolve()
    try:
        shown = absolute.relative_to(base).as_posix()
    except ValueError:
        shown = absolute.as_posix()
    return printable_name(shown)


def list_articles(cfg: Config, query: Query) -> list[Article]:
    """Return the stored articles matching `query`, classified by the current rules."""
    with open_store(cfg) as store:
        return store.articles(query)


def find_article(cfg: Config, ref: str) -> tuple[Article | None, list[str]]:
    """Find one article by id or unique id prefix; also return all ids the prefix matched."""
    with open_store(cfg) as store:
        ids = store.find_ids(ref.strip().lower())
        return (store.get(ids[0]) if len(ids) == 1 else None), ids


def weeks(cfg: Config) -> list[tuple[str, int]]:
    """Return the ISO weeks in the store with their article counts."""
    with open_store(cfg) as store:
        return store.weeks()


from .build import BuildSummary, build, render_week_email  # noqa: E402  (build uses ingest)

__all__ = [
    "BuildSummary",
    "IngestSummary",
    "build",
    "ingest",
    "open_store",
    "render_week_email",
]
