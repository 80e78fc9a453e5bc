"""Look-alike notices: a new article whose title and date are close to another live one's
(near_duplicates.py has the measure; the editor decides, nothing is merged).

The notices speak of the store as the run leaves it, so the plain way is to search after
the run's writes (`near_duplicate_notices`). On a big run that search is a second or two of
pure computation while the other core idles, and the writes before it are as long again.
So from FORK_FROM new articles on, `LookAlikes.start` searches in a child process *during*
the writes, over a superset of what the writes leave live:

- the subjects are all new dated articles of the run, live or not;
- the pool is every article live before the writes in the dates concerned, with the run's
  own versions in place of theirs (a run only makes live what it read: post-write live
  articles are a subset of the two).

`LookAlikes.notices`, after the writes, keeps the pairs whose two articles are both live
now. near_duplicates pairs each subject with every close title among the pool and the
subjects before it, and the pool keeps the store's order (date, id), so dropping articles
from both sides drops exactly their pairs: the notices are the ones the plain search gives,
in the same order (a test holds the two side by side).
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from multiprocessing.connection import Connection

from ..models import Article, Problem, Source
from ..near_duplicates import NearDuplicate, Titled, near_duplicates
from ..store import Store
from .reading import ignore_sigint

FORK_FROM = 2000  # new dated articles from which the search runs beside the writes
_Pairs = list[tuple[str, str, float]]  # (new article's id, the other's id, ratio)


def near_duplicate_notices(
    store: Store, new: Sequence[Article], seen_at: Mapping[str, Source]
) -> list[Problem]:
    """A notice for each new live article whose title and date are close to another's."""
    dated = [a for a in new if a.date is not None]
    if not dated:
        return []
    pool = [Titled(i, title, day) for i, title, day in store.live_titles(_days(dated), spread=1)]
    live = {t.id for t in pool}
    subjects = [Titled(a.id, a.title, a.date) for a in dated if a.id in live and a.date]
    return [_notice(pair, seen_at) for pair in near_duplicates(subjects, pool)]


class LookAlikes:
    """The look-alike search of one run: started before its writes, read after them."""

    def __init__(self, new: Sequence[Article]) -> None:
        self._new = list(new)
        self._forked = False
        self._before: dict[str, Titled] = {}  # the live articles before the writes
        self._run: Mapping[str, Article] = {}  # the run's articles by id
        self._child: mp.process.BaseProcess | None = None
        self._pipe: Connection | None = None

    @classmethod
    def start(
        cls,
        store: Store,
        new: Sequence[Article],
        run: Mapping[str, Article],
        *,
        fork_from: int | None = None,
    ) -> LookAlikes:
        """Begin the search for `new` (the run's new articles) among the live articles and
        `run` (every article the run will write or keep, by id). Below `fork_from` new
        dated articles (default FORK_FROM), or where processes cannot fork, nothing starts
        now: `notices` searches after the writes."""
        search = cls(new)
        least = FORK_FROM if fork_from is None else fork_from
        dated = sum(1 for a in new if a.date is not None)
        if dated and dated >= least and "fork" in mp.get_all_start_methods():
            live = store.live_titles(_days(new), spread=1)
            search._before = {i: Titled(i, title, day) for i, title, day in live}
            search._run = run
            search._forked = True
            search._fork()
        return search

    def _search(self) -> _Pairs:
        """The pairs over the superset (see the module docstring), as ids and ratios."""
        subjects = [Titled(a.id, a.title, a.date) for a in self._new if a.date is not None]
        pool = dict(self._before)
        pool.update((a.id, Titled(a.id, a.title, a.date)) for a in self._run.values() if a.date)
        pool.update((t.id, t) for t in subjects)
        ordered = sorted(pool.values(), key=_order)
        return [(p.article.id, p.other.id, p.ratio) for p in near_duplicates(subjects, ordered)]

    def _titled(self, article_id: str) -> Titled:
        article = self._run.get(article_id)
        if article is None or article.date is None:
            return self._before[article_id]
        return Titled(article.id, article.title, article.date)

    def _fork(self) -> None:
        """Search in a forked child, which has the run's articles without a copy."""
        ctx = mp.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_in_child, args=(send, self), daemon=True)
        # As in reading.read_all: Ctrl-C reaches the whole process group, and only the
        # parent may act on it, so the child is forked with SIGINT blocked and ignores it.
        main = threading.current_thread() is threading.main_thread()
        if main:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            child.start()
        finally:
            if main:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            send.close()  # the child holds the only writing end: its death ends the pipe
        self._child, self._pipe = child, receive

    def notices(self, store: Store, seen_at: Mapping[str, Source]) -> list[Problem]:
        """The notices, from the store as the writes left it."""
        if not self._forked:
            return near_duplicate_notices(store, self._new, seen_at)
        pairs = self._pairs()
        live = store.live_ids(_days(self._new), spread=1)
        titled = self._titled
        return [
            _notice(NearDuplicate(titled(a), titled(b), ratio), seen_at)
            for a, b, ratio in pairs
            if a in live and b in live
        ]

    def _pairs(self) -> _Pairs:
        pairs: _Pairs | None = None
        if self._pipe is not None:
            try:
                pairs = self._pipe.recv()
            except (EOFError, OSError):  # the child died (killed, out of memory)
                pairs = None
        self._reap(wait=True)
        if pairs is None:  # search here, over the same subjects and pool
            pairs = self._search()
        return pairs

    def __enter__(self) -> LookAlikes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the child at once, if it still searches, and reap it."""
        self._reap(wait=False)

    def _reap(self, *, wait: bool) -> None:
        child, pipe = self._child, self._pipe
        self._child = self._pipe = None
        if pipe is not None:
            pipe.close()
        if child is not None:
            if wait:
                child.join(timeout=5.0)  # it exits right after sending
            if child.is_alive():
                child.terminate()
            child.join()


def _in_child(send: Connection, search: LookAlikes) -> None:
    """In the child: search, send the pairs (the parent has the titles), exit."""
    ignore_sigint()
    send.send(search._search())
    send.close()


def _days(articles: Sequence[Article]) -> set[date]:
    return {a.date for a in articles if a.date is not None}


def _order(titled: Titled) -> tuple[date, str]:
    return titled.date, titled.id


def _notice(pair: NearDuplicate, seen_at: Mapping[str, Source]) -> Problem:
    a, other = pair.article, pair.other
    source = seen_at.get(a.id)
    return Problem(
        source.path if source else "",
        source.line if source else None,
        f'new article {a.id} "{a.title}" ({a.date.isoformat()}) looks like '
        f'{other.id} "{other.title}" ({other.date.isoformat()})',
        "if they are the same story, `digest drop ID` the one to hide",
    )
