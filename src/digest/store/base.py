"""The store's connection: opening, migrating, transactions and the meta table."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from ..errors import StoreError
from .migrations import MIGRATIONS

# One lock per store file, shared by every connection to it in this process. SQLite lets a
# second writer wait through its busy handler, which sleeps in growing steps (up to 100 ms)
# instead of waking when the lock is free: with several web threads writing at once, that
# turned a 2 ms unsubscribe into a 1 s one. Threads now queue on this lock instead and SQLite's
# busy wait only serves other processes (a CLI run beside `digest serve`). Re-entrant, so a
# thread that opens a second connection inside a transaction gets SQLite's "locked" error, as
# before, rather than waiting for itself forever.
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: Path) -> threading.RLock:
    key = str(path.resolve())
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.RLock())


class StoreBase:
    """An open store: connection, migrations, transactions and the meta table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            # WAL: a commit is a cheap append, so the send loop can record every message as
            # it happens; NORMAL keeps commits durable against a killed process (the WAL is
            # in the OS's hands), which is the failure the ledger must survive.
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._writer = _writer_lock(path)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} is not a usable digest store ({exc})",
                "if it is not an SQLite file, move it aside or set store.path in config.toml "
                "to a new file; nothing was changed",
            ) from None
        except OSError as exc:
            raise StoreError(
                f"cannot create the store at {path}: {exc}", "check store.path"
            ) from None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer digest (schema {version})",
                "upgrade digest or use another store file",
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block's writes atomically: all of them land, or none."""
        with self._writer:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            else:
                try:
                    self._db.execute("COMMIT")
                except sqlite3.Error as exc:
                    self._db.execute("ROLLBACK")
                    raise StoreError(
                        f"cannot write {self.path}: {exc}", "check disk space and permissions"
                    ) from None

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
