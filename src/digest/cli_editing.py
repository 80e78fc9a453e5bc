"""Command-line shell for the archive's articles: `digest articles`, `drop`, `restore`,
`replace`.

Every command names articles by id or a unique prefix of it (at least four characters) and
prints one line per article: its id, what happened, and its title.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import pipeline
from .config import Config
from .errors import DigestError
from .models import Article
from .pipeline import editing
from .store import Hidden, Query
from .weeks import IsoWeek

EXIT_USAGE = 2
Common = Callable[[], argparse.ArgumentParser]


def add_commands(sub: Any, common: Common) -> None:
    """Register `articles`, `drop`, `restore` and `replace` on the main parser's subcommands."""
    p = sub.add_parser("articles", parents=[common()], help="list stored articles")
    p.add_argument("--week", type=_week, help="only this ISO week, e.g. 2019-W38")
    p.add_argument("--topic", help="only this topic key, e.g. policy")
    p.add_argument("--json", action="store_true", help="print every field as JSON")
    p.add_argument(
        "--dropped",
        action="store_true",
        help="list the hidden articles instead: dropped, replaced, excluded in config.toml",
    )
    p.set_defaults(handler=_articles)

    p = sub.add_parser(
        "drop", parents=[common()], help="take articles out of every email, page and feed"
    )
    p.add_argument("ids", nargs="+", metavar="ID", help="article id (or a unique prefix)")
    p.add_argument("--note", help="why (shown by `digest articles --dropped`)")
    p.set_defaults(handler=_drop)

    p = sub.add_parser(
        "restore", parents=[common()], help="bring dropped or replaced articles back"
    )
    p.add_argument("ids", nargs="+", metavar="ID", help="article id (or a unique prefix)")
    p.set_defaults(handler=_restore)

    p = sub.add_parser(
        "replace",
        parents=[common()],
        help="ingest a file with the corrected version of an article and retract the old one",
    )
    p.add_argument("old", metavar="OLD_ID", help="id (or a unique prefix) of the old version")
    p.add_argument("file", type=Path, metavar="NEW_FILE", help="a file holding only the new one")
    p.set_defaults(handler=_replace)


def _week(text: str) -> str:
    try:
        return str(IsoWeek.parse(text))
    except DigestError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _head(a: Article) -> str:
    return f"{a.kicker}: {a.title}" if a.kicker else a.title


def _line(a: Article, what: str) -> str:
    return f"{a.id}  {what:<34}  {_head(a)}"


def _drop(cfg: Config, args: argparse.Namespace) -> int:
    for outcome in editing.drop(cfg, args.ids, args.note):
        what = outcome.action + (f" ({outcome.detail})" if outcome.detail else "")
        print(_line(outcome.article, what))
    return 0


def _restore(cfg: Config, args: argparse.Namespace) -> int:
    for outcome in editing.restore(cfg, args.ids):
        if outcome.action == "restored":
            what = f"restored ({outcome.detail})" if outcome.detail else "restored"
        else:
            what = "not hidden: already live"
        print(_line(outcome.article, what))
    return 0


def _replace(cfg: Config, args: argparse.Namespace) -> int:
    done = editing.replace(cfg, args.old, args.file)
    old, new = done.old, done.new
    if old.action == "already replaced":
        print(_line(old.article, f"already replaced by {new.id}"))
    else:
        print(_line(old.article, f"replaced by {new.id}"))
    summary = done.ingest
    stored = "new" if summary.new else "updated" if summary.updated else "already stored"
    state = ""
    if done.new_state is not None:
        state = f"; {done.new_state.state}, `digest restore {new.id}` to show it"
    print(_line(new, f"{stored}, the current version{state}"))
    for notice in summary.notices:
        print(f"notice: {notice}", file=sys.stderr)
    return 0


