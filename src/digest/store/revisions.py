"""SQL for the editor's hand on articles: dropped and replaced ones, and each file's last reading.

An article is *live* unless `digest drop` took it out (dropped_at, dropped_note), a corrected
version retracts it (replaced_by, replaced_at), or it is gone from every file that had it
(gone_at; ingest sets and clears it). Hidden articles stay in the store, with their
sources, so that `digest restore` can bring them back and a re-read file does not add them
again. `file_positions` remembers which article stood where in each file when it was last
read; ingest compares a new reading with it to recognise corrections.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from ..models import Article, Source
from .articles import _SELECT, LIVE, ArticleQueries
from .base import in_chunks
from .rows import COLUMNS, row_article
from .subscribers import stamp, unstamp

HiddenState = Literal["dropped", "replaced", "gone"]
_HIDDEN = "(dropped_at IS NOT NULL OR replaced_by IS NOT NULL OR gone_at IS NOT NULL)"
_STATE = "dropped_at, dropped_note, replaced_by, replaced_at, gone_at"
# One file's reading: for each kind ("main", "teaser"), the article ids in line order.
Reading = dict[str, list[str]]
_UNKNOWN = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Hidden:
    """An article that is in the store but in no output, and why.

    A replaced article is shown as replaced even if it was dropped as well (the newer version
    is what the editor has to look at), a dropped one as dropped even if it is gone from its
    files too; `note` is the drop's note, if any.
    """

    article: Article
    state: HiddenState
    at: datetime
    note: str | None = None
    replaced_by: str | None = None


class RevisionQueries(ArticleQueries):
    """Dropping, restoring and replacing articles; the positions of each file's articles."""

    def drop(self, ids: Sequence[str], at: datetime, note: str | None = None) -> list[str]:
        """Take live or replaced articles out; return the ids that were not dropped before.

        An article dropped already keeps its first drop time and note.
        """
        changed = []
        for article_id in ids:
            cur = self._db.execute(
                "UPDATE articles SET dropped_at = ?, dropped_note = ? "
                "WHERE id = ? AND dropped_at IS NULL",
                (stamp(at), note, article_id),
            )
            if cur.rowcount:
                changed.append(article_id)
        return changed

    def restore(self, ids: Sequence[str]) -> list[str]:
        """Make articles live again (not dropped, replaced or gone); return those that were not."""
        changed = []
        for article_id in ids:
            cur = self._db.execute(
                "UPDATE articles SET dropped_at = NULL, dropped_note = NULL, replaced_by = NULL, "
                f"replaced_at = NULL, gone_at = NULL WHERE id = ? AND {_HIDDEN}",
                (article_id,),
            )
            if cur.rowcount:
                changed.append(article_id)
        return changed

    def replace(self, old_id: str, new_id: str, at: datetime) -> None:
        """Retract `old_id` in favour of its corrected version `new_id` (a drop stays as it is)."""
        if old_id == new_id:
            raise ValueError("an article cannot replace itself")
        self._db.execute(
            "UPDATE articles SET replaced_by = ?, replaced_at = ? WHERE id = ?",
            (new_id, stamp(at), old_id),
        )

    def unreplace(self, ids: Sequence[str]) -> None:
        """Clear the retraction of articles (a drop stays as it is)."""
        self._db.executemany(
            "UPDATE articles SET replaced_by = NULL, replaced_at = NULL WHERE id = ?",
            [(i,) for i in ids],
        )

    def mark_gone(self, ids: Sequence[str], at: datetime) -> list[str]:
        """Mark live articles as gone from their files; return those that were live."""
        changed = []
        for article_id in ids:
            cur = self._db.execute(
                f"UPDATE articles SET gone_at = ? WHERE id = ? AND {LIVE}",
                (stamp(at), article_id),
            )
            if cur.rowcount:
                changed.append(article_id)
        return changed

    def unmark_gone(self, ids: Iterable[str]) -> list[str]:
        """Articles seen in a file again: clear their gone mark; return those that had one."""
        rows = self._db.execute("SELECT id FROM articles WHERE gone_at IS NOT NULL")
        back = sorted({r[0] for r in rows}.intersection(ids))
        self._db.executemany(
            "UPDATE articles SET gone_at = NULL WHERE id = ?", [(i,) for i in back]
        )
        return back

    def forget_source(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remove the record that article `id` was seen in file `path`, for each (id, path)."""
        self._db.executemany("DELETE FROM sources WHERE article_id = ? AND path = ?", list(pairs))

    def unsourced(self, ids: Sequence[str]) -> list[str]:
        """Those of `ids` that no file or feed is recorded to hold any more."""
        found = []
        for chunk, marks in in_chunks(ids):
            rows = self._db.execute(
                f"SELECT id FROM articles WHERE id IN ({marks}) "
                "AND NOT EXISTS (SELECT 1 FROM sources WHERE article_id = articles.id)",
                chunk,
            )
            found += [r[0] for r in rows]
        return sorted(found)

    def reading_paths(self) -> list[str]:
        """Every file whose last reading is recorded."""
        return [r[0] for r in self._db.execute("SELECT DISTINCT path FROM file_positions")]

    def forget_readings(self, paths: Sequence[str]) -> None:
        """Forget the last readings of files that are no more."""
        self._db.executemany("DELETE FROM file_positions WHERE path = ?", [(p,) for p in paths])

    def hidden(self, ids: Sequence[str] | None = None) -> list[Hidden]:
        """Return the dropped and replaced articles (all, or those among `ids`), by date."""
        sql = f"{_SELECT.replace(' FROM', f', {_STATE} FROM', 1)} WHERE {_HIDDEN}"
        rows = []
        if ids is None:
            rows = self._db.execute(sql).fetchall()
        else:
            for chunk, marks in in_chunks(ids):
                rows += self._db.execute(f"{sql} AND id IN ({marks})", chunk).fetchall()
        sources = self._sources([r[0] for r in rows])
        found = [_hidden(row, sources.get(row[0], ())) for row in rows]
        return sorted(found, key=_by_date)

    def readings(self, paths: Sequence[str]) -> dict[str, Reading]:
        """Return how each of `paths` was read last: per kind, its article ids in line order."""
        found: dict[str, Reading] = {}
        for chunk, marks in in_chunks(paths):
            rows = self._db.execute(
                "SELECT path, kind, article_id FROM file_positions "
                f"WHERE path IN ({marks}) ORDER BY path, kind, ordinal",
                chunk,
            )
            for path, kind, article_id in rows:
                found.setdefault(path, {}).setdefault(kind, []).append(article_id)
        return found

    def set_readings(self, readings: Iterable[tuple[str, Reading]]) -> None:
        """Record how files were read now, replacing what was known of them (stored ids only;
        a path given twice: the last reading)."""
        latest = dict(readings)
        for chunk, marks in in_chunks(list(latest)):
            self._db.execute(f"DELETE FROM file_positions WHERE path IN ({marks})", chunk)
        self._db.executemany(
            "INSERT INTO file_positions (path, kind, ordinal, article_id) VALUES (?, ?, ?, ?)",
            (
                (path, kind, ordinal, article_id)
                for path, reading in latest.items()
                for kind, ids in sorted(reading.items())
                for ordinal, article_id in enumerate(ids, start=1)
            ),
        )


def _by_date(h: Hidden) -> tuple[bool, date, str, str]:
    a = h.article
    return (a.date is None, a.date or date.min, a.title, a.id)


def _hidden(row: Sequence[object], sources: tuple[Source, ...]) -> Hidden:
    n = len(COLUMNS)
    article = row_article(row[:n], sources)
    dropped_at, note, replaced_by, replaced_at, gone_at = row[n:]
    text = None if note is None else str(note)
    # A time is missing only if someone edited the store by hand: still list the article.
    if replaced_by is not None:
        return Hidden(article, "replaced", unstamp(replaced_at) or _UNKNOWN, text, str(replaced_by))
    if dropped_at is not None:
        return Hidden(article, "dropped", unstamp(dropped_at) or _UNKNOWN, text)
    return Hidden(article, "gone", unstamp(gone_at) or _UNKNOWN)
