"""The SQLite article archive. All SQL of digest lives in this module.

Schema changes are numbered migrations applied on open (PRAGMA user_version). Every write of
a run happens in one transaction, so an interrupted run leaves the store as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import StoreError
from .models import Article, Classification, Match, Source

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('main', 'teaser')),
        format        TEXT NOT NULL,
        date          TEXT,
        iso_week      TEXT,
        title         TEXT NOT NULL,
        kicker        TEXT,
        label         TEXT,
        lead          TEXT,
        teaser        TEXT,
        caption       TEXT,
        body          TEXT NOT NULL,
        author        TEXT,
        place         TEXT,
        urls          TEXT NOT NULL,
        keywords      TEXT NOT NULL,
        image_credit  TEXT,
        section       TEXT,
        topic         TEXT NOT NULL,
        scores        TEXT NOT NULL,
        matches       TEXT NOT NULL,
        override      TEXT
    );
    CREATE INDEX articles_week ON articles (iso_week, date);
    CREATE INDEX articles_topic ON articles (topic);
    CREATE TABLE sources (
        article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        path        TEXT NOT NULL,
        line        INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        PRIMARY KEY (article_id, path, line)
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
)

_COLUMNS = (
    "id",
    "kind",
    "format",
    "date",
    "iso_week",
    "title",
    "kicker",
    "label",
    "lead",
    "teaser",
    "caption",
    "body",
    "author",
    "place",
    "urls",
    "keywords",
    "image_credit",
    "section",
    "topic",
    "scores",
    "matches",
    "override",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM articles"
_UPSERT = (
    f"INSERT INTO articles ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    f"ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
)


@dataclass(frozen=True, slots=True)
class Query:
    """Which articles to list: all, or those of one ISO week and/or topic."""

    iso_week: str | None = None
    topic: str | None = None


class Store:
    """An open article archive; use as a context manager or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
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

    def __enter__(self) -> Store:
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

    def get_many(self, ids: Sequence[str]) -> dict[str, Article]:
        """Return the stored articles among `ids`, with their sources."""
        found: dict[str, Article] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(f"{_SELECT} WHERE id IN ({marks})", chunk).fetchall()
            sources = self._sources(chunk)
            for row in rows:
                found[row[0]] = _article(row, sources.get(row[0], ()))
        return found

    def get(self, article_id: str) -> Article | None:
        return self.get_many([article_id]).get(article_id)

    def find_ids(self, prefix: str) -> list[str]:
        """Return the ids that start with `prefix` (for short ids typed by a user)."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id",
            (prefix, prefix + "\uffff"),
        )
        return [r[0] for r in rows]

    def put(self, articles: Iterable[Article]) -> None:
        """Insert or replace articles and add their sources (call inside `transaction()`)."""
        stored = list(articles)
        self._db.executemany(_UPSERT, map(_row, stored))
        self.add_sources(stored)

    def add_sources(self, articles: Iterable[Article]) -> None:
        """Record where stored articles were seen; known sources are kept as they are."""
        self._db.executemany(
            "INSERT OR IGNORE INTO sources (article_id, path, line, kind) VALUES (?, ?, ?, ?)",
            ((a.id, s.path, s.line, s.kind) for a in articles for s in a.sources),
        )

    def count_undated(self) -> int:
        return int(
            self._db.execute("SELECT COUNT(*) FROM articles WHERE date IS NULL").fetchone()[0]
        )

    def set_classifications(self, pairs: Iterable[tuple[str, Classification]]) -> None:
        """Store new topics for existing articles (call inside `transaction()`)."""
        self._db.executemany(
            "UPDATE articles SET topic = ?, scores = ?, matches = ?, override = ? WHERE id = ?",
            [(*_classification_row(c), article_id) for article_id, c in pairs],
        )

    def articles(self, query: Query = Query()) -> list[Article]:
        """Return matching articles, ordered by date (undated last), then title and id."""
        where, args = [], []
        if query.iso_week:
            where.append("iso_week = ?")
            args.append(query.iso_week)
        if query.topic:
            where.append("topic = ?")
            args.append(query.topic)
        sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY date IS NULL, date, title, id"
        rows = self._db.execute(sql, args).fetchall()
        sources = self._sources([r[0] for r in rows]) if len(rows) < 5000 else self._sources(None)
        return [_article(row, sources.get(row[0], ())) for row in rows]

    def weeks(self) -> list[tuple[str, int]]:
        """Return each ISO week that has articles, with its article count, oldest first."""
        rows = self._db.execute(
            "SELECT iso_week, COUNT(*) FROM articles WHERE iso_week IS NOT NULL "
            "GROUP BY iso_week ORDER BY iso_week"
        )
        return [(r[0], r[1]) for r in rows]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def _sources(self, ids: Sequence[str] | None) -> dict[str, tuple[Source, ...]]:
        out: dict[str, list[Source]] = {}
        if ids is None:
            rows = self._db.execute("SELECT article_id, path, line, kind FROM sources").fetchall()
        else:
            rows = []
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                rows += self._db.execute(
                    "SELECT article_id, path, line, kind FROM sources "
                    f"WHERE article_id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
        for article_id, path, line, kind in rows:
            out.setdefault(article_id, []).append(Source(path, line, kind))
        return {k: tuple(sorted(v)) for k, v in out.items()}


def _classification_row(c: Classification) -> tuple[str, str, str, str | None]:
    matches = [[m.topic, m.term, m.field, m.count, m.points, m.modifier] for m in c.matches]
    return (
        c.topic,
        json.dumps(dict(c.scores), ensure_ascii=False),
        json.dumps(matches, ensure_ascii=False),
        c.override,
    )


def _row(a: Article) -> tuple[object, ...]:
    week = a.iso_week
    return (
        a.id,
        a.kind,
        a.format,
        a.date.isoformat() if a.date else None,
        str(week) if week else None,
        a.title,
        a.kicker,
        a.label,
        a.lead,
        a.teaser,
        a.caption,
        json.dumps(list(a.body), ensure_ascii=False),
        a.author,
        a.place,
        json.dumps(list(a.urls), ensure_ascii=False),
        json.dumps(list(a.keywords), ensure_ascii=False),
        a.image_credit,
        a.section,
        *_classification_row(a.classification),
    )


def _article(row: Sequence[object], sources: tuple[Source, ...]) -> Article:
    r = dict(zip(_COLUMNS, row, strict=True))
    matches = tuple(
        Match(str(t), str(term), str(f), int(n), float(p), bool(mod))
        for t, term, f, n, p, mod in json.loads(str(r["matches"]))
    )
    classification = Classification(
        topic=str(r["topic"]),
        scores=tuple((k, float(v)) for k, v in json.loads(str(r["scores"])).items()),
        matches=matches,
        override=r["override"] if r["override"] is None else str(r["override"]),
    )
    text = {k: (None if r[k] is None else str(r[k])) for k in _COLUMNS}
    return Article(
        id=str(r["id"]),
        kind="main" if r["kind"] == "main" else "teaser",
        format=str(r["format"]),
        title=str(r["title"]),
        date=date.fromisoformat(str(r["date"])) if r["date"] else None,
        kicker=text["kicker"],
        label=text["label"],
        lead=text["lead"],
        teaser=text["teaser"],
        caption=text["caption"],
        body=tuple(json.loads(str(r["body"]))),
        author=text["author"],
        place=text["place"],
        urls=tuple(json.loads(str(r["urls"]))),
        keywords=tuple(json.loads(str(r["keywords"]))),
        image_credit=text["image_credit"],
        section=text["section"],
        sources=sources,
        classification=classification,
    )
