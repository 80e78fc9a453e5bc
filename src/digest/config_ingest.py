"""The [ingest] and [store] limits of config.toml: how big a source file may be, which years
an article's date may plausibly have, and how long to wait for a store another digest holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import _Reader


@dataclass(frozen=True, slots=True)
class IngestConfig:
    max_file_bytes: int  # a bigger source file is refused with a problem, not read
    earliest_year: int  # an article dated before this year is reported, not stored
    latest_year: int | None  # ... and after this one; None: the year after the current one
    fetch_timeout: float = 20.0  # seconds a feed server may take to answer
    max_redirects: int = 5  # redirects followed for one feed

    def plausible_years(self, today: date | None = None) -> tuple[int, int]:
        """The first and last year an article's date may have."""
        last = self.latest_year
        if last is None:
            last = (today or date.today()).year + 1
        return self.earliest_year, last


def read_ingest(r: _Reader, data: Mapping[str, Any]) -> IngestConfig:
    t = r.take(data, "", "ingest", dict, {})
    r.only(
        t,
        "ingest",
        {"max_file_mb", "earliest_year", "latest_year", "fetch_timeout", "max_redirects"},
    )
    max_mb = r.number(t, "ingest", "max_file_mb", float, 10.0, 0.1, 1024.0, " MB")
    earliest = r.number(t, "ingest", "earliest_year", int, 1990, 1000, 9000)
    latest = r.take(t, "ingest", "latest_year", int, 0) or None
    if latest is not None and not earliest <= latest <= 9000:
        raise r.fail(
            "ingest.latest_year",
            f"must be from earliest_year ({earliest}) to 9000, got {latest}",
            "leave it out to mean the year after the current one",
        )
    timeout = r.number(t, "ingest", "fetch_timeout", float, 20.0, 1.0, 600.0, " seconds")
    redirects = r.number(t, "ingest", "max_redirects", int, 5, 0, 20)
    return IngestConfig(int(max_mb * 1024 * 1024), earliest, latest, timeout, redirects)


def read_store_timeout(r: _Reader, store_t: Mapping[str, Any]) -> float:
    return r.number(store_t, "store", "busy_timeout", float, 5.0, 0.0, 3600.0, " seconds")
