"""The archive's long lists split into pages: the index by weeks, each topic by whole weeks."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import lxml.html
import pytest

from digest.config import Config
from digest.l10n import L10n
from digest.models import Issue
from digest.render import pagination, paths
from digest.render.archive import render_archive, service_links
from digest.render.environment import make_environment
from digest.weeks import IsoWeek

from .issues import TOPICS, article, make_issue

FIRST = IsoWeek(2018, 48)  # ten weeks from here cross into 2019: year groups on one page


def render(issues: list[Issue], cfg: Config, locale: str = "de_DE") -> dict[str, bytes]:
    return render_archive(issues, cfg, make_environment(cfg.templates), L10n(locale))


def parse(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def resolve(name: str, href: str) -> str:
    """The output path a relative href on page `name` points at (anchor stripped)."""
    target = href.partition("#")[0]
    if not target:
        return name
    return posixpath.normpath(posixpath.join(posixpath.dirname(name), target))


def week(n: int) -> IsoWeek:
    """The n-th week (from 0) after FIRST."""
    return IsoWeek.of(FIRST.monday + timedelta(weeks=n))


def issue_with(n: int, counts: dict[str, int], cfg: Config) -> Issue:
    """Week n with `counts[topic]` articles of each topic, titled '<week> <topic> <i>'."""
    iso = week(n)
    articles = [
        article(f"{iso} {topic} {i}", iso.monday + timedelta(days=i % 7), topic)
        for topic, count in counts.items()
        for i in range(count)
    ]
    return make_issue(str(iso), articles, cfg.rules)


# Policy articles per week, oldest first; week 1 has none. With page_size 3 they pack, oldest
# first, into [0] (2 + 2 > 3), [2, 3], [4] (5: too big, alone), [5], [6, 7, 8], [9]. The front
# page shows the two newest packs; the numbered pages are the others, page 1 the oldest.
POLICY = (2, 0, 2, 1, 5, 3, 1, 1, 1, 4)
POLICY_FRONT = [9, 8, 7, 6]
POLICY_PAGES = [[0], [3, 2], [4], [5]]  # pages 1..4, each newest first

# The index with page_size 3: packs [0, 1, 2], [3, 4, 5], [6, 7, 8], [9].
INDEX_PAGES = ["index.html", "archive/1.html", "archive/2.html"]


@pytest.fixture
def small(repo_config: Config) -> Config:
    return replace(repo_config, page_size=3)


@pytest.fixture
def issues(small: Config) -> list[Issue]:
    return [
        issue_with(n, {"policy": POLICY[n], "congresses": 1 + n % 2}, small)
        for n in range(len(POLICY))
    ]


@pytest.fixture
def files(issues: list[Issue], small: Config) -> dict[str, bytes]:
    return render(issues, small)


def week_hrefs(data: bytes) -> list[str]:
    return [str(href) for href in parse(data).xpath("//ol[contains(@class, 'weeks')]/li/a/@href")]


def pager_of(name: str, files: dict[str, bytes]) -> dict[str, str | None]:
    """The pages a page's pager links to, as output paths; checks every pager agrees."""
    root = parse(files[name])
    found: dict[str, str | None] = {}
    for rel in ("prev", "next"):
        targets = {resolve(name, h) for h in root.xpath(f"//a[@rel='{rel}']/@href")}
        heads = {resolve(name, h) for h in root.xpath(f"//head/link[@rel='{rel}']/@href")}
        assert targets == heads, (name, rel)
        assert len(targets) <= 1, (name, rel)
        found[rel] = targets.pop() if targets else None
    return found


def test_index_pages_hold_whole_packs_newest_first(files: dict[str, bytes]) -> None:
    assert sorted(name for name in files if name in INDEX_PAGES or "archive/" in name) == [
        "archive/1.html",
        "archive/2.html",
        "index.html",
    ]
    on_pages = [[resolve(name, h) for h in week_hrefs(files[name])] for name in INDEX_PAGES]
    expected = [[9, 8, 7, 6], [2, 1, 0], [5, 4, 3]]
    assert on_pages == [[paths.week_page(week(n)) for n in page] for page in expected]


