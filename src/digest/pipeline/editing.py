"""The editor's hand on stored articles: take them out, put them back, replace them with a
corrected version, and list what is hidden.

Hidden articles stay in the store with their sources: a build leaves them out of every
email, page and feed, and ingesting their files again neither adds them back nor counts
them as new. Articles are named by id or by a unique prefix of it (at least MIN_PREFIX
characters), as `digest articles` shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ..classify import Classifier
from ..config import Config
from ..errors import UsageError
from ..models import Article
from ..store import Hidden, Query, Store
from . import IngestSummary, ingest, open_store
from .reading import Input, job_of, kind_of, read_input

Clock = Callable[[], datetime]
MIN_PREFIX = 4
_SHOWN = 10  # candidates listed for an ambiguous prefix

Action = Literal[
    "dropped",
    "already dropped",
    "restored",
    "not hidden",
    "replaced",
    "already replaced",
]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one article; `detail` says more where there is more to say."""

    article: Article
    action: Action
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Replacement:
    """The outcome of `replace`: the old version, the new one, and the ingest of the file."""

    old: Outcome
    new: Article
    ingest: IngestSummary
    new_state: Hidden | None  # the new version is itself hidden (dropped along with the old)


@dataclass(frozen=True, slots=True)
class Excluded:
    """An [exclude] entry of config.toml (`ref`: an id or a URL) and the article it matches."""

    ref: str
    reason: str
    article: Article | None  # None: no stored article has this id or URL


def drop(
    cfg: Config, refs: Sequence[str], note: str | None = None, now: Clock = utc_now
) -> list[Outcome]:
    """Take articles out of every output; they stay in the store (see `restore`)."""
    note = (note or "").strip() or None
    with open_store(cfg) as store, store.transaction():
        articles = _resolve(store, refs)
        changed = set(store.drop([a.id for a in articles], now(), note))
        states = _states(store, articles)
        out = []
        for a in articles:
            if a.id in changed:
                out.append(Outcome(a, "dropped", note))
            else:
                state = states[a.id]
                out.append(Outcome(a, "already dropped", _since(state)))
        return out


def restore(cfg: Config, refs: Sequence[str]) -> list[Outcome]:
    """Bring dropped or replaced articles back into the outputs."""
    with open_store(cfg) as store, store.transaction():
        articles = _resolve(store, refs)
        states = _states(store, articles)
        changed = set(store.restore([a.id for a in articles]))
        out = []
        for a in articles:
            state = states.get(a.id)
            if a.id in changed and state is not None:
                was = (
                    f"was replaced by {state.replaced_by}"
                    if state.replaced_by
                    else f"was dropped on {state.at.date().isoformat()}"
                )
                out.append(Outcome(a, "restored", was))
            else:
                out.append(Outcome(a, "not hidden", "it is live; nothing to restore"))
        return out


def replace(cfg: Config, old_ref: str, new_file: Path, now: Clock = utc_now) -> Replacement:
    """Ingest a file holding the corrected version of an article and retract the old one.

    The file must hold exactly one article, a main article, with another id than the old
    one (a different title or date); if it does not, or it has a problem, nothing is stored.
    A story the editor dropped stays dropped in its new version.
    """
    with open_store(cfg) as store:
        old = _resolve(store, [old_ref])[0]
        new = _read_one(cfg, new_file)
        if new.id == old.id:
            raise UsageError(
                f"{new_file}: the file holds the same version (same title and date) as {old.id}",
                "correct the title or the date in the file; for other changes, just ingest it",
            )
        known = _states(store, [new]).get(new.id)
        if known is not None and known.replaced_by not in (None, old.id):
            raise UsageError(
                f"{new_file} holds {new.id}, which is itself replaced by {known.replaced_by}",
                f"`digest restore {new.id}` first if this version is the right one",
            )
    at = now()
    summary = ingest(cfg, [new_file], strict=True, now=lambda: at)
    if summary.stopped:
        raise UsageError(
            f"cannot use {new_file}: "
            + "; ".join(str(p) for p in summary.problems[:3])
            + (f" (and {len(summary.problems) - 3} more)" if len(summary.problems) > 3 else ""),
            "fix the file and run `digest replace` again; nothing was stored",
        )
    # The new version looks like the old one, of course: that pair is no news to the editor.
    summary.notices = [n for n in summary.notices if old.id not in n.message]
    with open_store(cfg) as store, store.transaction():
        states = _states(store, [old, new])
        old_state, new_state = states.get(old.id), states.get(new.id)
        if (old.id, new.id) in summary.retracted:  # the file was F itself, edited in place
            outcome = Outcome(old, "replaced")
        elif old_state is not None and old_state.replaced_by == new.id:
            outcome = Outcome(old, "already replaced", f"by {new.id}")
        else:
            if new_state is not None and new_state.replaced_by == old.id:
                store.unreplace([new.id])  # edited back to an earlier version
            store.replace(old.id, new.id, at)
            was = None
            if old_state is not None and old_state.replaced_by:
                was = f"was replaced by {old_state.replaced_by}"
            outcome = Outcome(old, "replaced", was)
            stored_before = summary.new == 0
            if old_state is not None and old_state.state == "dropped" and not stored_before:
                store.drop([new.id], at, old_state.note)
        stored = store.get(new.id) or new
        hidden = {h.article.id: h for h in store.hidden([new.id])}.get(new.id)
    return Replacement(outcome, stored, summary, hidden)


