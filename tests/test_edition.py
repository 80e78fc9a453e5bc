"""What a build publishes: credits, article pages, links, the editorial, exclusions, the lead
story, and the reader's view of small and huge weeks."""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import posixpath
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest

from digest.cli import main
from digest.config import Config, load_config
from digest.delivery.message import build_message, encode_body
from digest.errors import ConfigError
from digest.l10n import L10n
from digest.models import Article, Classification, Issue, Origin, Section, lead_rank
from digest.render.email import (
    PLACEHOLDERS,
    SUBJECT_CHARS,
    UNSUBSCRIBE_PLACEHOLDER,
    render_email,
    subject_of,
)
from digest.render.environment import make_environment
from digest.weeks import IsoWeek

from .issues import make_issue, week_of_articles
from .pages import k_page, p_release

WEEK = "2025-W45"


def build(config: Path, *args: str) -> int:
    return main(["--config", str(config), "build", *args])


def edit(config: Path, old: str, new: str) -> None:
    text = config.read_text("utf-8")
    assert old in text, old
    config.write_text(text.replace(old, new, 1), "utf-8")


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_text("utf-8"))


def words(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def preview(config: Path, suffix: str) -> str:
    return (config.parent / "preview" / "email" / f"{WEEK}.{suffix}").read_text("utf-8")


@pytest.fixture
def two_sources(config_file: Path) -> Path:
    """A portal (full text, with a URL) and a press office (lead only) as two sources."""
    folder = config_file.parent
    (folder / "in" / "portal.txt").write_text(k_page(), "utf-8")
    (folder / "presse").mkdir()
    (folder / "presse" / "pm.txt").write_text(
        p_release(title="Musterstadt tritt Datenbündnis bei"), "utf-8"
    )
    edit(
        config_file,
        'name = "Beispielkorpus digest"',
        'name = "Kommunalportal"\nurl = "https://portal.example.org/"',
    )
    edit(
        config_file,
        "[exclude]",
        '[[sources]]\npath = "presse"\nname = "Pressestelle Musterstadt"\n'
        'url = "https://www.musterstadt.example/presse"\nfull_text = false\n\n[exclude]',
    )
    return config_file


def test_every_item_is_credited_and_leads_to_its_page(
    two_sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(two_sources) == 0
    assert "problem:" not in capsys.readouterr().err
    out = two_sources.parent / "public"
    week = page(out / "weeks" / f"{WEEK}.html")
    items = {words(a.xpath(".//h3")[0]): a for a in week.xpath("//article[@class='item']")}
    portal = items["Gemeinsames Serviceportal"]
    press = items["Musterstadt tritt Datenbündnis bei"]
    # The portal's author tag in parentheses; the press office's author by name.
    assert words(portal.xpath(".//*[@class='credit']")[0]) == "Quelle: Kommunalportal (ve)"
    assert words(press.xpath(".//*[@class='credit']")[0]) == (
        "Quelle: Pressestelle Musterstadt · Autor/in: Pressestelle"
    )
    # "Musterstadt: Musterstadt tritt ..." would stutter: the kicker is left out.
    assert not press.xpath(".//*[@class='kicker']")
    assert words(portal.xpath(".//*[@class='kicker']")[0]) == "Ulm / Neu-Ulm"

    # One click from the week page to the article page, which has the whole story.
    href = portal.xpath(".//h3/a/@href")[0]
    story = page(out / posixpath.normpath(posixpath.join("weeks", href)))
    text = words(story.xpath("//main")[0])
    assert "Die Zusammenarbeit soll Kosten sparen." in text  # the body: full_text = true
    assert story.xpath("//p[@class='credit']/a/@href") == ["https://portal.example.org/"]
    facts = words(story.xpath("//dl[@class='story-facts']")[0])
    assert "Thema" in facts and "Erschienen in KW 45/2025" in facts
    week_link = story.xpath("//dl[@class='story-facts']//a/@href")[-1]
    assert week_link == f"../weeks/{WEEK}.html#{portal.get('id')}"

    # The press office allows no republishing: lead and a link to the original only.
    href = press.xpath(".//h3/a/@href")[0]
    story = page(out / posixpath.normpath(posixpath.join("weeks", href)))
    text = words(story.xpath("//main")[0])
    assert "Die Stadt tritt einem regionalen Bündnis für offene Daten bei." in text
    assert "Der Stadtrat hat den Beitritt einstimmig beschlossen." not in text
    assert story.xpath("//p[@class='elsewhere']/a/@href") == [
        "https://www.musterstadt.example/presse"
    ]

    # The email: every title and every shortened text link to the article page.
    html = preview(two_sources, "html")
    assert "Quelle: Kommunalportal (ve)" in html
    assert "Quelle: Pressestelle Musterstadt · Autor/in: Pressestelle" in html
    pages = re.findall(r'href="(https://digest\.example\.de/articles/[0-9a-f]{16}\.html)"', html)
    assert len(set(pages)) == 2
    plain = preview(two_sources, "txt")
    assert "Quelle: Kommunalportal (ve)" in plain
    assert all(url in plain for url in set(pages))
    # Feeds: the issue entry credits each item; topic entries link to the article page.
    feed = feedparser.parse((out / "feed.atom").read_bytes())
    assert "Quelle: Kommunalportal (ve)" in feed.entries[0].content[0].value
    for name in (out / "topics").glob("*.atom"):
        for entry in feedparser.parse(name.read_bytes()).entries:
            assert re.fullmatch(r"https://digest\.example\.de/articles/\w{16}\.html", entry.link)
            assert "Quelle: " in entry.summary


def test_a_source_can_send_readers_to_the_original(two_sources: Path) -> None:
    edit(two_sources, "full_text = false", 'full_text = false\nlink = "original"')
    assert build(two_sources) == 0
    html = preview(two_sources, "html")
    assert '<a href="https://www.musterstadt.example/presse">Musterstadt tritt' in html
    week = (two_sources.parent / "public" / "weeks" / f"{WEEK}.html").read_text("utf-8")
    assert 'href="https://www.musterstadt.example/presse">Musterstadt tritt' in week
    # The article still has its page here, for the archive and the topic pages' readers.
    assert len(list((two_sources.parent / "public" / "articles").glob("*.html"))) == 2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('[[sources]]\npath = "x"\n', "sources[1].name: missing"),
        ('[[sources]]\npath = "x"\nname = "  "\n', "sources[1].name: missing"),
        (
            '[[sources]]\npath = "x"\nname = "beispielkorpus DIGEST"\n',
            "sources[1].name: 'beispielkorpus DIGEST' is already the name of sources[0]",
        ),
        ('[[sources]]\npath = "x"\nname = "X"\nlink = "home"\n', "sources[1].link: expected"),
        ('[[sources]]\npath = "x"\nname = "X"\nurl = "ftp://x"\n', "sources[1].url:"),
    ],
)
def test_source_names_are_required_and_distinct(
    config_file: Path, source: str, message: str
) -> None:
    edit(config_file, "[exclude]", f"{source}\n[exclude]")
    lines = config_file.read_text("utf-8").splitlines()
    first = lines.index("[[sources]]", lines.index("[[sources]]") + 1) + 1
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    where, _, rest = str(caught.value).partition(": ")
    assert where.startswith(f"{config_file}:") and message in rest
    assert int(where.rsplit(":", 1)[1]) >= first  # the line of the new entry, not the first


