"""The built-in sample corpus (samples/): every file parses, duplicates merge, topics are right.

samples/labels.json was written by an editor's judgement, independently of the rules in
config.toml; the accuracy floor below guards against rule changes that make things worse.
"""

from __future__ import annotations

import json
from typing import Any

from digest import pipeline
from digest.config import Config
from digest.store import Query

from .conftest import CORPUS, ROOT

LABELS: list[dict[str, Any]] = json.loads((ROOT / "samples" / "labels.json").read_text("utf-8"))


def test_corpus_ingests_cleanly_and_merges_duplicates(cfg: Config) -> None:
    summary = pipeline.ingest(cfg, [CORPUS])
    assert summary.problems == []
    assert summary.files_read == 18
    assert summary.total == len(LABELS)
    # A fresh store: every distinct story (one label each) is new, and each further copy
    # of a story (a file in its duplicate_of_file) is a duplicate within this run.
    copies = sum(len(x.get("duplicate_of_file", [])) for x in LABELS)
    assert (summary.new, summary.updated, summary.unchanged) == (len(LABELS), 0, 0)
    assert summary.duplicate == copies and summary.seen == len(LABELS) + copies
    weeks = dict(summary.weeks)
    assert len(weeks) >= 8
    assert "2026-W01" in weeks and "2020-W53" in weeks  # weeks crossing a year boundary
    assert {a.format for a in pipeline.list_articles(cfg, Query())} == {"K", "P"}


def test_corpus_articles_match_labels(cfg: Config) -> None:
    pipeline.ingest(cfg, [CORPUS])
    stored = {
        (a.title, a.date.isoformat() if a.date else None): a
        for a in pipeline.list_articles(cfg, Query())
    }
    right = 0
    for label in LABELS:
        article = stored[label["title"], label["date"]]
        assert article.kind == label["kind"]
        files = {s.path.rsplit("/", 1)[-1] for s in article.sources}
        assert files == {label["file"], *label.get("duplicate_of_file", [])}
        right += article.topic == label["topic"]
    accuracy = right / len(LABELS)
    assert accuracy >= 0.9, f"classifier accuracy on the sample corpus fell to {accuracy:.0%}"
