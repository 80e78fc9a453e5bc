"""What `digest sources` shows: every configured source, how its last read went, and how
many live articles it has given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..config import Config
from ..ingest import FileResult
from ..ingest.files import printable_name
from ..models import Problem
from ..store import FileFingerprint, SourceState, Store
from .reading import location, within


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One [[sources]] entry and the state of its last read."""

    name: str
    type: str
    location: str  # a feed's URL, or the file or folder
    articles: int  # live articles seen there
    state: SourceState | None  # None: never read

    @property
    def status(self) -> str:
        """The last read in one word: a feed's HTTP status, else ok, failed or never."""
        if self.state is None:
            return "never"
        if self.state.status is not None:
            return str(self.state.status)
        return "failed" if self.state.error and not self.state.entries else "ok"


def source_status(cfg: Config, store: Store) -> list[SourceStatus]:
    """Every configured source in config order, with its last read and article count."""
    base = cfg.path.resolve().parent
    places = [(s, location(s, base)) for s in cfg.sources]
    states = store.source_states()
    counts = store.live_counts_by_source([where for _, where in places])
    return [
        SourceStatus(s.name, s.type, where, counts.get(where, 0), states.get(where))
        for s, where in places
    ]


def file_states(
    cfg: Config,
    results: Sequence[FileResult],
    skipped: Mapping[str, FileFingerprint],
    problems: Sequence[Problem],
    known: Mapping[str, SourceState],
    at: datetime,
) -> list[SourceState]:
    """The state of each configured file source after a run read it: the articles its files
    gave (read now, or unchanged since they were: `skipped`), and its first problem, if any
    (a missing folder is one)."""
    base = cfg.path.resolve().parent
    config_file = printable_name(str(cfg.path))
    states = []
    for source in cfg.sources:
        if source.path is None:
            continue
        where = location(source, base)
        mine = [r for r in results if within(r.path, where)]
        found = [
            p
            for p in problems
            if within(p.path, where) or (p.path == config_file and p.line == source.line)
        ]
        error = None
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            error = f"{found[0]}{more}"
        read = sum(len(r.articles) for r in mine)
        read += sum(p.articles for path, p in skipped.items() if within(path, where))
        last = known.get(where)
        states.append(
            SourceState(
                where,
                at,
                None,
                error=error,
                ok_at=at if read else (last.ok_at if last else None),
                entries=read,
            )
        )
    return states
