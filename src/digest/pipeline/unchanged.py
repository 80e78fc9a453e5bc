"""Which source files a run must read, and what it remembers of those it read.

A source file read without a problem leaves a fingerprint in the store (store/source_files.py):
its size, mtime, ctime and inode, its SHA-256, and how many articles it gave. The next run
stats each file and compares:

- same size, mtime, ctime and inode: unchanged, skipped at the cost of a stat;
- same size but another time or inode: the content is hashed; the same hash means the file
  was touched, not changed (skipped, the new stat recorded), another hash means it is read;
- another size, no fingerprint, or a problem last time: read.

A rewrite that restores the old mtime (`touch -d`, `cp -p`, an editor that keeps times) still
changes the ctime, which no program can set, so the hash catches it. A file written within
RACY_NS of the moment it was stat'ed could be written again within the clock's resolution
without any time changing; its times are recorded as unknown, so the next run hashes it.

A file that had problems is read every run, so its problems are reported until it is fixed.
Fingerprints hold only while the readers stay the same: `reader_key` covers digest's code and
the configuration the readers use, and a new key means every file is read once more. The
topic rules are not part of it: a rule change re-classifies the stored articles instead
(pipeline.open_store).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..config import Config
from ..ingest.files import shown_path
from ..store import FileFingerprint
from .reading import Input, file_hash, location, within

RACY_NS = 2_000_000_000
READER_KEY = "reader_key"


@dataclass
class Plan:
    """The inputs to read, and the unchanged ones to skip."""

    read: list[Input] = field(default_factory=list)
    skipped: dict[str, FileFingerprint] = field(default_factory=dict)  # by shown path
    touched: list[FileFingerprint] = field(default_factory=list)  # same content, new stat
    stats: dict[str, os.stat_result] = field(default_factory=dict)  # taken before reading


def plan_reads(
    inputs: Sequence[Input], known: Mapping[str, FileFingerprint], base: Path, max_bytes: int
) -> Plan:
    """Sort `inputs` into those to read and those unchanged since their fingerprint."""
    plan = Plan()
    now = time.time_ns()
    for item in inputs:
        shown = item.shown or shown_path(Path(item.path), base)
        try:
            stat = os.stat(item.path)
        except OSError:
            plan.read.append(item)  # the reader says what is wrong with it
            continue
        plan.stats[shown] = stat
        last = known.get(shown)
        if last is None or last.size != stat.st_size:
            plan.read.append(item)
        elif (last.mtime_ns, last.ctime_ns, last.inode) == (
            stat.st_mtime_ns,
            stat.st_ctime_ns,
            stat.st_ino,
        ):
            plan.skipped[shown] = last
        elif (sha := file_hash(item.path, max_bytes)) == last.sha256:
            plan.skipped[shown] = last
            plan.touched.append(fingerprint(shown, stat, sha, last.articles, now))
        else:
            plan.read.append(item)
    return plan


def fingerprint(
    shown: str, stat: os.stat_result, sha256: str, articles: int, now_ns: int
) -> FileFingerprint:
    """The fingerprint of a file read now; racy times are left unknown (see the module doc)."""
    racy = now_ns - max(stat.st_mtime_ns, stat.st_ctime_ns) < RACY_NS
    return FileFingerprint(
        shown,
        stat.st_size,
        None if racy else stat.st_mtime_ns,
        None if racy else stat.st_ctime_ns,
        stat.st_ino,
        sha256,
        articles,
    )


def reader_key(cfg: Config) -> str:
    """What the readers' output depends on besides the file: the code and its settings."""
    first, last = cfg.ingest.plausible_years()
    settings = (
        f"{__version__}|{code_hash()}|{cfg.ingest.max_file_bytes}|{first}-{last}|"
        f"{cfg.site.tz.key}|{','.join(sorted((*cfg.rules.order, 'other')))}|"
        f"{cfg.path.resolve().parent}"
    )
    return hashlib.sha256(settings.encode()).hexdigest()


@lru_cache(maxsize=1)
def code_hash() -> str:
    """The SHA-256 over digest's own modules, the libraries that shape what it reads and
    writes, and Python's version: another version of the code, another key."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    python = ".".join(map(str, sys.version_info[:3]))
    digest.update("|".join((python, *library_versions())).encode())
    return digest.hexdigest()


# The libraries whose release can change what digest reads from a file or writes into a
# page, mail or feed (pyproject.toml allows a range of most): after an upgrade within the
# range, files read and rendered before would differ from a fresh build's.
LIBRARIES = (
    "babel",
    "email_validator",
    "feedgen",
    "feedparser",
    "jinja2",
    "lxml",
    "markdown_it_py",
    "markupsafe",
    "mjml_python",
    "nh3",
    "pyyaml",
    "simplemma",
)


def library_versions() -> list[str]:
    """Each of LIBRARIES with its installed version ("lxml 6.1.3"), read from the names of
    the .dist-info folders on sys.path, the first found as imports find it: a listing per
    folder, under 1 ms, where importlib.metadata took 15 ms of a 0.6 s build with nothing to
    do. A library not found so is asked for through importlib.metadata, or counts as absent."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder) if folder else []
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[: -len(".dist-info")].partition("-")
                key = project.lower().replace("-", "_").replace(".", "_")
                found.setdefault(key, version)
    versions = []
    for library in LIBRARIES:
        known = found.get(library)
        if known is None:
            from importlib import metadata

            try:
                known = metadata.version(library)
            except metadata.PackageNotFoundError:
                known = "absent"
        versions.append(f"{library} {known}")
    return versions


def deleted_files(cfg: Config, inputs: Sequence[Input], recorded: Iterable[str]) -> list[str]:
    """The recorded files (readings, fingerprints) that a configured source no longer has.

    Only below a source location that exists: a folder that is missing (an unmounted disk, a
    typo) is a problem of its own, and its articles stay as they are.
    """
    base = cfg.path.resolve().parent
    present = {i.shown or shown_path(Path(i.path), base) for i in inputs}
    roots = [location(s, base) for s in cfg.sources if s.path is not None and s.path.exists()]
    return sorted(
        {p for p in recorded if p not in present and any(within(p, root) for root in roots)}
    )
