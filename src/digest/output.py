"""Write rendered files atomically, only when their content changed, and tidy up after.

Order matters for a build killed half-way: pages are written before the indexes and feeds
that link to them, so `index.html` never links to a page that is not there yet. Each file is
written to a temporary `.NAME.XXXX.tmp` beside it and renamed into place; a killed build can
leave such temporaries, and the next build sweeps them.

The output folder may hold files digest did not write (a robots.txt, a CNAME, the operator's
own pages). A manifest (`.digest-manifest.json`) lists what digest wrote; a file digest no
longer produces (a topic removed from the config, a week gone from the store) is removed only
if the manifest says digest wrote it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OutputError

MANIFEST = ".digest-manifest.json"
SWEEP_AFTER_S = 60
_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
# Written last, in this order: they link to everything else.
_LAST = ("topics/", "feed.atom", "index.html")


@dataclass
class WriteSummary:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # stale files digest had written before
    swept: list[str] = field(default_factory=list)  # temporaries left by a killed build


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


def write_files(out: Path, files: Mapping[str, bytes], keep: Collection[str] = ()) -> WriteSummary:
    """Write each relative path's bytes below `out` (temp file + rename); skip unchanged ones.

    Afterwards, remove what an earlier build wrote that is neither in `files` nor in `keep`
    (files still valid but not rendered this time, e.g. other weeks under --week), and sweep
    temporaries. Everything is rendered before this is called, so a render error writes
    nothing.
    """
    summary = WriteSummary()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error(out, exc) from None
    before = _read_manifest(out)
    for rel in write_order(files):
        _write_one(out, rel, files[rel], summary)
    wanted = set(files) | set(keep)
    for rel in sorted(before - wanted):
        target = out / rel
        try:
            if target.is_file() and not target.is_symlink():
                target.unlink()
                summary.removed.append(rel)
                _prune_empty(target.parent, out)
        except OSError as exc:
            raise _error(target, exc) from None
    summary.swept = _sweep(out)
    _write_manifest(out, sorted((before & wanted) | set(files)))
    return summary


def _write_one(out: Path, rel: str, data: bytes, summary: WriteSummary) -> None:
    target = out / rel
    try:
        if target.is_file() and target.read_bytes() == data:
            summary.unchanged.append(rel)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data)
    except OSError as exc:
        raise _error(target, exc) from None
    summary.written.append(rel)


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


def _read_manifest(out: Path) -> set[str]:
    try:
        names = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return set()  # none yet, or unreadable: remove nothing rather than guess
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and _inside(n)}


def _inside(rel: str) -> bool:
    """A manifest entry names a file below the folder (a tampered one must not reach out)."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _write_manifest(out: Path, names: list[str]) -> None:
    data = (json.dumps(names, indent=0, ensure_ascii=False) + "\n").encode("utf-8")
    path = out / MANIFEST
    try:
        if not (path.is_file() and path.read_bytes() == data):
            _atomic_write(path, data)
    except OSError as exc:
        raise _error(path, exc) from None


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