def test_index_page_groups_its_weeks_by_year(files: dict[str, bytes]) -> None:
    # Page 2 holds 2019-W01, 2018-W52 and 2018-W51: two years, newest first.
    root = parse(files["archive/2.html"])
    years = [text(h) for h in root.xpath("//section[contains(@class, 'year')]/h3")]
    assert years == ["2019", "2018"]
    for name in INDEX_PAGES:
        root = parse(files[name])
        sections = root.xpath("//section[contains(@class, 'year')]")
        for section in sections:
            year = text(section.xpath("h3")[0])
            assert all(f"/{year}-W" in h for h in section.xpath(".//a/@href")), name


def test_index_front_page_keeps_its_structure(files: dict[str, bytes], small: Config) -> None:
    root = parse(files["index.html"])
    assert text(root.xpath("//title")[0]) == f"Alle Ausgaben – {small.site.title}"
    assert text(root.xpath("//h1")[0]) == small.site.title
    latest = root.xpath("//main/header//a")[0]
    assert latest.get("href") == paths.week_page(week(len(POLICY) - 1))
    total = sum(POLICY) + sum(1 + n % 2 for n in range(len(POLICY)))
    assert text(root.xpath("//h2[contains(@class, 'all-weeks')]")[0]) == (
        f"Alle Ausgaben {total} Meldungen"
    )
    topics = [text(li) for li in root.xpath("//section[contains(@class, 'topic-list')]//li")]
    assert f"Politik & Strategie {sum(POLICY)} Meldungen Atom-Feed" in topics
    positions = [text(p) for p in root.xpath("//nav[contains(@class, 'pages')]/p")]
    assert positions == ["Neueste Wochen", "Neueste Wochen"]


def test_numbered_index_page_shows_nothing_that_changes(
    files: dict[str, bytes], small: Config
) -> None:
    root = parse(files["archive/2.html"])
    assert text(root.xpath("//title")[0]) == f"Archiv, Seite 2 – {small.site.title}"
    assert text(root.xpath("//h1")[0]) == "Archiv Seite 2"
    positions = [text(p) for p in root.xpath("//nav[contains(@class, 'pages')]/p")]
    assert positions == ["Seite 2", "Seite 2"]
    # No latest issue, no totals: they change every week, and this page is full.
    assert not root.xpath("//main/header//a")
    assert text(root.xpath("//h2[contains(@class, 'all-weeks')]")[0]) == "Alle Ausgaben"
    topics = [text(li) for li in root.xpath("//section[contains(@class, 'topic-list')]//li")]
    assert topics and not [t for t in topics if "Meldung" in t]
    # The way home is the site header's link.
    assert resolve("archive/2.html", root.xpath("//header//a/@href")[0]) == "index.html"


def test_index_pager_chain(files: dict[str, bytes]) -> None:
    # Reading order: the front page, then the numbered pages from the newest down.
    order = ["index.html", "archive/2.html", "archive/1.html"]
    for i, name in enumerate(order):
        links = pager_of(name, files)
        assert links["prev"] == (order[i - 1] if i > 0 else None), name
        assert links["next"] == (order[i + 1] if i + 1 < len(order) else None), name
    first = parse(files["index.html"])
    nxt = first.xpath("//nav[contains(@class, 'pager-top')]/a[@rel='next']")[0]
    assert text(nxt) == "Ältere Wochen → KW 51/2018 – KW 1/2019"
    # A link to the front page names only its oldest week: its newest changes every week.
    second = parse(files["archive/2.html"])
    prev = second.xpath("//nav[contains(@class, 'pager-top')]/a[@rel='prev']")[0]
    assert text(prev) == f"← Neuere Wochen ab {L10n('de_DE').week_label(week(6))}"
    first_page = parse(files["archive/1.html"])
    prev = first_page.xpath("//nav[contains(@class, 'pager-top')]/a[@rel='prev']")[0]
    assert text(prev) == "← Neuere Wochen KW 51/2018 – KW 1/2019"


