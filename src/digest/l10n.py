"""Every babel call of digest: dates, week labels and ranges, counts and interface strings.

Week numbers never come from babel's 'w' (locale week rules); they come from IsoWeek.
Month names come from CLDR through babel, so de_AT gives "Jänner"; babel is pinned in
pyproject.toml because CLDR abbreviations change between releases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from functools import cached_property

from babel import Locale
from babel.dates import (
    DateTimeFormat,
    format_date,
    format_datetime,
    format_time,
    get_date_format,
    match_skeleton,
    parse_pattern,
)
from babel.numbers import format_decimal

from .weeks import IsoWeek

# Interface strings per language; a locale uses its language's table, else English.
_STRINGS: dict[str, dict[str, str]] = {
    "de": {
        "week_label": "KW {week}/{year}",
        "digest_title": "{title} KW {week}/{year}",
        "contents": "Inhalt",
        "web_version": "Im Browser lesen",
        "unsubscribe": "Abmelden",
        "preferences": "Einstellungen",
        "impressum": "Impressum",
        "responsible": "Verantwortlich",
        "keywords": "Stichwörter",
        "links": "Links",
        "more_items": "… und {count} weitere {items}",
        "read_more": "Weiterlesen",
        "archive": "Archiv",
        "all_weeks": "Alle Ausgaben",
        "page_end": "Seitenende",
        "topics": "Themen",
        "undated": "ohne Datum",
        "preheader": "{count} aus der {week_label}: {topics}.",
        "why": "Sie erhalten diesen Newsletter, weil Sie ihn abonniert haben.",
        "feed": "Atom-Feed",
        "week_of": "Woche vom {range}",
        "previous": "Vorherige Ausgabe",
        "next": "Nächste Ausgabe",
        "contact": "Kontakt",
        "latest": "Neueste Ausgabe",
        "topic_all": "Alle Meldungen zum Thema",
        "topic_feed": "Atom-Feed zum Thema",
        "no_issues": "Noch keine Ausgaben.",
        "pages": "Seiten",
        "subscribe": "Newsletter abonnieren",
        "privacy": "Datenschutz",
        "date_time": "{date}, {time} Uhr",
        "subject_lead": "{title} KW {week}/{year}: {lead}",
        "source": "Quelle",
        "author": "Autor/in",
        "top_story": "Top-Meldung",
        "top_stories": "Top-Meldungen",
        "original": "Zum Original bei {name}",
        "original_elsewhere": "Den vollständigen Text finden Sie bei {name}.",
        "in_issue": "Erschienen in",
        "topic": "Thema",
        "image": "Bild",
        "caption": "Bildunterschrift",
        "article_links": "Links zum Artikel",
        "page_n": "Seite {page}",
        "front_page": "Neueste Wochen",
        "newer_page": "Neuere Wochen",
        "older_page": "Ältere Wochen",
        "from_week": "ab {week}",
        "editorial": "Zur Ausgabe",
    },
    "en": {
        "week_label": "Week {week}/{year}",
        "digest_title": "{title}, week {week}/{year}",
        "contents": "Contents",
        "web_version": "Read in your browser",
        "unsubscribe": "Unsubscribe",
        "preferences": "Preferences",
        "impressum": "Imprint",
        "responsible": "Responsible",
        "keywords": "Keywords",
        "links": "Links",
        "more_items": "… and {count} more {items}",
        "read_more": "Read more",
        "archive": "Archive",
        "all_weeks": "All issues",
        "page_end": "end of page",
        "topics": "Topics",
        "undated": "undated",
        "preheader": "{count} from {week_label}: {topics}.",
        "why": "You receive this newsletter because you subscribed to it.",
        "feed": "Atom feed",
        "week_of": "Week of {range}",
        "previous": "Previous issue",
        "next": "Next issue",
        "contact": "Contact",
        "latest": "Latest issue",
        "topic_all": "All items on this topic",
        "topic_feed": "Atom feed for this topic",
        "no_issues": "No issues yet.",
        "pages": "Pages",
        "subscribe": "Subscribe to the newsletter",
        "privacy": "Privacy",
        "date_time": "{date}, {time}",
        "subject_lead": "{title}, week {week}/{year}: {lead}",
        "source": "Source",
        "author": "Author",
        "top_story": "Top story",
        "top_stories": "Top stories",
        "original": "Read the original at {name}",
        "original_elsewhere": "The full text is available from {name}.",
        "in_issue": "Published in",
        "topic": "Topic",
        "image": "Image",
        "caption": "Caption",
        "article_links": "Links from the article",
        "page_n": "Page {page}",
        "front_page": "Latest weeks",
        "newer_page": "Newer weeks",
        "older_page": "Older weeks",
        "from_week": "from {week}",
        "editorial": "About this issue",
    },
}
_ITEMS: dict[str, dict[str, str]] = {
    "de": {"one": "Meldung", "other": "Meldungen"},
    "en": {"one": "item", "other": "items"},
}


class _DateFields:
    """The fields of a babel date pattern for one day, as its %-format reads them: each
    field babel works out once per value it depends on (the weekday's name once per weekday,
    the month's once per month), any other field every time. Every week brings seven new
    days, and babel took 5 µs to write each; a week's email names all seven."""

    __slots__ = ("day", "locale", "memo")

    def __init__(self, day: date, locale: Locale, memo: dict[tuple[str, int], str]) -> None:
        self.day, self.locale, self.memo = day, locale, memo

    def __getitem__(self, name: str) -> str:
        part = _DEPENDS_ON.get(name[0])
        if part is None:
            return DateTimeFormat(self.day, self.locale)[name]
        key = (name, part(self.day))
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = DateTimeFormat(self.day, self.locale)[name]
        return text


# Pattern letters (CLDR) whose text depends on one part of the date only: the year (y, not
# the week-based Y), the month (M, L), the day of the month (d), the weekday's name (E).
_DEPENDS_ON: dict[str, Callable[[date], int]] = {
    "y": lambda day: day.year,
    "M": lambda day: day.month,
    "L": lambda day: day.month,
    "d": lambda day: day.day,
    "E": date.weekday,
}


class Strings(Mapping[str, str]):
    """The interface strings of one language, as templates read them: `t.key` (or `t["key"]`).

    Jinja2 looks `t.key` up as an attribute first and only then as a key; a dict answers the
    attribute lookup with an exception, which cost a template as much as formatting the
    string. Here each string is also an attribute of the object, found at once.
    """

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)
        for key, value in self._table.items():
            if key.isidentifier() and not hasattr(Strings, key):
                self.__dict__[key] = value

    def __getitem__(self, key: str) -> str:
        return self._table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


