"""The default transport: a Maildir folder (new/, cur/, tmp/) used as the outbox.

Delivery is exactly-once per Message-ID. The file name is derived from the Message-ID alone,
so a re-run after a crash finds what the earlier run wrote and writes nothing again. A file
is written into tmp/, fsynced, then hard-linked into new/: a link never replaces an existing
file, so neither a concurrent writer nor an earlier run is ever overwritten, and a reader
never sees a half-written message in new/.

A mail reader moves read mail to cur/ and appends ":2,FLAGS" to the name; such a file still
counts as delivered.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import time
from pathlib import Path

from .transport import Outgoing, TemporaryFailure, TransportError

PREFIX = "digest-"
# maildir(5): files in tmp/ untouched for 36 hours are debris of a crashed writer.
STALE_TMP_SECONDS = 36 * 3600
# The folder as a whole is unusable: nothing more can be written, so stop the run.
FATAL_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOENT,
        errno.ENOTDIR,
    }
)


def file_name(message_id: str) -> str:
    """The Maildir file name for a Message-ID: hex only, so never a '/' or ':'."""
    return PREFIX + hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:32]


class MaildirTransport:
    """Writes each message as one file into `folder`/new."""

    name = "maildir"
    connections = 1  # a local folder gains nothing from parallel writers

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def connect(self) -> MaildirConnection:
        """Create tmp/, new/ and cur/ if missing and prove that a file can be written."""
        try:
            for sub in ("tmp", "new", "cur"):
                (self.folder / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            # os.access() lies for root and ignores read-only mounts: write a real file.
            probe = self.folder / "tmp" / f".probe.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            os.unlink(probe)
            _remove_stale_tmp(self.folder / "tmp")
        except OSError as err:
            raise _fatal(self.folder, err) from err
        return MaildirConnection(self.folder)


class MaildirConnection:
    """One writer; it remembers the names present in new/ and cur/ when it was opened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # One listing per connection instead of one per message: scanning cur/ for every
        # message would cost O(n²) for a long list. Keyed by the name without ":2,FLAGS".
        self._seen: dict[str, str] = {}
        try:
            for sub in ("new", "cur"):
                with os.scandir(folder / sub) as entries:
                    for entry in entries:
                        self._seen[entry.name.split(":", 1)[0]] = f"{sub}/{entry.name}"
        except OSError as err:
            raise _fatal(folder, err) from err

    def send(self, message: Outgoing) -> str:
        """Write the message unless its Message-ID is already in the Maildir; say which."""
        name = file_name(message.message_id)
        found = self._delivered(name)
        if found:
            return f"already in the Maildir: {found}"
        tmp = self.folder / "tmp" / f"{name}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            try:
                _write(tmp, message.data)
                try:
                    os.link(tmp, self.folder / "new" / name)
                except FileExistsError:
                    # Written by a concurrent run since we looked: theirs wins, ours goes.
                    self._seen[name] = f"new/{name}"
                    return f"already in the Maildir: new/{name}"
            finally:
                # After a successful link the tmp name is redundant; after a failed write
                # it is a partial file. Either way it must go.
                _unlink_quietly(tmp)
            self._seen[name] = f"new/{name}"
            _fsync_dir(self.folder / "new")  # make the new directory entry durable
        except OSError as err:
            if err.errno in FATAL_ERRNOS:
                raise _fatal(self.folder, err) from err
            raise TemporaryFailure(
                f"cannot write {tmp.name} into {self.folder}: {err.strerror or err}",
                stage="write",
            ) from err
        return f"written: new/{name}"

    def close(self) -> None:
        """Nothing to release: every file is closed as soon as it is written."""

    def _delivered(self, name: str) -> str:
        """Where a message of this name already is ("new/NAME", "cur/NAME:2,S"), or ""."""
        if name in self._seen:
            # Listed when the connection opened (a reader may have moved it since).
            return self._seen[name]
        # Written since then by someone else, or moved to cur/ without flags.
        for sub in ("new", "cur"):
            if (self.folder / sub / name).exists():
                return f"{sub}/{name}"
        return ""


def _write(path: Path, data: bytes) -> None:
    """Create `path` (never an existing file), write all of `data` and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    # A leftover tmp file is harmless: it never reaches new/ and is swept after 36 hours.
    with contextlib.suppress(OSError):
        os.unlink(path)


def _remove_stale_tmp(tmp: Path) -> None:
    """Remove our own tmp files left by a crashed run long ago; others' files are not ours."""
    limit = time.time() - STALE_TMP_SECONDS
    with os.scandir(tmp) as entries:
        for entry in entries:
            if entry.name.startswith(PREFIX) and entry.stat().st_mtime < limit:
                _unlink_quietly(Path(entry.path))


def _fatal(folder: Path, err: OSError) -> TransportError:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free disk space (or raise the quota) and run again"
    else:
        hint = (
            "check [delivery] maildir in config.toml and that this user may create and "
            "write files there"
        )
    reason = err.strerror or str(err)
    where = f" ({err.filename})" if err.filename else ""
    return TransportError(f"cannot write to the Maildir {folder}: {reason}{where}", hint)
