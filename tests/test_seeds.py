"""The five real seed dumps must come out exactly as ../shared/seeds/expected.json describes."""

from __future__ import annotations

from typing import Any

import pytest

from digest.classify import Classifier
from digest.config import Config
from digest.ingest import read_file
from digest.models import Article

from .conftest import SEEDS, expected_seeds

CASES = expected_seeds()


def _url(expected: str) -> str:
    # The rule: a bare host such as www.heidelberg.de gets the https scheme.
    return expected if expected.startswith(("http://", "https://")) else "https://" + expected


def _check_common(article: Article, want: dict[str, Any]) -> None:
    assert article.kicker == want["kicker"]
    assert article.title == want["title"]
    assert article.date is not None and article.date.isoformat() == want["date"]
    assert str(article.iso_week) == want["iso_week"]


@pytest.mark.parametrize("case", CASES, ids=[str(c["file"]) for c in CASES])
def test_seed_fields(case: dict[str, Any], repo_config: Config) -> None:
    result = read_file(SEEDS / case["file"], case["file"])
    assert result.problems == ()
    assert result.format == case["format"]
    classifier = Classifier(repo_config.rules)
    main, *teasers = result.articles
    want = case["main"]
    assert main.kind == "main"
    _check_common(main, want)
    assert main.lead == want["lead"]
    assert list(main.keywords) == want["keywords"]
    assert list(main.urls) == [_url(u) for u in want["urls"]]
    assert main.image_credit == want["image_credit"]
    assert main.section == want["section"]
    if "author" in want:
        assert main.author == want["author"]
    assert classifier.classify(main).topic == want["topic"]

    assert len(teasers) == len(case["teasers"])
    for got, want_t in zip(teasers, case["teasers"], strict=True):
        assert got.kind == "teaser"
        _check_common(got, want_t)
        assert got.teaser == want_t["teaser"]
        assert got.label == want_t.get("label")
        assert got.section == want["section"]
        assert classifier.classify(got).topic == want_t["topic"], got.title


def test_seed_main_articles_have_body_and_author_tag() -> None:
    result = read_file(SEEDS / "000_5760e19db3766c65.txt", "000")
    main = result.articles[0]
    assert main.author == "ve"
    assert main.body[-1].endswith("Jugendaustausch und Kultur umfassen.")
    # Page chrome is gone from every field.
    text = " ".join(main.body)
    for chrome in ("Druckversion", "Anzeige", "GmbH", "Suchen", "Aktuelle Meldungen"):
        assert chrome not in text


def test_seed_caption_on_its_own_line_is_not_body() -> None:
    main = read_file(SEEDS / "001_c5c27bd46f552985.txt", "001").articles[0]
    assert main.caption == (
        "Bei der Transformation zur Smart City wollen die Hansestädte an der Ostsee "
        "enger zusammenarbeiten."
    )
    assert main.body[0].startswith("Die Bürgermeister und die Bürgermeisterin")


def test_seed_teaser_captions_are_told_from_headings() -> None:
    teasers = read_file(SEEDS / "002_6dc1a2d540783b68.txt", "002").articles[1:]
    by_title = {t.title: t for t in teasers}
    # This caption looks like "Place: text" but no [date] line follows it.
    assert (
        by_title["Aus KATWARN wird hessenWARN"].caption
        == "Hessen: KATWARN zu hessenWARN ausgebaut."
    )
    assert by_title["Spitze der deutschen Downloadcharts"].caption is None


def test_press_release_fields() -> None:
    release = read_file(SEEDS / "004_7ef10e602f13ff8e.txt", "004").articles[0]
    assert release.format == "P"
    assert release.place == "Kaiserslautern"
    assert release.author == "Pressestelle"
    assert len(release.body) == 3
    assert release.body[0].startswith("Unter dem Motto")
    # No explicit lead in a press release: the first paragraph serves as its summary.
    assert release.lead is None
    assert release.summary == release.body[0]
    assert not any("Pressearchiv" in p for p in release.body)