def test_topic_pages_hold_whole_weeks(files: dict[str, bytes], issues: list[Issue]) -> None:
    names = [paths.topic_page_n("policy", n) for n in range(len(POLICY_PAGES) + 1)]
    assert names[:2] == ["topics/policy.html", "topics/policy/1.html"]
    assert sorted(n for n in files if n.startswith("topics/policy")) == sorted(names)
    for name, expected in zip(names, [POLICY_FRONT, *POLICY_PAGES], strict=True):
        root = parse(files[name])
        groups = root.xpath("//main/section[contains(@class, 'week-group')]")
        assert [g.get("aria-labelledby") for g in groups] == [str(week(n)) for n in expected]
        for group, n in zip(groups, expected, strict=True):
            assert resolve(name, group.xpath("h2/a/@href")[0]) == paths.week_page(week(n))
            titles = [text(h) for h in group.xpath(".//article//h3")]
            assert titles == [f"{week(n)} policy {i}" for i in range(POLICY[n])], name
        count = sum(POLICY[n] for n in expected)
        if name != names[0]:
            assert count <= 3 or len(expected) == 1, name  # only a lone oversized week exceeds
    policy = sum(POLICY)
    shown = sum(len(parse(files[n]).xpath("//main//article")) for n in names)
    assert shown == policy


def test_oversized_week_gets_its_own_page(files: dict[str, bytes]) -> None:
    root = parse(files["topics/policy/3.html"])
    assert len(root.xpath("//main/section")) == 1
    assert len(root.xpath("//main//article")) == 5 > 3


def test_topic_pager(files: dict[str, bytes], small: Config) -> None:
    order = [paths.topic_page_n("policy", n) for n in (0, 4, 3, 2, 1)]
    for i, name in enumerate(order):
        links = pager_of(name, files)
        assert links["prev"] == (order[i - 1] if i > 0 else None), name
        assert links["next"] == (order[i + 1] if i + 1 < len(order) else None), name
        position = parse(files[name]).xpath("//nav[contains(@class, 'pages')]/p")
        label = "Neueste Wochen" if i == 0 else f"Seite {5 - i}"
        assert [text(p) for p in position] == [label] * 2, name
    second = parse(files["topics/policy/2.html"])
    title = f"Politik & Strategie, Seite 2 – {small.site.title}"
    assert text(second.xpath("//title")[0]) == title
    assert text(second.xpath("//h1")[0]) == "Politik & Strategie Seite 2"
    # A numbered page does not show the topic's total, which changes with every article.
    assert "Meldung" not in text(second.xpath("//main/header")[0])
    first = parse(files["topics/policy.html"])
    assert text(first.xpath("//h1")[0]) == "Politik & Strategie"
    assert f"{sum(POLICY)} Meldungen" in text(first.xpath("//main/header")[0])
    # The feed link stays right from the deeper folder.
    assert resolve("topics/policy/2.html", second.xpath("//head/link[@type]/@href")[-1]) in {
        paths.topic_feed("policy")
    }


def test_a_new_week_leaves_full_pages_alone(small: Config) -> None:
    """Weeks arrive one by one: a numbered page, once written, changes only when the page
    after it opens (its link to newer weeks then points there), and only the newest week's
    page gains a link to the new week."""
    history: list[dict[str, bytes]] = []
    for weeks in range(1, 16):
        issues = [
            issue_with(n, {"policy": 1 + n % 3, "congresses": 1}, small) for n in range(weeks)
        ]
        history.append(render(issues, small))
    for before, after in pairwise(history):
        changed = {name for name in before if before[name] != after.get(name)}
        created = set(after) - set(before)
        assert not set(before) - set(after)  # nothing ever goes away
        numbered = {n for n in changed if n.startswith("archive/") or n.count("/") == 2}
        weeks = {n for n in changed if n.startswith("weeks/")}
        assert len(weeks) == 1, weeks
        new_numbered = {n for n in created if n.startswith("archive/") or n.count("/") == 2}
        for name in numbered:
            # Only the page just below a newly opened page changes: its newer link moved.
            folder, number = name.rsplit("/", 1)
            newer = f"{folder}/{int(number.split('.')[0]) + 1}.html"
            assert newer in new_numbered, (name, sorted(new_numbered))
    assert any(n.startswith("archive/") for n in history[-1])
    assert len([n for n in history[-1] if n.startswith("topics/policy/")]) >= 3


def test_one_page_lists_have_no_pager(issues: list[Issue], repo_config: Config) -> None:
    files = render(issues, repo_config)  # page_size 25: everything fits on the front page
    assert not [n for n in files if n.startswith("archive/") or n.count("/") > 1]
    for name, data in files.items():
        if name.startswith("weeks/"):
            continue  # the week pages link to the weeks before and after
        root = parse(data)
        assert not root.xpath("//*[@rel='prev' or @rel='next']"), name
        assert not root.xpath("//nav[contains(@class, 'pages')]"), name


