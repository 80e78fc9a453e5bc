"""The week catalogue (pipeline/catalogue.py): a build reads from the store only the weeks
that changed since the last build (store triggers count each week's writes, migration 7),
and still ends byte-identical to a fresh build."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from digest import output, pipeline
from digest.config import Config
from digest.models import Article
from digest.pipeline.catalogue import Catalogue, WeekRecord
from digest.render.keys import Digester
from digest.store import Query, Store

from .pages import k_page
from .test_incremental_build import assert_same_as_fresh, three_files, tree

W45, W46 = "2025-W45", "2025-W46"
EVERY = Query()  # Store.articles' default: every live article


@pytest.fixture
def site(config_file: Path) -> Config:
    return three_files(config_file)


@dataclass
class Reads:
    """What the builds asked `Store.articles` (it still answers), and their catalogues."""

    queries: list[Query] = field(default_factory=list)  # every query
    updating: list[Query] = field(default_factory=list)  # those of Catalogue.update
    catalogues: list[Catalogue] = field(default_factory=list)

    def clear(self) -> None:
        self.queries.clear()
        self.updating.clear()
        self.catalogues.clear()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    seen = Reads()
    articles, update = Store.articles, Catalogue.update
    updating = False

    def recording(self: Store, query: Query = EVERY) -> list[Article]:
        seen.queries.append(query)
        if updating:
            seen.updating.append(query)
        return articles(self, query)

    def recorded_update(self: Catalogue, previous: Mapping[str, WeekRecord]) -> None:
        nonlocal updating
        seen.catalogues.append(self)
        updating = True
        try:
            update(self, previous)
        finally:
            updating = False

    monkeypatch.setattr(Store, "articles", recording)
    monkeypatch.setattr(Catalogue, "update", recorded_update)
    return seen


def weeks_read(asked: list[Query]) -> set[str | None]:
    """The weeks `asked` read: None stands for a query over every week."""
    return {q.iso_week if q.iso_week or not q.undated else "" for q in asked}


def generations(cfg: Config) -> dict[str, int]:
    with Store(cfg.store_path) as store:
        return store.week_generations()


def stored(cfg: Config, week: str) -> list[Article]:
    with Store(cfg.store_path) as store:
        return store.articles(Query(iso_week=week))


def by_hand(cfg: Config, sql: str, *args: object) -> None:
    """A write made in the sqlite3 shell, not through digest."""
    db = sqlite3.connect(cfg.store_path)
    try:
        with db:
            assert db.execute(sql, args).rowcount == 1
    finally:
        db.close()


def page(cfg: Config, week: str) -> str:
    return (cfg.out / "weeks" / f"{week}.html").read_text("utf-8")


def test_a_new_article_reads_only_its_week_from_the_store(
    site: Config, tmp_path: Path, reads: Reads
) -> None:
    pipeline.build(site)
    assert weeks_read(reads.updating) == {W45, W46}  # the first build reads every week
    reads.clear()
    (site.path.parent / "in" / "d.txt").write_text(
        k_page(title="Dritte Meldung der Woche", day="5.11.2025", teasers=""), "utf-8"
    )
    built = pipeline.build(site)
    assert built.ingest.new == 1 and not built.up_to_date
    (catalogue,) = reads.catalogues
    assert catalogue.fresh == {W45} and catalogue.rebuilt == {W45}
    assert weeks_read(reads.updating) == {W45}  # W46 keeps its record unread
    # W46 is loaded only to render the pages that show both weeks (the topic page both
    # weeks' articles are on, the feeds), and only once for all of them; never the archive.
    assert None not in weeks_read(reads.queries)
    assert len([q for q in reads.queries if q.iso_week == W46]) <= 1
    assert "weeks/2025-W46.html" not in built.written + built.unchanged
    assert "Dritte Meldung der Woche" in page(site, W45)
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_title_changed_by_hand_in_sqlite_is_published(
    site: Config, tmp_path: Path, reads: Reads
) -> None:
    pipeline.build(site)
    (article,) = stored(site, W46)
    assert article.title == "Zweite Woche" and "Zweite Woche" in page(site, W46)
    before = generations(site)
    by_hand(site, "UPDATE articles SET title = ? WHERE id = ?", "Von Hand betitelt", article.id)
    after = generations(site)
    assert after[W46] > before[W46]
    assert after[W45] == before[W45]  # the other week saw no write
    reads.clear()
    built = pipeline.build(site)
    assert not built.up_to_date and built.ingest.new == built.ingest.updated == 0
    assert reads.catalogues[0].fresh == {W46}
    assert "weeks/2025-W46.html" in built.written
    assert "Von Hand betitelt" in page(site, W46) and "Zweite Woche" not in page(site, W46)
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_an_article_moved_to_another_week_by_hand_leaves_the_old_week(
    site: Config, tmp_path: Path, reads: Reads
) -> None:
    pipeline.build(site)
    (moved,) = [a for a in stored(site, W45) if a.title == "Stadt tritt Datenbündnis bei"]
    assert moved.title in page(site, W45) and moved.title not in page(site, W46)
    before = generations(site)
    by_hand(
        site,
        "UPDATE articles SET date = '2025-11-12', iso_week = ? WHERE id = ?",
        W46,
        moved.id,
    )
    after = generations(site)
    assert after[W45] > before[W45] and after[W46] > before[W46]
    assert moved.id in {a.id for a in stored(site, W46)}
    reads.clear()
    built = pipeline.build(site)
    assert reads.catalogues[0].fresh == {W45, W46}
    assert {"weeks/2025-W45.html", "weeks/2025-W46.html"} <= set(built.written)
    assert moved.title not in page(site, W45) and moved.title in page(site, W46)
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_new_editorial_rebuilds_its_week_without_reading_the_other(
    site: Config, tmp_path: Path, reads: Reads
) -> None:
    pipeline.build(site)
    emails = site.preview / "email"
    before = {w: (emails / f"{w}.html").read_bytes() for w in (W45, W46)}
    site.editorial.folder.mkdir(parents=True, exist_ok=True)
    (site.editorial.folder / f"{W46}.md").write_text(
        "---\nsubject: Vorab\n---\nEin Wort zur Woche vom Herausgeber.\n", "utf-8"
    )
    reads.clear()
    built = pipeline.build(site)
    assert not built.up_to_date and built.ingest.seen == 0
    (catalogue,) = reads.catalogues
    assert catalogue.fresh == set() and catalogue.rebuilt == {W46}  # no week saw a write
    # Its digest is made again from its sections' digest and the editorial: no week is read.
    assert weeks_read(reads.updating) == set()
    # W45 is loaded only for the pages that show both weeks (the feed shows the editorial
    # and every recent week), once; never the whole archive.
    assert None not in weeks_read(reads.queries)
    assert len([q for q in reads.queries if q.iso_week == W45]) <= 1
    assert "preview: email/2025-W46.html" in built.written
    assert not any(W45 in name for name in built.written)
    assert (emails / f"{W46}.html").read_bytes() != before[W46]
    assert "Ein Wort zur Woche vom Herausgeber." in (emails / f"{W46}.html").read_text("utf-8")
    assert "Ein Wort zur Woche vom Herausgeber." in page(site, W46)
    assert (emails / f"{W45}.html").read_bytes() == before[W45]
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_manifest_without_the_catalogue_reads_every_week_again(
    site: Config, tmp_path: Path, reads: Reads
) -> None:
    pipeline.build(site)
    manifest = site.out / output.MANIFEST
    data = json.loads(manifest.read_text("utf-8"))
    assert set(data["extra"]["catalogue"]) == {W45, W46}
    del data["extra"]["catalogue"]
    manifest.write_text(json.dumps(data), "utf-8")
    # A change in W45 only: with the records, the build would read W45 alone (test above).
    (site.path.parent / "in" / "d.txt").write_text(
        k_page(title="Dritte Meldung der Woche", day="5.11.2025", teasers=""), "utf-8"
    )
    reads.clear()
    built = pipeline.build(site)
    assert not built.up_to_date
    assert reads.catalogues[0].fresh == {W45, W46}
    assert weeks_read(reads.updating) == {W45, W46}
    assert set(json.loads(manifest.read_text("utf-8"))["extra"]["catalogue"]) == {W45, W46}
    assert_same_as_fresh(site, tmp_path, "fresh")
    public = tree(site.out)
    assert pipeline.build(site).up_to_date and tree(site.out) == public


GOOD: dict[str, Any] = {
    "stamp": "key|store|7",
    "ids": ["a1", "b2"],
    "problems": [["in/a.txt", 3, "repariert", "prüfen"], ["in/b.txt", None, "m", "h"]],
    "outside": {"in/x.txt": 2},
    "editorial": "e" * 64,
    "digest": "ab" * 32,
    "sections": "cd" * 32,
    "topics": [["Politik", 1], ["Wirtschaft", 1]],
    "left_out": {"c3": ["in/c.txt", 9, "cannot be rendered", "fix it"]},
}


def test_a_week_record_round_trips_through_json() -> None:
    record = WeekRecord.from_json(GOOD)
    assert record is not None
    assert record.topics == [("Politik", 1), ("Wirtschaft", 1)] and record.count == 2
    assert record.to_json() == GOOD
    assert WeekRecord.from_json(json.loads(json.dumps(record.to_json()))) == record
    made = WeekRecord("s", ["x"], [], {}, "", "cd" * 32, "ef" * 32, [("Kultur", 1)], {})
    assert WeekRecord.from_json(json.loads(json.dumps(made.to_json()))) == made


@pytest.mark.parametrize("key", sorted(GOOD))
def test_a_week_record_missing_a_key_is_none(key: str) -> None:
    assert WeekRecord.from_json({k: v for k, v in GOOD.items() if k != key}) is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ids", 5),
        ("ids", None),
        ("ids", "a1"),  # a string is no list of ids (it would be read as ["a", "1"])
        ("problems", 7),
        ("problems", [3]),
        ("outside", ["in/x.txt"]),
        ("outside", {"in/x.txt": "viele"}),
        ("topics", {"Politik": 1}),
        ("topics", [["Politik"]]),
        ("topics", [["Politik", "eins"]]),
        ("topics", 3),
        ("left_out", ["c3"]),
        ("left_out", {"c3": 4}),
        ("digest", "zz"),  # not hex: LazyIssue could not read it
        ("digest", 5),
        ("sections", "ab"),  # not a whole digest
    ],
)
def test_a_week_record_of_the_wrong_types_is_none(key: str, value: object) -> None:
    assert WeekRecord.from_json({**GOOD, key: value}) is None


@pytest.mark.parametrize("data", [None, 3, "record", [], ["stamp"], {}])
def test_anything_but_a_record_is_none(data: object) -> None:
    assert WeekRecord.from_json(data) is None


def test_a_damaged_record_in_the_manifest_does_not_stop_the_next_build(
    site: Config, tmp_path: Path
) -> None:
    """previous_records: a damaged manifest gives no record, and every week is read again."""
    pipeline.build(site)
    manifest = site.out / output.MANIFEST
    data = json.loads(manifest.read_text("utf-8"))
    data["extra"]["catalogue"][W46]["digest"] = "kein Hex"
    manifest.write_text(json.dumps(data), "utf-8")
    (site.path.parent / "in" / "d.txt").write_text(
        k_page(title="Dritte Meldung der Woche", day="5.11.2025", teasers=""), "utf-8"
    )
    built = pipeline.build(site)
    assert not built.up_to_date and built.weeks == [W45, W46]
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_weeks_digest_without_its_articles_is_that_of_its_issue(
    site: Config, reads: Reads
) -> None:
    """The catalogue makes a week's digest from its sections' digest and its editorial,
    without the articles; loaded, the issue must have that very digest, or keys would
    differ between a week read in this build and one carried from the last."""
    site.editorial.folder.mkdir(parents=True, exist_ok=True)
    (site.editorial.folder / f"{W46}.md").write_text("---\nsubject: Vorab\n---\nText.\n", "utf-8")
    pipeline.build(site)
    (catalogue,) = reads.catalogues
    lazy = catalogue.issues()
    assert {str(i.week) for i in lazy} == {W45, W46}
    for issue in lazy:
        loaded = catalogue.issue(issue.week)
        assert Digester().shown(loaded) == Digester().shown(issue)
        assert loaded.topic_counts == issue.topic_counts
        assert loaded.article_ids and set(loaded.article_ids) == set(issue.article_ids)
    assert catalogue.issue(lazy[1].week).editorial is not None
