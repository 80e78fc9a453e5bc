"""Splitting the archive's long lists into pages, and the pager that links them.

The archive index holds `page_size` weeks per page. A topic page holds whole weeks: a week's
articles of one topic (a "week group") never straddle two pages, so each page can head every
group with its week. The lists are newest first, so page 1 always shows the newest entries;
as weeks are added, older entries move on to later pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..weeks import IsoWeek
from . import paths

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageLink:
    """Another page of the same list: its number, link, and the weeks it spans."""

    number: int
    href: str
    newest: IsoWeek
    oldest: IsoWeek


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page stands among its list's pages, with links to its neighbours."""

    number: int  # from 1
    count: int
    prev: PageLink | None  # the page before: newer entries
    next: PageLink | None  # the page after: older entries


def split(items: Sequence[T], size: int) -> list[list[T]]:
    """Cut `items` into pages of `size` (the last may hold fewer); no items give no pages."""
    if size < 1:
        raise ValueError(f"page size must be at least 1, got {size}")
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def pack(groups: Sequence[T], size: int, weight: Callable[[T], int]) -> list[list[T]]:
    """Fill pages with whole groups, in order, so that no page weighs more than `size`.

    Greedy: a group joins the current page if the page's weight stays within `size`;
    otherwise it starts a new page. A group heavier than `size` on its own gets a page of its
    own: groups are never split, so that page is the only one above `size`. Pages therefore
    hold at most `size` articles, except a page with a single oversized week."""
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


def pager(
    weeks: Sequence[Sequence[IsoWeek]], number: int, path: Callable[[int], str]
) -> Pager | None:
    """Return page `number`'s pager among pages spanning `weeks` (each newest first); None
    when there is only one page. `path(n)` is page n's output path; links are relative."""
    count = len(weeks)
    if count < 2:
        return None
    if not 1 <= number <= count:
        raise ValueError(f"page {number} of {count} does not exist")
    here = path(number)

    def link(target: int) -> PageLink | None:
        if not 1 <= target <= count:
            return None
        span = weeks[target - 1]
        return PageLink(target, paths.relative(here, path(target)), span[0], span[-1])

    return Pager(number, count, link(number - 1), link(number + 1))
