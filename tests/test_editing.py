"""The editor's hand on the archive: drop, restore, replace, corrections and look-alikes at
ingest, `digest articles --dropped`, and the store migration that added it all."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import feedparser
import pytest

from digest import pipeline
from digest.cli import main
from digest.config import Config, load_config
from digest.errors import UsageError
from digest.models import Article
from digest.near_duplicates import Titled, near_duplicates, similar_titles
from digest.pipeline import editing
from digest.store import Query, Store
from digest.store.identity import APPLICATION_ID
from digest.store.migrations import MIGRATIONS

from .pages import k_page, p_release, teaser

LADE = teaser("Kassel", "Neue Ladesäulen", "4.11.2025", "Kassel baut zwanzig Ladesäulen am Markt.")
PORTAL = teaser("Fulda", "Bürgerportal geht online", "5.11.2025", "Fulda startet ein Portal.")
SERVICE = "Gemeinsames Serviceportal"  # k_page's main article, 3.11.2025 (2025-W45)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def site(config_file: Path) -> Config:
    """The repository's config with store, sources (tmp/in) and output folders in tmp."""
    return load_config(config_file)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _live(cfg: Config) -> dict[str, Article]:
    return {a.title: a for a in pipeline.list_articles(cfg, Query())}


def _id(cfg: Config, title: str) -> str:
    with Store(cfg.store_path) as store:
        (found,) = [a.id for a in store.articles(Query(include_hidden=True)) if a.title == title]
    return found


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        dump = list(db.iterdump())
    db.close()
    return dump


def _output_texts(root: Path) -> dict[str, str]:
    """Every file a build wrote below `root` (public/ and the previews), as text."""
    skip = {"in", "store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm", "config.toml"}
    return {
        p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8", "replace")
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in skip
    }


# --- drop and restore -------------------------------------------------------------------


def test_drop_hides_everywhere_and_restore_brings_back(site: Config, tmp_path: Path) -> None:
    _write(tmp_path / "in" / "a.txt", k_page(teasers=LADE))
    out = tmp_path / "public"
    pipeline.build(site, out=out)
    assert any("Neue Ladesäulen" in text for text in _output_texts(tmp_path).values())
    lade = _id(site, "Neue Ladesäulen")

    (outcome,) = editing.drop(site, [lade[:6]], note="doppelt gemeldet")
    assert (outcome.article.id, outcome.action, outcome.detail) == (
        lade,
        "dropped",
        "doppelt gemeldet",
    )
    assert "Neue Ladesäulen" not in _live(site)
    built = pipeline.build(site, out=out)  # a.txt is unchanged and skipped: the drop holds
    assert built.ingest.files_unchanged == 1 and built.ingest.seen == 0
    assert "Neue Ladesäulen" not in _live(site)
    page = tmp_path / "in" / "a.txt"
    page.write_text(page.read_text("utf-8") + "\n", "utf-8")  # changed: read again
    built = pipeline.build(site, out=out)  # the drop holds
    assert built.ingest.unchanged == 2 and built.ingest.new == 0
    texts = _output_texts(tmp_path)
    assert any(SERVICE in text for text in texts.values())  # the rest of the week is there
    mentions = [name for name, text in texts.items() if "Ladesäulen" in text or lade in text]
    assert mentions == []
    with Store(site.store_path) as store:
        assert store.get(lade) is not None  # still stored, with its sources
        (hidden,) = store.hidden()
    assert (hidden.article.id, hidden.state, hidden.note) == (lade, "dropped", "doppelt gemeldet")
    assert [h.article.id for h in editing.hidden(site)] == [lade]

    (again,) = editing.drop(site, [lade])
    assert again.action == "already dropped" and "doppelt gemeldet" in (again.detail or "")

    (back,) = editing.restore(site, [lade])
    assert back.action == "restored" and "Neue Ladesäulen" in _live(site)
    assert editing.hidden(site) == []
    pipeline.build(site, out=out)
    assert any("Neue Ladesäulen" in text for text in _output_texts(tmp_path).values())
    (live,) = editing.restore(site, [lade])
    assert live.action == "not hidden"


