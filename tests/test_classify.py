from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from digest.classify import EDITOR, Classifier, Rules, Term, Topic
from digest.config import Config
from digest.models import Article


def _article(title: str, body: str = "", **kw: object) -> Article:
    return Article(
        id="x",
        kind="main",
        format="K",
        title=title,
        date=date(2025, 1, 1),
        body=(body,) if body else (),
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Neue Städtepartnerschaft mit Lyon", "partnerships"),
        ("Kooperationsvereinbarung unterzeichnet", "partnerships"),
        ("Digitalisierungsbündnis der Hansestädte", "partnerships"),
        ("Ulm auf dem Smart-City-Kongress", "congresses"),
        ("Regionalkonferenzen starten im Frühjahr", "congresses"),
        ("Landtag beschließt Digitalgesetz", "policy"),
        ("Neue Digitalstrategie für die Verwaltung", "policy"),
        ("Neues Feuerwehrauto für die Wache Süd", "other"),
    ],
)
def test_compounds_match_their_topic(title: str, topic: str, repo_config: Config) -> None:
    assert Classifier(repo_config.rules).classify(_article(title)).topic == topic


def test_umlaut_spellings_and_lemmas_match(repo_config: Config) -> None:
    c = Classifier(repo_config.rules)
    assert c.classify(_article("Staedtepartnerschaft mit Lyon")).topic == "partnerships"
    assert c.classify(_article("STÄDTEPARTNERSCHAFT MIT LYON")).topic == "partnerships"
    # "Verträge" is only found through its lemma "Vertrag".
    terms = {m.term for m in c.classify(_article("Verträge mit Partnerkommunen")).matches}
    assert "vertrag" in terms


def test_title_weighs_more_than_body(repo_config: Config) -> None:
    c = Classifier(repo_config.rules)
    in_title = c.classify(_article("Digitalkongress in Kassel"))
    in_body = c.classify(_article("Neues aus Kassel", "Ein Kongress findet statt."))
    assert dict(in_title.scores)["congresses"] > dict(in_body.scores)["congresses"]
    assert in_body.topic == "other"  # a single strong term in the body stays below threshold


def test_scores_and_matched_terms_are_kept(repo_config: Config) -> None:
    result = Classifier(repo_config.rules).classify(
        _article("Smarte Städtepartnerschaft", keywords=("Politik",))
    )
    scores = dict(result.scores)
    assert set(scores) == {"partnerships", "congresses", "policy", "other"}
    title_hits = [m for m in result.matches if m.field == "title"]
    assert [(m.topic, m.term) for m in title_hits] == [("partnerships", "partnerschaft")]
    assert scores["partnerships"] == title_hits[0].points == 9.0
    assert any(m.field == "keywords" and m.topic == "policy" for m in result.matches)


def test_exact_prefix_suffix_and_phrase_terms() -> None:
    rules = Rules(
        topics=(
            Topic(
                "t",
                "T",
                (
                    Term.parse("=plan", 3, "t"),
                    Term.parse("messe*", 3, "t"),
                    Term.parse("*messe", 3, "t"),
                    Term.parse("open data", 3, "t"),
                ),
            ),
        ),
        threshold=1,
        field_weights={"title": 1.0},
    )
    c = Classifier(rules)

    def terms(title: str) -> set[str]:
        return {m.term for m in c.classify(_article(title)).matches}

    assert terms("Der 12-Punkte-Plan") == {"=plan"}
    assert terms("Stadtplanung") == set()
    assert terms("Fachmesse") == {"*messe"}
    assert terms("Messestand") == {"messe*"}
    assert terms("angemessen") == set()
    assert terms("Neues Open-Data-Portal") == {"open data"}
    assert terms("Open Source Data") == set()


def test_bad_term_is_refused() -> None:
    with pytest.raises(ValueError):
        Term.parse("kon(gress", 3, "t")


def test_override_by_id_and_by_url_wins(repo_config: Config) -> None:
    article = _article("Neue Städtepartnerschaft", urls=("https://www.ulm.de/x",))
    article = replace(article, id="abc")
    by_id = replace(repo_config.rules, overrides={"abc": "policy"})
    by_url = replace(repo_config.rules, overrides={"https://www.ulm.de/x": "other"})
    result = Classifier(by_id).classify(article)
    assert (result.topic, result.override) == ("policy", "abc")
    assert Classifier(by_url).classify(article).topic == "other"
    assert dict(result.scores)["partnerships"] > 0  # the rule scores are still reported