def test_empty_archive_has_one_index_page(small: Config) -> None:
    files = render([], small)
    assert set(files) == {"index.html"}
    assert not parse(files["index.html"]).xpath("//nav[contains(@class, 'pages')]")


def test_every_relative_link_resolves(
    files: dict[str, bytes], issues: list[Issue], small: Config
) -> None:
    service = set(service_links(small).values())
    # Rendered beside the archive by the build: the feeds and a page per article.
    feeds = {paths.FEED, *(paths.topic_feed(t) for t in TOPICS)}
    feeds |= {paths.article_page(a.id) for issue in issues for a in issue.articles}
    for name, data in files.items():
        root = parse(data)
        for href in [*root.xpath("//a/@href"), *root.xpath("//link/@href")]:
            if href in service or href == "data:," or href.startswith(("https://", "mailto:")):
                continue
            assert "://" not in href and not href.startswith("/"), (name, href)
            target = resolve(name, href)
            assert target in files or target in feeds, (name, href)
            anchor = href.partition("#")[2]
            if anchor and target in files:
                assert parse(files[target]).xpath(f"//*[@id='{anchor}']"), (name, href)


def test_deterministic(issues: list[Issue], small: Config) -> None:
    first = render(issues, small)
    assert render(list(reversed(issues)), small) == first
    assert render(issues, small) == first


def test_english_pages(issues: list[Issue], small: Config) -> None:
    files = render(issues, small, "en")
    root = parse(files["archive/2.html"])
    assert text(root.xpath("//h1")[0]) == "Archive Page 2"
    nxt = root.xpath("//nav[contains(@class, 'pager-top')]/a[@rel='next']")[0]
    assert text(nxt).startswith("Older weeks → Week ")
    prev = root.xpath("//nav[contains(@class, 'pager-top')]/a[@rel='prev']")[0]
    assert text(prev).startswith("← Newer weeks from Week ")


def test_pack_and_paginate() -> None:
    assert pagination.pack([], 3, len) == []
    assert pagination.pack([[1], [1, 1], [1]], 3, len) == [[[1], [1, 1]], [[1]]]
    assert pagination.pack([[1] * 5], 3, len) == [[[1] * 5]]
    assert pagination.pack([[1], [1] * 5, [1]], 3, len) == [[[1]], [[1] * 5], [[1]]]
    assert pagination.pack([[1]] * 4, 1, len) == [[[1]]] * 4
    with pytest.raises(ValueError):
        pagination.pack([[1]], 0, len)
    assert pagination.paginate([], 2) == [[]]
    assert pagination.paginate([1, 2, 3], 2) == [[1, 2, 3]]
    assert pagination.paginate([1, 2, 3, 4, 5], 2) == [[3, 4, 5], [1, 2]]
    assert pagination.paginate(list(range(1, 8)), 2) == [[5, 6, 7], [1, 2], [3, 4]]


def test_pager_links() -> None:
    spans = [(week(4), week(5)), (week(0), week(1)), (week(2), week(3))]
    assert pagination.pager(spans[:1], 0, paths.index_page) is None
    front = pagination.pager(spans, 0, paths.index_page)
    assert front is not None and front.front and front.newer is None
    assert front.older == pagination.PageLink(2, "archive/2.html", week(2), week(3))
    last = pagination.pager(spans, 2, paths.index_page)
    assert last is not None and not last.front
    assert last.newer == pagination.PageLink(0, "../index.html", week(4), None)
    assert last.older == pagination.PageLink(1, "1.html", week(0), week(1))
    first = pagination.pager(spans, 1, paths.index_page)
    assert first is not None and first.older is None
    assert first.newer == pagination.PageLink(2, "2.html", week(2), week(3))
    with pytest.raises(ValueError):
        pagination.pager(spans, 3, paths.index_page)
    assert paths.topic_page_n("policy", 0) == paths.topic_page("policy")
    assert paths.topic_page_n("policy", 3) == "topics/policy/3.html"
    assert paths.index_page(0) == paths.INDEX
