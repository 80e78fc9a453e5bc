"""Splitting the archive's long lists into pages, and the pager that links them.

Pages are counted from the oldest, so a page, once full, never changes: a new week lands on the
front page (the archive index, a topic's page) and never pushes older entries on to another
page. Each page holds whole groups, packed oldest first: `page_size` weeks on an index page, at
most `page_size` articles on a topic page (a topic's articles of one week never straddle two
pages, so each page can head every group with its week; one week with more articles than that
gets a page of its own).

The front page shows the two newest packs: the open one, still filling, and the last full one.
So it always shows more than a page's worth once there is that much, and a week only moves off
the front page, on to numbered page n, when page n + 2 opens. Numbered pages are the packs
before those two, page 1 the oldest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..weeks import IsoWeek
from . import paths

T = TypeVar("T")

FRONT = 0  # the front page's number: numbered pages count from 1, the oldest


@dataclass(frozen=True, slots=True)
class PageLink:
    """Another page of the same list: its number, link, and the weeks it spans.

    The front page's newest week changes every week, so a link to it names only its oldest
    week (`newest` is None): the pages that link to it need not change each week."""

    number: int
    href: str
    oldest: IsoWeek
    newest: IsoWeek | None


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page stands among its list's pages, with links to its neighbours."""

    number: int  # FRONT, or from 1 for the oldest numbered page
    newer: PageLink | None  # the page before in reading order
    older: PageLink | None  # the page after in reading order

    @property
    def front(self) -> bool:
        return self.number == FRONT


def pack(groups: Sequence[T], size: int, weight: Callable[[T], int]) -> list[list[T]]:
    """Fill pages with whole groups, in order, so that no page weighs more than `size`.

    Greedy: a group joins the current page if the page's weight stays within `size`;
    otherwise it starts a new page. A group heavier than `size` on its own gets a page of its
    own: groups are never split, so that page is the only one above `size`. Greedy packing
    depends only on what came before, so appending groups never changes an earlier page."""
    if size < 1:
        raise ValueError(f"page size must be at least 1, got {size}")
    pages: list[list[T]] = []
    filled = 0
    for group in groups:
        heavy = weight(group)
        if pages and filled + heavy <= size:
            pages[-1].append(group)
            filled += heavy
        else:
            pages.append([group])
            filled = heavy
    return pages


def paginate(
    oldest_first: Sequence[T], size: int, weight: Callable[[T], int] = lambda _: 1
) -> list[list[T]]:
    """Return the pages of a list given oldest first: item FRONT is the front page, item n the
    numbered page n. Each page keeps the oldest-first order. An empty list gives one empty
    front page."""
    packs = pack(oldest_first, size, weight)
    front = [group for chunk in packs[-2:] for group in chunk]
    return [front, *packs[:-2]]


def pager(
    spans: Sequence[tuple[IsoWeek, IsoWeek]], number: int, path: Callable[[int], str]
) -> Pager | None:
    """Return page `number`'s pager among pages whose (oldest, newest) weeks are `spans`
    (indexed like `paginate`'s pages); None when there is only the front page. `path(n)` is
    page n's output path; links are relative."""
    count = len(spans)
    if count < 2:
        return None
    if not 0 <= number < count:
        raise ValueError(f"page {number} of {count - 1} does not exist")
    here = path(number)

    def link(target: int) -> PageLink:
        oldest, newest = spans[target]
        shown = None if target == FRONT else newest
        return PageLink(target, paths.relative(here, path(target)), oldest, shown)

    if number == FRONT:
        return Pager(FRONT, None, link(count - 1))
    newer = link(number + 1 if number + 1 < count else FRONT)
    return Pager(number, newer, link(number - 1) if number > 1 else None)
