"""One story from several sources is one article (pipeline/dedup.py): each rule, and the
pairs that must stay apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from digest import pipeline
from digest.config import Config
from digest.models import Article, Source
from digest.normalise import article_id
from digest.pipeline import merge
from digest.pipeline.dedup import fold, placed_id, places_differ
from digest.store import Query

from .pages import k_page, p_release

DAY = date(2026, 1, 20)


def story(
    title: str,
    day: date,
    *,
    place: str | None = None,
    kicker: str | None = None,
    text: str = "Kurz.",
    fmt: str = "K",
    url: str | None = None,
    path: str = "a.txt",
) -> Article:
    return Article(
        id=article_id(title, day),
        kind="main",
        format=fmt,
        title=title,
        date=day,
        kicker=kicker,
        place=place,
        lead=text,
        urls=(url,) if url else (),
        sources=(Source(path, 1, "main"),),
    )


def run(*articles: Article, stored: tuple[Article, ...] = ()) -> dict[str, Article]:
    pending = {a.id: a for a in articles}
    live = {a.id: a for a in stored}
    by_url = {u: a.id for a in stored if (u := a.own_url)}
    return fold(pending, {}, live, by_url, merge).articles


def test_same_title_a_day_apart_is_one_story_and_the_fuller_text_wins() -> None:
    feed = story("KI-Leitlinien beschlossen", DAY, kicker="Jena", fmt="F", url="https://x.de/1")
    dump = story(
        "KI-Leitlinien beschlossen",
        date(2026, 1, 21),
        kicker="Jena",
        text="Die Stadt Jena hat Leitlinien für KI beschlossen. " * 5,
        path="b.txt",
    )
    out = run(feed, dump)
    assert list(out) == [feed.id]  # the first one read keeps its id
    kept = out[feed.id]
    assert kept.lead == dump.lead  # the fuller text
    assert {s.path for s in kept.sources} == {"a.txt", "b.txt"}


def test_a_week_apart_stays_two_stories() -> None:
    first = story("Digitaltag in der Stadtbibliothek", DAY)
    later = story("Digitaltag in der Stadtbibliothek", date(2026, 1, 27), path="b.txt")
    assert len(run(first, later)) == 2


def test_two_days_apart_stays_two_stories() -> None:
    first = story("Neues Bürgerportal online", DAY)
    later = story("Neues Bürgerportal online", date(2026, 1, 22), path="b.txt")
    assert len(run(first, later)) == 2


def test_same_title_a_day_apart_from_different_places_stays_two_stories() -> None:
    jena = story("Digitalstrategie beschlossen", DAY, place="Jena")
    erfurt = story("Digitalstrategie beschlossen", date(2026, 1, 21), place="Erfurt")
    assert len(run(jena, erfurt)) == 2


def test_same_own_address_is_one_story_even_with_a_retouched_title() -> None:
    first = story("Stadt startet App", DAY, fmt="F", url="https://www.ulm.de/app?utm_source=rss")
    second = story("Ulm startet Bürger-App", DAY, fmt="F", url="https://ulm.de/app/", path="feed2")
    out = run(first, second)
    assert list(out) == [first.id]


def test_an_address_in_a_page_dump_is_no_identity() -> None:
    # Two press releases linking the same city portal are two stories.
    one = story("Stadt startet App", DAY, url="https://www.ulm.de/")
    two = story("Ulm saniert Schulnetz", DAY, url="https://www.ulm.de/", path="b.txt")
    assert len(run(one, two)) == 2


def test_a_newcomer_folds_into_the_stored_article_and_keeps_its_address() -> None:
    stored = story("KI-Leitlinien beschlossen", DAY, kicker="Jena")
    newcomer = story(
        "KI-Leitlinien beschlossen",
        date(2026, 1, 21),
        kicker="Jena",
        text="Viel mehr Text über die Leitlinien. " * 10,
        path="feed",
    )
    out = run(newcomer, stored=(stored,))
    assert list(out) == [stored.id]
    assert out[stored.id].lead == newcomer.lead


def test_a_stored_version_keeps_its_id_over_a_twin_read_first() -> None:
    stored = story("Smart-City-Charta unterzeichnet", DAY)
    fresh = story("Smart-City-Charta unterzeichnet", date(2026, 1, 21), path="b.txt")
    pending = {fresh.id: fresh, stored.id: stored}
    folded = fold(pending, {stored.id: stored}, {}, {}, merge)
    assert list(folded.articles) == [stored.id]
    assert folded.alias == {fresh.id: stored.id}
    assert folded.retire == []


def test_two_stored_twins_retire_the_later_one() -> None:
    a = story("Smart-City-Charta unterzeichnet", DAY)
    b = story("Smart-City-Charta unterzeichnet", date(2026, 1, 21), path="b.txt")
    folded = fold({a.id: a, b.id: b}, {a.id: a, b.id: b}, {}, {}, merge)
    assert list(folded.articles) == [a.id]
    assert folded.retire == [(b.id, a.id)]


def test_places_differ_only_when_neither_contains_the_other() -> None:
    def at(place: str | None, kicker: str | None = None) -> Article:
        return story("T", DAY, place=place, kicker=kicker)

    assert places_differ(at("Jena"), at("Erfurt"))
    assert places_differ(at(None, "Studie"), at(None, "Jena"))
    assert not places_differ(at("Jena"), at(None, "Stadt Jena"))
    assert not places_differ(at(None, "Bayern / Bremen"), at(None, "Bayern"))
    assert not places_differ(at(None), at("Jena"))
    assert not places_differ(at("Jena"), at("JENA"))


def test_a_placed_id_differs_per_place_and_is_stable() -> None:
    jena = story("Digitalstrategie beschlossen", DAY, place="Jena")
    erfurt = replace(jena, place="Erfurt")
    assert placed_id(jena) != placed_id(erfurt) != jena.id
    assert placed_id(jena) == placed_id(replace(jena, lead="anders"))


# ---- through ingest, with files -------------------------------------------------------------


def test_the_same_headline_from_two_cities_on_one_day_stays_two_articles(
    cfg: Config, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    release = p_release(title="Digitalstrategie beschlossen", day="20.01.2026")
    (folder / "jena.txt").write_text(release.replace("Musterstadt,", "Jena,"), "utf-8")
    (folder / "erfurt.txt").write_text(release.replace("Musterstadt,", "Erfurt,"), "utf-8")
    summary = pipeline.ingest(cfg, [folder])
    assert (summary.new, summary.duplicate) == (2, 0)
    stored = pipeline.list_articles(cfg, Query())
    assert sorted(a.place or "" for a in stored) == ["Erfurt", "Jena"]
    # Read again: each finds its own row, nothing new, nothing merged.
    again = pipeline.ingest(cfg, [folder])
    assert (again.new, again.unchanged, again.duplicate) == (0, 2, 0)


def test_a_story_a_day_later_in_another_file_joins_the_stored_one(
    cfg: Config, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "k.txt").write_text(k_page(title="Portal startet", day="20.1.2026"), "utf-8")
    pipeline.ingest(cfg, [first])
    [stored] = pipeline.list_articles(cfg, Query())
    longer = "Die Städte Ulm und Neu-Ulm betreiben künftig ein gemeinsames Serviceportal. " * 4
    (second / "k.txt").write_text(
        k_page(title="Portal startet", day="21.1.2026", lead=longer.strip()), "utf-8"
    )
    summary = pipeline.ingest(cfg, [second])
    assert (summary.new, summary.updated, summary.duplicate) == (0, 1, 0)
    [kept] = pipeline.list_articles(cfg, Query())
    assert kept.id == stored.id  # its page keeps its address
    assert kept.lead == longer.strip()  # the fuller text wins
    assert len(kept.sources) == 2
