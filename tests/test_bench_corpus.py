"""bench/corpus/, the synthetic benchmark corpus: real ingest through digest, small sizes.

Every generated story is new and none is folded into another; the dates fill exactly the
asked-for ISO weeks; both raw formats, teasers, CRLF files and no-break spaces are there; the
same seed gives the same bytes; and the classifier puts most stories in their intended topic.
No timing is asserted here (bench/harness.py measures).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

from digest import pipeline
from digest.classify import Classifier
from digest.config import Config
from digest.ingest import text_p
from digest.normalise import fold_words
from digest.store import Query
from digest.weeks import IsoWeek

from .conftest import ROOT

END = date(2026, 1, 25)  # generate's default end: a Sunday, 2026-W04


def _load() -> ModuleType:
    """bench/ is no package: load bench/corpus/ under a name of its own."""
    package = ROOT / "bench" / "corpus"
    spec = importlib.util.spec_from_file_location(
        "bench_corpus", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


corpus = _load()


def weeks_ending(end: date, weeks: int) -> list[str]:
    return [str(IsoWeek.of(end - timedelta(weeks=i))) for i in reversed(range(weeks))]


def side_rows(folder: Path) -> list[dict[str, str]]:
    side = json.loads((folder / corpus.SIDE_FILE).read_text("utf-8"))
    return [dict(zip(side["fields"], row, strict=True)) for row in side["stories"]]


def test_the_corpus_ingests_cleanly_as_so_many_new_stories(cfg: Config, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    made = corpus.generate(folder, 600, 10)
    assert made.articles == 600 and sum(made.topics.values()) == 600
    assert set(made.topics) == {"partnerships", "congresses", "policy", "other"}
    assert all(120 <= n <= 180 for n in made.topics.values()), made.topics

    summary = pipeline.ingest(cfg, [folder])

    assert summary.problems == []
    assert summary.new == made.articles == 600
    assert (summary.duplicate, summary.updated, summary.unchanged) == (0, 0, 0)
    assert summary.files_read == made.files == len(list(folder.glob("*.txt")))
    assert [week for week, _ in summary.weeks] == weeks_ending(END, 10)
    first_monday = IsoWeek.parse(weeks_ending(END, 10)[0]).monday
    assert first_monday <= made.first_day and made.last_day <= END

    stored = pipeline.list_articles(cfg, Query())
    assert {a.format for a in stored} == {"K", "P"}
    kinds = Counter(a.kind for a in stored)
    assert kinds["teaser"] > kinds["main"] > 0
    assert {a.title for a in stored} == set(corpus.intended_topics(folder))


def test_the_files_look_like_the_real_sources(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    made = corpus.generate(folder, 600, 10)
    names = sorted(p.name for p in folder.glob("*.txt"))
    pages = [n for n in names if n.startswith("k")]
    releases = [n for n in names if n.startswith("p")]
    assert pages and releases and len(releases) < len(pages) / 3  # about one per six pages
    data = [(folder / n).read_bytes() for n in names]
    assert any(b"\r\n" in d for d in data) and any(b"\r\n" not in d for d in data)
    assert any("\u00a0".encode() in d for d in data)

    rows = side_rows(folder)
    assert len(rows) == made.articles
    # No two stories share a title, however digest normalises it.
    assert len({fold_words(r["title"]) for r in rows}) == len(rows)
    by_file: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_file[row["file"]].append(row)
    for name in pages:
        main, *teasers = by_file[name]
        assert main["kind"] == "main" and all(t["kind"] == "teaser" for t in teasers)
        last = name == names[-1]
        assert 3 <= len(teasers) <= 6 or (last and len(teasers) < 3), name
        day = date.fromisoformat(main["date"])
        for teaser in teasers:
            before = day - date.fromisoformat(teaser["date"])
            assert timedelta(0) <= before <= timedelta(days=6), name
    for name in releases:
        assert [r["kind"] for r in by_file[name]] == ["main"]


def test_the_stories_are_spread_evenly_over_the_weeks(tmp_path: Path) -> None:
    corpus.generate(tmp_path, 2000, 20, 5)
    per_week = Counter(str(IsoWeek.of(date.fromisoformat(r["date"]))) for r in side_rows(tmp_path))
    assert sorted(per_week) == weeks_ending(END, 20)
    assert min(per_week.values()) >= 75 and max(per_week.values()) <= 125  # 100 a week


def test_no_date_is_after_end_and_every_week_has_stories(tmp_path: Path) -> None:
    end = date(2025, 6, 4)  # a Wednesday: the last week has three days
    made = corpus.generate(tmp_path, 300, 3, 5, end=end)
    days = [date.fromisoformat(r["date"]) for r in side_rows(tmp_path)]
    assert (min(days), max(days)) == (made.first_day, made.last_day)
    assert made.first_day == date(2025, 5, 19) and made.last_day == end
    assert sorted({str(IsoWeek.of(d)) for d in days}) == weeks_ending(end, 3)


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    corpus.generate(tmp_path / "a", 300, 6, 7)
    corpus.generate(tmp_path / "b", 300, 6, 7)
    corpus.generate(tmp_path / "c", 300, 6, 8)
    a, b, c = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert corpus.SIDE_FILE in a
    assert a == b
    assert a != c
    assert any(a[name] != c.get(name) for name in a if name.endswith(".txt"))


def test_the_classifier_puts_most_stories_in_their_intended_topic(
    cfg: Config, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    corpus.generate(folder, 600, 10, 3)
    pipeline.ingest(cfg, [folder])
    intended = corpus.intended_topics(folder)
    classifier = Classifier(cfg.rules)
    stored = pipeline.list_articles(cfg, Query())
    assert len(stored) == len(intended) == 600
    agree = sum(classifier.classify(a).topic == intended[a.title] for a in stored)
    share = agree / len(stored)
    print(f"classifier agreement with the intended topics: {share:.1%}")
    assert share >= 0.6


def test_press_release_is_a_format_p_text() -> None:
    day = date(2026, 1, 20)
    text = corpus.press_release(
        "Musterhausen schaltet Serviceportal frei",
        day,
        "Musterhausen",
        ["Die Stadt hat ihr Serviceportal freigeschaltet.", "Zwölf Anträge gehen online."],
    )
    lines = text.split("\n")
    assert text_p.detect(lines)
    (article,), problems = text_p.parse("p.txt", lines)
    assert problems == []
    assert (article.title, article.date, article.place) == (
        "Musterhausen schaltet Serviceportal frei",
        day,
        "Musterhausen",
    )
    assert article.body == (
        "Die Stadt hat ihr Serviceportal freigeschaltet.",
        "Zwölf Anträge gehen online.",
    )
