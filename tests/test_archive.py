"""The static web archive: pages, relative links, ordering, escaping and determinism."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from datetime import date

import lxml.html
import pytest

from digest.config import Config
from digest.l10n import L10n
from digest.models import Issue
from digest.render import paths
from digest.render.archive import contact_href, render_archive, service_links
from digest.render.article_pages import render_article_pages
from digest.render.environment import make_environment
from digest.weeks import IsoWeek

from .issues import article, make_issue, week_of_articles

EVIL = "<script>alert(1)</script> & „Zitat“ <KI>"


def render(issues: list[Issue], cfg: Config) -> dict[str, bytes]:
    env, l10n = make_environment(cfg.templates), L10n("de_DE")
    return {
        **render_archive(issues, cfg, env, l10n),
        **render_article_pages(issues, cfg, env, l10n),
    }


def article_pages(issues: list[Issue]) -> set[str]:
    return {paths.article_page(a.id) for issue in issues for a in issue.articles}


def parse(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture
def issues(repo_config: Config) -> list[Issue]:
    rules = repo_config.rules
    return [
        make_issue("2018-W52", week_of_articles("2018-W52", 3, rules), rules),
        make_issue("2019-W37", week_of_articles("2019-W37", 6, rules), rules),
        make_issue(
            "2019-W38",
            [
                *week_of_articles("2019-W38", 9, rules),
                article(EVIL, date(2019, 9, 18), "policy"),
                article(
                    "Ohne Link und Vorspann",
                    date(2019, 9, 19),
                    "partnerships",
                    url=None,
                    lead=None,
                    kicker=None,
                    keywords=(),
                ),
            ],
            rules,
        ),
        make_issue(
            "2020-W01",
            [article("Einzige Meldung", date(2019, 12, 31), "congresses")],
            rules,
        ),
    ]


@pytest.fixture
def files(issues: list[Issue], repo_config: Config) -> dict[str, bytes]:
    return render(issues, repo_config)


def test_produces_index_week_and_topic_pages(
    files: dict[str, bytes], issues: list[Issue], repo_config: Config
) -> None:
    weeks = {f"weeks/{w}.html" for w in ("2018-W52", "2019-W37", "2019-W38", "2020-W01")}
    topics = {f"topics/{t}.html" for t in repo_config.rules.order}
    assert len(article_pages(issues)) == 3 + 6 + 11 + 1
    assert set(files) == {"index.html", *weeks, *topics, *article_pages(issues)}
    for name, data in files.items():
        root = parse(data)
        assert root.get("lang") == "de-DE", name
        assert root.xpath("//meta[@charset='utf-8']"), name
        assert root.xpath("//meta[@name='viewport']"), name
        assert root.xpath("//meta[@name='color-scheme'][@content='light dark']"), name
        assert "prefers-color-scheme: dark" in text(root.xpath("//style")[0]), name
        assert data.startswith(b"<!DOCTYPE html>"), name
        feeds = root.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href")
        assert paths.relative(name, paths.FEED) in feeds, name
        footer = text(root.xpath("//footer")[-1])
        imp = repo_config.impressum
        for part in ("Impressum", imp.publisher, imp.address, imp.responsible, imp.contact):
            assert part in footer, (name, part)


def test_topic_pages_only_for_topics_with_articles(repo_config: Config) -> None:
    rules = repo_config.rules
    issue = make_issue("2019-W38", [article("Nur Politik", date(2019, 9, 17), "policy")], rules)
    files = render([issue], repo_config)
    assert set(files) == {
        "index.html",
        "weeks/2019-W38.html",
        "topics/policy.html",
        *article_pages([issue]),
    }


def test_week_page(files: dict[str, bytes], issues: list[Issue], repo_config: Config) -> None:
    root = parse(files["weeks/2019-W38.html"])
    head = text(root.xpath("//main/header")[0])
    assert "KW 38/2019" in head and "16.–22. September 2019" in head
    assert "11 Meldungen" in head
    assert repo_config.site.title in text(root.xpath("//body/header")[0])
    assert "KW 38/2019" in text(root.xpath("//title")[0])

    issue = issues[2]
    order = [s.topic for s in issue.sections]
    assert order == [t for t in repo_config.rules.order if t in order]
    section_ids = root.xpath("//main/section/h2/@id")
    assert section_ids == order
    toc = root.xpath("//nav[contains(@class, 'toc')]//li")
    assert [li.xpath("a/@href")[0] for li in toc] == [f"#{t}" for t in order]
    for li, section in zip(toc, issue.sections, strict=True):
        label_count = f"{section.label} {L10n('de_DE').items(len(section.articles))}"
        assert text(li) == label_count
        h2 = root.xpath(f"//h2[@id='{section.topic}']")[0]
        assert text(h2) == label_count
        assert len(h2.getparent().xpath(".//article")) == len(section.articles)
    assert sum(len(root.xpath(f"//section[h2/@id='{t}']//article")) for t in order) == 11

    prev = root.xpath("//a[@rel='prev']")[0]
    nxt = root.xpath("//a[@rel='next']")[0]
    assert prev.get("href") == "2019-W37.html" and "KW 37/2019" in text(prev)
    assert nxt.get("href") == "2020-W01.html" and "KW 1/2020" in text(nxt)


def test_item_fields(files: dict[str, bytes]) -> None:
    root = parse(files["weeks/2019-W38.html"])
    items = root.xpath("//article[.//h3[contains(., 'Meldung Nummer 1 ')]]")
    assert len(items) == 1
    item = items[0]
    assert text(item.xpath(".//*[@class='kicker']")[0]) == "Stadt 1"
    # The title leads to the article's own page, which links the article's URL.
    [href] = item.xpath(".//h3/a/@href")
    page = posixpath.normpath(posixpath.join("weeks", href))
    assert page.startswith("articles/") and page.endswith(".html")
    story = parse(files[page])
    assert text(story.xpath("//h1")[0]).startswith("Meldung Nummer 1 ")
    assert story.xpath("//section[@class='story-links']//a/@href") == [
        "https://www.example.de/meldung/1"
    ]
    time = item.xpath(".//time")[0]
    assert time.get("datetime") == "2019-09-16"
    assert text(time) == "Montag, 16. September 2019"
    assert text(item.xpath(".//*[@class='summary']")[0]).startswith("Die Stadt und ihre")
    assert text(item.xpath(".//*[@class='keywords']")[0]) == "Stichwörter: Digitalisierung"


def test_item_without_url_lead_kicker_keywords(files: dict[str, bytes]) -> None:
    root = parse(files["weeks/2019-W38.html"])
    item = root.xpath("//article[.//h3[contains(., 'Ohne Link und Vorspann')]]")[0]
    assert [a.getparent().tag for a in item.xpath(".//a")] == ["h3"]  # only the title links
    assert text(item.xpath(".//h3")[0]) == "Ohne Link und Vorspann"
    assert not item.xpath(".//*[@class='summary' or @class='kicker' or @class='keywords']")
    assert item.xpath(".//time/@datetime") == ["2019-09-19"]


def test_label_is_shown(repo_config: Config) -> None:
    rules = repo_config.rules
    teaser = article("Ein Bericht", date(2019, 9, 17), "policy", kind="teaser")
    issue = make_issue("2019-W38", [replace(teaser, label="Bericht")], rules)
    root = parse(render([issue], repo_config)["weeks/2019-W38.html"])
    assert text(root.xpath("//article//*[@class='label']")[0]) == "Bericht"
    assert "Ein Satz als Vorspann." in text(root.xpath("//article")[0])


def test_single_article_week_and_first_last_pager(files: dict[str, bytes]) -> None:
    root = parse(files["weeks/2020-W01.html"])
    head = text(root.xpath("//main/header")[0])
    assert "KW 1/2020" in head and "30. Dezember 2019 – 5. Januar 2020" in head
    assert "1 Meldung" in head and "1 Meldungen" not in head
    assert len(root.xpath("//main//article")) == 1
    assert not root.xpath("//a[@rel='next']") and root.xpath("//a[@rel='prev']")
    first = parse(files["weeks/2018-W52.html"])
    assert not first.xpath("//a[@rel='prev']") and first.xpath("//a[@rel='next']")


def test_links_are_relative_and_resolve(files: dict[str, bytes], repo_config: Config) -> None:
    # The feeds are rendered elsewhere (feed.py); the archive may link to them. The only
    # absolute links go to the pages `digest serve` answers (sign-up, privacy, Impressum).
    service = set(service_links(repo_config).values())
    assert service == {
        "https://digest.example.de/anmelden",
        "https://digest.example.de/datenschutz",
        "https://digest.example.de/impressum",
    }
    topics = [posixpath.splitext(posixpath.basename(n))[0] for n in files if "topics/" in n]
    known = {*files, paths.FEED, *(paths.topic_feed(t) for t in topics)}
    for name, data in files.items():
        root = parse(data)
        assert not root.xpath("//script | //img | //iframe | //object | //embed"), name
        assert not root.xpath("//@src"), name
        for link in root.xpath("//link/@href"):
            assert not link.startswith(("http:", "https:", "//")), (name, link)
        for href in [*root.xpath("//a/@href"), *root.xpath("//link/@href")]:
            if href.startswith(("https://www.example.de/", "mailto:")) or href in service:
                continue
            if href == "data:,":  # the empty favicon, so browsers do not ask for one
                continue
            assert "://" not in href and not href.startswith("/"), (name, href)
            target, _, anchor = href.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
            if not target:
                resolved = name
            assert resolved in known, (name, href)
            if anchor and resolved in files:
                assert parse(files[resolved]).xpath(f"//*[@id='{anchor}']"), (name, href)
        assert "@import" not in data.decode() and "url(" not in data.decode(), name
        footer = set(root.xpath("//footer//a/@href"))
        assert service <= footer, name


def test_index_orders_years_and_weeks_newest_first(files: dict[str, bytes]) -> None:
    root = parse(files["index.html"])
    years = [text(h) for h in root.xpath("//section[contains(@class, 'year')]/h3")]
    assert years == ["2020", "2019", "2018"]
    weeks = root.xpath("//ol[contains(@class, 'weeks')]/li")
    assert [li.xpath("a/@href")[0] for li in weeks] == [
        "weeks/2020-W01.html",
        "weeks/2019-W38.html",
        "weeks/2019-W37.html",
        "weeks/2018-W52.html",
    ]
    assert text(weeks[1]) == "KW 38/2019 16.–22. September 2019 11 Meldungen"
    assert text(weeks[0]) == "KW 1/2020 30. Dezember 2019 – 5. Januar 2020 1 Meldung"
    topics = root.xpath("//section[contains(@class, 'topic-list')]//li")
    assert [li.xpath("a/@href") for li in topics] == [
        [f"topics/{t}.html", f"topics/{t}.atom"]
        for t in ("partnerships", "congresses", "policy", "other")
    ]
    assert "feed.atom" in root.xpath("//a/@href")


def test_topic_page_groups_by_week(files: dict[str, bytes], issues: list[Issue]) -> None:
    root = parse(files["topics/policy.html"])
    assert text(root.xpath("//h1")[0]) == "Politik & Strategie"
    groups = root.xpath("//main/section")
    assert [g.xpath("h2/a/@href")[0] for g in groups] == [
        "../weeks/2019-W38.html#policy",
        "../weeks/2019-W37.html#policy",
        "../weeks/2018-W52.html#policy",
    ]
    for group, issue in zip(groups, [issues[2], issues[1], issues[0]], strict=True):
        (section,) = [s for s in issue.sections if s.topic == "policy"]
        titles = [text(h) for h in group.xpath(".//article//h3")]
        assert titles == [a.title for a in section.articles]
    assert "topics/policy.atom" not in root.xpath("//head/link/@href")
    assert "policy.atom" in root.xpath("//head/link/@href")


def test_escaping(files: dict[str, bytes]) -> None:
    for name in ("weeks/2019-W38.html", "topics/policy.html"):
        data = files[name]
        root = parse(data)
        assert not root.xpath("//script"), name
        assert EVIL in [text(h) for h in root.xpath("//article//h3")], name
        assert b"&lt;script&gt;alert(1)&lt;/script&gt; &amp; \xe2\x80\x9eZitat" in data, name


def test_unsafe_urls_are_not_links() -> None:
    evil = article("X", date(2019, 9, 17), "policy", url="javascript:alert(1)")
    assert evil.link is None
    assert article("X", None, "policy", url="https://a.de/x").link == "https://a.de/x"
    assert contact_href("redaktion@example.de") == "mailto:redaktion@example.de"
    assert contact_href("https://example.de/kontakt") == "https://example.de/kontakt"
    assert contact_href("Tel. 0123 456") is None


def test_empty_archive(repo_config: Config) -> None:
    files = render([], repo_config)
    assert set(files) == {"index.html"}
    assert "Noch keine Ausgaben." in text(parse(files["index.html"]))


def test_deterministic(issues: list[Issue], repo_config: Config) -> None:
    first = render(issues, repo_config)
    assert render(list(reversed(issues)), repo_config) == first
    assert render(issues, repo_config) == first


def test_english_locale(issues: list[Issue], repo_config: Config) -> None:
    env = make_environment(repo_config.templates)
    files = render_archive(issues, repo_config, env, L10n("en"))
    root = parse(files["weeks/2019-W38.html"])
    assert root.get("lang") == "en"
    assert "Week 38/2019" in text(root.xpath("//main/header")[0])
    assert IsoWeek(2019, 38).monday.isoformat() in root.xpath("//time/@datetime")
