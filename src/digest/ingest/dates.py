"""The date problems both readers report, worded once: a date marker in the wrong shape, and a
real calendar date that cannot be an article's (a typo such as [27.12.9999] or [4.10.1017])."""

from __future__ import annotations

from datetime import date

from ..models import Problem

Years = tuple[int, int]
DATE_SHAPE_HINT = "write dates as D.M.YYYY, e.g. [3.11.2025]"
EARLIEST_YEAR = 1990  # the default of [ingest] earliest_year (config_ingest.py)


def default_years(today: date | None = None) -> Years:
    """The plausible years of a default config, for a caller that has no config at hand."""
    return EARLIEST_YEAR, (today or date.today()).year + 1


def malformed(path: str, line: int, marker: str) -> Problem:
    """Report a date marker like [0.0.0] that is not a D.M.YYYY date."""
    return Problem(
        path,
        line,
        f"malformed date {marker}",
        f"{DATE_SHAPE_HINT}; the article is stored without a date until then",
    )


def implausible(path: str, line: int, day: date, years: Years | None) -> Problem | None:
    """Report a date outside the plausible years; None when it is inside them (or no range)."""
    if years is None or years[0] <= day.year <= years[1]:
        return None
    first, last = years
    return Problem(
        path,
        line,
        f"the date {day.day}.{day.month}.{day.year} is outside the plausible years "
        f"{first}-{last}; the article was skipped",
        "fix the date in the file, or change [ingest] earliest_year/latest_year in config.toml",
    )
