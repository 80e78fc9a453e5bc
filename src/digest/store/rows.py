"""An article as a row of the articles table, and back: the columns, their JSON, the codec.

No SQL here; articles.py and revisions.py run the statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import orjson

from ..models import Article, Classification, Source, match_of

COLUMNS = (
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
    "html",
    "editor_topic",
    "own_url",  # derived (models.Article.own_url), for the look-up; not read back
)


def _json(value: object) -> str:
    """JSON text of a list or dict column: orjson, 3.5 times as fast as json.dumps, which
    took a third of the time to store an article (five columns each). Its text is UTF-8
    without spaces; json.loads and orjson.loads read both it and rows written before."""
    return orjson.dumps(value).decode()


def classification_row(c: Classification) -> tuple[str, str, str, str | None]:
    matches = [[m.topic, m.term, m.field, m.count, m.points, m.modifier] for m in c.matches]
    return (
        c.topic,
        _json(dict(c.scores)),
        _json(matches),
        c.override,
    )


def article_row(a: Article) -> tuple[object, ...]:
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
        _json(list(a.body)),
        a.author,
        a.place,
        _json(list(a.urls)),
        _json(list(a.keywords)),
        a.image_credit,
        a.section,
        *classification_row(a.classification),
        a.html,
        a.editor_topic,
        a.own_url,
    )


def row_article(row: Sequence[object], sources: tuple[Source, ...]) -> Article:
    r = dict(zip(COLUMNS, row, strict=True))
    matches = tuple(
        match_of(str(t), str(term), str(f), int(n), float(p), bool(mod))
        for t, term, f, n, p, mod in orjson.loads(str(r["matches"]))
    )
    classification = Classification(
        topic=str(r["topic"]),
        scores=tuple((k, float(v)) for k, v in orjson.loads(str(r["scores"])).items()),
        matches=matches,
        override=r["override"] if r["override"] is None else str(r["override"]),
    )
    text = {k: (None if r[k] is None else str(r[k])) for k in COLUMNS}
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
        body=tuple(orjson.loads(str(r["body"]))),
        author=text["author"],
        place=text["place"],
        urls=tuple(orjson.loads(str(r["urls"]))),
        keywords=tuple(orjson.loads(str(r["keywords"]))),
        image_credit=text["image_credit"],
        section=text["section"],
        html=text["html"],
        editor_topic=text["editor_topic"],
        sources=sources,
        classification=classification,
    )
