"""Ingest into a real SQLite store: idempotence, dedup, one transaction per run."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import Config
from digest.errors import StoreError
from digest.store import Query, Store
from digest.store.migrations import MIGRATIONS

from .conftest import SEEDS
from .pages import k_page, p_release, teaser

PORTAL = teaser(
    "Ulm / Neu-Ulm",
    "Gemeinsames Serviceportal",
    "3.11.2025",
    "Ulm und Neu-Ulm betreiben ein gemeinsames Portal.",
)
OTHER = teaser(
    "Kassel",
    "Neue Ladesäulen",
    "4.11.2025",
    "Kassel baut zwanzig Ladesäulen.",
    "Kassel: Eine der neuen Ladesäulen.",
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_ingesting_twice_changes_nothing(cfg: Config) -> None:
    first = pipeline.ingest(cfg, [SEEDS])
    # The seeds hold 25 different stories, none of them twice.
    counts = (first.new, first.updated, first.unchanged, first.duplicate)
    assert (first.files_read, *counts) == (5, 25, 0, 0, 0)
    dump = _dump(cfg.store_path)
    second = pipeline.ingest(cfg, [SEEDS])
    # Re-reading: every story is already stored as it is; nothing is a second copy.
    counts = (second.new, second.updated, second.unchanged, second.duplicate)
    assert counts == (0, 0, 25, 0) and second.seen == 25
    assert second.retracted == [] and second.notices == []
    assert _dump(cfg.store_path) == dump


def test_new_sources_add_to_the_archive(cfg: Config, tmp_path: Path) -> None:
    pipeline.ingest(cfg, [SEEDS / "000_5760e19db3766c65.txt"])
    summary = pipeline.ingest(cfg, [SEEDS / "004_7ef10e602f13ff8e.txt"])
    assert summary.new == 1 and summary.total == 7


def test_teaser_and_full_article_are_stored_once_fuller_wins(cfg: Config, tmp_path: Path) -> None:
    page_a = _write(
        tmp_path / "a.txt",
        k_page(
            title="Neue Ladesäulen",
            kicker="Kassel",
            day="4.11.2025",
            lead="Kassel baut zwanzig Ladesäulen.",
        ),
    )
    page_b = _write(tmp_path / "b.txt", k_page(teasers=OTHER))
    summary = pipeline.ingest(cfg, [page_b, page_a])  # teaser first, then the full article
    # Two stories, both new to the store (Serviceportal, Ladesäulen); the full article on
    # a.txt is a second copy of the Ladesäulen story read in this run: a duplicate.
    assert (summary.new, summary.updated, summary.unchanged, summary.duplicate) == (2, 0, 0, 1)
    assert summary.seen == 3
    with Store(cfg.store_path) as store:
        stored = [a for a in store.articles() if a.title == "Neue Ladesäulen"]
    assert len(stored) == 1
    article = stored[0]
    assert article.kind == "main" and article.lead == "Kassel baut zwanzig Ladesäulen."
    assert article.caption == "Kassel: Eine der neuen Ladesäulen."  # filled from the teaser
    assert article.teaser is None  # texts are never mixed between versions
    assert [(Path(s.path).name, s.kind) for s in article.sources] == [
        ("a.txt", "main"),
        ("b.txt", "teaser"),
    ]


def test_fuller_version_in_store_is_not_replaced_by_a_teaser(cfg: Config, tmp_path: Path) -> None:
    full = _write(tmp_path / "a.txt", k_page(teasers=OTHER))  # same Bereich as the other page
    pipeline.ingest(cfg, [full])
    other_page = _write(tmp_path / "b.txt", k_page(title="Etwas anderes", teasers=PORTAL))
    summary = pipeline.ingest(cfg, [other_page])
    # "Etwas anderes" is new; the Serviceportal teaser adds nothing to the stored full
    # article (unchanged); no story comes twice in this run.
    assert (summary.new, summary.updated, summary.unchanged, summary.duplicate) == (1, 0, 1, 0)
    with Store(cfg.store_path) as store:
        (portal,) = [a for a in store.articles() if a.title == "Gemeinsames Serviceportal"]
    assert portal.kind == "main" and len(portal.sources) == 2


def test_same_teaser_block_on_two_pages(cfg: Config, tmp_path: Path) -> None:
    a = _write(tmp_path / "a.txt", k_page(title="Seite A", teasers=OTHER))
    b = _write(tmp_path / "b.txt", k_page(title="Seite B", teasers=OTHER))
    summary = pipeline.ingest(cfg, [a, b])
    # Seite A, Seite B and the teaser are new; the teaser's copy on b.txt is a duplicate.
    assert (summary.new, summary.updated, summary.unchanged, summary.duplicate) == (3, 0, 0, 1)
    with Store(cfg.store_path) as store:
        (item,) = [a for a in store.articles() if a.title == "Neue Ladesäulen"]
    assert {Path(s.path).name for s in item.sources} == {"a.txt", "b.txt"}


def test_folder_ingest_reads_text_files_only(cfg: Config, tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", k_page())
    _write(tmp_path / "notes.json", "{}")
    (tmp_path / ".hidden").mkdir()
    _write(tmp_path / ".hidden" / "x.txt", "junk")
    summary = pipeline.ingest(cfg, [tmp_path])
    assert summary.files_read == 1 and summary.problems == []


def test_press_release_and_weeks(cfg: Config, tmp_path: Path) -> None:
    pipeline.ingest(cfg, [_write(tmp_path / "p.txt", p_release(day="31.12.2020"))])
    assert pipeline.weeks(cfg) == [("2020-W53", 1)]


def test_store_that_is_not_sqlite_is_refused_untouched(cfg: Config, tmp_path: Path) -> None:
    cfg.store_path.write_bytes(b"this is my shopping list, not a database\n" * 20)
    before = cfg.store_path.read_bytes()
    with pytest.raises(StoreError, match="not a usable digest store") as err:
        pipeline.ingest(cfg, [SEEDS])
    assert "move it aside" in err.value.hint
    assert cfg.store_path.read_bytes() == before


def test_failed_run_leaves_store_unchanged(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.ingest(cfg, [SEEDS / "000_5760e19db3766c65.txt"])
    dump = _dump(cfg.store_path)

    def boom(self: Store, articles: object) -> None:
        list(articles)  # type: ignore[call-overload]
        self._db.execute("INSERT INTO meta VALUES ('half', 'written')")
        raise OSError("disk full")

    monkeypatch.setattr(Store, "put", boom)
    with pytest.raises(OSError):
        pipeline.ingest(cfg, [SEEDS])
    assert _dump(cfg.store_path) == dump


def test_schema_version_is_recorded(cfg: Config) -> None:
    pipeline.ingest(cfg, [SEEDS])
    with sqlite3.connect(cfg.store_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 8


def test_newer_schema_is_refused(cfg: Config) -> None:
    with sqlite3.connect(cfg.store_path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer digest"):
        pipeline.ingest(cfg, [SEEDS])


def test_changed_rules_reclassify_stored_articles(cfg: Config) -> None:
    pipeline.ingest(cfg, [SEEDS])
    (heidelberg,) = [
        a for a in pipeline.list_articles(cfg, Query()) if a.title == "Smarte Städtepartnerschaft"
    ]
    assert heidelberg.topic == "partnerships"
    overridden = replace(cfg, rules=replace(cfg.rules, overrides={heidelberg.id: "policy"}))
    (again,) = pipeline.list_articles(overridden, Query(topic="policy", iso_week="2017-W40"))
    assert again.id == heidelberg.id and again.classification.override == heidelberg.id


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def test_parallel_reading_gives_the_same_store(
    cfg: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential = replace(cfg, store_path=tmp_path / "one.sqlite3")
    pipeline.ingest(sequential, [SEEDS])
    monkeypatch.setattr(pipeline.reading, "PARALLEL_MIN_FILES", 1)  # force the worker pool
    summary = pipeline.ingest(cfg, [SEEDS])
    assert (summary.files_read, summary.new) == (5, 25)

    # Each store has its own random id (meta.store_id); everything else is the same.
    def content(path: Path) -> list[str]:
        return [line for line in _dump(path) if "'store_id'" not in line]

    assert content(cfg.store_path) == content(sequential.store_path)
