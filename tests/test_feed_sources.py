"""Feed and note sources through `digest build`: fetched from a real HTTP server on a loopback
port, remembered between runs, folded with page dumps, and reported by `digest sources`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from digest.cli import main
from digest.config import load_config
from digest.errors import ConfigError
from digest.pipeline import list_articles
from digest.store import Query

from .pages import k_page


def rss(*items: tuple[str, str, str], guid_prefix: str = "g") -> str:
    """An RSS 2.0 document; each item is (title, RFC 822 date, description)."""
    body = "".join(
        f"<item><title>{title}</title><link>https://portal.example.de/{n}</link>"
        f"<guid isPermaLink='false'>{guid_prefix}{n}</guid><pubDate>{day}</pubDate>"
        f"<description>{text}</description></item>"
        for n, (title, day, text) in enumerate(items)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Portal</title><link>https://portal.example.de/</link>{body}</channel></rss>"
    )


JENA = (
    "Jena: KI-Leitlinien beschlossen",
    "Tue, 20 Jan 2026 09:00:00 +0100",
    "Der Stadtrat hat beschlossen.",
)
ULM = ("Ulm: Neues Bürgerportal", "Wed, 21 Jan 2026 10:00:00 +0100", "Das Portal ist online.")
KIEL = ("Kiel: Hackathon im März", "Thu, 22 Jan 2026 11:00:00 +0100", "Anmeldung läuft.")


def add_source(config_file: Path, entry: str) -> None:
    text = config_file.read_text("utf-8")
    config_file.write_text(text.replace("[exclude]", f"{entry}\n[exclude]", 1), "utf-8")


def feed_source(config_file: Path, url: str, name: str = "Portal") -> None:
    add_source(config_file, f'[[sources]]\ntype = "feed"\nurl = "{url}"\nname = "{name}"\n')


def build(config_file: Path, *extra: str) -> int:
    return main(["--config", str(config_file), "build", *extra])


def titles(config_file: Path) -> list[str]:
    return sorted(a.title for a in list_articles(load_config(config_file), Query()))


def test_a_feed_is_fetched_then_answered_by_304_and_its_articles_stay(
    config_file: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(
        rss(JENA, ULM), content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    feed_source(config_file, httpserver.url_for("/rss.xml"))
    assert build(config_file) == 0
    assert titles(config_file) == ["KI-Leitlinien beschlossen", "Neues Bürgerportal"]
    out = capsys.readouterr().out
    assert "and 1 of 1 feed" in out

    httpserver.clear()
    httpserver.expect_request("/rss.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    assert build(config_file) == 0
    assert "(1 unchanged)" in capsys.readouterr().out
    assert titles(config_file) == ["KI-Leitlinien beschlossen", "Neues Bürgerportal"]
    [(request, _)] = httpserver.log
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["User-Agent"].startswith("digest/")

    assert main(["--config", str(config_file), "sources"]) == 0
    table = capsys.readouterr().out
    line = next(row for row in table.splitlines() if row.startswith("Portal"))
    assert " feed " in line and " 2 " in line and " 304 " in line
    assert httpserver.url_for("/rss.xml") in line


def test_the_archive_grows_as_items_drop_out_of_the_feed(
    config_file: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(rss(JENA, ULM))
    feed_source(config_file, httpserver.url_for("/rss.xml"))
    assert build(config_file) == 0
    httpserver.clear()
    httpserver.expect_request("/rss.xml").respond_with_data(rss(ULM, KIEL))
    assert build(config_file) == 0
    assert titles(config_file) == [
        "Hackathon im März",
        "KI-Leitlinien beschlossen",
        "Neues Bürgerportal",
    ]


def test_new_guids_on_every_fetch_do_not_duplicate_anything(
    config_file: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(rss(JENA, ULM, guid_prefix="a"))
    feed_source(config_file, httpserver.url_for("/rss.xml"))
    assert build(config_file) == 0
    httpserver.clear()
    httpserver.expect_request("/rss.xml").respond_with_data(rss(JENA, ULM, guid_prefix="b"))
    capsys.readouterr()
    assert build(config_file) == 0
    assert "(0 new, 0 updated, 2 unchanged, 0 duplicate)" in capsys.readouterr().out
    assert len(titles(config_file)) == 2


@pytest.mark.parametrize(("status", "reason"), [(500, "HTTP 500"), (404, "HTTP 404")])
def test_a_failing_feed_is_reported_and_the_run_goes_on(
    config_file: Path,
    httpserver: HTTPServer,
    capsys: pytest.CaptureFixture[str],
    status: int,
    reason: str,
) -> None:
    (config_file.parent / "in" / "k.txt").write_text(k_page(), "utf-8")
    httpserver.expect_request("/rss.xml").respond_with_data("kaputt", status=status)
    url = httpserver.url_for("/rss.xml")
    feed_source(config_file, url)
    assert build(config_file) == 0
    err = capsys.readouterr().err
    assert f"problem: {url}: feed 'Portal' failed: {reason}" in err
    assert titles(config_file)  # the page dump was stored
    assert main(["--config", str(config_file), "sources"]) == 0
    assert f"last error: {reason}" in capsys.readouterr().out


def test_strict_makes_a_failing_feed_fatal(
    config_file: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "k.txt").write_text(k_page(), "utf-8")
    httpserver.expect_request("/rss.xml").respond_with_data(
        "<html><body>Hallo</body></html>", content_type="text/html"
    )
    feed_source(config_file, httpserver.url_for("/rss.xml"))
    assert build(config_file, "--strict") == 3
    assert "web page (HTML), not a feed" in capsys.readouterr().err
    assert titles(config_file) == []
    assert not (config_file.parent / "public" / "index.html").exists()


def test_a_feed_that_is_an_html_page_says_so(
    config_file: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/presse").respond_with_data(
        "<!DOCTYPE html><html><head><title>Presse</title></head><body><p>Hallo</p></body></html>",
        content_type="text/html; charset=utf-8",
    )
    feed_source(config_file, httpserver.url_for("/presse"))
    build(config_file)
    assert "web page (HTML), not a feed" in capsys.readouterr().err


def test_a_refused_connection_names_the_url(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "k.txt").write_text(k_page(), "utf-8")
    feed_source(config_file, "http://127.0.0.1:9/rss.xml")
    assert build(config_file) == 0
    err = capsys.readouterr().err
    assert "problem: http://127.0.0.1:9/rss.xml: feed 'Portal' failed:" in err
    assert "refused" in err


@pytest.mark.parametrize("url", ["ftp://example.de/rss.xml", "javascript:alert(1)", "feed.xml"])
def test_an_unsupported_scheme_is_a_config_error_with_its_line(config_file: Path, url: str) -> None:
    feed_source(config_file, url)
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    assert "url" in str(caught.value) and "not an http(s) address" in str(caught.value)
    assert str(caught.value).startswith(f"{config_file}:")


def test_a_file_url_needs_allow_file(config_file: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.xml"
    saved.write_text(rss(JENA), "utf-8")
    feed_source(config_file, saved.as_uri())
    with pytest.raises(ConfigError, match="allow_file"):
        load_config(config_file)
    text = config_file.read_text("utf-8")
    config_file.write_text(text.replace('name = "Portal"', 'name = "Portal"\nallow_file = true'))
    assert build(config_file) == 0
    assert titles(config_file) == ["KI-Leitlinien beschlossen"]


def test_control_characters_in_a_feed_title_are_cleaned_and_reported(
    config_file: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    dirty = ("Ulm: Neues\x07 Bürger\x1bportal", ULM[1], ULM[2])
    # Raw control characters are not even XML; feeds carry them as character references.
    document = rss(dirty).replace("\x07", "&#7;").replace("\x1b", "&#27;")
    httpserver.expect_request("/rss.xml").respond_with_data(document)
    feed_source(config_file, httpserver.url_for("/rss.xml"))
    build(config_file)
    stored = titles(config_file)
    assert stored == ["Neues Bürgerportal"] or stored == ["Neues  Bürgerportal"]
    assert all(ord(c) >= 32 for title in stored for c in title)
    assert "control character" in capsys.readouterr().err


def test_the_same_story_from_a_feed_and_a_page_dump_is_one_article_with_both_credits(
    config_file: Path, httpserver: HTTPServer
) -> None:
    # The page dump dates the story a day before the feed does.
    page = k_page(kicker="Jena", title="KI-Leitlinien beschlossen", day="19.1.2026")
    (config_file.parent / "in" / "k.txt").write_text(page, "utf-8")
    httpserver.expect_request("/rss.xml").respond_with_data(rss(JENA))
    feed_source(config_file, httpserver.url_for("/rss.xml"), name="Kommunalportal")
    assert build(config_file) == 0
    cfg = load_config(config_file)
    [article] = [a for a in list_articles(cfg, Query()) if "Leitlinien" in a.title]
    assert {s.kind for s in article.sources} == {"main"}
    assert len({s.path for s in article.sources}) == 2
    assert article.format == "K"  # the page's full text is the fuller version
    page_html = (config_file.parent / "public" / "articles" / f"{article.id}.html").read_text()
    assert "Quelle: Beispielkorpus digest, Kommunalportal (ve)" in page_html


def test_a_notes_folder_gives_articles_with_the_editors_topic(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = config_file.parent / "notes"
    notes.mkdir()
    (notes / "gut.md").write_text(
        "---\ntitle: Leitfaden erschienen\ndate: 2026-01-20\ntopic: congresses\n---\n"
        "Ein **Leitfaden** zum Gesetz.\n",
        "utf-8",
    )
    (notes / "kaputt.md").write_text("---\ntitle: Zweiter\ndate: 2026-13-01\n---\nText\n", "utf-8")
    add_source(config_file, '[[sources]]\ntype = "markdown"\npath = "notes"\nname = "Redaktion"\n')
    assert build(config_file) == 0
    err = capsys.readouterr().err
    assert "notes/kaputt.md:3:" in err and "not a date" in err
    cfg = load_config(config_file)
    [note] = list_articles(cfg, Query())
    assert note.topic == "congresses" and note.format == "M"
    page = (config_file.parent / "public" / "articles" / f"{note.id}.html").read_text()
    assert "<strong>Leitfaden</strong>" in page
    assert "Quelle: Redaktion" in page


def test_articles_json_lists_the_feed_entry_with_its_link(
    config_file: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/rss.xml").respond_with_data(rss(ULM))
    feed_source(config_file, httpserver.url_for("/rss.xml"))
    build(config_file)
    capsys.readouterr()
    assert main(["--config", str(config_file), "articles", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["format"] == "F" and entry["kicker"] == "Ulm"
    assert entry["urls"][0] == "https://portal.example.de/0"
