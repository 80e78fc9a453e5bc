"""Which SQLite files are digest stores: PRAGMA application_id, and a look before touching.

Opening a file as the store switches it to WAL and creates digest's tables in it. Done to
another program's database, that silently changes a file that is not ours, so the file is
inspected first, without writing: its 100-byte header, and only if that cannot decide, a
read-only connection. Digest stores carry APPLICATION_ID in the header (set by the first
migration, or on the first open of a store made before the id existed).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .failures import SQLITE_MAGIC, foreign, not_sqlite, store_error

# PRAGMA application_id of every digest store: the bytes b"dgst" read as a big-endian 32-bit
# integer, 0x64677374 = 1684501364 (what `file(1)` and the header at offset 68 show).
APPLICATION_ID = int.from_bytes(b"dgst", "big")
# The tables of the first migration: a file with application_id 0 that has them is a store
# created before digest set application_id, and it is stamped on open.
DIGEST_TABLES = frozenset({"articles", "sources", "meta"})

_HEADER = 100  # bytes; https://sqlite.org/fileformat.html#the_database_header


def check_ours(path: Path, timeout: float) -> None:
    """Raise StoreError unless `path` is missing, empty, empty SQLite or a digest store.

    Nothing is written, and no -wal or -shm file is left behind for a file that has none.
    """
    try:
        with path.open("rb") as f:
            header = f.read(_HEADER)
    except FileNotFoundError:
        return  # a new store
    except OSError as exc:
        raise store_error(path, exc, timeout) from exc
    if not header:
        return  # an empty file is an empty database to SQLite: ours to fill
    if not header.startswith(SQLITE_MAGIC):
        raise not_sqlite(path)
    if len(header) < _HEADER:
        return  # a truncated SQLite file: SQLite will call it damaged on open
    stamped = int.from_bytes(header[68:72], "big")
    if stamped == APPLICATION_ID:
        return
    if stamped != 0:
        raise foreign(path)
    # Id 0: an older digest store, an empty database, or another program's. The header alone
    # may also be stale (a -wal not yet checkpointed), so ask SQLite, read-only.
    app_id, names = _inspect(path, wal_mode=header[18] == 2, timeout=timeout)
    if app_id == APPLICATION_ID:
        return
    if app_id != 0 or (names and not names >= DIGEST_TABLES):
        raise foreign(path)


def _inspect(path: Path, wal_mode: bool, timeout: float) -> tuple[int, set[str]]:
    """Read application_id and the schema's names through a read-only connection.

    A read-only connection never checkpoints, so it cannot change the file. But for a WAL file
    it creates -wal and -shm if they are missing, and leaves them; when they are missing there
    is nothing beyond the main file to read, so it is opened as immutable, which creates none.
    """
    side = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    immutable = wal_mode and not any(p.exists() for p in side)
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        db = sqlite3.connect(uri, uri=True, timeout=timeout)
        try:
            app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
            names = {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master")}
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise store_error(path, exc, timeout) from exc
    return app_id, names
