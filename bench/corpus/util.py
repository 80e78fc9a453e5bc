"""Small helpers: a fast deterministic random.Random, and German date and number forms."""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")


class _Random(random.Random):
    """random.Random with a choice and a randint three times as fast (and as deterministic)."""

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def dmy(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def de_int(n: int) -> str:
    """12500 -> '12.500'."""
    return f"{n:,}".replace(",", ".")
