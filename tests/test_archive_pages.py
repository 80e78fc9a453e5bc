"""The archive's long lists split into pages: the index by weeks, each topic by whole weeks."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from datetime import timedelta

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


# Policy articles per week, oldest first. Newest first that is 4, 1, 1, 1, 3, 5, 1, 2, 0, 2;
# with page_size 3 the policy pages hold the weeks [9] (4: too big, alone), [8, 7, 6], [5],
# [4] (5: too big, alone), [3, 2] (1 + 2; week 1 has none), [0].
POLICY = (2, 0, 2, 1, 5, 3, 1, 1, 1, 4)
POLICY_PAGES = [[9], [8, 7, 6], [5], [4], [3, 2], [0]]


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


def test_index_pages_hold_page_size_weeks_newest_first(files: dict[str, bytes]) -> None:
    pages = ["index.html", "archive/2.html", "archive/3.html", "archive/4.html"]
    assert [name for name in files if name in pages or name.startswith("archive/")] == pages
    newest_first = [paths.week_page(week(n)) for n in reversed(range(len(POLICY)))]
    on_pages = [[resolve(name, h) for h in week_hrefs(files[name])] for name in pages]
    assert on_pages == [newest_first[0:3], newest_first[3:6], newest_first[6:9], newest_first[9:]]


def test_index_page_groups_its_weeks_by_year(files: dict[str, bytes]) -> None:
    # Page 2 holds 2019-W02, 2019-W01 and 2018-W52: two years, newest first.
    root = parse(files["archive/2.html"])
    years = [text(h) for h in root.xpath("//section[contains(@class, 'year')]/h3")]
    assert years == ["2019", "2018"]
    for name in ("index.html", "archive/2.html", "archive/3.html", "archive/4.html"):
        root = parse(files[name])
        sections = root.xpath("//section[contains(@class, 'year')]")
        for section in sections:
            year = text(section.xpath("h3")[0])
            assert all(f"/{year}-W" in h for h in section.xpath(".//a/@href")), name


def test_index_first_page_keeps_its_structure(files: dict[str, bytes], small: Config) -> None:
    root = parse(files["index.html"])
    assert text(root.xpath("//title")[0]) == f"Alle Ausgaben – {small.site.title}"
    assert text(root.xpath("//h1")[0]) == small.site.title
    latest = root.xpath("//main/header//a")[0]
    assert latest.get("href") == paths.week_page(week(len(POLICY) - 1))
    assert root.xpath("//section[contains(@class, 'topic-list')]")


def test_later_index_page_says_which_page(files: dict[str, bytes], small: Config) -> None:
    root = parse(files["archive/2.html"])
    assert text(root.xpath("//title")[0]) == f"Archiv, Seite 2 von 4 – {small.site.title}"
    assert text(root.xpath("//h1")[0]) == "Archiv Seite 2 von 4"
    # The newest issue is still one click away, from the right relative path.
    latest = root.xpath("//main/header//a/@href")[0]
    assert resolve("archive/2.html", latest) == paths.week_page(week(len(POLICY) - 1))
    positions = [text(p) for p in root.xpath("//nav[contains(@class, 'pages')]/p")]
    assert positions == ["Seite 2 von 4", "Seite 2 von 4"]


def test_index_pager_chain(files: dict[str, bytes]) -> None:
    pages = ["index.html", "archive/2.html", "archive/3.html", "archive/4.html"]
    for i, name in enumerate(pages):
        links = pager_of(name, files)
        assert links["prev"] == (pages[i - 1] if i > 0 else None), name
        assert links["next"] == (pages[i + 1] if i + 1 < len(pages) else None), name
        assert all(target in files for target in links.values() if target), name
    first = parse(files["index.html"])
    assert not first.xpath("//*[@rel='prev']")
    last = parse(files["archive/4.html"])
    assert not last.xpath("//*[@rel='next']")
    # The link names the page and the weeks it holds, oldest first.
    nxt = first.xpath("//nav[contains(@class, 'pager-top')]/a[@rel='next']")[0]
    assert text(nxt) == "Nächste Seite → KW 52/2018 – KW 2/2019"


def test_topic_pages_hold_whole_weeks(files: dict[str, bytes], issues: list[Issue]) -> None:
    names = [paths.topic_page_n("policy", n) for n in range(1, len(POLICY_PAGES) + 1)]
    assert names[:2] == ["topics/policy.html", "topics/policy/2.html"]
    assert sorted(n for n in files if n.startswith("topics/policy")) == sorted(names)
    for name, expected in zip(names, POLICY_PAGES, strict=True):
        root = parse(files[name])
        groups = root.xpath("//main/section[contains(@class, 'week-group')]")
        assert [g.get("aria-labelledby") for g in groups] == [str(week(n)) for n in expected]
        for group, n in zip(groups, expected, strict=True):
            assert resolve(name, group.xpath("h2/a/@href")[0]) == paths.week_page(week(n))
            titles = [text(h) for h in group.xpath(".//article//h3")]
            assert titles == [f"{week(n)} policy {i}" for i in range(POLICY[n])], name
        count = sum(POLICY[n] for n in expected)
        assert count <= 3 or len(expected) == 1, name  # only a lone oversized week exceeds
    policy = sum(POLICY)
    shown = sum(len(parse(files[n]).xpath("//main//article")) for n in names)
    assert shown == policy


def test_oversized_week_gets_its_own_page(files: dict[str, bytes]) -> None:
    root = parse(files["topics/policy/4.html"])
    assert len(root.xpath("//main/section")) == 1
    assert len(root.xpath("//main//article")) == 5 > 3


def test_topic_pager(files: dict[str, bytes], small: Config) -> None:
    names = [paths.topic_page_n("policy", n) for n in range(1, len(POLICY_PAGES) + 1)]
    for i, name in enumerate(names):
        links = pager_of(name, files)
        assert links["prev"] == (names[i - 1] if i > 0 else None), name
        assert links["next"] == (names[i + 1] if i + 1 < len(names) else None), name
        position = parse(files[name]).xpath("//nav[contains(@class, 'pages')]/p")
        assert [text(p) for p in position] == [f"Seite {i + 1} von {len(names)}"] * 2
    second = parse(files["topics/policy/2.html"])
    title = f"Politik & Strategie, Seite 2 von {len(names)} – {small.site.title}"
    assert text(second.xpath("//title")[0]) == title
    assert text(second.xpath("//h1")[0]) == f"Politik & Strategie Seite 2 von {len(names)}"
    first = parse(files["topics/policy.html"])
    assert text(first.xpath("//h1")[0]) == "Politik & Strategie"
    # The feed link stays right from the deeper folder.
    assert resolve("topics/policy/2.html", second.xpath("//head/link[@type]/@href")[-1]) in {
        paths.topic_feed("policy")
    }


def test_one_page_lists_have_no_pager(issues: list[Issue], repo_config: Config) -> None:
    files = render(issues, repo_config)  # page_size 25: everything fits on one page
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
    assert text(root.xpath("//h1")[0]) == "Archive Page 2 of 4"
    nxt = root.xpath("//nav[contains(@class, 'pager-top')]/a[@rel='next']")[0]
    assert text(nxt).startswith("Next page → Week ")


def test_split_and_pack() -> None:
    assert pagination.split([], 3) == []
    assert pagination.split([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]
    assert pagination.split([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert pagination.pack([], 3, len) == []
    assert pagination.pack([[1], [1, 1], [1]], 3, len) == [[[1], [1, 1]], [[1]]]
    assert pagination.pack([[1] * 5], 3, len) == [[[1] * 5]]
    assert pagination.pack([[1], [1] * 5, [1]], 3, len) == [[[1]], [[1] * 5], [[1]]]
    assert pagination.pack([[1]] * 4, 1, len) == [[[1]]] * 4
    with pytest.raises(ValueError):
        pagination.split([1], 0)
    with pytest.raises(ValueError):
        pagination.pack([[1]], 0, len)


def test_pager_links() -> None:
    spans = [[week(2), week(1)], [week(0)]]
    assert pagination.pager(spans[:1], 1, paths.index_page) is None
    first = pagination.pager(spans, 1, paths.index_page)
    assert first is not None and first.prev is None and first.next is not None
    assert (first.next.href, first.next.newest, first.next.oldest) == (
        "archive/2.html",
        week(0),
        week(0),
    )
    second = pagination.pager(spans, 2, paths.index_page)
    assert second is not None and second.next is None and second.prev is not None
    assert (second.prev.href, second.prev.newest, second.prev.oldest) == (
        "../index.html",
        week(2),
        week(1),
    )
    assert paths.topic_page_n("policy", 1) == paths.topic_page("policy")
    assert paths.topic_page_n("policy", 3) == "topics/policy/3.html"
    assert paths.index_page(1) == paths.INDEX
