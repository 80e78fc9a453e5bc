"""Turn SQLite's errors into StoreErrors that say what happened to which file and what to do.

SQLite reports the same few conditions from wherever they strike (opening, migrating, a read in
the middle of a listing, a commit), so they are classified in one place instead of at each
call: by the primary result code where Python gives one (`sqlite_errorcode`, Python 3.11), else
by SQLite's fixed English message. Every hint names the store file, because the person reading
it may not know where config.toml put it.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Literal

from ..errors import StoreError

# The first 16 bytes of every SQLite database file (https://sqlite.org/fileformat.html).
SQLITE_MAGIC = b"SQLite format 3\x00"

Kind = Literal["notadb", "corrupt", "readonly", "full", "locked", "ioerr", "other"]

# Primary result codes (https://sqlite.org/rescode.html) → what the user has to do about them.
_BY_CODE: dict[int, Kind] = {
    3: "readonly",  # SQLITE_PERM
    5: "locked",  # SQLITE_BUSY: another connection holds the write lock past the timeout
    6: "locked",  # SQLITE_LOCKED
    8: "readonly",  # SQLITE_READONLY: the file (or its -wal/-shm) cannot be written
    10: "ioerr",  # SQLITE_IOERR
    11: "corrupt",  # SQLITE_CORRUPT: "database disk image is malformed"
    13: "full",  # SQLITE_FULL: "database or disk is full"
    14: "readonly",  # SQLITE_CANTOPEN: "unable to open database file" (folder not writable)
    15: "locked",  # SQLITE_PROTOCOL: WAL lock race with another process
    23: "readonly",  # SQLITE_AUTH
    26: "notadb",  # SQLITE_NOTADB: "file is not a database"
}
# Used when an error carries no code (raised by the sqlite3 module itself).
_BY_TEXT: tuple[tuple[str, Kind], ...] = (
    ("not a database", "notadb"),
    ("malformed", "corrupt"),
    ("readonly", "readonly"),
    ("unable to open", "readonly"),
    ("disk is full", "full"),
    ("locked", "locked"),
    ("disk i/o error", "ioerr"),
)
_OS_KINDS: dict[int, Kind] = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EACCES: "readonly",
    errno.EPERM: "readonly",
    errno.EROFS: "readonly",
}


def classify(exc: BaseException) -> Kind:
    """Say which of the conditions a user can act on `exc` is (or "other")."""
    if isinstance(exc, OSError):
        return _OS_KINDS.get(exc.errno or 0, "other")
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _BY_CODE:
        return _BY_CODE[code & 0xFF]
    text = str(exc).lower()
    return next((kind for marker, kind in _BY_TEXT if marker in text), "other")


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` starts like an SQLite database (so a failure means damage, not a mix-up)."""
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def not_sqlite(path: Path) -> StoreError:
    """The store path holds some other file: refused before SQLite touched it."""
    return StoreError(
        f"{path} is not a usable digest store: it is not an SQLite file",
        "move it aside or set store.path in config.toml to a new file; nothing was changed",
    )


def foreign(path: Path) -> StoreError:
    """The store path holds another application's SQLite database: refused untouched."""
    return StoreError(
        f"{path} is an SQLite database of another application",
        "set store.path in config.toml to a new file; nothing was changed",
    )


def store_error(path: Path, exc: BaseException, timeout: float | None = None) -> StoreError:
    """Describe a failed SQLite call (or file operation) on the store at `path` as one line.

    `timeout` is the busy timeout the connection waited before giving up, for "locked".
    """
    kind = classify(exc)
    detail = str(exc) or type(exc).__name__
    wal, shm = f"{path.name}-wal", f"{path.name}-shm"
    if kind == "notadb" and not is_sqlite_file(path):
        return not_sqlite(path)
    if kind in ("notadb", "corrupt"):
        # An SQLite file that SQLite cannot read any more: only a backup gives it all back. A
        # stale -wal beside a restored file would be replayed into it, hence the removal.
        return StoreError(
            f"the digest store {path} is damaged ({detail})",
            f"restore {path} from a backup and delete any {wal} and {shm} beside it (digest "
            f"keeps no other copy of its data); without a backup, `sqlite3 {path} .recover` "
            "may save part of it",
        )
    if kind == "readonly":
        return StoreError(
            f"cannot write the digest store {path} ({detail})",
            f"check the permissions of {path} and of its folder {path.parent}: digest must be "
            f"able to write both, because SQLite's WAL mode creates {wal} and {shm} beside it",
        )
    if kind == "full":
        return StoreError(
            f"cannot write the digest store {path}: the disk is full ({detail})",
            f"free space on the disk that holds {path.parent} and run the command again; "
            "the failed write was not stored",
        )
    if kind == "locked":
        waited = "" if timeout is None else f" (waited {timeout:g} s)"
        return StoreError(
            f"the digest store {path} is locked by another process{waited}",
            "another digest (build, send or serve) is running on this store: wait for it to "
            "finish, or raise [store] busy_timeout in config.toml",
        )
    if kind == "ioerr":
        return StoreError(
            f"cannot read or write the digest store {path} ({detail})",
            f"check the disk that holds {path.parent} (free space, errors in the system log) "
            f"and the permissions of {path}",
        )
    if isinstance(exc, OSError):
        return StoreError(f"cannot open the store at {path}: {detail}", "check store.path")
    return StoreError(
        f"the digest store {path} failed: {detail}",
        "this looks like a bug in digest: run the command again with --debug and report "
        "the traceback",
    )
