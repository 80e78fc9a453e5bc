"""SQL for what each source's last read left behind: when, how it went, and the validators
of a feed's conditional GET (ETag, Last-Modified), so an unchanged feed costs one 304."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .base import StoreBase
from .subscribers import stamp, unstamp


@dataclass(frozen=True, slots=True)
class SourceState:
    """The last read of one source location (a feed URL, a file or a folder)."""

    location: str
    checked_at: datetime  # when it was last read or fetched
    status: int | None = None  # the HTTP status of the last fetch (None: a file, or no answer)
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # why the last read failed; None when it worked
    ok_at: datetime | None = None  # when it last worked
    entries: int | None = None  # entries in the feed (files: articles read) the last time


_FIELDS = "location, checked_at, status, etag, last_modified, error, ok_at, entries"


class SourceStateQueries(StoreBase):
    """Per-source state of the readers."""

    def source_states(self) -> dict[str, SourceState]:
        """Return the state of every source location read so far."""
        rows = self._db.execute(f"SELECT {_FIELDS} FROM source_state ORDER BY location")
        return {
            r[0]: SourceState(
                r[0], datetime.fromisoformat(str(r[1])), r[2], r[3], r[4], r[5], unstamp(r[6]), r[7]
            )
            for r in rows
        }

    def set_source_states(self, states: Iterable[SourceState]) -> None:
        """Record the latest read of sources (call inside `transaction()`)."""
        self._db.executemany(
            f"INSERT OR REPLACE INTO source_state ({_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    s.location,
                    stamp(s.checked_at),
                    s.status,
                    s.etag,
                    s.last_modified,
                    s.error,
                    stamp(s.ok_at) if s.ok_at else None,
                    s.entries,
                )
                for s in states
            ),
        )
