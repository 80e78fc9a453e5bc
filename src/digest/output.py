"""The output folder: rendered files written atomically, only when they changed, and a
manifest that remembers what digest wrote there and from what.

Order matters for a build killed half-way: pages are written before the indexes and feeds
that link to them, so `index.html` never links to a page that is not there yet. Each file is
written to a temporary `.NAME.XXXX.tmp` beside it and renamed into place; a killed build can
leave such temporaries, and the next build sweeps them.

The manifest (`.digest-manifest.json`) lists, for each file digest wrote, the key of the data
it shows (render/keys.py) and the file's size, mtime and SHA-256 as written. A build renders
an output only when its key changed or the file is not as written: missing, or edited by hand
(a stat that differs from the manifest's is settled by the hash, never by times alone). Names
written since the manifest was last saved are appended to a journal
(`.digest-manifest.journal`), so a killed build's files are known to be digest's even though
the manifest never learned of them.

The folder may hold files digest did not write (a robots.txt, a CNAME, the operator's own
pages). A file digest no longer produces (a topic removed from the config, a week gone from the
store) is removed only if the manifest or the journal says digest wrote it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .errors import OutputError

MANIFEST = ".digest-manifest.json"
JOURNAL = ".digest-manifest.journal"
SWEEP_AFTER_S = 60
_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
# Written last, in this order: they link to everything else.
_LAST = ("topics/", "feed.atom", "index.html")
_VERSION = 2


@dataclass
class WriteSummary:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # rendered, same bytes as on disk
    skipped: list[str] = field(default_factory=list)  # not rendered: its data did not change
    removed: list[str] = field(default_factory=list)  # stale files digest had written before
    swept: list[str] = field(default_factory=list)  # temporaries left by a killed build


@dataclass(slots=True)
class Entry:
    """What the manifest knows of one file digest wrote."""

    key: str  # of the data it shows; "" when unknown (an older manifest)
    sha256: str
    size: int
    mtime_ns: int
    note: str = ""  # a word the build wants back when it skips the file (an email's budget)


def write_order(names: Collection[str]) -> list[str]:
    """Pages first; topic pages and feeds, then the top-level feed and index.html, last."""

    def rank(name: str) -> tuple[int, str]:
        for position, prefix in enumerate(_LAST, start=1):
            if name == prefix or (prefix.endswith("/") and name.startswith(prefix)):
                return position, name
        if name.endswith(".atom"):
            return 1, name
        return 0, name

    return sorted(names, key=rank)


class OutputFolder:
    """One output folder during a build: decide what is fresh, write what is not, tidy up."""

    def __init__(self, out: Path, stamp: str = "") -> None:
        self.out = out
        self._root = os.fspath(out)
        self._rows, self.stamp, self.extra = _read_manifest(out)
        self._journal = _read_journal(out)
        self._entries: dict[str, Entry] | None = None
        self.interrupted = (out / JOURNAL).exists()  # a build was killed while writing
        self.wanted: set[str] = set()
        self.summary = WriteSummary()
        self._new_stamp = stamp

    @property
    def entries(self) -> dict[str, Entry]:
        """What the manifest and the journal know of each file, made on first use."""
        if self._entries is None:
            self._entries = _entries(self._rows)
            self._rows = {}  # the entries stand for them now
            self._entries.update(
                {n: Entry("", "", -1, -1) for n in self._journal if n not in self._entries}
            )
        return self._entries

    def intact(self, names: Iterable[str] | None = None) -> bool:
        """Tell whether the files (default: all in the manifest) are there as written, by a
        stat each."""
        if names is None and self._entries is None and not self._journal:
            return self._rows_intact()
        for name in self.entries if names is None else names:
            entry = self.entries.get(name)
            if entry is None or not self._same_stat(name, entry):
                return False
        return True

    def _rows_intact(self) -> bool:
        """`intact` over the manifest's rows as read, without making an Entry of each: a
        build that finds nothing changed stats every file and needs nothing else of them
        (reading both manifests and checking 52,000 files: 310 ms with entries, 207 without).
        A row `_entries` would not take is skipped as it would be; one it would take with
        other types than digest writes does not match, which costs a render check, never a
        file left stale (tests/test_build_hardening.py holds the two to that)."""
        prefix = self._root if self._root.endswith("/") else self._root + "/"
        stat = os.stat
        for name, row in self._rows.items():
            if not (isinstance(row, list) and _inside(name)):
                continue
            try:
                info = stat(prefix + name)
            except OSError:
                return False
            if len(row) < 4 or info.st_size != row[2] or info.st_mtime_ns != row[3]:
                return False
        return True

    def fresh(self, name: str, key: str) -> bool:
        """Tell whether `name` shows the data of `key` and is on disk as written; if so, it
        is kept without rendering."""
        entry = self.entries.get(name)
        if entry is None or not key or entry.key != key:
            return False
        if not self._same_stat(name, entry):
            try:
                data = (self.out / name).read_bytes()
            except OSError:
                return False
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                return False
            self._restat(name, entry)
        self.keep(name)
        self.summary.skipped.append(name)
        return True

    def unchanged(self, name: str) -> bool:
        """Like `fresh` with the key `name` was written with: for a file the caller knows
        shows the same data as when it was written, without computing its key again."""
        entry = self.entries.get(name)
        return entry is not None and self.fresh(name, entry.key)

    def load_side(self, name: str) -> Any:
        """A JSON file of the build's own beside the manifest (a cache): its data, or None
        when it is missing or unreadable (a cache is only ever a short cut)."""
        try:
            return orjson.loads((self.out / name).read_bytes())
        except (OSError, ValueError):
            return None

    def save_side(self, name: str, data: Any) -> None:
        target = self.out / name
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, orjson.dumps(data))
        except OSError as exc:
            raise _error(target, exc) from None

    def note(self, name: str) -> str:
        entry = self.entries.get(name)
        return entry.note if entry else ""

    def stamp_off(self) -> None:
        """This build did not bring everything up to date (--week, stopped): save no stamp."""
        self._new_stamp = ""

    def restart(self) -> None:
        """Forget what this build wanted so far (it starts over without some articles)."""
        self.wanted.clear()
        self.summary.skipped.clear()

    def keep(self, name: str) -> None:
        """`name` is still wanted as it is (fresh, or not rendered this time: --week)."""
        self.wanted.add(name)

    def keep_known(self, prefix: str) -> None:
        """Keep every known file whose name starts with `prefix`."""
        self.wanted.update(n for n in self.entries if n.startswith(prefix))

    def write(self, name: str, data: bytes, key: str, note: str = "") -> None:
        """Write `name` if its bytes changed, and record it with `key`."""
        target = self.out / name
        self.wanted.add(name)
        sha = hashlib.sha256(data).hexdigest()
        try:
            if target.is_file() and target.read_bytes() == data:
                self.summary.unchanged.append(name)
            else:
                self._log(name)
                target.parent.mkdir(parents=True, exist_ok=True)
                _atomic_write(target, data)
                self.summary.written.append(name)
            info = target.stat()
        except OSError as exc:
            raise _error(target, exc) from None
        self.entries[name] = Entry(key, sha, info.st_size, info.st_mtime_ns, note)

    def finish(self) -> WriteSummary:
        """Remove what digest wrote before and no longer produces, sweep temporaries, save
        the manifest."""
        for name in sorted(set(self.entries) - self.wanted):
            target = self.out / name
            try:
                if target.is_file() and not target.is_symlink():
                    target.unlink()
                    self.summary.removed.append(name)
                    _prune_empty(target.parent, self.out)
            except OSError as exc:
                raise _error(target, exc) from None
            del self.entries[name]
        if self.out.is_dir():
            self.summary.swept = _sweep(self.out)
            self._save()
        return self.summary

    def _same_stat(self, name: str, entry: Entry) -> bool:
        try:
            info = os.stat(os.path.join(self._root, name))  # no Path: 52,000 of these
        except OSError:
            return False
        return info.st_size == entry.size and info.st_mtime_ns == entry.mtime_ns

    def _restat(self, name: str, entry: Entry) -> None:
        info = os.stat(self.out / name)
        entry.size, entry.mtime_ns = info.st_size, info.st_mtime_ns

    def _log(self, name: str) -> None:
        """Note in the journal that digest is about to write `name` (see the module doc)."""
        path = self.out / JOURNAL
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as journal:
                journal.write(name + "\n")
        except OSError as exc:
            raise _error(path, exc) from None

    def _save(self) -> None:
        files = {
            n: [e.key, e.sha256, e.size, e.mtime_ns, *([e.note] if e.note else [])]
            for n, e in sorted(self.entries.items())
        }
        # orjson: the manifest of 52,000 files is read by every build, written by most.
        text = orjson.dumps(
            {"version": _VERSION, "stamp": self._new_stamp, "extra": self.extra, "files": files}
        )
        path = self.out / MANIFEST
        try:
            _atomic_write(path, text + b"\n")
        except OSError as exc:
            raise _error(path, exc) from None
        (self.out / JOURNAL).unlink(missing_ok=True)


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _error(path: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"cannot write {path}: {exc.strerror or exc}",
        "free space on that disk, fix the folder's permissions, or choose another --out",
    )


def _read_manifest(out: Path) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """The manifest's rows by name as stored (see _entries), its stamp and extra data; an
    older manifest (a list of names) gives rows without keys, so everything is rendered once
    and nothing of the operator's is removed."""
    try:
        data = orjson.loads((out / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return {}, "", {}  # none yet, or unreadable: remove nothing rather than guess
    if isinstance(data, list):
        return {n: ["", "", -1, -1] for n in data if isinstance(n, str)}, "", {}
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return {}, "", {}
    stamp, extra = data.get("stamp"), data.get("extra")
    return (
        data["files"],
        stamp if isinstance(stamp, str) else "",
        extra if isinstance(extra, dict) else {},
    )


def _entries(rows: dict[str, Any]) -> dict[str, Entry]:
    """The manifest's rows as entries: a name outside the folder or a row that is no list is
    left out (a tampered manifest must not reach out); a row of the wrong shape gives an
    entry that matches no file, so the file is checked and written again."""
    entries = {}
    for name, row in rows.items():
        if not (_inside(name) and isinstance(row, list)):
            continue
        try:
            key, sha, size, mtime = row[:4]
            note = row[4] if len(row) > 4 else ""
            entries[name] = Entry(str(key), str(sha), int(size), int(mtime), str(note))
        except (TypeError, ValueError):
            entries[name] = Entry("", "", -1, -1)
    return entries


def _read_journal(out: Path) -> list[str]:
    try:
        text = (out / JOURNAL).read_text("utf-8", errors="replace")
    except OSError:
        return []
    return [n for n in text.splitlines() if _inside(n)]


def _inside(rel: str) -> bool:
    """A manifest entry names a file below the folder (a tampered one must not reach out)."""
    if rel and rel[0] not in "./" and "/." not in rel and "//" not in rel and rel[-1] != "/":
        return True  # no segment is empty or starts with a dot: the common case, quickly
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _sweep(out: Path) -> list[str]:
    """Remove `.NAME.XXXX.tmp` files a killed build left behind.

    Only those older than a minute: a temporary lives for milliseconds, and a younger one may
    belong to another build writing into the same folder right now.
    """
    swept = []
    cutoff = time.time() - SWEEP_AFTER_S
    for root, dirs, names in os.walk(out):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if _TEMP.match(name):
                path = Path(root) / name
                try:
                    if path.lstat().st_mtime > cutoff:
                        continue
                    path.unlink()
                except OSError:
                    continue
                swept.append(path.relative_to(out).as_posix())
    return sorted(swept)


def _prune_empty(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