class L10n:
    """Format dates, weeks, counts and interface strings for one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = Locale.parse(locale)
        self.language = self.locale.language
        self._strings = _STRINGS.get(self.language, _STRINGS["en"])
        self._items = _ITEMS.get(self.language, _ITEMS["en"])
        self._long_dates: dict[date, str] = {}
        # What format_date(day, "full") looks up on every call, looked up once: the pattern,
        # as the %-format babel applies it with ("%(EEEE)s, %(d)s. %(MMMM)s %(y)s"; babel
        # types the attribute as a DateTimeFormat, but it holds that str).
        self._full_date = str(get_date_format("full", locale=self.locale).format)
        self._date_fields: dict[tuple[str, int], str] = {}  # see _DateFields
        self._long_date = str(get_date_format("long", locale=self.locale).format)
        skeletons = self.locale.datetime_skeletons  # as format_skeleton("MMMMd") finds it
        day_month = "MMMMd" if "MMMMd" in skeletons else match_skeleton("MMMMd", skeletons)
        self._day_month = str(parse_pattern(skeletons[day_month]).format)
        self._numbers: dict[int, str] = {}
        self._plurals: dict[int, str] = {}  # n -> its CLDR plural category
        self._ranges: dict[IsoWeek, str] = {}

    @cached_property
    def bcp47(self) -> str:
        """The locale as a BCP 47 tag for xml:lang and <html lang>: 'de-DE', not 'de_DE'."""
        return "-".join(p for p in (self.locale.language, self.locale.territory) if p)

    @cached_property
    def strings(self) -> Strings:
        """All interface strings of this locale's language, for templates (as `t`)."""
        return Strings(self._strings)

    def text(self, key: str, **values: object) -> str:
        """Return an interface string, with `values` filled in."""
        return self._strings[key].format(**values)

    def date_long(self, day: date | None) -> str:
        """'Dienstag, 17. September 2019'."""
        if day is None:
            return self.text("undated")
        # A week has only seven days, and each is shown by every item of it: remember them.
        text = self._long_dates.get(day)
        if text is None:
            text = self._long_dates[day] = self._written(self._full_date, day)
        return text

    def date_short(self, day: date | None) -> str:
        """'17. September 2019'."""
        if day is None:
            return self.text("undated")
        return self._written(self._long_date, day)

    def _written(self, pattern: str, day: date) -> str:
        """`day` in one of the babel patterns looked up at the start (see _DateFields)."""
        return pattern % _DateFields(day, self.locale, self._date_fields)

    def datetime_long(self, moment: datetime) -> str:
        """A localised date and time, e.g. for 'built at' notes."""
        return format_datetime(moment, "long", locale=self.locale)

    def date_time(self, moment: datetime) -> str:
        """A date with the time to the minute: '21. November 2026, 16:28 Uhr'."""
        return self.text(
            "date_time",
            date=format_date(moment, "long", locale=self.locale),
            time=format_time(moment, "short", locale=self.locale),
        )

    def number(self, n: int) -> str:
        """'1.234'. Remembered like date_long: babel takes ~25 µs, and the same few counts
        recur in every email and page."""
        text = self._numbers.get(n)
        if text is None:
            if len(self._numbers) >= 4096:
                self._numbers.clear()
            text = self._numbers[n] = format_decimal(n, locale=self.locale)
        return text

    def items(self, n: int) -> str:
        """'1 Meldung', '3 Meldungen', '1.234 Meldungen'."""
        return f"{self.number(n)} {self.items_word(n)}"

    def items_word(self, n: int) -> str:
        """'Meldung' or 'Meldungen', as `n` requires.

        The plural category is CLDR's for the locale (babel's Locale.plural_form), so it can be
        any of zero, one, two, few, many and other: Polish and Russian use few and many, Arabic
        and Welsh zero and two as well. A catalogue has the words only for its own language's
        categories (ours: one and other); every category it lacks takes the "other" word, which
        CLDR guarantees every locale has.
        """
        category = self._plurals.get(n)
        if category is None:
            if len(self._plurals) >= 4096:
                self._plurals.clear()
            category = self._plurals[n] = self.locale.plural_form(n)
        return self._items.get(category, self._items["other"])

    def more_items(self, n: int) -> str:
        """'… und 12 weitere Meldungen'."""
        return self.text("more_items", count=self.number(n), items=self.items_word(n))

    def week_label(self, week: IsoWeek) -> str:
        """'KW 38/2019'."""
        return self.text("week_label", week=week.week, year=week.year)

    def week_range(self, week: IsoWeek) -> str:
        """'16.–22. September 2019', '30. September – 6. Oktober 2019',
        '30. Dezember 2019 – 5. Januar 2020' (babel's format_interval abbreviates months).
        Remembered: each email and page of a week shows it (a new one takes about 6 µs)."""
        text = self._ranges.get(week)
        if text is None:
            text = self._ranges[week] = self._week_range(week)
        return text

    def _week_range(self, week: IsoWeek) -> str:
        # format_date(day, "long") and format_skeleton("MMMMd", day), with their patterns
        # looked up once and written with _DateFields (6 µs for a new week, not 9).
        start, end = week.monday, week.sunday
        long_end = self._written(self._long_date, end)
        if start.year != end.year:
            return f"{self._written(self._long_date, start)} – {long_end}"
        day_month = self._written(self._day_month, start)
        if start.month != end.month:
            return f"{day_month} – {long_end}"
        if self.language == "de":
            return f"{start.day}.–{long_end}"
        # Elsewhere: the locale's "month day", end day swapped in ("September 16–22, 2019").
        return (
            f"{day_month}–{end.day}, {end.year}"
            if day_month[0].isalpha()
            else (f"{start.day}–{long_end}")
        )
