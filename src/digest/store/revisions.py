"""SQL for the editor's hand on articles: dropped and replaced ones, and each file's last reading.

An article is *live* unless `digest drop` took it out (dropped_at, dropped_note) or a corrected
version retracts it (replaced_by, replaced_at). Hidden articles stay in the store, with their
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
from .articles import _COLUMNS, _SELECT, ArticleQueries, _article
from .subscribers import stamp, unstamp

HiddenState = Literal["dropped", "replaced"]
_HIDDEN = "(dropped_at IS NOT NULL OR replaced_by IS NOT NULL)"
_STATE = "dropped_at, dropped_note, replaced_by, replaced_at"
# One file's reading: for each kind ("main", "teaser"), the article ids in line order.
Reading = dict[str, list[str]]
_UNKNOWN = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Hidden:
    """An article that is in the store but in no output, and why.

    A replaced article is shown as replaced even if it was dropped as well (the newer version
    is what the editor has to look at); `note` is the drop's note, if any.
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
        """Make articles live again (neither dropped nor replaced); return those that were not."""
        changed = []
        for article_id in ids:
            cur = self._db.execute(
                "UPDATE articles SET dropped_at = NULL, dropped_note = NULL, "
                f"replaced_by = NULL, replaced_at = NULL WHERE id = ? AND {_HIDDEN}",
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

    def hidden(self, ids: Sequence[str] | None = None) -> list[Hidden]:
        """Return the dropped and replaced articles (all, or those among `ids`), by date."""
        sql = f"{_SELECT.replace(' FROM', f', {_STATE} FROM', 1)} WHERE {_HIDDEN}"
        rows = []
        if ids is None:
            rows = self._db.execute(sql).fetchall()
        else:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                rows += self._db.execute(
                    f"{sql} AND id IN ({', '.join('?' * len(chunk))})", chunk
                ).fetchall()
        sources = self._sources([r[0] for r in rows])
        found = [_hidden(row, sources.get(row[0], ())) for row in rows]
        return sorted(found, key=_by_date)

    def readings(self, paths: Sequence[str]) -> dict[str, Reading]:
        """Return how each of `paths` was read last: per kind, its article ids in line order."""
        found: dict[str, Reading] = {}
        for start in range(0, len(paths), 500):
            chunk = list(paths[start : start + 500])
            rows = self._db.execute(
                "SELECT path, kind, article_id FROM file_positions "
                f"WHERE path IN ({', '.join('?' * len(chunk))}) ORDER BY path, kind, ordinal",
                chunk,
            )
            for path, kind, article_id in rows:
                found.setdefault(path, {}).setdefault(kind, []).append(article_id)
        return found

    def set_readings(self, readings: Iterable[tuple[str, Reading]]) -> None:
        """Record how files were read now, replacing what was known of them (stored ids only)."""
        for path, reading in readings:
            self._db.execute("DELETE FROM file_positions WHERE path = ?", (path,))
            self._db.executemany(
                "INSERT INTO file_positions (path, kind, ordinal, article_id) VALUES (?, ?, ?, ?)",
                [
                    (path, kind, ordinal, article_id)
                    for kind, ids in sorted(reading.items())
                    for ordinal, article_id in enumerate(ids, start=1)
                ],
            )


def _by_date(h: Hidden) -> tuple[bool, date, str, str]:
    a = h.article
    return (a.date is None, a.date or date.min, a.title, a.id)


def _hidden(row: Sequence[object], sources: tuple[Source, ...]) -> Hidden:
    n = len(_COLUMNS)
    article = _article(row[:n], sources)
    dropped_at, note, replaced_by, replaced_at = row[n:]
    text = None if note is None else str(note)
    # A time is missing only if someone edited the store by hand: still list the article.
    at = unstamp(replaced_at if replaced_by is not None else dropped_at) or _UNKNOWN
    if replaced_by is not None:
        return Hidden(article, "replaced", at, text, str(replaced_by))
    return Hidden(article, "dropped", at, text)
