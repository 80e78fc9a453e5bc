"""SQL for each source file's fingerprint at its last clean read, so ingest can skip a file
that has not changed since (pipeline/unchanged.py decides)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .base import StoreBase


@dataclass(frozen=True, slots=True)
class FileFingerprint:
    """A source file as it was when last read: its stat, its content hash, its yield.

    `mtime_ns` and `ctime_ns` are None when the file was written so shortly before the read
    that a later write could leave the same times; the next run then compares the hash.
    """

    path: str  # as shown in Source.path
    size: int
    mtime_ns: int | None
    ctime_ns: int | None
    inode: int | None
    sha256: str
    articles: int  # how many articles the read gave


_FIELDS = "path, size, mtime_ns, ctime_ns, inode, sha256, articles"


class SourceFileQueries(StoreBase):
    """Fingerprints of the source files read so far."""

    def file_fingerprints(self) -> dict[str, FileFingerprint]:
        """Every recorded fingerprint, by path."""
        rows = self._db.execute(f"SELECT {_FIELDS} FROM source_files")
        return {r[0]: FileFingerprint(*r) for r in rows}

    def set_file_fingerprints(self, prints: Iterable[FileFingerprint]) -> None:
        """Record fingerprints, replacing what was known of those paths."""
        self._db.executemany(
            f"INSERT OR REPLACE INTO source_files ({_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (p.path, p.size, p.mtime_ns, p.ctime_ns, p.inode, p.sha256, p.articles)
                for p in prints
            ),
        )

    def forget_file_fingerprints(self, paths: Sequence[str] | None = None) -> None:
        """Forget the fingerprints of `paths` (all when None): they are read again next time."""
        if paths is None:
            self._db.execute("DELETE FROM source_files")
            return
        self._db.executemany("DELETE FROM source_files WHERE path = ?", [(p,) for p in paths])