def test_exclude_by_id_or_url_takes_articles_out(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = config_file.parent / "in"
    (folder / "a.txt").write_text(k_page(title="Bleibt drin"), "utf-8")
    (folder / "b.txt").write_text(
        k_page(title="Fliegt raus", body="Text. (ve)\n\nhttps://raus.example.org/"), "utf-8"
    )
    (folder / "c.txt").write_text(k_page(title="Auch raus", day="4.11.2025"), "utf-8")
    assert build(config_file) == 0
    out = config_file.parent / "public"
    capsys.readouterr()
    assert main(["--config", str(config_file), "articles", "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    by_title = {a["title"]: a["id"] for a in stored}
    edit(
        config_file,
        "[exclude]",
        f'[exclude]\n"https://raus.example.org/" = "Werbung"\n'
        f'"{by_title["Auch raus"]}" = "Doppelt"\n"0000000000000000" = "Tippfehler"',
    )
    assert build(config_file) == 0
    err = capsys.readouterr().err
    week = (out / "weeks" / f"{WEEK}.html").read_text("utf-8")
    assert "Bleibt drin" in week and "Fliegt raus" not in week and "Auch raus" not in week
    assert not (out / "articles" / f"{by_title['Fliegt raus']}.html").exists()
    assert (out / "articles" / f"{by_title['Bleibt drin']}.html").exists()
    # An entry that matches nothing is named with its config line.
    line = config_file.read_text("utf-8").splitlines().index('"0000000000000000" = "Tippfehler"')
    assert f"{config_file}:{line + 1}: [exclude] '0000000000000000' matches no stored" in err


def test_an_article_without_paragraphs_gets_a_page(config_file: Path) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(body="(ve)"), "utf-8")
    assert build(config_file) == 0
    [story] = (config_file.parent / "public" / "articles").glob("*.html")
    root = page(story)
    assert words(root.xpath("//h1")[0]) == "Gemeinsames Serviceportal"
    assert "betreiben künftig ein gemeinsames Serviceportal" in words(root.xpath("//main")[0])


def _article(title: str, topic: str, score: float, kind: str = "main", body: int = 1) -> Article:
    return Article(
        id=f"{title[:8]:>08}".replace(" ", "0"),
        kind="main" if kind == "main" else "teaser",
        format="K",
        title=title,
        date=date(2019, 9, 17),
        body=tuple("Satz." for _ in range(body)),
        classification=Classification(topic, scores=((topic, score),)),
    )


def _issue(*articles: Article) -> Issue:
    sections = {a.topic: [x for x in articles if x.topic == a.topic] for a in articles}
    return Issue(
        IsoWeek.parse("2019-W38"),
        tuple(Section(t, t, tuple(items)) for t, items in sections.items()),
    )


def test_the_lead_story_rule() -> None:
    teaser = _article("Teaser mit Höchstwert", "policy", 30.0, kind="teaser")
    other = _article("Weitere Meldung lang", "other", 0.0, body=9)
    weak = _article("Hauptartikel schwach", "policy", 6.0, body=5)
    strong = _article("Hauptartikel stark", "partnerships", 12.0)
    # A topic beats "other", a full article beats a teaser, then the higher score.
    assert _issue(teaser, other, weak, strong).lead == strong
    assert _issue(teaser, other, weak).lead == weak
    assert _issue(teaser, other).lead == teaser
    assert _issue(other).lead == other
    # Equal score: the longer text wins.
    longer = replace(weak, id="longer00", title="Länger", body=("Satz.",) * 8)
    assert _issue(weak, longer).lead == longer
    # All that equal: the earlier date wins, an undated story comes after any date (also one
    # in year 9999), and then the smaller id; in any input order.
    earlier = replace(weak, id="zzzzzzzz", date=date(2019, 9, 16))
    undated = replace(weak, id="00000000", date=None)
    far = replace(weak, id="11111111", date=date(9999, 12, 31))
    twin = replace(weak, id="00000001")
    for order in itertools.permutations((weak, earlier, undated, far, twin)):
        assert _issue(*order).lead == earlier
        assert sorted(order, key=lead_rank) == [earlier, twin, weak, far, undated]


def test_the_subject_names_the_lead_story_and_stays_short(repo_config: Config) -> None:
    l10n = L10n("de_DE")
    strong = _article("Hauptartikel stark", "partnerships", 12.0)
    assert subject_of(_issue(strong), repo_config, l10n) == (
        "Wochenrückblick KW 38/2019: Hauptartikel stark"
    )
    long = replace(strong, title="Sehr " * 40 + "langer Titel")
    subject = subject_of(_issue(long), repo_config, l10n)
    assert len(subject) <= SUBJECT_CHARS and subject.endswith("…")
    assert subject.startswith("Wochenrückblick KW 38/2019: Sehr Sehr")


def test_the_editorial_reaches_email_page_and_feed(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = config_file.parent
    (folder / "in" / "a.txt").write_text(k_page(), "utf-8")
    (folder / "in" / "b.txt").write_text(k_page(title="Zweite Meldung", kicker=None), "utf-8")
    (folder / "in" / "c.txt").write_text(k_page(title="Andere Woche", day="12.11.2025"), "utf-8")
    assert build(folder / "config.toml") == 0
    capsys.readouterr()
    assert main(["--config", str(config_file), "articles", "--json"]) == 0
    ids = {a["title"]: a["id"] for a in json.loads(capsys.readouterr().out)}
    (folder / "editorial").mkdir()
    (folder / "editorial" / f"{WEEK}.md").write_text(
        "---\nsubject: Zwei Portale, ein Ziel\n"
        f"top: {ids['Zweite Meldung'][:8]}, {ids['Andere Woche']}\n---\n"
        "Liebe Leserinnen und Leser,\n\ndiese Woche **zwei** Portale.\n",
        "utf-8",
    )
    assert build(config_file) == 0
    err = capsys.readouterr().err
    # A pin of another week's article is named and left out; the rest of the editorial holds.
    assert f"editorial/{WEEK}.md: top: {ids['Andere Woche']} is an article of 2025-W46" in err
    eml = email.message_from_bytes(
        (folder / "preview" / "email" / f"{WEEK}.eml").read_bytes(), policy=email.policy.default
    )
    assert eml["Subject"] == "Zwei Portale, ein Ziel"
    html = preview(config_file, "html")
    assert "diese Woche <strong>zwei</strong> Portale." in html
    assert html.index("Top-Meldung") < html.index("Zweite Meldung") < html.index("Gemeinsames")
    assert html.count(">Zweite Meldung</a>") == 1  # pinned: shown once, first
    plain = preview(config_file, "txt")
    assert "diese Woche zwei Portale." in plain and "== TOP-MELDUNG ==" in plain
    week = page(folder / "public" / "weeks" / f"{WEEK}.html")
    assert "diese Woche zwei Portale." in words(week.xpath("//section[@class='intro']")[0])
    assert words(week.xpath("//section[@class='top-stories']//h3")[0]) == "Zweite Meldung"
    feed = feedparser.parse((folder / "public" / "feed.atom").read_bytes())
    entry = next(e for e in feed.entries if e.id.endswith(WEEK))
    assert entry.title == "Zwei Portale, ein Ziel"
    assert "<strong>zwei</strong>" in entry.content[0].value


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("---\nsubjekt: X\n---\nText\n", 2, "unknown key 'subjekt'"),
        ("---\nsubject: X\nText ohne Ende\n", 1, ""),
        ("---\ntop: ffffffffffffffff\n---\nText\n", 2, "no article has the id 'ffffffffffffffff'"),
    ],
)
def test_a_bad_editorial_is_named_and_the_build_goes_on(
    config_file: Path, capsys: pytest.CaptureFixture[str], text: str, where: int, message: str
) -> None:
    folder = config_file.parent
    (folder / "in" / "a.txt").write_text(k_page(), "utf-8")
    (folder / "editorial").mkdir()
    (folder / "editorial" / f"{WEEK}.md").write_bytes(text.encode("utf-8"))
    assert build(config_file) == 0
    err = capsys.readouterr().err
    assert f"problem: editorial/{WEEK}.md:{where}: {message}" in err
    assert (folder / "public" / "weeks" / f"{WEEK}.html").exists()
    assert (folder / "preview" / "email" / f"{WEEK}.eml").exists()
    # Under --strict the same problem stops the build (exit 3) and writes nothing new.
    assert build(config_file, "--strict") == 3


def test_a_one_item_week_has_no_table_of_contents(config_file: Path) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    assert build(config_file) == 0
    week = page(config_file.parent / "public" / "weeks" / f"{WEEK}.html")
    assert not week.xpath("//nav[contains(@class, 'toc')]")
    assert week.xpath("//h1/span[@class='nowrap']/text()") == ["KW 45/2025"]
    html = preview(config_file, "html")
    assert "Inhalt" not in html
    assert '<span style="white-space:nowrap">KW 45/2025</span>' in html
    assert 'style="white-space:nowrap">(1 Meldung)</span>' in html


def test_a_thousand_item_week_still_fits_and_parses(repo_config: Config) -> None:
    cfg = repo_config
    credited = Origin("Ein Portal mit einem recht langen Namen", "https://portal.example.org/")
    items = [
        replace(a, origin=credited, author="ve")
        for a in week_of_articles("2019-W38", 1000, cfg.rules, lead_chars=600)
    ]
    issue = make_issue("2019-W38", items, cfg.rules)
    out = render_email(issue, cfg, make_environment(cfg.templates), L10n("de_DE"))
    assert len(out.html.encode("utf-8")) <= cfg.email.max_html_kb * 1000
    assert out.budget.startswith("capped")
    # The footer (unsubscribe, Impressum, privacy) is inside the budget, after every item.
    for part in ("Abmelden", "Impressum", "Datenschutz"):
        assert part in out.html
    assert out.html.count("Quelle: Ein Portal") == out.html.count('<div class="item">')
    raw = build_message(
        cfg=cfg,
        subject=out.subject,
        body=encode_body(out.text, out.html, PLACEHOLDERS),
        to="Vorschau <vorschau@digest.example.de>",
        message_id="<x@digest.example.de>",
        sent=datetime(2019, 9, 23, 7, 0, tzinfo=cfg.site.tz),
        unsubscribe=UNSUBSCRIBE_PLACEHOLDER,
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert not message.defects and all(not p.defects for p in message.walk())
    parts = {p.get_content_type(): p.get_content() for p in message.iter_parts()}
    assert parts["text/html"].replace("\r\n", "\n") == out.html