def _articles(cfg: Config, args: argparse.Namespace) -> int:
    if args.topic and args.topic not in cfg.rules.order:
        print(
            f"digest: error: unknown topic {args.topic!r}; "
            f"choose one of: {', '.join(cfg.rules.order)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    query = Query(iso_week=args.week, topic=args.topic)
    if args.dropped:
        return _dropped(cfg, query, args.json)
    articles = pipeline.list_articles(cfg, query)
    if args.json:
        json.dump(
            [article_json(a, cfg) for a in articles], sys.stdout, ensure_ascii=False, indent=1
        )
        print()
        return 0
    for a in articles:
        day = a.date.isoformat() if a.date else "undated   "
        week = str(a.iso_week) if a.iso_week else "--------"
        head = f"{a.kicker}: {a.title}" if a.kicker else a.title
        print(f"{a.id}  {day}  {week}  {a.topic:<12}  {head}")
    sys.stdout.flush()
    print(f"{len(articles)} article{'s' if len(articles) != 1 else ''}", file=sys.stderr)
    return 0


def _dropped(cfg: Config, query: Query, as_json: bool) -> int:
    """List the hidden articles, then those excluded by [exclude] in config.toml."""
    hidden = editing.hidden_in(cfg, query)
    excluded = [
        e
        for e in editing.excluded(cfg)
        if e.article is None
        or (
            (query.iso_week is None or str(e.article.iso_week) == query.iso_week)
            and (query.topic is None or e.article.topic == query.topic)
        )
    ]
    if as_json:
        rows = [_hidden_json(h, cfg) for h in hidden]
        rows += [
            {
                **(article_json(e.article, cfg) if e.article else {"id": None}),
                "state": "excluded",
                "excluded_by": e.ref,
                "note": e.reason,
            }
            for e in excluded
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for h in hidden:
        a = h.article
        state = f"replaced → {h.replaced_by}" if h.replaced_by else h.state
        if h.state == "gone":
            state = "gone from its files"
        note = f"  ({h.note})" if h.note else ""
        print(f"{a.id}  {_day(a)}  {state:<28}  {_head(a)}{note}")
    for e in excluded:
        if e.article is None:
            print(
                f"{'-' * 16}  {'-' * 10}  {'excluded in config.toml':<28}  "
                f"{e.ref} matches no stored article  ({e.reason})"
            )
        else:
            a = e.article
            print(f"{a.id}  {_day(a)}  {'excluded in config.toml':<28}  {_head(a)}  ({e.reason})")
    sys.stdout.flush()
    count = len(hidden) + sum(1 for e in excluded if e.article is not None)
    print(f"{count} hidden article{'s' if count != 1 else ''}", file=sys.stderr)
    return 0


def _day(a: Article) -> str:
    return a.date.isoformat() if a.date else "undated   "


def _hidden_json(h: Hidden, cfg: Config) -> dict[str, Any]:
    return {
        **article_json(h.article, cfg),
        "state": h.state,
        "hidden_at": h.at.isoformat(),
        "note": h.note,
        "replaced_by": h.replaced_by,
    }


def article_json(a: Article, cfg: Config) -> dict[str, Any]:
    """Return every field of an article as JSON-ready data."""
    c = a.classification
    return {
        "id": a.id,
        "kind": a.kind,
        "format": a.format,
        "kicker": a.kicker,
        "title": a.title,
        "label": a.label,
        "date": a.date.isoformat() if a.date else None,
        "iso_week": str(a.iso_week) if a.iso_week else None,
        "lead": a.lead,
        "summary": a.summary,
        "teaser": a.teaser,
        "caption": a.caption,
        "body": list(a.body),
        "author": a.author,
        "place": a.place,
        "urls": list(a.urls),
        "keywords": list(a.keywords),
        "image_credit": a.image_credit,
        "section": a.section,
        "topic": c.topic,
        "topic_label": cfg.rules.label(c.topic),
        "scores": dict(c.scores),
        "matched_terms": [
            {
                "topic": m.topic,
                "term": m.term,
                "field": m.field,
                "count": m.count,
                "points": m.points,
                "modifier": m.modifier,
            }
            for m in c.matches
        ],
        "override": c.override,
        "sources": [{"path": s.path, "line": s.line, "kind": s.kind} for s in a.sources],
    }