def hidden(cfg: Config) -> list[Hidden]:
    """Return the dropped and replaced articles, by date."""
    with open_store(cfg) as store:
        return store.hidden()


def excluded(cfg: Config) -> list[Excluded]:
    """Return the [exclude] entries of config.toml with the stored articles they match."""
    if not cfg.exclude:
        return []
    with open_store(cfg) as store:
        refs = sorted(cfg.exclude)
        by_id = store.get_many(refs)
        by_url = store.ids_with_urls([r for r in refs if r not in by_id])
        found = store.get_many(sorted({i for ids in by_url.values() for i in ids}))
    out: list[Excluded] = []
    for ref in refs:
        reason = cfg.exclude[ref]
        if ref in by_id:
            out.append(Excluded(ref, reason, by_id[ref]))
        elif ref in by_url:
            out.extend(Excluded(ref, reason, found[i]) for i in by_url[ref] if i in found)
        else:
            out.append(Excluded(ref, reason, None))
    return out


def hidden_in(cfg: Config, query: Query) -> list[Hidden]:
    """Return the hidden articles of one week and/or topic (or all)."""
    return [
        h
        for h in hidden(cfg)
        if (query.iso_week is None or str(h.article.iso_week) == query.iso_week)
        and (query.topic is None or h.article.topic == query.topic)
    ]


def _resolve(store: Store, refs: Sequence[str]) -> list[Article]:
    """Find the article of each ref (id or unique prefix); in the given order, once each."""
    ids: dict[str, None] = {}
    for ref in refs:
        ids[_resolve_id(store, ref)] = None
    found = store.get_many(list(ids))
    return [found[i] for i in ids]


def _resolve_id(store: Store, ref: str) -> str:
    key = ref.strip().lower()
    if len(key) < MIN_PREFIX:
        raise UsageError(
            f"article id {ref!r} is too short",
            f"type at least {MIN_PREFIX} characters of the id (see `digest articles` for ids)",
        )
    ids = store.find_ids(key)
    if not ids:
        raise UsageError(
            f"no article with id {ref!r}",
            "see `digest articles` for ids (`digest articles --dropped` for hidden ones)",
        )
    if len(ids) > 1:
        articles = store.get_many(ids[:_SHOWN])
        lines = [f"  {i}  {_label(articles[i])}" for i in ids[:_SHOWN] if i in articles]
        more = len(ids) - _SHOWN
        if more > 0:
            lines.append(f"  … and {more} more")
        raise UsageError(
            f"{ref!r} matches {len(ids)} articles:\n" + "\n".join(lines),
            "type more of the id",
        )
    return ids[0]


def _label(a: Article) -> str:
    day = a.date.isoformat() if a.date else "undated"
    head = f"{a.kicker}: {a.title}" if a.kicker else a.title
    return f"{day}  {head}"


def _states(store: Store, articles: Sequence[Article]) -> dict[str, Hidden]:
    return {h.article.id: h for h in store.hidden([a.id for a in articles])}


def _since(state: Hidden) -> str:
    text = f"since {state.at.date().isoformat()}"
    return f"{text}: {state.note}" if state.note else text


def _read_one(cfg: Config, path: Path) -> Article:
    """Read the file of `replace` and return its one article, or say what is wrong."""
    if not path.exists():
        raise UsageError(f"{path} does not exist", "check the path of the corrected file")
    if path.is_dir():
        raise UsageError(
            f"{path} is a folder", "name the one file that holds the corrected article"
        )
    # A page dump, a Markdown note or a saved feed of one entry, judged by the extension.
    job = job_of(cfg, Classifier(cfg.rules))
    result = read_input(Input(str(path), kind_of(path)), job)
    mains = [a for a in result.articles if a.kind == "main"]
    teasers = len(result.articles) - len(mains)
    if len(mains) == 1 and not teasers:
        return mains[0]
    if not result.articles:
        what = "no article" + (f" ({result.problems[0].message})" if result.problems else "")
    else:
        parts = [f"{len(mains)} main article{'s' if len(mains) != 1 else ''}"]
        if teasers:
            parts.append(f"{teasers} teaser{'s' if teasers != 1 else ''}")
        what = " and ".join(parts)
    raise UsageError(
        f"{path}: expected exactly one article (a main article), found {what}",
        "put only the corrected article into the file (a page's teasers are ingested "
        "with `digest ingest`); nothing was stored",
    )
