"""One story, one article, however many sources tell it.

An article's id is the hash of its date and normalised title (normalise.article_id), so the
same story from two page dumps is one row already. Sources differ in more than that: a feed
dates an item by its publication time, a page dump by the day in its text, a day apart around
midnight; a feed item may come back with a retouched title under the same address. The rules,
each tested in tests/test_dedup.py:

1. Same id (same normalised title, same date): one story, unless their places differ.
2. Same normalised title, dates one day apart: one story, unless their places differ.
3. Same own address (a feed entry's link, canonical: see Article.own_url): one story.

Places differ when both versions name one (a press release's city, a kicker) and neither
place's words contain the other's ("Stadt Jena" and "Jena" agree; "Jena" and "Erfurt", or
the rubric "Studie" and "Jena", do not). Then rule 1 gives the newcomer its own id, derived
from its place, title and date, so "Digitalstrategie beschlossen" from Jena and from Erfurt
on the same day stay two articles. Titles a week apart never meet: only rule 3 looks past a
day, and a feed does not reuse an address for another story.

Folding keeps the id of the version already stored (its page address stays valid), else of
the first one read; the text of the fullest version wins (pipeline.merge). Two stored
articles found to be one story leave the later one retracted in favour of the kept one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from ..models import Article
from ..normalise import article_id, fold_words, keyed_id


def place_of(article: Article) -> str:
    """The place an article names, folded: a press release's city, else its kicker."""
    return fold_words(article.place or article.kicker or "")


def places_differ(a: Article, b: Article) -> bool:
    """Tell whether two versions name different places (see the module docstring)."""
    first, second = place_of(a), place_of(b)
    if not first or not second or first == second:
        return False
    one, other = set(first.split()), set(second.split())
    return not (one <= other or other <= one)


def placed_id(article: Article) -> str:
    """The id of a story whose title and date another place's story has already."""
    return article_id(f"{place_of(article)} | {article.title}", article.date)


def neighbour_ids(article: Article) -> tuple[str, ...]:
    """The ids the same title would have one day earlier and one day later."""
    if article.date is None:
        return ()
    return _neighbours(article.title, article.date)


@lru_cache(maxsize=1 << 16)  # each article is asked twice: for the look-up, then the fold
def _neighbours(title: str, day: date) -> tuple[str, ...]:
    words = fold_words(title)
    return tuple(keyed_id(words, _shift(day, k)) for k in (-1, 1))


def _shift(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return day


@dataclass
class Folded:
    """The run's articles after folding, and what became of the others."""

    articles: dict[str, Article]  # by id: what to store
    alias: dict[str, str] = field(default_factory=dict)  # id read -> id kept
    retire: list[tuple[str, str]] = field(default_factory=list)  # stored (old, kept) pairs


Merge = Callable[[Article, Article], Article]


def fold(
    pending: Mapping[str, Article],
    stored: Mapping[str, Article],
    live: Mapping[str, Article],
    live_by_url: Mapping[str, str],
    merge: Merge,
) -> Folded:
    """Fold the run's articles (by id, in reading order) into one per story (rules 2 and 3).

    `stored` are the stored versions of the run's ids; `live` the live stored articles that
    may be twins of the run's (their neighbour ids, their own addresses); `live_by_url` maps
    own addresses to live stored ids. Rule 1 happened already, as the run's versions were
    collected by id.
    """
    known = set(stored) | set(live)  # ids already stored: their addresses must stay
    out: dict[str, Article] = {}
    alias: dict[str, str] = {}
    retire: list[tuple[str, str]] = []
    by_url: dict[str, str] = dict(live_by_url)
    by_id: dict[str, Article] = dict(live)  # what a newcomer may fold into

    def keep(key: str, article: Article) -> None:
        out[key] = by_id[key] = article
        if (url := article.own_url) is not None:
            by_url.setdefault(url, key)

    for key, article in pending.items():
        if key in out:  # an earlier article of this run folded into this stored one
            keep(key, replace(merge(out[key], article), id=key))
            continue
        twin = _twin(article, key, by_id, by_url, alias)
        if twin is None:
            keep(key, article)
        elif key in known and twin not in known:
            # The twin is new in this run, this one was stored: keep this one's id.
            other = out.pop(twin)
            del by_id[twin]
            for read, kept in list(alias.items()):
                if kept == twin:
                    alias[read] = key
            for url, kept in list(by_url.items()):
                if kept == twin:
                    by_url[url] = key
            alias[twin] = key
            keep(key, replace(merge(article, other), id=key))
        else:
            keep(twin, replace(merge(out.get(twin) or by_id[twin], article), id=twin))
            alias[key] = twin
            if key in known:
                retire.append((key, twin))
    return Folded(out, alias, retire)


def _twin(
    article: Article,
    key: str,
    by_id: Mapping[str, Article],
    by_url: Mapping[str, str],
    alias: Mapping[str, str],
) -> str | None:
    candidates: list[str] = []
    url = article.own_url
    if url is not None and url in by_url:
        candidates.append(by_url[url])
    candidates += [i for i in neighbour_ids(article) if i in by_id]
    for candidate in candidates:
        candidate = alias.get(candidate, candidate)
        if candidate != key and candidate in by_id and not places_differ(by_id[candidate], article):
            return candidate
    return None


def wanted_ids(articles: Sequence[Article]) -> list[str]:
    """The stored ids the fold of `articles` needs to look at."""
    return sorted({i for a in articles for i in neighbour_ids(a)})
