"""What ingest learns from comparing a run with the store: corrected articles and vanished
ones. Both run inside ingest's transaction, after the run's articles are written
(look-alikes: lookalikes.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from difflib import SequenceMatcher

from ..models import Article
from ..near_duplicates import similar_titles
from ..store import Hidden, Reading, Store

# Two versions whose texts (lead, teaser, body) are this alike tell the same story.
SAME_TEXT = 0.8


def reading_of(articles: Iterable[Article], alias: Mapping[str, str] | None = None) -> Reading:
    """How one file reads: per kind ("main", "teaser"), its article ids in line order; an id
    in `alias` (folded into another story) is read as the one it became."""
    lines: dict[str, list[tuple[int, str]]] = {}
    alias = alias or {}
    for a in articles:
        line = a.sources[0].line if a.sources else 0
        lines.setdefault(a.kind, []).append((line, alias.get(a.id, a.id)))
    return {kind: [i for _, i in sorted(found, key=_line)] for kind, found in lines.items()}


def _line(entry: tuple[int, str]) -> int:
    return entry[0]


def retract_corrected(
    store: Store,
    files: Sequence[tuple[str, Reading]],
    current: Mapping[str, Article],
    before: Mapping[str, Article],
    at: datetime,
) -> list[tuple[str, str]]:
    """Retract the old versions of articles that a re-read file now holds in a corrected form.

    `files` are the files read in this run (path as stored in sources, and how it reads now),
    `current` every article of the run by id as now stored, `before` those of them that were
    stored before the run. Returns (old id, new id) per retraction.

    A file's articles are compared with its last reading kind by kind, by place rather than by
    line, so lines added above do not matter: the two id sequences are aligned
    (difflib.SequenceMatcher), and where a stretch of k old ids faces a stretch of k new ids,
    the i-th old is paired with the i-th new (a stretch of another length, an insertion or a
    deletion pairs nothing). The old version O of a pair (O, N) is retracted, replaced_by N, only if

    1. O is not among the articles read in this run: a story still in the file at another
       place, or moved to another file, was not corrected;
    2. N was not in the file's last reading (it moved up, it is not a new version);
    3. every file O was ever seen in was read in this run. This is the teaser-and-full-article
       case (ingest.merge): O may be the full article on page G and a teaser on page F. If
       only F is re-read with a corrected teaser, G still carries O, so O stays (and the near-
       duplicate notice points at the pair); if G was re-read too and no longer has O, O is
       retracted. The same holds for the same teaser block on two pages;
    4. O and N tell the same story: similar titles (near_duplicates.similar_titles) or nearly
       the same text (SAME_TEXT). A file overwritten with another page, or a teaser block
       that moved on to other news, retracts nothing;
    5. O is not retracted already (a retraction is never changed by ingest; a retracted
       article seen again later stays retracted). If N itself was retracted in favour of O,
       the file was edited back: N is made live again and O retracted. If N was retracted in
       favour of a third version, nothing changes.

    A correction of an article the editor dropped keeps the story dropped: N, when it is new
    in this run, is dropped too, with O's note.
    """
    previous = store.readings([path for path, _ in files])
    read = {path for path, _ in files}
    candidates: list[tuple[str, str]] = []
    for path, now in files:
        last = previous.get(path, {})
        known = {i for ids in last.values() for i in ids}
        for kind in sorted(set(last) | set(now)):
            for old_id, new_id in _paired(last.get(kind, []), now.get(kind, [])):
                if old_id not in current and new_id not in known:  # rules 1 and 2
                    candidates.append((old_id, new_id))
    if not candidates:
        return []
    olds = store.get_many(sorted({old for old, _ in candidates}))
    states = {h.article.id: h for h in store.hidden(sorted({i for p in candidates for i in p}))}
    done: list[tuple[str, str]] = []
    retracted: set[str] = set()
    for old_id, new_id in candidates:
        old, new = olds.get(old_id), current[new_id]
        if old is None or old_id in retracted:
            continue
        if not all(s.path in read for s in old.sources) or not same_story(old, new):
            continue  # rules 3 and 4
        old_state, new_state = states.get(old_id), states.get(new_id)
        if old_state is not None and old_state.replaced_by is not None:
            continue  # rule 5
        if new_state is not None and new_state.replaced_by is not None:
            if new_state.replaced_by != old_id:
                continue
            store.unreplace([new_id])
        store.replace(old_id, new_id, at)
        if _dropped(old_state) and new_id not in before:
            store.drop([new_id], at, old_state.note if old_state else None)
        retracted.add(old_id)
        done.append((old_id, new_id))
    return done


def retire_vanished(
    store: Store,
    files: Sequence[tuple[str, Reading]],
    deleted: Sequence[str],
    retracted: Iterable[str],
    at: datetime,
) -> list[str]:
    """Take out the articles that vanished from their files; return their ids.

    `files` are the files read in this run with how they read now, `deleted` the files of a
    configured source that are no more, `retracted` the old versions this run replaced. An
    article that stood in a file's last reading and no longer does (or whose file is gone)
    loses that file as a source; if no file and no feed holds it any more, it is marked
    gone (store.mark_gone) and leaves every output. A corrected version is not gone (it is
    replaced), and the same story still told by another file or a feed stays live.
    """
    before = store.readings([path for path, _ in files] + list(deleted))
    now = dict(files)
    lost: list[tuple[str, str]] = []
    for path, reading in sorted(before.items()):
        had = {i for ids in reading.values() for i in ids}
        has = {i for ids in now.get(path, {}).values() for i in ids}
        lost += [(article_id, path) for article_id in sorted(had - has)]
    store.forget_readings(list(deleted))
    if not lost:
        return []
    store.forget_source(lost)
    candidates = sorted({article_id for article_id, _ in lost} - set(retracted))
    return store.mark_gone(store.unsourced(candidates), at)


def _dropped(state: Hidden | None) -> bool:
    return state is not None and state.state == "dropped"


def _paired(old: Sequence[str], new: Sequence[str]) -> Iterator[tuple[str, str]]:
    """Pair the ids that stand at the same place in two readings of one file's kind."""
    if old == new:
        return
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            yield from zip(old[i1:i2], new[j1:j2], strict=True)


def same_story(old: Article, new: Article) -> bool:
    """Tell whether two versions tell one story: a similar title or nearly the same text."""
    if similar_titles(old.title, new.title):
        return True
    a, b = _text(old), _text(new)
    if not a or not b:
        return False
    if a == b:
        return True
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= SAME_TEXT and matcher.ratio() >= SAME_TEXT


def _text(a: Article) -> str:
    return " ".join(p for p in (a.lead, a.teaser, *a.body) if p)
