"""The store's connection: opening, migrating, transactions and the meta table.

Every SQLite failure leaves this package as a StoreError with a hint (failures.py): the
connection is wrapped (connection.py) and opening checks that the file is a digest store
before changing it (identity.py).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Self, TypeVar

from ..errors import StoreError
from .connection import Connection
from .failures import store_error
from .identity import APPLICATION_ID, check_ours
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


_T = TypeVar("_T")
# Values per "IN (?, ?, ...)" list, well under SQLite's limit on host parameters (999 before
# SQLite 3.32, 32,766 since).
IN_CHUNK = 500


def in_chunks(values: Sequence[_T]) -> Iterator[tuple[list[_T], str]]:
    """`values` in lists of at most IN_CHUNK, each with its placeholders "?, ?, ..."."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = list(values[start : start + IN_CHUNK])
        yield chunk, ", ".join("?" * len(chunk))


class StoreBase:
    """An open store: connection, migrations, transactions and the meta table."""

    def __init__(self, path: Path, timeout: float = 5.0) -> None:
        """Open (or create) the store at `path`.

        `timeout` is how many seconds a statement waits for another process's write lock
        ([store] busy_timeout) before it fails with "locked".
        """
        self.path = path
        self.timeout = timeout
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            check_ours(path, timeout)  # before anything below changes the file
            raw = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise store_error(path, exc, timeout) from exc
        self._db = Connection(raw, path, timeout)
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            # WAL: a commit is a cheap append, so the send loop can record every message as
            # it happens; NORMAL keeps commits durable against a killed process (the WAL is
            # in the OS's hands), which is the failure the ledger must survive.
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._writer = _writer_lock(path)
            self._migrate()
        except BaseException:
            raw.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        """Bring the schema up to date and stamp the application id, one migration at a time.

        The state is read again inside each write transaction: another process may have
        migrated between the look and the lock.
        """
        if self._up_to_date():
            return
        while True:
            with self.transaction():
                if self._up_to_date():
                    return
                version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                if version < len(MIGRATIONS):
                    for statement in statements(MIGRATIONS[version]):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {version + 1}")

    def _up_to_date(self) -> bool:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer digest (schema {version})",
                "upgrade digest or use another store file",
            )
        stamped = self._db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        return version == len(MIGRATIONS) and stamped

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block's writes atomically: all of them land, or none.

        SQLite failures (here or in the block) arrive as StoreError; whatever the block
        raises, its writes are rolled back before the exception goes on.
        """
        with self._writer:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Undo an open transaction; a failure here must not hide the error that caused it.

        If ROLLBACK itself fails (the disk went away), SQLite rolls the transaction back when
        the connection closes or from the journal on the next open, so nothing half-done lands.
        """
        if self._db.in_transaction:
            with suppress(StoreError):
                self._db.execute("ROLLBACK")

    def generation(self) -> tuple[str, int]:
        """The store's id and how many writes to articles and their sources it has seen."""
        store_id = self.get_meta("store_id") or ""
        return store_id, int(self.get_meta("generation") or 0)

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def statements(script: str) -> list[str]:
    """Cut an SQL script into its statements; a semicolon inside a trigger's BEGIN ... END
    does not end the statement (sqlite3.complete_statement decides)."""
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                found.append(pending.strip())
            pending = ""
    if pending.strip(" \n\t;"):
        found.append(pending.strip())
    return found
