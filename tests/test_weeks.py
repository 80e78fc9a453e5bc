from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from digest.errors import UsageError
from digest.weeks import IsoWeek, local_date

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2019, 12, 30), "2020-W01"),  # Monday of W01 lies in the old year
        (date(2021, 1, 1), "2020-W53"),  # Friday of the new year still in 2020's long W53
        (date(2021, 1, 3), "2020-W53"),
        (date(2021, 1, 4), "2021-W01"),
        (date(2024, 12, 30), "2025-W01"),
        (date(2026, 1, 1), "2026-W01"),
        (date(2027, 1, 3), "2026-W53"),
        (date(2019, 9, 17), "2019-W38"),
    ],
)
def test_iso_week_of_date(day: date, week: str) -> None:
    assert str(IsoWeek.of(day)) == week


def test_week_range_crosses_year() -> None:
    week = IsoWeek.parse("2020-W01")
    assert (week.monday, week.sunday) == (date(2019, 12, 30), date(2020, 1, 5))


@pytest.mark.parametrize("text", ["2019-W38", "2019W38", "2019-w38", " 2019-W38 "])
def test_parse_accepts_common_spellings(text: str) -> None:
    assert IsoWeek.parse(text) == IsoWeek(2019, 38)


@pytest.mark.parametrize("text", ["2019-38", "KW38", "2019-W54", "2021-W53", "2019-W00"])
def test_parse_rejects_non_weeks(text: str) -> None:
    with pytest.raises(UsageError):
        IsoWeek.parse(text)


def test_local_date_uses_berlin_not_utc() -> None:
    # 23:30 UTC on New Year's Eve is already 00:30 on 1 January in Berlin: another ISO week.
    moment = datetime(2020, 12, 31, 23, 30, tzinfo=UTC)
    assert local_date(moment, BERLIN) == date(2021, 1, 1)
    assert str(IsoWeek.of(local_date(moment, BERLIN))) == "2020-W53"
    sunday_night = datetime(2019, 12, 29, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin
    assert str(IsoWeek.of(local_date(sunday_night, BERLIN))) == "2020-W01"


def test_local_date_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2020, 1, 1), BERLIN)


def test_weeks_sort_chronologically() -> None:
    weeks = sorted([IsoWeek(2021, 1), IsoWeek(2020, 53), IsoWeek(2020, 9)])
    assert [str(w) for w in weeks] == ["2020-W09", "2020-W53", "2021-W01"]
