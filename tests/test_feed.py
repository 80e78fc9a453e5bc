"""Atom feeds: valid RFC 4287 (RELAX NG + feedparser), deterministic, escaped, newest first."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import feedparser
import jinja2
import pytest
from lxml import etree, html

from digest.config import Config
from digest.l10n import L10n
from digest.models import Issue
from digest.render import paths
from digest.render.environment import make_environment
from digest.render.feed import render_feeds
from digest.weeks import IsoWeek

from .issues import article, make_issue, week_of_articles

# RFC 4287 Appendix B as RELAX NG (a copy of ../shared/schemas/atom.rng, kept here so the feed
# tests run in a clone without ../shared too).
SCHEMA = Path(__file__).resolve().parent / "data" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
TAG_URI = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:\S+$")


@pytest.fixture(scope="session")
def atom_schema() -> etree.RelaxNG:
    if not SCHEMA.is_file():
        pytest.fail(
            f"RFC 4287 RELAX NG schema not found at {SCHEMA}; the feed tests need it "
            "(tests/data/atom.rng, from RFC 4287 Appendix B)"
        )
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="session")
def env(repo_config: Config) -> jinja2.Environment:
    return make_environment(repo_config.templates)


@pytest.fixture(scope="session")
def l10n(repo_config: Config) -> L10n:
    return L10n(repo_config.site.locale)


def weeks_of_issues(cfg: Config, first: str, count: int, per_week: int = 6) -> list[Issue]:
    """`count` consecutive weekly issues starting at ISO week `first`, oldest first."""
    start = IsoWeek.parse(first).monday
    issues = []
    for n in range(count):
        week = IsoWeek.of(start + timedelta(weeks=n))
        issues.append(
            make_issue(str(week), week_of_articles(str(week), per_week, cfg.rules), cfg.rules)
        )
    return issues


def check_feeds(
    feeds: dict[str, bytes], cfg: Config, schema: etree.RelaxNG
) -> dict[str, etree._Element]:
    """Validate every feed (schema, feedparser, the rules the schema cannot check); parse it."""
    expected = {paths.FEED, *(paths.topic_feed(t) for t in cfg.rules.order)}
    assert set(feeds) == expected
    roots = {}
    for name, data in feeds.items():
        doc = etree.ElementTree(etree.fromstring(data))
        assert schema.validate(doc), f"{name}: {schema.error_log}"
        parsed = feedparser.parse(data)
        assert not parsed.bozo, f"{name}: {parsed.get('bozo_exception')}"
        root = doc.getroot()
        # RFC 4287 4.1.1: the schema leaves these to Schematron, so check them here.
        author = root.find(f"{ATOM}author")
        assert author is not None and author.findtext(f"{ATOM}name"), f"{name}: no feed author"
        for entry in root.iter(f"{ATOM}entry"):
            alternate = [
                link
                for link in entry.iter(f"{ATOM}link")
                if link.get("rel", "alternate") == "alternate"
            ]
            assert alternate or entry.find(f"{ATOM}content") is not None, name
            # feedgen bug #135: an entry link loses rel/type, so there must be just one.
            assert len(entry.findall(f"{ATOM}link")) == 1, name
        assert b"CDATA" not in data
        roots[name] = root
    return roots


def entry_link(entry: etree._Element) -> str:
    """The href of an entry's one link."""
    link = entry.find(f"{ATOM}link")
    assert link is not None
    return link.get("href") or ""


def entry_ids(root: etree._Element) -> list[str]:
    return [e.findtext(f"{ATOM}id") or "" for e in root.iter(f"{ATOM}entry")]


def midnight_iso(day: date, cfg: Config) -> str:
    """The start of `day` in the site's time zone, as Atom writes it."""
    return datetime.combine(day, time(0), tzinfo=cfg.site.tz).isoformat()


