"""Find stories that look like one another: close dates and nearly the same title.

An article's id comes from its exact date and normalised title, so the same story written twice
with a typo in the title, or dated a day apart by two sources, gets two ids and appears twice.
Such pairs are only *reported* (the editor decides, with `digest drop`): two municipal news
items can legitimately share most of a headline.

The measure: both titles are folded (lower case, umlauts spelled out, see normalise.fold) and
reduced to words and digits; their difflib.SequenceMatcher ratio must reach SIMILAR (0.85).
For German headlines of 20 to 80 characters that tolerates a typo, an added or dropped short
word or a changed inflection ("Stadt Ulm startet Portal" / "Stadt Ulm startet ihr Portal")
but not a different place or subject. One addition to the ratio: titles that both carry
numbers and do not carry the same numbers are different stories ("Haushalt 2025" /
"Haushalt 2026", "3. Digitaltag" / "4. Digitaltag"), however similar the letters.

Dates are compared first, so the work grows with the articles per day, not with the square of
the archive: every article is compared only with those dated at most `days` days from it, and
among those only with titles that share a word (see _Index) and whose numbers and lengths
allow the ratio. What is left is screened with rapidfuzz's indel ratio, 2 x (longest common
subsequence) / (both lengths): the blocks SequenceMatcher matches form a common subsequence,
so that ratio is never below SequenceMatcher's, and a pair under the threshold there is under
it here too. SequenceMatcher, whose ratio decides, runs only on the pairs that pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher

from .normalise import fold

SIMILAR = 0.85
WORD = 4  # letters of a word that the index keys on
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Titled:
    """What the comparison needs of an article."""

    id: str
    title: str
    date: date


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """`article` (a new one) looks like `other`, with this title similarity."""

    article: Titled
    other: Titled
    ratio: float


@dataclass(frozen=True, slots=True)
class _Key:
    item: Titled
    text: str
    numbers: tuple[int, ...]
    words: tuple[str, ...]  # the distinct words of WORD letters or more, for the index


def title_key(title: str) -> str:
    """Reduce a title to folded words and digits separated by single spaces."""
    return _NON_WORD.sub(" ", fold(title)).strip()


def _key(item: Titled) -> _Key:
    text = title_key(item.title)
    numbers = tuple(sorted(int(n) for n in _NUMBER.findall(text)))
    words = tuple(sorted({w for w in text.split() if len(w) >= WORD and not w.isdigit()}))
    return _Key(item, text, numbers, words)


def title_similarity(a: str, b: str) -> float:
    """Return how alike two titles are, 0.0 to 1.0 (0.0 when their numbers differ)."""
    ka, kb = _key(Titled("", a, date.min)), _key(Titled("", b, date.min))
    if ka.numbers and kb.numbers and ka.numbers != kb.numbers:
        return 0.0
    return SequenceMatcher(None, ka.text, kb.text, autojunk=False).ratio()


def similar_titles(a: str, b: str, threshold: float = SIMILAR) -> bool:
    """Tell whether two titles are nearly the same (see the module docstring)."""
    return title_similarity(a, b) >= threshold


def near_duplicates(
    articles: Sequence[Titled],
    others: Iterable[Titled],
    *,
    days: int = 1,
    threshold: float = SIMILAR,
) -> list[NearDuplicate]:
    """Pair each of `articles` with every other article that looks like the same story.

    `others` are the articles to compare with (ids among `articles` in it are ignored). Two of
    `articles` that look alike are reported once, under the later one. Dates at most `days`
    apart; ids must differ.
    """
    from rapidfuzz.distance import Indel  # here: only an ingest with new articles needs it

    wanted = {a.id for a in articles}
    screen = threshold - 1e-9  # rounding must not screen out a pair exactly at the threshold
    index = _Index()
    for other in others:
        if other.id not in wanted:
            index.add(_key(other))
    found: list[NearDuplicate] = []
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            continue
        seen.add(article.id)
        key = _key(article)
        matcher: SequenceMatcher[str] | None = None  # made for the first close candidate
        for candidate in index.candidates(key, days):
            if not _may_match(key, candidate, threshold):
                continue
            if Indel.normalized_similarity(key.text, candidate.text, score_cutoff=screen) == 0:
                continue
            if matcher is None:
                matcher = SequenceMatcher(None, autojunk=False)
                matcher.set_seq2(key.text)  # it caches its analysis of the second text
            matcher.set_seq1(candidate.text)
            ratio = matcher.ratio()
            if ratio >= threshold:
                found.append(NearDuplicate(article, candidate.item, ratio))
        index.add(key)
    return found


class _Index:
    """The titles to compare with, by day and by word.

    Blocking, as record linkage calls it: a title is compared only with those that share
    one of its words of four letters or more (WORD). A title with fewer than two such words
    is compared with every title of the nearby days, and they with it, so a pair is missed
    only if every long word of a title changed, which a ratio of 0.85 all but rules out.
    """

    def __init__(self) -> None:
        self.by_day: dict[date, list[_Key]] = {}
        self.by_word: dict[tuple[date, str], list[_Key]] = {}
        self.few_words: dict[date, list[_Key]] = {}

    def add(self, key: _Key) -> None:
        day = key.item.date
        self.by_day.setdefault(day, []).append(key)
        if len(key.words) < 2:
            self.few_words.setdefault(day, []).append(key)
        for word in key.words:
            self.by_word.setdefault((day, word), []).append(key)

    def candidates(self, key: _Key, days: int) -> Iterable[_Key]:
        found: dict[str, _Key] = {}
        for offset in range(-days, days + 1):
            day = key.item.date + timedelta(days=offset)
            if len(key.words) < 2:
                pools: list[list[_Key]] = [self.by_day.get(day, [])]
            else:
                pools = [self.few_words.get(day, [])]
                pools += [self.by_word.get((day, word), []) for word in key.words]
            for pool in pools:
                for other in pool:
                    found.setdefault(other.item.id, other)
        found.pop(key.item.id, None)
        return found.values()


def _may_match(key: _Key, other: _Key, threshold: float) -> bool:
    """Whether numbers and lengths permit the ratio (lengths: SequenceMatcher.real_quick_ratio)."""
    if key.numbers and other.numbers and key.numbers != other.numbers:
        return False
    total = len(key.text) + len(other.text)
    return bool(total) and 2 * min(len(key.text), len(other.text)) >= threshold * total