def test_drop_and_restore_on_the_command_line(
    site: Config, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.ingest(site, [_write(config_file.parent / "in" / "a.txt", k_page(teasers=LADE))])
    lade, service = _id(site, "Neue Ladesäulen"), _id(site, SERVICE)
    config = ["--config", str(config_file)]
    code, out, err = run(capsys, *config, "drop", lade, service[:8], "--note", "Test")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(lade) and "dropped (Test)" in lines[0]
    assert lines[0].endswith("Kassel: Neue Ladesäulen")
    assert lines[1].startswith(service) and "dropped" in lines[1]
    code, out, _ = run(capsys, *config, "drop", lade)
    assert code == 0 and "already dropped" in out
    code, out, err = run(capsys, *config, "articles")
    assert out == "" and "0 articles" in err
    code, out, _ = run(capsys, *config, "restore", lade, lade)  # named twice: once
    assert code == 0 and len(out.splitlines()) == 1 and "restored" in out
    code, out, _ = run(capsys, *config, "restore", lade)
    assert "not hidden: already live" in out


def test_unknown_or_ambiguous_ids_are_clear_errors(
    site: Config, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twins = [
        Article(id=f"abcd00000000000{n}", kind="main", format="K", title=f"Zwilling {n}", date=None)
        for n in range(1, 4)
    ]
    with Store(site.store_path) as store, store.transaction():
        store.put(twins)
    config = ["--config", str(config_file)]
    for command in ("drop", "restore"):
        code, out, err = run(capsys, *config, command, "ffff0000")
        assert code == 1 and out == ""
        assert "no article with id 'ffff0000'" in err and "see `digest articles` for ids" in err
        assert "Traceback" not in err
        code, out, err = run(capsys, *config, command, "abcd")
        assert code == 1 and "'abcd' matches 3 articles" in err and "type more of the id" in err
        assert all(t.id in err and t.title in err for t in twins) and "Traceback" not in err
    code, _, err = run(capsys, *config, "drop", "abc")
    assert code == 1 and "too short" in err and "at least 4 characters" in err
    # One bad ref among good ones: nothing is dropped.
    code, _, _ = run(capsys, *config, "drop", twins[0].id, "ffff0000")
    assert code == 1 and editing.hidden(site) == []
    with pytest.raises(UsageError, match="matches 3 articles"):
        editing.drop(site, ["abcd0"])


def test_a_week_whose_articles_are_all_dropped_disappears(site: Config, tmp_path: Path) -> None:
    _write(tmp_path / "in" / "w45.txt", k_page(teasers=LADE))  # 2025-W45
    _write(tmp_path / "in" / "w46.txt", p_release(day="12.11.2025"))  # 2025-W46
    out = tmp_path / "public"
    pipeline.build(site, out=out)
    assert any("2025-W45" in name for name in _output_texts(tmp_path))
    editing.drop(site, [_id(site, SERVICE), _id(site, "Neue Ladesäulen")])
    assert pipeline.weeks(site) == [("2025-W46", 1)]
    pipeline.build(site, out=out)
    files = _output_texts(tmp_path)
    assert [name for name in files if "2025-W45" in name] == []  # no week page, no email
    assert any("2025-W46" in name for name in files)
    feeds = [name for name in files if name.endswith(".atom")]
    assert feeds
    for name in feeds:
        parsed = feedparser.parse((tmp_path / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert "Ladesäulen" not in files[name] and SERVICE not in files[name]


# --- corrections at ingest ----------------------------------------------------------------


def test_a_corrected_title_retracts_the_old_version(site: Config, tmp_path: Path) -> None:
    page = _write(tmp_path / "in" / "a.txt", k_page(teasers=LADE + PORTAL))
    pipeline.ingest(site, [page])
    old = _id(site, "Neue Ladesäulen")  # the file's 2nd article (its first teaser)
    _write(page, k_page(teasers=LADE.replace("Neue Ladesäulen", "Zwanzig Ladesäulen") + PORTAL))
    summary = pipeline.ingest(site, [page])
    new = _id(site, "Zwanzig Ladesäulen")
    assert summary.retracted == [(old, new)]
    assert (summary.new, summary.updated, summary.unchanged, summary.duplicate) == (1, 0, 2, 0)
    assert summary.total == 3 and summary.notices == []
    live = _live(site)
    assert "Neue Ladesäulen" not in live and live["Zwanzig Ladesäulen"].id == new
    with Store(site.store_path) as store:
        (hidden,) = store.hidden()
    assert (hidden.article.id, hidden.state, hidden.replaced_by) == (old, "replaced", new)
    # Read again as it is: nothing changes, and the old version stays retracted.
    again = pipeline.ingest(site, [page])
    assert again.retracted == [] and again.unchanged == 3
    assert [h.article.id for h in editing.hidden(site)] == [old]


def test_lines_added_above_do_not_break_a_correction(site: Config, tmp_path: Path) -> None:
    page = _write(tmp_path / "in" / "a.txt", k_page(teasers=LADE + PORTAL))
    pipeline.ingest(site, [page])
    old = _id(site, "Bürgerportal geht online")
    longer = "Ein neuer erster Absatz.\n\nDie Zusammenarbeit soll Kosten sparen. (ve)"
    # Only lines added: every article keeps its place among its kind, nothing is retracted.
    _write(page, k_page(body=longer, teasers=LADE + PORTAL))
    assert pipeline.ingest(site, [page]).retracted == []
    # Lines added and a title corrected in one edit.
    fixed = PORTAL.replace("Bürgerportal geht online", "Bürgerportal ist online")
    _write(page, k_page(body=longer + "\n\nNoch ein Absatz. (ve)", teasers=LADE + fixed))
    summary = pipeline.ingest(site, [page])
    assert summary.retracted == [(old, _id(site, "Bürgerportal ist online"))]
    assert set(_live(site)) == {SERVICE, "Neue Ladesäulen", "Bürgerportal ist online"}


def test_what_is_not_a_correction(site: Config, tmp_path: Path) -> None:
    page = _write(tmp_path / "in" / "a.txt", k_page(teasers=LADE + PORTAL))
    pipeline.ingest(site, [page])
    # A teaser block that moved on to other news: other stories at the same places.
    other = teaser("Jena", "Open-Data-Tag im Rathaus", "6.11.2025", "Jena lädt zum Datentag.")
    more = teaser("Trier", "Sensoren messen Parkplätze", "7.11.2025", "Trier misst Parkplätze.")
    _write(page, k_page(teasers=other + more))
    assert pipeline.ingest(site, [page]).retracted == []
    assert {"Neue Ladesäulen", "Bürgerportal geht online"} <= set(_live(site))
    # A story that moved to another file is not retracted either.
    _write(page, k_page(teasers=more + other))
    _write(tmp_path / "in" / "b.txt", k_page(title="Andere Seite", teasers=LADE))
    assert pipeline.ingest(site, [tmp_path / "in"]).retracted == []


def test_teaser_corrected_while_its_full_article_stands_elsewhere(
    site: Config, tmp_path: Path
) -> None:
    full = k_page(title="Neue Ladesäulen", kicker="Kassel", day="4.11.2025", lead="Kassel baut.")
    g = _write(tmp_path / "in" / "g.txt", full)
    f = _write(tmp_path / "in" / "f.txt", k_page(teasers=LADE))
    pipeline.ingest(site, [g, f])
    old = _id(site, "Neue Ladesäulen")
    # F's teaser is corrected, G (not read now) still carries the story: it stays.
    _write(f, k_page(teasers=LADE.replace("Neue Ladesäulen", "Neue E-Ladesäulen")))
    summary = pipeline.ingest(site, [f])
    assert summary.retracted == []
    assert {"Neue Ladesäulen", "Neue E-Ladesäulen"} <= set(_live(site))
    (notice,) = summary.notices  # but the editor hears of the pair
    assert old in notice.message and "f.txt" in notice.path
    # G corrected too and both read: the old version appears nowhere now and is retracted.
    _write(g, full.replace("Neue Ladesäulen", "Neue E-Ladesäulen"))
    summary = pipeline.ingest(site, [g, f])
    assert summary.retracted == [(old, _id(site, "Neue E-Ladesäulen"))]
    assert "Neue Ladesäulen" not in _live(site)


def test_a_correction_edited_back_and_a_dropped_story(site: Config, tmp_path: Path) -> None:
    page = _write(tmp_path / "in" / "a.txt", k_page(teasers=LADE))
    pipeline.ingest(site, [page])
    old = _id(site, "Neue Ladesäulen")
    _write(page, k_page(teasers=LADE.replace("Neue Ladesäulen", "Neue Ladesäulen am Markt")))
    pipeline.ingest(site, [page])
    new = _id(site, "Neue Ladesäulen am Markt")
    _write(page, k_page(teasers=LADE))  # the correction undone in the file
    assert pipeline.ingest(site, [page]).retracted == [(new, old)]
    live = _live(site)
    assert live["Neue Ladesäulen"].id == old and "Neue Ladesäulen am Markt" not in live
    # A story the editor dropped stays dropped when its source is corrected.
    editing.drop(site, [old], note="nicht unser Thema")
    _write(page, k_page(teasers=LADE.replace("Neue Ladesäulen", "Ladesäulen für Kassel")))
    summary = pipeline.ingest(site, [page])
    fixed = _id(site, "Ladesäulen für Kassel")
    assert summary.retracted == [(old, fixed)] and set(_live(site)) == {SERVICE}
    states = {h.article.id: h for h in editing.hidden(site)}
    assert states[fixed].state == "dropped" and states[fixed].note == "nicht unser Thema"


# --- near-duplicates --------------------------------------------------------------------------


def test_near_duplicates_are_noticed_not_merged(
    site: Config, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.ingest(site, [_write(tmp_path / "in" / "a.txt", k_page(teasers=LADE))])
    lade = _id(site, "Neue Ladesäulen")
    twin = p_release(title="Neue Ladesäule", day="05.11.2025")  # a day later
    unrelated = p_release(title="Stadt tritt Datenbündnis bei", day="05.11.2025")
    _write(tmp_path / "in" / "b.txt", twin)
    _write(tmp_path / "in" / "c.txt", unrelated)
    code, out, err = run(
        capsys, "--config", str(config_file), "ingest", "--strict", str(tmp_path / "in")
    )
    assert code == 0, err  # a notice is not a problem, not even under --strict
    notices = [line for line in err.splitlines() if line.startswith("notice:")]
    assert len(notices) == 1, err
    twin_id = _id(site, "Neue Ladesäule")
    assert "b.txt:" in notices[0] and lade in notices[0] and twin_id in notices[0]
    assert "Neue Ladesäulen" in notices[0] and "`digest drop ID`" in notices[0]
    assert "2 new, 0 updated, 2 unchanged, 0 duplicate" in out
    assert len(_live(site)) == 4  # both versions stay until the editor drops one
    # Once one of the pair is dropped, it is no longer compared with.
    editing.drop(site, [twin_id])
    _write(tmp_path / "in" / "d.txt", p_release(title="Neue Ladesäule", day="06.11.2025"))
    summary = pipeline.ingest(site, [tmp_path / "in" / "d.txt"])
    assert summary.new == 1 and summary.notices == []


def test_near_duplicate_measure() -> None:
    assert similar_titles("Neue Ladesäulen in Kassel", "Neue Ladesaeulen in Kassel")
    assert similar_titles("Stadt Ulm startet Portal", "Stadt Ulm startet ihr Portal")
    assert not similar_titles("Gemeinsames Serviceportal", "Stadt tritt Datenbündnis bei")
    assert not similar_titles("Haushalt 2025 beschlossen", "Haushalt 2026 beschlossen")
    a = Titled("a", "Neue Ladesäulen in Kassel", date(2025, 11, 4))
    b = Titled("b", "Neue Ladesäulen für Kassel", date(2025, 11, 5))
    far = Titled("c", "Neue Ladesäulen in Kassel", date(2025, 11, 7))
    (pair,) = near_duplicates([b], [a, far])
    assert (pair.article.id, pair.other.id) == ("b", "a") and pair.ratio >= 0.85
    assert [(p.article.id, p.other.id) for p in near_duplicates([a, b], [a, b])] == [("b", "a")]


# --- replace ------------------------------------------------------------------------------


def test_replace_with_a_corrected_file(
    site: Config, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.ingest(site, [_write(tmp_path / "in" / "p.txt", p_release())])
    old = _id(site, "Stadt tritt Datenbündnis bei")
    fixed = _write(tmp_path / "fixed.txt", p_release(title="Stadt tritt dem Datenbündnis bei"))
    code, out, err = run(capsys, "--config", str(config_file), "replace", old[:6], str(fixed))
    assert code == 0, err
    new = _id(site, "Stadt tritt dem Datenbündnis bei")
    first, second = out.splitlines()
    assert first.startswith(old) and f"replaced by {new}" in first
    assert first.endswith("Stadt tritt Datenbündnis bei")
    assert second.startswith(new) and "new, the current version" in second
    assert set(_live(site)) == {"Stadt tritt dem Datenbündnis bei"}
    (hidden,) = editing.hidden(site)
    assert (hidden.article.id, hidden.state, hidden.replaced_by) == (old, "replaced", new)
    # The same version again: a clear error.
    code, _, err = run(capsys, "--config", str(config_file), "replace", new, str(fixed))
    assert code == 1 and "same version (same title and date)" in err
    # Back to the first version: it is live again, and the correction is the retracted one.
    code, out, err = run(
        capsys, "--config", str(config_file), "replace", new, str(tmp_path / "in" / "p.txt")
    )
    assert code == 0, err
    assert out.splitlines()[1].startswith(old) and "already stored" in out
    assert set(_live(site)) == {"Stadt tritt Datenbündnis bei"}
    (hidden,) = editing.hidden(site)
    assert (hidden.article.id, hidden.replaced_by) == (new, old)


def test_replace_with_a_markdown_note(
    site: Config, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.ingest(site, [_write(tmp_path / "in" / "p.txt", p_release())])
    old = _id(site, "Stadt tritt Datenbündnis bei")
    note = _write(
        tmp_path / "fixed.md",
        "---\ntitle: Stadt tritt dem Datenbündnis bei\ndate: 2025-11-05\n---\n"
        "Die Stadt tritt einem regionalen Bündnis für offene Daten bei.\n",
    )
    code, out, err = run(capsys, "--config", str(config_file), "replace", old, str(note))
    assert code == 0, err
    assert out.startswith(old) and "replaced by" in out
    assert set(_live(site)) == {"Stadt tritt dem Datenbündnis bei"}
    (hidden,) = editing.hidden(site)
    assert (hidden.article.id, hidden.state) == (old, "replaced")


def test_replace_refuses_bad_files_and_stores_nothing(
    site: Config, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.ingest(site, [_write(tmp_path / "in" / "p.txt", p_release())])
    old = _id(site, "Stadt tritt Datenbündnis bei")
    dump = _dump(site.store_path)
    two = _write(tmp_path / "two.txt", k_page(teasers=LADE))
    config = ["--config", str(config_file)]
    code, out, err = run(capsys, *config, "replace", old, str(two))
    assert code == 1 and out == "" and "Traceback" not in err
    assert "two.txt" in err and "found 1 main article and 1 teaser" in err
    missing = tmp_path / "missing.txt"
    code, _, err = run(capsys, *config, "replace", old, str(missing))
    assert code == 1 and "missing.txt does not exist" in err and "Traceback" not in err
    bad_date = _write(tmp_path / "bad.txt", k_page(day="31.2.2025"))
    code, _, err = run(capsys, *config, "replace", old, str(bad_date))
    assert code == 1 and "bad.txt" in err and "Traceback" not in err
    code, _, err = run(capsys, *config, "replace", "ffff0000", str(two))
    assert code == 1 and "no article with id" in err
    assert _dump(site.store_path) == dump


# --- digest articles --dropped -------------------------------------------------------------


def test_articles_dropped_lists_hidden_and_excluded(
    site: Config, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _write(tmp_path / "in" / "a.txt", k_page(teasers=LADE + PORTAL))
    pipeline.ingest(site, [page])
    service, lade, portal = (
        _id(site, t) for t in (SERVICE, "Neue Ladesäulen", "Bürgerportal geht online")
    )
    editing.drop(site, [lade], note="doppelt")
    _write(page, k_page(teasers=LADE + PORTAL.replace("geht online", "ist online")))
    pipeline.ingest(site, [page])
    portal_new = _id(site, "Bürgerportal ist online")
    text = config_file.read_text("utf-8")
    assert "\n[exclude]\n" in text
    entries = f'"{service}" = "Werbung"\n"https://example.org/nichts" = "alt"\n'
    config_file.write_text(text.replace("\n[exclude]\n", f"\n[exclude]\n{entries}"), "utf-8")

    code, out, err = run(capsys, "--config", str(config_file), "articles", "--dropped")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{lade}  2025-11-04  dropped ")
    assert lines[0].endswith("Kassel: Neue Ladesäulen  (doppelt)")
    assert lines[1].startswith(f"{portal}  2025-11-05  replaced → {portal_new}")
    assert lines[2].startswith(f"{service}  2025-11-03  excluded in config.toml")
    assert lines[2].endswith(f"{SERVICE}  (Werbung)")
    assert "https://example.org/nichts matches no stored article" in lines[3]
    assert len(lines) == 4 and "3 hidden articles" in err
    # The live listing keeps its format and leaves the hidden ones out.
    code, out, _ = run(capsys, "--config", str(config_file), "articles")
    assert lade not in out and portal not in out and portal_new in out
    code, out, _ = run(capsys, "--config", str(config_file), "articles", "--dropped", "--json")
    rows = json.loads(out)
    assert [(r["id"], r["state"]) for r in rows[:3]] == [
        (lade, "dropped"),
        (portal, "replaced"),
        (service, "excluded"),
    ]
    assert rows[1]["replaced_by"] == portal_new and rows[0]["note"] == "doppelt"


# --- the store ----------------------------------------------------------------------------


def test_a_version_2_store_is_migrated_with_its_rows(site: Config, tmp_path: Path) -> None:
    path = site.store_path
    db = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in migration.split(";"):
            if statement.strip():
                db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(
        "INSERT INTO articles (id, kind, format, date, iso_week, title, body, urls, keywords, "
        "topic, scores, matches) VALUES ('00aa11bb22cc33dd', 'main', 'P', '2025-11-05', "
        "'2025-W45', 'Alte Meldung', '[]', '[]', '[]', 'other', '{}', '[]')"
    )
    db.execute("INSERT INTO sources VALUES ('00aa11bb22cc33dd', 'alt.txt', 1, 'main')")
    db.close()
    with Store(path) as store:
        (article,) = store.articles()
        assert (article.id, article.title, article.sources[0].path) == (
            "00aa11bb22cc33dd",
            "Alte Meldung",
            "alt.txt",
        )
        assert store.hidden() == [] and store.weeks() == [("2025-W45", 1)]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 8
    db.close()
    (outcome,) = editing.drop(site, ["00aa11bb"])
    assert outcome.action == "dropped" and pipeline.weeks(site) == []


def test_hidden_articles_are_reclassified_with_the_rest(site: Config, tmp_path: Path) -> None:
    pipeline.ingest(site, [_write(tmp_path / "in" / "a.txt", k_page(teasers=LADE))])
    lade = _id(site, "Neue Ladesäulen")
    editing.drop(site, [lade])
    pinned = replace(site, rules=replace(site.rules, overrides={lade: "policy"}))
    editing.restore(pinned, [lade])
    assert _live(pinned)["Neue Ladesäulen"].topic == "policy"
