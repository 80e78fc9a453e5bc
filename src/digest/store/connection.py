"""The store's SQLite connection, wrapped so that every SQL call reports failures as StoreError.

A damaged page or a full disk shows up in whichever statement touches it first, often a read in
the middle of a listing, and often only while rows are fetched rather than when the statement
starts. Wrapping execute, executemany and the cursor's fetches once means no query method of
the store can let a raw `sqlite3` traceback escape, and none has to remember a try block.
Only `sqlite3.Error` is converted: KeyboardInterrupt and any other exception pass unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from .failures import store_error

T = TypeVar("T")


class Cursor:
    """A cursor whose fetches raise StoreError instead of sqlite3 errors."""

    def __init__(self, raw: sqlite3.Cursor, guard: Guard) -> None:
        self._raw = raw
        self._guard = guard

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._raw.lastrowid

    def fetchone(self) -> Any:
        return self._guard(self._raw.fetchone)

    def fetchall(self) -> list[Any]:
        return self._guard(self._raw.fetchall)

    def __iter__(self) -> Iterator[Any]:
        return self._guard.rows(self._raw)


class Guard:
    """Calls a function on the store's connection, turning sqlite3 errors into StoreError."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout

    def __call__(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, self.timeout) from exc

    def rows(self, source: Iterable[T]) -> Iterator[T]:
        """Yield from `source` (a cursor, a dump), converting errors raised while stepping."""
        try:
            yield from source
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, self.timeout) from exc


class Connection:
    """The part of `sqlite3.Connection` the store uses, with errors reported as StoreError."""

    def __init__(self, raw: sqlite3.Connection, path: Path, timeout: float) -> None:
        self._raw = raw
        self._guard = Guard(path, timeout)

    @property
    def in_transaction(self) -> bool:
        return self._raw.in_transaction

    def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        return Cursor(self._guard(lambda: self._raw.execute(sql, parameters)), self._guard)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> Cursor:
        return Cursor(
            self._guard(lambda: self._raw.executemany(sql, seq_of_parameters)), self._guard
        )

    def iterdump(self) -> Iterator[str]:
        """The store as SQL text (tests compare stores with it)."""
        return self._guard.rows(self._guard(self._raw.iterdump))

    def close(self) -> None:
        self._guard(self._raw.close)
