"""SQL for the article archive: articles and the files they were seen in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, timedelta

from ..models import Article, Classification, Source
from .base import StoreBase, in_chunks
from .rows import COLUMNS, article_row, classification_row, row_article

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM articles"
# An article the editor has not taken out (`digest drop`), no corrected version retracts,
# and some source file still holds (gone_at).
LIVE = "dropped_at IS NULL AND replaced_by IS NULL AND gone_at IS NULL"
# From this many articles on, a put inside a transaction counts its writes once for all
# instead of row by row (see ArticleQueries._counted_once).
BULK = 256
# The triggers of migration 7 that an upsert of articles and an insert of sources fire.
_PUT_TRIGGERS = ("articles_insert_counts", "articles_update_counts", "sources_insert_counts")
_UPSERT = (
    f"INSERT INTO articles ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
    f"ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
)


@dataclass(frozen=True, slots=True)
class Query:
    """Which articles to list: all, or those of one ISO week and/or topic.

    Only live articles unless `include_hidden`: dropped and replaced ones stay in the store
    (for `digest restore`) but belong to no issue, page or feed.
    """

    iso_week: str | None = None
    topic: str | None = None
    include_hidden: bool = False
    undated: bool = False  # only the articles that belong to no week


class ArticleQueries(StoreBase):
    """The article archive: upsert, look-ups and listings."""

    def get_many(self, ids: Sequence[str], *, live: bool = False) -> dict[str, Article]:
        """Return the stored (or only the live) articles among `ids`, with their sources."""
        found: dict[str, Article] = {}
        only_live = f" AND {LIVE}" if live else ""
        for chunk, marks in in_chunks(ids):
            rows = self._db.execute(f"{_SELECT} WHERE id IN ({marks}){only_live}", chunk).fetchall()
            sources = self._sources(chunk)
            for row in rows:
                found[row[0]] = row_article(row, sources.get(row[0], ()))
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
        bulk = len(stored) >= BULK and self._db.in_transaction
        with self._counted_once(stored) if bulk else nullcontext():
            self._db.executemany(_UPSERT, map(article_row, stored))
            self.add_sources(stored)

    @contextmanager
    def _counted_once(self, articles: Sequence[Article]) -> Iterator[None]:
        """Write `articles` with the counting triggers set aside, then count once.

        The triggers of migration 7 bump meta.generation and mark the article's week for
        every row, three statements per article; on a first ingest of 50,000 articles they
        took half the insert time. Here they are dropped, the block writes, and the same
        facts are recorded once: one new generation, given to every week an article of the
        block left or entered. The triggers are then created again from their own stored
        SQL. All of it happens inside the caller's transaction, so a failure rolls the
        triggers back with the rows, and no other connection ever sees a store without them.
        """
        ids = [a.id for a in articles]
        weeks = {str(a.iso_week) if a.iso_week else "" for a in articles}
        for chunk, marks in in_chunks(ids):
            weeks.update(
                week or ""
                for (week,) in self._db.execute(
                    f"SELECT iso_week FROM articles WHERE id IN ({marks})", chunk
                )
            )
        names = ", ".join("?" * len(_PUT_TRIGGERS))
        triggers = self._db.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})",
            _PUT_TRIGGERS,
        ).fetchall()
        for name, _ in triggers:
            self._db.execute(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in triggers:
            self._db.execute(sql)
        self._db.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
        )
        self._db.executemany(
            "INSERT INTO week_changes (week, generation) SELECT ?, CAST(value AS INTEGER) "
            "FROM meta WHERE key = 'generation' "
            "ON CONFLICT (week) DO UPDATE SET generation = excluded.generation",
            [(week,) for week in sorted(weeks)],
        )

    def add_sources(self, articles: Iterable[Article]) -> None:
        """Record where stored articles were seen; known sources are kept as they are."""
        self._db.executemany(
            "INSERT OR IGNORE INTO sources (article_id, path, line, kind) VALUES (?, ?, ?, ?)",
            ((a.id, s.path, s.line, s.kind) for a in articles for s in a.sources),
        )

    def count_undated(self) -> int:
        """Count the live articles without a date."""
        return int(
            self._db.execute(
                f"SELECT COUNT(*) FROM articles WHERE date IS NULL AND {LIVE}"
            ).fetchone()[0]
        )

    def set_classifications(self, pairs: Iterable[tuple[str, Classification]]) -> None:
        """Store new topics for existing articles (call inside `transaction()`)."""
        self._db.executemany(
            "UPDATE articles SET topic = ?, scores = ?, matches = ?, override = ? WHERE id = ?",
            [(*classification_row(c), article_id) for article_id, c in pairs],
        )

    def articles(self, query: Query = Query()) -> list[Article]:
        """Return matching articles, ordered by date (undated last), then title and id."""
        where, args = ([] if query.include_hidden else [LIVE]), []
        if query.iso_week:
            where.append("iso_week = ?")
            args.append(query.iso_week)
        if query.undated:
            where.append("iso_week IS NULL")
        if query.topic:
            where.append("topic = ?")
            args.append(query.topic)
        sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY date IS NULL, date, title, id"
        rows = self._db.execute(sql, args).fetchall()
        sources = self._sources([r[0] for r in rows]) if len(rows) < 5000 else self._sources(None)
        return [row_article(row, sources.get(row[0], ())) for row in rows]

    def week_generations(self) -> dict[str, int]:
        """Each week's last write: the generation of the last change to one of its articles
        or their sources ('' for the undated articles; a week not listed has seen no write
        since the store learnt to count them)."""
        rows = self._db.execute("SELECT week, generation FROM week_changes")
        return {str(r[0]): int(r[1]) for r in rows}

    def live_weeks(self) -> list[str]:
        """Every week with live articles, oldest first, and '' last if some have no week."""
        rows = self._db.execute(
            f"SELECT DISTINCT COALESCE(iso_week, '') FROM articles WHERE {LIVE} ORDER BY 1"
        )
        found = [str(r[0]) for r in rows]
        return [w for w in found if w] + [w for w in found if not w]

    def known_refs(self, refs: Iterable[str]) -> set[str]:
        """Which of `refs` are the id or one of the URLs of a stored article, hidden or not."""
        wanted = list(dict.fromkeys(refs))
        if not wanted:
            return set()
        marks = ", ".join("?" * len(wanted))
        rows = self._db.execute(
            f"SELECT id FROM articles WHERE id IN ({marks}) UNION "
            f"SELECT DISTINCT u.value FROM articles, json_each(articles.urls) AS u "
            f"WHERE u.value IN ({marks})",
            [*wanted, *wanted],
        )
        return {str(r[0]) for r in rows}

    def weeks(self) -> list[tuple[str, int]]:
        """Return each ISO week that has live articles, with their count, oldest first."""
        rows = self._db.execute(
            f"SELECT iso_week, COUNT(*) FROM articles WHERE iso_week IS NOT NULL AND {LIVE} "
            "GROUP BY iso_week ORDER BY iso_week"
        )
        return [(r[0], r[1]) for r in rows]

    def count(self) -> int:
        """Count the live articles."""
        return int(self._db.execute(f"SELECT COUNT(*) FROM articles WHERE {LIVE}").fetchone()[0])

    def live_titles(self, days: Iterable[date], spread: int = 0) -> list[tuple[str, str, date]]:
        """Return (id, title, date) of the live articles dated within `spread` days of `days`."""
        found: list[tuple[str, str, date]] = []
        for chunk, marks in in_chunks(_days_around(days, spread)):
            rows = self._db.execute(
                f"SELECT id, title, date FROM articles WHERE {LIVE} "
                f"AND date IN ({marks}) ORDER BY date, id",
                chunk,
            )
            found += [(r[0], r[1], date.fromisoformat(r[2])) for r in rows]
        return found

    def live_ids(self, days: Iterable[date], spread: int = 0) -> set[str]:
        """The ids of live_titles(days, spread), without reading their titles."""
        found: set[str] = set()
        for chunk, marks in in_chunks(_days_around(days, spread)):
            rows = self._db.execute(
                f"SELECT id FROM articles WHERE {LIVE} AND date IN ({marks})", chunk
            )
            found.update(r[0] for r in rows)
        return found

    def ids_with_urls(self, urls: Sequence[str]) -> dict[str, list[str]]:
        """Return, for each of `urls` that a stored article carries, the ids that carry it."""
        found: dict[str, list[str]] = {}
        for chunk, marks in in_chunks(urls):
            rows = self._db.execute(
                # A urls value edited into something else by hand must not stop the listing.
                "SELECT u.value, a.id FROM articles AS a, "
                "json_each(CASE WHEN json_valid(a.urls) THEN a.urls ELSE '[]' END) AS u "
                f"WHERE u.value IN ({marks}) ORDER BY a.id",
                chunk,
            )
            for url, article_id in rows:
                found.setdefault(str(url), []).append(str(article_id))
        return found

    def live_by_own_url(self, urls: Sequence[str]) -> dict[str, str]:
        """Return, for each of `urls` (canonical, see Article.own_url), the live article
        whose own address it is."""
        found: dict[str, str] = {}
        for chunk, marks in in_chunks(urls):
            rows = self._db.execute(
                f"SELECT own_url, id FROM articles WHERE {LIVE} "
                f"AND own_url IN ({marks}) ORDER BY id DESC",
                chunk,
            )
            found.update((str(url), str(i)) for url, i in rows)
        return found

    def live_counts_by_source(self, locations: Sequence[str]) -> dict[str, int]:
        """Count the live articles seen in each location: a feed's URL (exactly), or a file
        or folder (the file itself and everything under it)."""
        counts: dict[str, int] = {}
        for location in locations:
            row = self._db.execute(
                "SELECT COUNT(DISTINCT a.id) FROM sources AS s JOIN articles AS a "
                "ON a.id = s.article_id WHERE a.dropped_at IS NULL AND a.replaced_by IS NULL "
                "AND a.gone_at IS NULL "
                "AND (s.path = ? OR (s.path >= ? AND s.path < ?))",
                (location, location.rstrip("/") + "/", location.rstrip("/") + "0"),
            ).fetchone()
            counts[location] = int(row[0])
        return counts

    def _sources(self, ids: Sequence[str] | None) -> dict[str, tuple[Source, ...]]:
        out: dict[str, list[Source]] = {}
        if ids is None:
            rows = self._db.execute("SELECT article_id, path, line, kind FROM sources").fetchall()
        else:
            rows = []
            for chunk, marks in in_chunks(ids):
                rows += self._db.execute(
                    "SELECT article_id, path, line, kind FROM sources "
                    f"WHERE article_id IN ({marks})",
                    chunk,
                ).fetchall()
        for article_id, path, line, kind in rows:
            out.setdefault(article_id, []).append(Source(path, line, kind))
        return {k: tuple(sorted(v)) for k, v in out.items()}


def _days_around(days: Iterable[date], spread: int) -> list[str]:
    """The days within `spread` days of `days`, as sorted ISO dates."""
    return sorted(
        {(d + timedelta(days=k)).isoformat() for d in days for k in range(-spread, spread + 1)}
    )
