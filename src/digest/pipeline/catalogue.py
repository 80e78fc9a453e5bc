"""The weeks a build publishes, each loaded from the store only when an output needs it.

A build used to load the whole archive to render whatever changed. The catalogue keeps, for
every week, a `WeekRecord` of what the last build made of it: which store write it saw, the
ids it published, its problems, its editorial and the digest of its issue (render/keys.py).
The record is saved with the output folder's manifest (`extra`) and read back next time.

A week whose articles saw no write since (store.week_generations, kept by triggers) under the
same code, templates and configuration (the global key) keeps its record without being read.
A week that changed is read, vetted, filtered ([exclude]), credited ([[sources]]) and grouped
again. Its editorial may change on its own (the editorial folder is read every build: it is
small), and then only the issue is made again.

What each week gives is independent of every other week, except where an editorial pins an
article: pins resolve against every published id (kept in the records), so that is exact too.

Outputs then see `LazyIssue`s: the week, its counts and its digest, which is all that keys,
the index and the pagers need. Reading anything else (sections, articles) loads the week from
the store, and a few loaded weeks are kept (LRU) so that outputs rendered one after another
from the same weeks read them once; memory holds a few weeks, never the archive.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from ..config import Config
from ..grouping import issue_of
from ..models import Article, Editorial, Issue, Problem
from ..render.keys import Digested, Digester, issue_digest
from ..store import Query, Store
from ..weeks import IsoWeek
from .edition import editorials_for, entry_problems, outside_problems, prepared

UNDATED = ""  # the record of the articles that belong to no week
CACHED_WEEKS = 4  # loaded weeks kept for the outputs that follow


@dataclass
class WeekRecord:
    """What a build made of one week ('' for the undated articles), kept for the next."""

    stamp: str  # the global key and the week's last store write when it was read
    ids: list[str]  # the published ids, in store order
    problems: list[list[Any]]  # vetting: [path, line, message, hint]
    outside: dict[str, int]  # files outside every [[sources]] entry: articles each
    editorial: str = ""  # the digest of the editorial the issue shows ('' for none)
    digest: str = ""  # the issue's digest (Digester.shown), '' when the week has no issue
    sections: str = ""  # the digest of the issue's sections (Digester.sections)
    topics: list[tuple[str, int]] = field(default_factory=list)  # articles per topic
    # Articles that cannot be rendered: id -> the problem saying so, [path, line, message, hint]
    left_out: dict[str, list[Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "stamp": self.stamp,
            "ids": self.ids,
            "problems": self.problems,
            "outside": self.outside,
            "editorial": self.editorial,
            "digest": self.digest,
            "sections": self.sections,
            "topics": [list(t) for t in self.topics],
            "left_out": self.left_out,
        }

    @classmethod
    def from_json(cls, data: Any) -> WeekRecord | None:
        """A record as saved, or None for anything else (an older or damaged manifest): a
        record is trusted without reading its week, so every field must be what it says."""
        try:
            digest = data["digest"]
            record = cls(
                stamp=_text(data["stamp"]),
                ids=[_text(i) for i in _list(data["ids"])],
                problems=[_problem(p) for p in _list(data["problems"])],
                outside={_text(k): _number(v) for k, v in _dict(data["outside"]).items()},
                editorial=_text(data["editorial"]),
                digest=_text(digest),
                sections=_text(data["sections"]),
                topics=[(_text(t), _number(n)) for t, n in map(_pair, _list(data["topics"]))],
                left_out={_text(i): _problem(p) for i, p in _dict(data["left_out"]).items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if any(v and not _HEX.fullmatch(v) for v in (record.digest, record.sections)):
            return None
        return record

    @property
    def count(self) -> int:
        return sum(n for _, n in self.topics)


class LazyIssue(Digested):
    """An issue as its week, counts, ids and digest; anything else loads it (module doc)."""

    __slots__ = ("_catalogue", "article_ids", "count", "digest", "topic_counts", "week")

    def __init__(self, week: IsoWeek, record: WeekRecord, catalogue: Catalogue) -> None:
        self.week = week
        self.count = record.count
        self.topic_counts = tuple(record.topics)
        self.article_ids = tuple(record.ids)
        self.digest = bytes.fromhex(record.digest)
        self._catalogue = catalogue

    def __getattr__(self, name: str) -> Any:
        return getattr(self._catalogue.issue(self.week), name)

    def __repr__(self) -> str:
        return f"LazyIssue({self.week})"


class Catalogue:
    """The published weeks of one build (see module doc)."""

    def __init__(self, cfg: Config, store: Store, base: str, digester: Digester) -> None:
        self.cfg = cfg
        self.store = store
        self.base = base
        self.digester = digester
        self.records: dict[str, WeekRecord] = {}
        self.editorials: dict[IsoWeek, Editorial] = {}
        self._problems: list[Problem] = []  # all but those of the articles left out
        self.fresh: set[str] = set()  # the weeks read from the store in this build
        self.rebuilt: set[str] = set()  # the weeks whose issue was made again
        # The weeks whose issue is the one the last build published, under the same global
        # key and with the same topics shown across the archive.
        self.carried: set[IsoWeek] = set()
        self._loaded: OrderedDict[str, Issue] = OrderedDict()

    def update(self, previous: Mapping[str, WeekRecord]) -> None:
        """Bring every week's record up to date, reading only the weeks that changed since
        `previous` (the last build's records), and gather the build's problems."""
        store_id, _ = self.store.generation()
        written = self.store.week_generations()
        for week in self.store.live_weeks():
            stamp = f"{self.base}|{store_id}|{written.get(week, 0)}"
            known = previous.get(week)
            if known is not None and known.stamp == stamp:
                self.records[week] = known
            else:
                self.records[week] = self._read(week, stamp)
        published = [i for record in self.records.values() for i in record.ids]

        def week_of(pinned: Collection[str]) -> dict[str, IsoWeek]:
            return {
                i: IsoWeek.parse(w)
                for w, r in self.records.items()
                if w
                for i in r.ids
                if i in pinned
            }

        weeks = {IsoWeek.parse(w) for w, r in self.records.items() if w and r.ids}
        editorials, wrong = editorials_for(self.cfg, published, week_of, weeks)
        self.editorials = editorials
        for week, record in self.records.items():
            if week:
                editorial = self.editorials.get(IsoWeek.parse(week))
                mark = _editorial_digest(editorial)
                if week in self.fresh or record.editorial != mark:
                    record.editorial = mark
                    self._digest(week, record)
        self._problems = self._gather(wrong)
        self.carried = self._carried(previous)

    def leave_out(self, culprits: Iterable[tuple[Article, Problem]]) -> None:
        """Publish the weeks of `culprits` without them (they cannot be rendered); each
        problem is reported by every build until the week changes."""
        weeks: set[str] = set()
        for article, problem in culprits:
            week = str(article.iso_week) if article.iso_week else UNDATED
            record = self.records[week]
            row = [problem.path, problem.line, problem.message, problem.hint]
            record.left_out[article.id] = row
            record.ids = [i for i in record.ids if i != article.id]
            weeks.add(week)
        for week in weeks:
            self._loaded.pop(week, None)
            self._group(week, self.records[week], self._prepare(week)[0])
            if week:
                self._digest(week, self.records[week])
                self.carried.discard(IsoWeek.parse(week))

    @property
    def problems(self) -> list[Problem]:
        """The build's problems, in the order a whole-archive load reports them, and then
        each article left out because it could not be rendered."""
        left_out = [row for record in self.records.values() for row in record.left_out.values()]
        return [*self._problems, *(Problem(*row) for row in left_out)]

    def issues(self) -> list[Issue]:
        """Every week with articles to publish, oldest first: `LazyIssue`s, which answer
        everything an `Issue` does (typed as one: they stand in for it)."""
        return [
            cast(Issue, LazyIssue(IsoWeek.parse(week), record, self))
            for week, record in sorted(self.records.items())
            if week and record.digest
        ]

    def issue(self, week: IsoWeek) -> Issue:
        """The issue of `week`, read from the store unless it was read lately."""
        key = str(week)
        found = self._loaded.get(key)
        if found is not None:
            self._loaded.move_to_end(key)
            return found
        record = self.records[key]
        articles, _, _ = self._prepare(key)
        skip = record.left_out
        made = issue_of(week, [a for a in articles if a.id not in skip], self.cfg.rules)
        editorial = self.editorials.get(week)
        issue = replace(made, editorial=editorial) if editorial is not None else made
        self._loaded[key] = issue
        while len(self._loaded) > CACHED_WEEKS:
            self._loaded.popitem(last=False)
        return issue

    def articles(self) -> int:
        """How many articles the build publishes (the undated ones too, which no week shows)."""
        return sum(len(record.ids) for record in self.records.values())

    def saved(self) -> dict[str, Any]:
        return {week: record.to_json() for week, record in self.records.items()}

    def _read(self, week: str, stamp: str) -> WeekRecord:
        """A week read from the store: what it publishes, summed up; the articles are let go
        at once (only the records of all weeks are held)."""
        articles, problems, outside = self._prepare(week)
        self.fresh.add(week)
        rows = [[p.path, p.line, p.message, p.hint] for p in problems]
        record = WeekRecord(stamp, [a.id for a in articles], rows, outside)
        self._group(week, record, articles)
        return record

    def _group(self, week: str, record: WeekRecord, articles: Iterable[Article]) -> None:
        """Sum up a week's issue without its editorial: its sections' digest and counts."""
        if not week:
            return  # the undated articles belong to no issue
        skip = record.left_out
        issue = issue_of(
            IsoWeek.parse(week), [a for a in articles if a.id not in skip], self.cfg.rules
        )
        record.sections = self.digester.sections(issue.sections).hex()
        record.topics = [(s.topic, len(s.articles)) for s in issue.sections]

    def _digest(self, week: str, record: WeekRecord) -> None:
        """The issue's digest: its sections' and its editorial's (see render/keys.py)."""
        self.rebuilt.add(week)
        self._loaded.pop(week, None)
        editorial = self.editorials.get(IsoWeek.parse(week))
        sections = bytes.fromhex(record.sections)
        found = issue_digest(IsoWeek.parse(week), editorial, sections)
        record.digest = found.hex() if record.topics else ""

    def _prepare(self, week: str) -> tuple[list[Article], list[Problem], dict[str, int]]:
        """A week's live articles as published (edition.prepared)."""
        query = Query(iso_week=week) if week else Query(undated=True)
        return prepared(self.store.articles(query), self.cfg)

    def _carried(self, previous: Mapping[str, WeekRecord]) -> set[IsoWeek]:
        def shown(records: Iterable[WeekRecord]) -> set[str]:
            return {topic for record in records for topic, count in record.topics if count}

        if shown(previous.values()) != shown(self.records.values()):
            return set()
        return {
            IsoWeek.parse(week)
            for week, record in self.records.items()
            if week
            and record.digest
            and (before := previous.get(week)) is not None
            and before.digest == record.digest
            and before.stamp.partition("|")[0] == self.base
        }

    def _gather(self, editorial: list[Problem]) -> list[Problem]:
        """The build's problems, in the order a whole-archive load reports them."""
        problems = entry_problems(self.cfg, self.store)
        outside: dict[str, int] = {}
        for record in self.records.values():  # oldest week first, the undated last
            problems += [Problem(*row) for row in record.problems]
            for path, count in record.outside.items():
                outside[path] = outside.get(path, 0) + count
        problems += outside_problems(outside)
        problems += editorial
        return problems


_HEX = re.compile(r"[0-9a-f]{64}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(value)
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(value)
    return value


def _dict(value: Any) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise TypeError(value)
    return value


def _pair(value: Any) -> tuple[Any, Any]:
    first, second = _list(value)
    return first, second


def _problem(value: Any) -> list[Any]:
    path, line, message, hint = _list(value)
    if line is not None:
        _number(line)
    return [_text(path), line, _text(message), _text(hint)]


def previous_records(extra: Mapping[str, Any]) -> dict[str, WeekRecord]:
    """The records a manifest's `extra` holds (none from an older or damaged one)."""
    saved = extra.get("catalogue")
    if not isinstance(saved, dict):
        return {}
    found = {str(week): WeekRecord.from_json(data) for week, data in saved.items()}
    return {week: record for week, record in found.items() if record is not None}


def _editorial_digest(editorial: Editorial | None) -> str:
    if editorial is None:
        return ""
    return hashlib.sha256(repr(editorial).encode("utf-8", "surrogatepass")).hexdigest()
