"""A build survives whatever the store holds, leaves out (and names) an article it cannot
render instead of losing the week, stops before writing under --strict, and tidies the output
folder: files it no longer produces, temporaries of a killed build, pages before indexes."""

from __future__ import annotations

import email
import email.policy
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree, html

from digest import output
from digest.cli import main
from digest.config import load_config
from digest.models import Article, Source
from digest.store import Store

from .pages import k_page


def build(config: Path, *args: str) -> int:
    return main(["--config", str(config), "build", *args])


def poisoned(n: int, title: str, day: date | None, **fields: Any) -> Article:
    return Article(
        id=f"poison{n:04d}",
        kind="main",
        format="K",
        title=title,
        date=day,
        sources=(Source("alt/quelle.txt", 10 + n, "main"),),
        **fields,
    )


def stored_poison(config_file: Path) -> None:
    """Write articles straight into the store, as an older digest without cleaning would."""
    cfg = load_config(config_file)
    with Store(cfg.store_path) as store, store.transaction():
        store.put(
            [
                poisoned(
                    1,
                    "Steuer\x01zeichen im Titel",
                    date(2025, 11, 4),
                    lead="Ein\x0bLead mit \ufffeRest",
                    urls=("https://ex.de/a\x01b",),
                ),
                poisoned(2, ":", date(2025, 11, 4), lead="Überschrift fehlt"),
                poisoned(3, "Jahr 9999", date(9999, 12, 27)),
                poisoned(4, "Mittelalter", date(1017, 10, 4)),
                poisoned(
                    5,
                    "Nichtzeichen \uffff im Titel",
                    date(2025, 11, 5),
                    body=("Absatz mit NUL\x00 darin",),
                ),
            ]
        )


def every_output_parses(out: Path) -> None:
    for page in out.rglob("*.html"):
        html.fromstring(page.read_bytes())
    for feed in out.rglob("*.atom"):
        etree.fromstring(feed.read_bytes())
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, (feed, parsed.bozo_exception)
    for eml in out.parent.joinpath("preview").rglob("*.eml"):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert not message.defects and all(not p.defects for p in message.walk()), eml


def test_a_poisoned_store_still_builds_and_names_each_bad_article(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "gut.txt").write_text(k_page(), "utf-8")
    assert build(config_file) == 0  # a clean store first
    stored_poison(config_file)
    capsys.readouterr()
    out = config_file.parent / "public"
    assert build(config_file) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "alt/quelle.txt:11: article poison0001" in err and "removed" in err
    assert "alt/quelle.txt:12: article poison0002 has no title; left out" in err
    assert "poison0003 ('Jahr 9999') is dated 27.12.9999, outside 1990-" in err
    assert "poison0004 ('Mittelalter') is dated 4.10.1017" in err
    assert "alt/quelle.txt:15: article poison0005" in err
    every_output_parses(out)
    week = (out / "weeks" / "2025-W45.html").read_text("utf-8")
    assert "Steuerzeichen im Titel" in week and "Gemeinsames Serviceportal" in week
    assert "Überschrift fehlt" not in week
    assert not any("9999" in p.name or "1017" in p.name for p in out.rglob("*"))


def test_strict_stops_before_writing_anything(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "gut.txt").write_text(k_page(), "utf-8")
    stored_poison(config_file)
    out = config_file.parent / "public"
    assert build(config_file, "--strict") == 3
    assert not out.exists()
    err = capsys.readouterr().err
    # Five bad articles (three left out); the file of the two kept lies outside every
    # [[sources]] entry, so they go out without a credit: that is a problem too.
    assert "alt/quelle.txt: 2 articles from this file lie outside every [[sources]]" in err
    assert "--strict and 6 problems: nothing was written" in err
    # An input problem under --strict stops it too, before the store or the output is touched:
    # the good new file beside the bad one is not stored either.
    (config_file.parent / "in" / "leer.txt").write_text("", "utf-8")
    (config_file.parent / "in" / "neu.txt").write_text(k_page(title="Neue Meldung"), "utf-8")
    capsys.readouterr()
    assert build(config_file, "--strict") == 3 and not out.exists()
    assert "nothing was stored or written" in capsys.readouterr().err
    with Store(load_config(config_file).store_path) as store:
        assert "Neue Meldung" not in {a.title for a in store.articles()}
    assert build(config_file) == 0  # without --strict, the good file goes in
    with Store(load_config(config_file).store_path) as store:
        assert "Neue Meldung" in {a.title for a in store.articles()}


