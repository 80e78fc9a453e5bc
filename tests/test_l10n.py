from __future__ import annotations

import random
from datetime import date, timedelta

import jinja2
import pytest
from babel.dates import format_date, format_skeleton

from digest.l10n import L10n
from digest.weeks import IsoWeek


@pytest.mark.parametrize(
    ("locale", "week", "expected"),
    [
        ("de_DE", "2019-W38", "16.–22. September 2019"),
        ("de_DE", "2019-W40", "30. September – 6. Oktober 2019"),
        ("de_DE", "2020-W01", "30. Dezember 2019 – 5. Januar 2020"),
        ("de_AT", "2020-W03", "13.–19. Jänner 2020"),
        ("de_AT", "2020-W01", "30. Dezember 2019 – 5. Jänner 2020"),
        ("en", "2019-W38", "September 16–22, 2019"),
        ("en", "2019-W40", "September 30 – October 6, 2019"),
        ("en", "2020-W01", "December 30, 2019 – January 5, 2020"),
    ],
)
def test_week_range(locale: str, week: str, expected: str) -> None:
    assert L10n(locale).week_range(IsoWeek.parse(week)) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de_DE", "Dienstag, 17. September 2019"),
        ("de_AT", "Dienstag, 17. September 2019"),
        ("en", "Tuesday, September 17, 2019"),
    ],
)
def test_long_date(locale: str, expected: str) -> None:
    assert L10n(locale).date_long(date(2019, 9, 17)) == expected


def test_austrian_january() -> None:
    assert L10n("de_AT").date_long(date(2020, 1, 17)) == "Freitag, 17. Jänner 2020"
    assert L10n("de_DE").date_long(date(2020, 1, 17)) == "Freitag, 17. Januar 2020"


@pytest.mark.parametrize("locale", ["de_DE", "de_AT", "de_CH", "en_US", "ja_JP", "th_TH"])
def test_long_dates_are_babels_full_dates(locale: str) -> None:
    """date_long writes each field of babel's pattern once per value it depends on (the
    weekday's name once per weekday); every day of four years, leap days and a turn of the
    century among them, must read as babel's own format_date(day, "full") writes it. th_TH's
    pattern has an era field, which is written every time."""
    l10n = L10n(locale)
    days = [date(1999, 1, 1) + timedelta(days=n) for n in range(4 * 366)]
    random.Random(locale).shuffle(days)  # in no order, so a field is never merely the last
    for day in days:
        assert l10n.date_long(day) == format_date(day, "full", locale=locale), day
    assert len(l10n._date_fields) <= 7 + 12 + 31 + 5  # weekdays, months, days, years


def _babel_week_range(week: IsoWeek, locale: str) -> str:
    """The week's range written with babel's format_date and format_skeleton on each call
    (what L10n.week_range did before it looked the patterns up once)."""
    start, end = week.monday, week.sunday
    long_end = format_date(end, "long", locale=locale)
    if start.year != end.year:
        return f"{format_date(start, 'long', locale=locale)} – {long_end}"
    day_month = format_skeleton("MMMMd", start, locale=locale)
    if start.month != end.month:
        return f"{day_month} – {long_end}"
    if locale.startswith("de"):
        return f"{start.day}.–{long_end}"
    return (
        f"{day_month}–{end.day}, {end.year}"
        if day_month[0].isalpha()
        else f"{start.day}–{long_end}"
    )


@pytest.mark.parametrize("locale", ["de_DE", "de_AT", "en_GB", "en_US", "fr_FR", "ja_JP"])
def test_week_ranges_and_short_dates_are_babels(locale: str) -> None:
    l10n = L10n(locale)
    for n in range(1, 41 * 53):
        week = IsoWeek.of(date(1995, 1, 2) + timedelta(weeks=n))
        assert l10n.week_range(week) == _babel_week_range(week, locale), week
        assert l10n.date_short(week.monday) == format_date(week.monday, "long", locale=locale)


def test_week_label_and_counts() -> None:
    de, en = L10n("de_DE"), L10n("en")
    assert de.week_label(IsoWeek(2019, 38)) == "KW 38/2019"
    assert en.week_label(IsoWeek(2020, 53)) == "Week 53/2020"
    assert [de.items(n) for n in (1, 3, 1234)] == ["1 Meldung", "3 Meldungen", "1.234 Meldungen"]
    assert [en.items(n) for n in (1, 3, 1234)] == ["1 item", "3 items", "1,234 items"]
    assert de.more_items(12) == "… und 12 weitere Meldungen"
    assert en.more_items(1) == "… and 1 more item"


def test_bcp47_tags() -> None:
    assert L10n("de_DE").bcp47 == "de-DE"
    assert L10n("de_AT").bcp47 == "de-AT"
    assert L10n("en").bcp47 == "en"


def test_missing_date_is_said_not_crashed() -> None:
    assert L10n("de_DE").date_long(None) == "ohne Datum"


@pytest.mark.parametrize("locale", ["de_DE", "en_GB"])
def test_templates_read_the_strings_as_attributes_and_keys(locale: str) -> None:
    """`t.key` in a template (an attribute, found without the exception a dict raises) is the
    same string as `t["key"]` and, where it takes no values, as l10n.text(key)."""
    l10n = L10n(locale)
    t = l10n.strings
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    keys = sorted(t)
    assert len(keys) > 40 and dict(t) == {key: t[key] for key in keys}
    for key in keys:
        assert getattr(t, key) == t[key]
        shown = env.from_string("{{ t." + key + " }}|{{ t['" + key + "'] }}").render(t=t)
        assert shown == f"{t[key]}|{t[key]}"
        if "{" not in t[key]:
            assert l10n.text(key) == t[key]
    with pytest.raises(jinja2.UndefinedError, match="no_such_string"):
        env.from_string("{{ t.no_such_string }}").render(t=t)
