"""Reading the source files of a run: which files the sources offer, and each file read,
parsed and classified, on all cores when there are many.

Three kinds of file: text dumps (formats K and P, see ingest/), Markdown notes
(ingest/notes.py) and saved feed documents (ingest/feeds.py). A configured source says
its kind; a path given on the command line is judged by its extension.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Collection, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from ..classify import Classifier
from ..config import Config, SourceConfig
from ..ingest import EXTENSIONS, NOTE_EXTENSIONS, NOTE_FORMAT, FileResult, read_file
from ..ingest.dates import Years
from ..ingest.feeds import FeedResult, parse_feed
from ..ingest.files import Refused, document_kind, printable_name, read_regular, shown_path
from ..models import Article, Problem

Kind = Literal["dumps", "markdown", "feed"]
# Saved feed documents, when a path is given on the command line.
FEED_EXTENSIONS = frozenset({".xml", ".rss", ".atom", ".rdf"})


@dataclass(frozen=True, slots=True)
class Input:
    """One file to read, as what, and its name as shown (ingest.files.shown_path).

    The path is a str: most files of a run are only stat'ed (pipeline/unchanged.py), and a
    Path for each of 10,000 cost more than the stats. The reader makes one for the files it
    reads.
    """

    path: str
    kind: Kind
    shown: str = ""


def location(source: SourceConfig, base: Path) -> str:
    """Where a source's articles say they come from (Source.path): a feed's URL, else the
    file or folder as shown relative to `base`."""
    if source.feed_url:
        return source.feed_url
    assert source.path is not None
    return shown_path(source.path, base)


def within(seen: str, where: str) -> bool:
    """Tell whether a path as shown (Source.path, a problem's file) is `where` or lies in it."""
    return seen == where or seen.startswith(where.rstrip("/") + "/")


def kind_of(path: Path) -> Kind:
    """Judge a file named on the command line by its extension."""
    suffix = path.suffix.lower()
    if suffix in NOTE_EXTENSIONS:
        return "markdown"
    if suffix in FEED_EXTENSIONS:
        return "feed"
    return "dumps"


def collect_inputs(cfg: Config, paths: Sequence[Path] | None) -> tuple[list[Input], list[Problem]]:
    """Expand the given paths (or the configured file sources) into a sorted list of inputs.

    A folder gives the files of its kind (text dumps: EXTENSIONS; notes: .md; a folder on
    the command line: both), skipping dot files and dot folders; a document we cannot read
    (.html, .docx, .pdf ..., see ingest.files.DOCUMENTS) is reported, anything else is
    skipped silently. A file named explicitly is always taken. Feeds fetched over HTTP are
    not files: see pipeline/feeds.py.
    """
    problems: list[Problem] = []
    wanted: list[tuple[Path, Kind | None, Problem]] = []
    if paths is None:
        for source in cfg.sources:
            if source.path is None:
                continue
            wanted.append(
                (
                    source.path,
                    source.type,
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
            missing = Problem(printable_name(str(path)), None, "does not exist", "check the path")
            wanted.append((path, None, missing))
    files: dict[str, tuple[Kind, str]] = {}  # by path as str(Path) spells it
    skipped: dict[Path, str] = {}
    base = cfg.path.resolve().parent
    for path, kind, missing in wanted:
        if path.is_dir():
            # Resolving every file is slow; below a resolved folder, a file that is no link
            # is named by the folder's name and its own (no linked folder is entered).
            top = shown_path(path, base)
            for rel, entry in _files_below(str(path)):
                found = _folder_kind(entry.name, kind)
                if found is not None:
                    if entry.path not in files:
                        shown = (
                            shown_path(Path(entry.path), base)
                            if entry.is_symlink()
                            else f"{top}/{printable_name(rel)}"
                        )
                        files[entry.path] = (found, shown)
                elif doc := document_kind(other := Path(entry.path)):
                    skipped[other] = doc
        elif path.exists():
            files.setdefault(str(path), (kind or kind_of(path), shown_path(path, base)))
        else:
            problems.append(missing)
    for path, doc in sorted(skipped.items()):
        problems.append(
            Problem(
                shown_path(path, base),
                None,
                f"skipped: not a supported format ({doc})",
                "only plain-text dumps (.txt, .text) and Markdown notes (.md) are read; "
                "save it as plain text",
            )
        )
    ordered = sorted(files.items(), key=lambda item: _path_order(item[0]))
    return [Input(p, k, shown) for p, (k, shown) in ordered], problems


def _path_order(path: str) -> list[str]:
    """The order of Path objects (part by part, the root first) for a path as a str: "a/b"
    before "a-b", which a comparison of the strings would put the other way round."""
    return ["/", *path[1:].split("/")] if path.startswith("/") else path.split("/")


def _files_below(top: str, rel: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """The files in folder `top` and its folders, with their paths relative to it, skipping
    dot files and dot folders and entering no linked folder (as os.walk, without its
    per-file look at whether a name is a link: the directory entry knows)."""
    try:
        with os.scandir(top) as found:
            entries = sorted(found, key=attrgetter("name"))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        inner = f"{rel}/{entry.name}" if rel else entry.name
        try:
            if entry.is_dir():  # a linked folder is skipped, as os.walk skips it
                if not entry.is_symlink():
                    yield from _files_below(entry.path, inner)
                continue
        except OSError:
            continue
        yield inner, entry


def _folder_kind(name: str, kind: Kind | None) -> Kind | None:
    """What a file found in a folder of `kind` (None: given on the command line) is read as."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in EXTENSIONS and kind in (None, "dumps"):
        return "dumps"
    if suffix in NOTE_EXTENSIONS and kind in (None, "markdown"):
        return "markdown"
    if suffix in FEED_EXTENSIONS and kind == "feed":
        return "feed"
    return None


@dataclass(frozen=True, slots=True)
class Job:
    """What reading one file needs besides its path: the same for every file of a run."""

    classifier: Classifier
    base: Path  # files inside it are shown relative to it
    max_bytes: int
    years: Years
    tz: ZoneInfo
    topics: Collection[str]  # what a note's front matter may name
    hash_files: bool = False  # give each result its file's SHA-256 (for the fingerprints)


def job_of(cfg: Config, classifier: Classifier, *, hash_files: bool = False) -> Job:
    """Everything a run's readers need from the configuration."""
    return Job(
        classifier,
        cfg.path.resolve().parent,
        cfg.ingest.max_file_bytes,
        cfg.ingest.plausible_years(),
        cfg.site.tz,
        frozenset((*cfg.rules.order, "other")),
        hash_files,
    )


def read_input(item: Input, job: Job, data: bytes | Refused | None = None) -> FileResult:
    """Read one input as its kind, unclassified (`data`: its content, if read already)."""
    path = Path(item.path)
    shown = item.shown or shown_path(path, job.base)
    if item.kind == "dumps":
        return read_file(path, shown, max_bytes=job.max_bytes, years=job.years, data=data)
    if data is None:
        data = read_regular(path, job.max_bytes)
    if isinstance(data, Refused):
        return FileResult(shown, (), (Problem(shown, None, data.message, data.hint),))
    if item.kind == "markdown":
        from ..ingest.notes import parse_note  # yaml and Markdown: only when a note is read

        found, problems = parse_note(data, shown, years=job.years, topics=job.topics)
        return FileResult(shown, tuple(found), tuple(problems), NOTE_FORMAT)
    return feed_result(parse_feed(data, shown, tz=job.tz, years=job.years), shown)


def feed_result(feed: FeedResult, shown: str) -> FileResult:
    """A parsed feed document as the file result every reader gives."""
    problems = list(feed.problems)
    if feed.failed:
        problems.append(Problem(shown, None, feed.failed, feed.hint))
    return FileResult(shown, feed.articles, tuple(problems), "F")


def classified(classifier: Classifier, article: Article) -> Article:
    """The article with its topic by the current rules."""
    return article.evolve(classification=classifier.classify(article))


# Worker state for parallel reading; set in the parent before the pool forks, so the
# children share the loaded lemma dictionary instead of loading it again.
_WORKER: Job | None = None
PARALLEL_MIN_FILES = 64


def _read_one(item: Input) -> FileResult:
    assert _WORKER is not None
    job = _WORKER
    data, sha = None, None
    if job.hash_files:  # see unchanged.py; the bytes hashed are the bytes parsed
        data = read_regular(item.path, job.max_bytes)
        sha = _sha256(data)
    result = read_input(item, job, data)
    articles = tuple(classified(job.classifier, a) for a in result.articles)
    return replace(result, articles=articles, sha256=sha)


def file_hash(path: str | os.PathLike[str], max_bytes: int) -> str | None:
    """The SHA-256 of a regular file's content; None for anything the readers refuse (a
    device, a pipe, a file over `max_bytes`, one that cannot be read: the reader says why)."""
    return _sha256(read_regular(path, max_bytes))


def _sha256(data: bytes | Refused) -> str | None:
    return None if isinstance(data, Refused) else hashlib.sha256(data).hexdigest()


def read_all(files: Sequence[Input], job: Job) -> Generator[FileResult, None, None]:
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
        workers = min(cores or 2, 8)
        pool = mp.get_context("fork").Pool(workers, initializer=_start_worker)
    except BaseException:
        if main:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        raise
    try:
        if main:  # a Ctrl-C pressed meanwhile arrives here, where the workers get reaped
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        yield from pool.imap(_read_one, files, chunksize=_chunk(len(files), workers))
        pool.close()
        pool.join()
    except BaseException:  # KeyboardInterrupt, or the consumer closing this generator early
        with _sigint_ignored(main):  # a second Ctrl-C must not leave the workers behind
            pool.terminate()
            pool.join()
        raise


def _chunk(files: int, workers: int) -> int:
    """Files per task: about sixteen tasks per worker, 16 to 256 files each. Big chunks are
    fewer messages, and a chunk's articles are pickled together, so the Match objects they
    share arrive once: at 10,000 files, 256 instead of 16 cut the parent's share of the
    reading from 2.0 to 1.2 CPU seconds and the reading from 5.5 to 4.8 s on two cores."""
    return max(16, min(256, files // (workers * 16)))


def _start_worker() -> None:
    """Set up a reader process: no Ctrl-C (see read_all), and cyclic garbage collection on.

    An ingest turns the collector off in the parent, which keeps every article it reads
    (pipeline._no_cycle_collection); a reader keeps nothing, but a Markdown note's syntax
    tree is full of cycles (parents and children), and ten thousand notes would pile up.
    """
    gc.enable()
    ignore_sigint()


def ignore_sigint() -> None:
    """In a forked helper process: leave Ctrl-C to the parent (see read_all)."""
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