def test_an_article_a_renderer_cannot_take_is_left_out_not_the_week(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renderer that fails on one article (here: a shortening step that raises for one lead,
    standing in for any bug) costs that article, named, and not the week."""
    from digest.render import email as email_render

    folder = config_file.parent / "in"
    (folder / "a.txt").write_text(k_page(), "utf-8")
    (folder / "b.txt").write_text(
        k_page(title="Kongress in Leipzig", lead="UNRENDERBAR: dieser Lead sprengt den Renderer"),
        "utf-8",
    )
    real = email_render.shorten

    def fragile(text: str | None, limit: int) -> str | None:
        if text and text.startswith("UNRENDERBAR"):
            raise ValueError("cannot shorten this")
        return real(text, limit)

    monkeypatch.setattr(email_render, "shorten", fragile)
    out = config_file.parent / "public"
    assert build(config_file) == 0
    err = capsys.readouterr().err
    assert "b.txt:1: article" in err and "('Kongress in Leipzig') cannot be rendered" in err
    assert "ValueError: cannot shorten this" in err
    text = (config_file.parent / "preview" / "email" / "2025-W45.txt").read_text("utf-8")
    assert "Gemeinsames Serviceportal" in text and "Kongress in Leipzig" not in text
    every_output_parses(out)


def test_a_template_bug_is_still_an_error_and_writes_nothing(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from digest.render import email as email_render

    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")

    def broken(text: str | None, limit: int) -> str | None:
        raise ValueError("template bug")

    monkeypatch.setattr(email_render, "shorten", broken)
    assert build(config_file) == 1
    err = capsys.readouterr().err
    assert "rendering failed: ValueError: template bug" in err and "Traceback" not in err
    assert not (config_file.parent / "public").exists()


def test_files_no_longer_produced_are_removed_but_not_the_operators_own(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    out = config_file.parent / "public"
    assert build(config_file) == 0
    assert (out / "topics" / "congresses.atom").is_file()  # every topic has a feed
    (out / "robots.txt").write_text("User-agent: *\n", "utf-8")
    (out / "topics" / "eigene-seite.html").write_text("<p>von Hand</p>", "utf-8")
    # Drop the congresses topic from the config.
    text = config_file.read_text("utf-8")
    start = text.index("[topics.congresses]")
    end = text.index("\n[", start + 1)
    text = text[:start] + text[end + 1 :]
    text = text.replace('"congresses", ', "").replace(', "congresses"', "")
    config_file.write_text(text, "utf-8")
    capsys.readouterr()
    assert build(config_file) == 0
    assert "no longer produced removed" in capsys.readouterr().out
    assert not (out / "topics" / "congresses.atom").exists()
    assert (out / "topics" / "partnerships.atom").is_file()
    assert (out / "robots.txt").is_file() and (out / "topics" / "eigene-seite.html").is_file()
    manifest = json.loads((out / output.MANIFEST).read_text("utf-8"))
    assert "index.html" in manifest["files"] and "robots.txt" not in manifest["files"]


def test_a_single_week_build_keeps_the_other_weeks(config_file: Path) -> None:
    folder = config_file.parent / "in"
    (folder / "a.txt").write_text(k_page(), "utf-8")
    (folder / "b.txt").write_text(k_page(title="Zweite Woche", day="12.11.2025"), "utf-8")
    out = config_file.parent / "public"
    assert build(config_file) == 0
    assert build(config_file, "--week", "2025-W46") == 0
    assert (out / "weeks" / "2025-W45.html").is_file()
    assert (config_file.parent / "preview" / "email" / "2025-W45.eml").is_file()


def test_old_temporaries_are_swept_young_ones_left(config_file: Path) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    out = config_file.parent / "public"
    assert build(config_file) == 0
    old = out / "weeks" / ".2025-W45.html.k3j_x9.tmp"
    young = out / ".index.html.a8b2c1.tmp"
    for leftover in (old, young):
        leftover.write_text("half a page", "utf-8")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    # A killed build notes what it is about to write in the journal (output.py).
    (out / output.JOURNAL).write_text("weeks/2025-W45.html\n", "utf-8")
    assert build(config_file) == 0
    assert not old.exists()
    assert young.exists()  # may belong to a build running right now


def test_a_killed_build_never_leaves_an_index_linking_to_missing_pages(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = config_file.parent / "in"
    for n, day in enumerate(["3.11.2025", "12.11.2025", "19.11.2025"]):
        (folder / f"{n}.txt").write_text(k_page(title=f"Meldung {n}", day=day), "utf-8")
    real = output._atomic_write
    finished = False
    for kill_after in range(1, 40, 2):
        out = config_file.parent / f"public-{kill_after}"
        calls = 0

        def dying(target: Path, data: bytes, limit: int = kill_after) -> None:
            nonlocal calls
            calls += 1
            if calls > limit:
                raise KeyboardInterrupt
            real(target, data)

        monkeypatch.setattr(output, "_atomic_write", dying)
        code = build(config_file, "--out", str(out))
        if code == 0:
            finished = True  # killed after the last file: nothing left to check
            break
        assert code == 130
        index = out / "index.html"
        if index.exists():
            for href in html.fromstring(index.read_bytes()).xpath("//a/@href"):
                if "://" not in href and not href.startswith(("#", "mailto:")):
                    assert (out / href.split("#")[0]).exists(), (kill_after, href)
        feed = out / "feed.atom"
        assert not feed.exists() or all(
            (out / f"weeks/{w}.html").exists() for w in ("2025-W45", "2025-W46", "2025-W47")
        )
    assert finished


def test_a_write_error_names_the_file(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    out = config_file.parent / "public"
    (out / "feed.atom").mkdir(parents=True)  # a folder where the feed must go
    assert build(config_file) == 1
    err = capsys.readouterr().err
    assert f"cannot write {out / 'feed.atom'}" in err and "Traceback" not in err


def test_an_override_that_matches_nothing_is_reported_with_its_line(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    text = config_file.read_text("utf-8")
    assert "\n[overrides]\n" in text
    text = text.replace(
        "\n[overrides]\n",
        '\n[overrides]\n"https://www.ulm.de/tippfehler" = "policy"\n'
        '"https://www.ulm.de" = "policy"\n',
    )
    config_file.write_text(text, "utf-8")
    line = text.splitlines().index('"https://www.ulm.de/tippfehler" = "policy"') + 1
    assert build(config_file) == 0
    err = capsys.readouterr().err
    assert (
        f"{config_file}:{line}: [overrides] 'https://www.ulm.de/tippfehler' matches no stored"
        " article" in err
    )
    assert "'https://www.ulm.de' matches" not in err  # that one is the article's own URL


@pytest.mark.parametrize(
    ("name", "inside"),
    [
        ("index.html", True),
        ("weeks/2026-W04.html", True),
        ("a..b/c.html", True),
        ("a/.hidden", True),
        ("", False),
        ("/etc/passwd", False),
        ("../x", False),
        ("a/../../x", False),
        ("a//b", False),
        ("./a", False),
        ("a/./b", False),
        ("a/", False),
        (".", False),
        ("..", False),
    ],
)
def test_manifest_names_must_lie_below_the_folder(name: str, inside: bool) -> None:
    assert output._inside(name) is inside


_FILES = ("index.html", "weeks/2026-W04.html", "feed.atom")


def _rows(sizes: dict[str, tuple[int, int]]) -> Any:
    """Manifest rows for the files of _FILES: as written, off by a byte or a nanosecond, of
    other types, of the wrong shape, or no list; and names that are not in the folder."""
    name = st.sampled_from([*_FILES, "missing.html", "../outside.html", "a//b.html"])

    def row(n: str) -> Any:
        size, mtime = sizes.get(n, (0, 0))
        return st.one_of(
            st.just(["key", "sha", size, mtime]),
            st.just(["key", "sha", size, mtime, "note"]),
            st.just(["key", "sha", size + 1, mtime]),
            st.just(["key", "sha", size, mtime - 1]),
            st.just(["key", "sha", str(size), mtime]),
            st.just(["key", "sha", float(size), mtime]),
            st.just(["key", "sha", size]),
            st.just({"size": size}),
            st.none(),
        )

    return st.lists(name, unique=True).flatmap(
        lambda names: st.tuples(*(row(n) for n in names)).map(
            lambda rows: dict(zip(names, rows, strict=True))
        )
    )


def test_the_no_op_check_over_raw_rows_agrees_with_the_entries(tmp_path: Path) -> None:
    """A build that finds nothing changed checks the manifest's rows as read (OutputFolder.
    _rows_intact) instead of making an Entry of each. It must never call a folder intact
    that the entries would not, and must agree with them on every row digest writes itself
    (ints for size and mtime); a row of other types may only make it more cautious."""
    out = tmp_path / "out"
    sizes = {}
    for name in _FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(f"<p>{name}</p>", "utf-8")
        info = (out / name).stat()
        sizes[name] = (info.st_size, info.st_mtime_ns)

    @settings(max_examples=300, deadline=None)
    @given(_rows(sizes))
    def check(files: dict[str, Any]) -> None:
        (out / output.MANIFEST).write_bytes(json.dumps({"version": 2, "files": files}).encode())
        fast = output.OutputFolder(out).intact()
        eager_folder = output.OutputFolder(out)
        assert isinstance(eager_folder.entries, dict)  # made now: intact() takes the entries
        eager = eager_folder.intact()
        assert not fast or eager
        well_typed = all(
            isinstance(r, list) and len(r) >= 4 and all(type(v) is int for v in r[2:4])
            for r in files.values()
        )
        if well_typed:
            assert fast == eager

    check()
