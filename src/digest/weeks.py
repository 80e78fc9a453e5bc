"""ISO calendar weeks (KW) of Berlin-local dates.

Only the stdlib's ISO calendar is used: babel's 'w' pattern follows the locale's week rules,
which for `de` happen to match ISO 8601 but for `en` do not, and pairing it with 'yyyy'
instead of 'YYYY' gives the wrong year around New Year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import UsageError

_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """An ISO 8601 week: `IsoWeek(2020, 1)` runs from Monday 2019-12-30 to Sunday 2020-01-05."""

    year: int
    week: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError as exc:
            raise UsageError(
                f"{self.year}-W{self.week:02d} is not an ISO week ({exc})",
                "weeks run from W01 to W52, or W53 in long years such as 2020 and 2026",
            ) from None

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        """Return the ISO week that contains `day`."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Parse '2019-W38' (also '2019W38', case-insensitive)."""
        match = _WEEK_RE.match(text.strip())
        if not match:
            raise UsageError(
                f"{text!r} is not an ISO week", "write it like 2019-W38 (year, W, week number)"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """Return the calendar date of an aware `moment` in time zone `tz`."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone before asking for its local date")
    return moment.astimezone(tz).date()


def send_time(week: IsoWeek, tz: ZoneInfo) -> datetime:
    """When a week's digest goes out: the Monday after it, 07:00 local time.

    The .eml preview's Date and the feed entry's `published` both use it, so they agree, and
    a rebuild gives the same bytes (never the clock).
    """
    return datetime.combine(week.sunday + timedelta(days=1), time(7), tzinfo=tz)
