"""Fetching the feed sources of a run, each with what its last fetch left (see store/source_state).

A feed that fails (no answer, an HTTP error, not a feed) is one problem naming its URL and the
reason; the run goes on with the others. Its validators are kept as they were, so that a feed
whose articles were not stored is fetched in full next time. Feeds are fetched a few at a
time: a slow server must not hold up the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from .. import __version__
from ..config import Config, SourceConfig
from ..ingest import FileResult
from ..ingest.feeds import parse_feed
from ..ingest.fetch import Fetched, Validators, fetch
from ..models import Problem
from ..store import SourceState
from .reading import feed_result

Fetch = Callable[..., Fetched]
PARALLEL_FETCHES = 4


@dataclass(frozen=True, slots=True)
class FeedRead:
    """One feed source's fetch: its articles (as a file result) and its state to store."""

    source: SourceConfig
    result: FileResult
    state: SourceState
    unchanged: bool = False  # answered 304 Not Modified
    failed: bool = False
    moved_to: str | None = None  # a permanent redirect: the address to put in config.toml


def user_agent(cfg: Config) -> str:
    """Say who is asking, and where to find out more, as feed publishers ask of robots."""
    return f"digest/{__version__} (weekly newsletter; +{cfg.site.base_url})"


def fetch_feeds(
    cfg: Config,
    known: Mapping[str, SourceState],
    at: datetime,
    *,
    fetcher: Fetch = fetch,
) -> list[FeedRead]:
    """Fetch every feed source that has a URL, in config order."""
    sources = [s for s in cfg.sources if s.type == "feed" and s.feed_url]
    if not sources:
        return []

    def one(source: SourceConfig) -> FeedRead:
        return _fetch_one(cfg, source, known.get(source.feed_url or ""), at, fetcher)

    with ThreadPoolExecutor(min(PARALLEL_FETCHES, len(sources))) as pool:
        return list(pool.map(one, sources))


def _fetch_one(
    cfg: Config,
    source: SourceConfig,
    last: SourceState | None,
    at: datetime,
    fetcher: Fetch,
) -> FeedRead:
    url = source.feed_url or ""
    validators = Validators(last.etag, last.last_modified) if last else Validators()
    got = fetcher(
        url,
        validators,
        user_agent=user_agent(cfg),
        timeout=cfg.ingest.fetch_timeout,
        max_bytes=cfg.ingest.max_file_bytes,
        max_redirects=cfg.ingest.max_redirects,
        allow_file=source.allow_file,
    )
    moved = got.final_url if got.moved_permanently and got.final_url != url else None

    def failed(reason: str, hint: str = "", more: tuple[Problem, ...] = ()) -> FeedRead:
        problems = (_failure(cfg, source, reason, hint), *more)
        state = _kept(last, url, at, got.status, reason)
        return FeedRead(
            source, FileResult(url, (), problems, "F"), state, failed=True, moved_to=moved
        )

    def good(entries: int | None) -> SourceState:
        v = got.validators
        return SourceState(url, at, got.status, v.etag, v.last_modified, None, at, entries)

    if got.error is not None or (got.body is None and not got.not_modified):
        return failed(got.error or "no content")
    if got.not_modified:
        unchanged = FileResult(url, (), (), "F")
        entries = last.entries if last else None
        return FeedRead(source, unchanged, good(entries), unchanged=True, moved_to=moved)
    assert got.body is not None
    parsed = parse_feed(
        got.body, url, tz=cfg.site.tz, years=cfg.ingest.plausible_years(), headers=got.headers
    )
    if parsed.failed:
        return failed(parsed.failed, parsed.hint, parsed.problems)
    return FeedRead(source, feed_result(parsed, url), good(parsed.entries), moved_to=moved)


def _kept(
    last: SourceState | None, url: str, at: datetime, status: int | None, error: str
) -> SourceState:
    """The state after a failed fetch: the old validators, the new error."""
    return SourceState(
        url,
        at,
        status,
        last.etag if last else None,
        last.last_modified if last else None,
        error,
        last.ok_at if last else None,
        last.entries if last else None,
    )


def _failure(cfg: Config, source: SourceConfig, reason: str, hint: str = "") -> Problem:
    return Problem(
        source.feed_url or "",
        None,
        f"feed {source.name!r} failed: {reason}",
        (f"{hint}; " if hint else "")
        + f"the run went on without it; check {source.key} in {cfg.path.name}",
    )


def moved_notices(reads: Sequence[FeedRead], cfg: Config) -> list[Problem]:
    """A notice per feed that moved for good: its config entry should follow."""
    return [
        Problem(
            str(cfg.path),
            r.source.line,
            f"{r.source.key}: the feed {r.source.feed_url} has moved permanently to {r.moved_to}",
            "put the new address into config.toml",
        )
        for r in reads
        if r.moved_to
    ]