def test_issue_feed_newest_first_and_limited(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = repo_config
    issues = weeks_of_issues(cfg, "2019-W30", cfg.feeds.weeks + 3)
    roots = check_feeds(render_feeds(issues, cfg, env, l10n), cfg, atom_schema)
    newest = list(reversed(issues))[: cfg.feeds.weeks]
    prefix = f"tag:{cfg.site.domain},{cfg.site.since}:digest"
    assert entry_ids(roots[paths.FEED]) == [f"{prefix}/{issue.week}" for issue in newest]
    first = next(roots[paths.FEED].iter(f"{ATOM}entry"))
    week = newest[0].week
    # The entry's title is the email's subject: the week and its lead story.
    plain = l10n.text("digest_title", title=cfg.site.title, week=week.week, year=week.year)
    lead = newest[0].lead
    assert lead is not None
    assert first.findtext(f"{ATOM}title") == f"{plain}: {lead.title}"
    # published: when the issue goes out (Monday after the week, 07:00 Berlin), as the .eml.
    monday = week.sunday + timedelta(days=1)
    assert first.findtext(f"{ATOM}published") == f"{monday.isoformat()}T07:00:00+01:00"
    assert entry_link(first) == f"{cfg.site.base_url}weeks/{week}.html"
    content = first.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"


def test_weeks_limit_from_config(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = replace(repo_config, feeds=replace(repo_config.feeds, weeks=2))
    issues = weeks_of_issues(cfg, "2019-W50", 4)
    roots = check_feeds(render_feeds(issues, cfg, env, l10n), cfg, atom_schema)
    assert [i.rsplit("/", 1)[1] for i in entry_ids(roots[paths.FEED])] == [
        "2020-W01",
        "2019-W52",
    ]
    # Topic feeds are not limited by weeks but by [feeds] topic_items: all four weeks here.
    feeds = [roots[paths.topic_feed(t)] for t in cfg.rules.order]
    ids = {i.rsplit("/", 1)[1] for root in feeds for i in entry_ids(root)}
    assert {a.id for a in issues[0].articles if a.topic != "other"} <= ids


def test_topic_feeds_carry_the_newest_topic_items(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = replace(repo_config, feeds=replace(repo_config.feeds, topic_items=3))
    start = IsoWeek.parse("2019-W30").monday
    weeks = [IsoWeek.of(start + timedelta(weeks=n)) for n in range(6)]
    issues = [
        make_issue(str(w), [article(f"Politik {n}", w.monday, "policy")], cfg.rules)
        for n, w in enumerate(weeks)
    ]
    roots = check_feeds(render_feeds(issues, cfg, env, l10n), cfg, atom_schema)
    policy = roots[paths.topic_feed("policy")]
    titles = [e.findtext(f"{ATOM}title") for e in policy.iter(f"{ATOM}entry")]
    assert titles == ["Musterstadt: Politik 5", "Musterstadt: Politik 4", "Musterstadt: Politik 3"]


def test_topic_feeds_newest_first(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = repo_config
    week = IsoWeek.parse("2019-W38")
    items = [
        article("Beta", week.monday, "policy"),
        article("Alpha", week.monday + timedelta(days=2), "policy"),
        article("Gamma", week.monday + timedelta(days=2), "policy", kicker=None),
        article("Kongress", week.monday + timedelta(days=1), "congresses"),
    ]
    older = article("Vorwoche", week.monday - timedelta(days=3), "policy")
    issues = [
        make_issue("2019-W37", [older], cfg.rules),
        make_issue("2019-W38", items, cfg.rules),
    ]
    roots = check_feeds(render_feeds(issues, cfg, env, l10n), cfg, atom_schema)
    policy = roots[paths.topic_feed("policy")]
    titles = [e.findtext(f"{ATOM}title") for e in policy.iter(f"{ATOM}entry")]
    assert titles == ["Musterstadt: Alpha", "Gamma", "Musterstadt: Beta", "Musterstadt: Vorwoche"]
    prefix = f"tag:{cfg.site.domain},{cfg.site.since}:digest"
    assert entry_ids(policy)[0] == f"{prefix}/article/{items[1].id}"
    assert policy.findtext(f"{ATOM}id") == f"{prefix}/feed/policy"
    assert entry_ids(roots[paths.topic_feed("partnerships")]) == []
    congress = next(roots[paths.topic_feed("congresses")].iter(f"{ATOM}entry"))
    assert entry_link(congress) == f"{cfg.site.base_url}articles/{items[3].id}.html"
    assert congress.findtext(f"{ATOM}summary") == "Ein Satz als Vorspann."
    assert congress.findtext(f"{ATOM}updated") == midnight_iso(week.monday + timedelta(days=1), cfg)


def test_ids_are_stable_tag_uris_and_output_is_byte_identical(
    repo_config: Config, env: jinja2.Environment, l10n: L10n
) -> None:
    cfg = repo_config
    issues = weeks_of_issues(cfg, "2019-W36", 3, per_week=9)
    first = render_feeds(issues, cfg, env, l10n)
    second = render_feeds(list(issues), cfg, make_environment(cfg.templates), L10n(cfg.site.locale))
    assert first == second
    for name, data in first.items():
        root = etree.fromstring(data)
        ids = [root.findtext(f"{ATOM}id") or "", *entry_ids(root)]
        assert all(TAG_URI.match(i) for i in ids), (name, ids)
        assert len(set(ids)) == len(ids), name
        assert entry_ids(root) == entry_ids(etree.fromstring(second[name]))
    root = etree.fromstring(first[paths.FEED])
    assert root.findtext(f"{ATOM}id") == f"tag:{cfg.site.domain},{cfg.site.since}:digest/feed"
    assert entry_ids(root)[0] == f"tag:{cfg.site.domain},{cfg.site.since}:digest/2019-W38"


def test_updated_comes_from_the_data(
    repo_config: Config, env: jinja2.Environment, l10n: L10n
) -> None:
    cfg = repo_config
    day = date(2019, 9, 18)  # Wednesday of KW 38; CEST, so +02:00
    issues = [make_issue("2019-W38", [article("Eins", day, "policy")], cfg.rules)]
    feeds = render_feeds(issues, cfg, env, l10n)
    # An article entry is dated by its article; an issue entry by its send time (Monday
    # 07:00 after the week), which is also when it was last changed.
    expected = {
        paths.FEED: "2019-09-23T07:00:00+02:00",
        paths.topic_feed("policy"): "2019-09-18T00:00:00+02:00",
    }
    for name, moment in expected.items():
        root = etree.fromstring(feeds[name])
        assert root.findtext(f"{ATOM}updated") == moment, name
        entry = next(root.iter(f"{ATOM}entry"))
        assert entry.findtext(f"{ATOM}updated") == moment, name
        assert entry.findtext(f"{ATOM}published") == moment, name
    today = date.today().isoformat()
    assert all(today.encode() not in data for data in feeds.values())
    # A winter date carries the winter offset.
    winter = [make_issue("2020-W01", [article("Zwei", date(2020, 1, 2), "other")], cfg.rules)]
    root = etree.fromstring(render_feeds(winter, cfg, env, l10n)[paths.topic_feed("other")])
    assert root.findtext(f"{ATOM}updated") == "2020-01-02T00:00:00+01:00"


def test_empty_issue_list_gives_valid_fixed_feeds(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = repo_config
    feeds = render_feeds([], cfg, env, l10n)
    roots = check_feeds(feeds, cfg, atom_schema)
    since = date.fromisoformat(cfg.site.since)
    for root in roots.values():
        assert entry_ids(root) == []
        assert root.findtext(f"{ATOM}updated") == midnight_iso(since, cfg)
    assert render_feeds([], cfg, env, l10n) == feeds


@pytest.mark.parametrize(("locale", "tag"), [("de_DE", "de-DE"), ("de_AT", "de-AT"), ("en", "en")])
def test_xml_lang_is_bcp47(
    repo_config: Config,
    env: jinja2.Environment,
    atom_schema: etree.RelaxNG,
    locale: str,
    tag: str,
) -> None:
    cfg = repo_config
    issues = weeks_of_issues(cfg, "2019-W38", 1)
    roots = check_feeds(render_feeds(issues, cfg, env, L10n(locale)), cfg, atom_schema)
    for root in roots.values():
        assert root.get(XML_LANG) == tag
        assert BCP47.match(tag) and "_" not in tag


def test_feed_metadata(repo_config: Config, env: jinja2.Environment, l10n: L10n) -> None:
    cfg = repo_config
    feeds = render_feeds(weeks_of_issues(cfg, "2019-W38", 1), cfg, env, l10n)
    for name, data in feeds.items():
        root = etree.fromstring(data)
        links = {link.get("rel"): link for link in root.findall(f"{ATOM}link")}
        assert links["self"].get("href") == cfg.site.base_url + name
        assert links["self"].get("type") == "application/atom+xml"
        # The topic feeds' web page is the topic page, the issue feed's the archive index.
        page = name.replace(".atom", ".html") if name.startswith("topics/") else "index.html"
        assert links["alternate"].get("href") == cfg.site.base_url + page
        assert root.findtext(f"{ATOM}author/{ATOM}name") == cfg.feeds.author_name
        assert root.findtext(f"{ATOM}author/{ATOM}email") == cfg.feeds.author_email
        assert root.findtext(f"{ATOM}title")
        assert root.findtext(f"{ATOM}subtitle")


HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_KICKER = "Smart & <KI>"
QUOTED = "„Zitat“ & <b>fett</b>"


def test_article_text_is_escaped(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = repo_config
    day = date(2019, 9, 17)
    items = [
        article(HOSTILE_TITLE, day, "policy", kicker=HOSTILE_KICKER, lead=QUOTED),
        article(
            "Link <img src=x onerror=alert(1)>",
            day,
            "policy",
            url="javascript:alert(1)",
            keywords=("<i>Stich</i>", "Wort & Co"),
        ),
    ]
    feeds = render_feeds([make_issue("2019-W38", items, cfg.rules)], cfg, env, l10n)
    roots = check_feeds(feeds, cfg, atom_schema)
    for data in feeds.values():
        assert b"<script" not in data and b"<img" not in data and b"<b>" not in data

    topic = roots[paths.topic_feed("policy")]
    entries = {e.findtext(f"{ATOM}id"): e for e in topic.iter(f"{ATOM}entry")}
    hostile = entries[f"tag:{cfg.site.domain},{cfg.site.since}:digest/article/{items[0].id}"]
    assert hostile.findtext(f"{ATOM}title") == f"{HOSTILE_KICKER}: {HOSTILE_TITLE}"
    assert hostile.findtext(f"{ATOM}summary") == QUOTED
    unsafe = entries[f"tag:{cfg.site.domain},{cfg.site.since}:digest/article/{items[1].id}"]
    # Each entry points at the article's page here, whatever addresses its text holds.
    assert entry_link(unsafe) == f"{cfg.site.base_url}articles/{items[1].id}.html"

    content = roots[paths.FEED].find(f"{ATOM}entry/{ATOM}content")
    assert content is not None and content.get("type") == "html" and content.text
    fragment = html.fragment_fromstring(content.text, create_parent="div")
    assert not list(fragment.iter("script", "img", "b", "i"))
    text = fragment.text_content()
    assert HOSTILE_TITLE in text and HOSTILE_KICKER in text and QUOTED in text
    assert "<i>Stich</i>, Wort & Co" in text
    assert "Stichwörter" in text or l10n.text("keywords") in text
    hrefs = [a.get("href") for a in fragment.iter("a")]
    assert f"{cfg.site.base_url}articles/{items[0].id}.html" in hrefs
    assert not any(h.startswith("javascript:") for h in hrefs)

    parsed = feedparser.parse(feeds[paths.topic_feed("policy")])
    assert {e.title for e in parsed.entries} >= {f"{HOSTILE_KICKER}: {HOSTILE_TITLE}"}


def test_issue_content_lists_sections_and_items(
    repo_config: Config, env: jinja2.Environment, l10n: L10n
) -> None:
    cfg = repo_config
    day = date(2019, 9, 17)
    items = [
        article("Erste", day, "policy"),
        article("Zweite", day, "policy"),
        article("Dritte", day, "congresses"),
    ]
    feeds = render_feeds([make_issue("2019-W38", items, cfg.rules)], cfg, env, l10n)
    content = etree.fromstring(feeds[paths.FEED]).findtext(f"{ATOM}entry/{ATOM}content")
    assert content
    fragment = html.fragment_fromstring(content, create_parent="div")
    headings = [h.text_content() for h in fragment.iter("h2")]
    assert headings == [f"{cfg.rules.label('congresses')} (1)", f"{cfg.rules.label('policy')} (2)"]
    text = fragment.text_content()
    assert l10n.date_long(day) in text and "Ein Satz als Vorspann." in text
    assert "Musterstadt" in text and "Digitalisierung" in text


def test_article_without_url_lead_keywords_or_date_renders(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = repo_config
    day = date(2019, 9, 19)
    bare = article("Nur ein Titel", day, "other", kicker=None, lead=None, url=None, keywords=())
    # group_by_week never puts an undated article in an issue; the feed copes anyway.
    undated = article("Ohne Datum", None, "other", url=None)
    issue = make_issue("2019-W38", [bare, undated], cfg.rules)
    roots = check_feeds(render_feeds([issue], cfg, env, l10n), cfg, atom_schema)
    other = roots[paths.topic_feed("other")]
    entries = list(other.iter(f"{ATOM}entry"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Nur ein Titel",
        "Musterstadt: Ohne Datum",
    ]
    for entry, item in zip(entries, (bare, undated), strict=True):
        assert entry_link(entry) == f"{cfg.site.base_url}articles/{item.id}.html"
        assert entry.findtext(f"{ATOM}updated") == midnight_iso(day, cfg)
    assert entries[0].find(f"{ATOM}summary") is None
    content = roots[paths.FEED].findtext(f"{ATOM}entry/{ATOM}content")
    assert content
    fragment = html.fragment_fromstring(content, create_parent="div")
    assert "Nur ein Titel" in fragment.text_content()
    assert l10n.text("undated") in fragment.text_content()
    # Each item links to its page; the last link is the week's web version.
    base = cfg.site.base_url
    assert [a.get("href") for a in fragment.iter("a")] == [
        *(f"{base}articles/{item.id}.html" for item in (bare, undated)),
        f"{base}weeks/2019-W38.html",
    ]


def test_control_characters_are_dropped(
    repo_config: Config, env: jinja2.Environment, l10n: L10n, atom_schema: etree.RelaxNG
) -> None:
    cfg = repo_config
    items = [article("Titel\x0bmit\x00Steuerzeichen", date(2019, 9, 17), "policy", lead="a\x1fb")]
    roots = check_feeds(
        render_feeds([make_issue("2019-W38", items, cfg.rules)], cfg, env, l10n), cfg, atom_schema
    )
    entry = next(roots[paths.topic_feed("policy")].iter(f"{ATOM}entry"))
    assert entry.findtext(f"{ATOM}title") == "Musterstadt: TitelmitSteuerzeichen"
    assert entry.findtext(f"{ATOM}summary") == "ab"