def test_ties_go_to_configured_order(repo_config: Config) -> None:
    # One strong term of each of two topics in the title: equal scores.
    result = Classifier(repo_config.rules).classify(_article("Kongress zur Partnerschaft"))
    scores = dict(result.scores)
    assert scores["partnerships"] == scores["congresses"]
    assert result.topic == "partnerships"


def test_joint_kicker_votes_for_partnerships(repo_config: Config) -> None:
    c = Classifier(repo_config.rules)
    joint = c.classify(
        _article("Einheitliches Konto", "Zusammenarbeit geplant.", kicker="Bayern / Bremen")
    )
    single = c.classify(_article("Einheitliches Konto", "Zusammenarbeit geplant.", kicker="Bayern"))
    assert joint.topic == "partnerships"
    assert single.topic == "other"


def test_compound_head_counts_more_than_modifier(repo_config: Config) -> None:
    c = Classifier(repo_config.rules)
    law = c.classify(_article("Datenschutzgesetz"))
    officers = c.classify(_article("Datenschutzbeauftragte"))
    assert dict(law.scores)["policy"] > dict(officers.scores)["policy"] > 0
    assert [m.modifier for m in officers.matches] == [True]
    # "Fachtagung" holds "fachtag" and "tagung": the head wins, nothing counts twice.
    (hit,) = c.classify(_article("Fachtagung zu Open Data")).matches[:1]
    assert (hit.term, hit.modifier) == ("tagung", False)


def test_evidence_for_other_beats_the_topic_words_a_study_mentions(repo_config: Config) -> None:
    classifier = Classifier(repo_config.rules)
    strategy = _article(
        "Stadtrat beschließt Digitalstrategie",
        lead="Der Stadtrat hat die Digitalstrategie beschlossen.",
    )
    study = replace(
        strategy,
        kicker="Studie",
        title="Nur jede dritte Kommune hat eine Digitalstrategie",
        lead="Eine Studie nach Befragung von 900 Gemeinden zeigt: wenige haben eine Strategie.",
    )
    assert classifier.classify(strategy).topic == "policy"
    result = classifier.classify(study)
    scores = dict(result.scores)
    assert scores["policy"] >= repo_config.rules.threshold  # the topic words are there ...
    assert scores["other"] >= scores["policy"]  # ... but the item is a study
    assert result.topic == "other"
    assert any(m.topic == "other" and m.term == "studie" for m in result.matches)


def test_an_editors_topic_beats_the_rules_but_not_the_overrides(repo_config: Config) -> None:
    note = replace(_article("Stadtrat beschließt Digitalstrategie"), editor_topic="congresses")
    assert Classifier(repo_config.rules).classify(note).topic == "congresses"
    assert Classifier(repo_config.rules).classify(note).override == EDITOR
    rules = replace(repo_config.rules, overrides={note.id: "partnerships"})
    assert Classifier(rules).classify(note).topic == "partnerships"


def test_a_classifier_that_has_seen_the_words_decides_as_a_fresh_one(repo_config: Config) -> None:
    # Words known to hold no term are skipped without a look; the terms of the others, and
    # their counts and order, must come out as a fresh classifier finds them.
    texts = [
        ("Städtepartnerschaft und Fachtagung", "Die Partnerschaft lädt zur Tagung. " * 3),
        ("Digitalgesetz im Landtag", "Das Gesetz, die Strategie und die Partnerschaft."),
        ("Neues Feuerwehrauto", "Die Wache Süd bekommt ein Auto, ein Auto."),
    ]
    articles = [_article(t, b, kicker="Ulm / Neu-Ulm") for t, b in texts]
    warm = Classifier(repo_config.rules)
    for article in articles:
        warm.classify(article)
    for article in articles:
        assert warm.classify(article) == Classifier(repo_config.rules).classify(article)
    # Every occurrence counts, once seen words are skipped: three in the body, one in the title.
    found = {(m.term, m.field): m.count for m in warm.classify(articles[0]).matches}
    assert found[("partnerschaft", "body")] == found[("tagung", "body")] == 3
    assert found[("partnerschaft", "title")] == 1
