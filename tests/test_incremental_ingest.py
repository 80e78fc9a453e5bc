"""Ingest skips what it has seen: fingerprints of source files, what a changed or deleted file
takes with it, and the lemma dictionary left unloaded when nothing is classified."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from digest import classify, pipeline
from digest.cli import main
from digest.config import Config, load_config
from digest.store import Query, Store

from .pages import k_page, p_release, teaser

LADE = teaser("Kassel", "Neue Ladesäulen", "4.11.2025", "Kassel baut zwanzig Ladesäulen am Markt.")
PORTAL = teaser("Fulda", "Bürgerportal geht online", "5.11.2025", "Fulda startet ein Portal.")


@pytest.fixture
def site(config_file: Path) -> Config:
    """The repository's config with store, source folder (tmp/in) and outputs in tmp."""
    (config_file.parent / "in").mkdir(exist_ok=True)
    return load_config(config_file)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _titles(cfg: Config) -> set[str]:
    return {a.title for a in pipeline.list_articles(cfg, Query())}


def _same_times(path: Path, text: str) -> None:
    """Rewrite a file and give it back its old mtime, as `cp -p` or some editors do."""
    before = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def _age(path: Path, seconds: int = 60) -> None:
    """Date a file back, so its fingerprint is not racy (see pipeline/unchanged.py)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 10**9))


def test_an_unchanged_file_is_skipped(site: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE))
    b = _write(site.path.parent / "in" / "b.txt", p_release())
    first = pipeline.ingest(site)
    assert (first.files_read, first.files_unchanged, first.new) == (2, 0, 3)
    again = pipeline.ingest(site)
    assert (again.files_read, again.files_unchanged, again.seen) == (0, 2, 0)
    assert again.total == 3 and again.gone == []
    # Only the changed file is read.
    _write(b, p_release(title="Stadt tritt Datenbündnis bei und lädt ein"))
    third = pipeline.ingest(site)
    assert (third.files_read, third.files_unchanged) == (1, 1)
    assert "Stadt tritt Datenbündnis bei und lädt ein" in _titles(site)
    assert a.exists()


def test_a_change_that_keeps_size_and_mtime_is_caught_by_the_hash(site: Config) -> None:
    page = _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE))
    _age(page)
    pipeline.ingest(site)
    text = page.read_text("utf-8")
    edited = text.replace("Neue Ladesäulen", "Alte Ladesäulen")  # same length in bytes
    assert len(edited.encode()) == len(text.encode())
    _same_times(page, edited)
    summary = pipeline.ingest(site)
    assert summary.files_read == 1 and "Alte Ladesäulen" in _titles(site)


def test_a_touched_file_is_hashed_once_then_skipped_by_stat(
    site: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE))
    _age(page, 120)
    pipeline.ingest(site)
    _age(page, 60)  # new mtime, same content
    # The touch changed the ctime just now: no time would be recorded (racy) without this.
    monkeypatch.setattr(pipeline.unchanged, "RACY_NS", 0)
    hashed: list[str] = []
    real = pipeline.unchanged.file_hash

    def counting(path: str, max_bytes: int) -> str | None:
        hashed.append(path)
        return real(path, max_bytes)

    monkeypatch.setattr(pipeline.unchanged, "file_hash", counting)
    touched = pipeline.ingest(site)
    assert (touched.files_read, touched.files_unchanged, hashed) == (0, 1, [str(page)])
    hashed.clear()
    again = pipeline.ingest(site)  # the new stat was recorded: no hash this time
    assert (again.files_read, again.files_unchanged, hashed) == (0, 1, [])


def test_a_freshly_written_file_is_hashed_next_time(site: Config) -> None:
    """Written just before the read: a rewrite within the clock's resolution could keep all
    times, so the fingerprint keeps no times and the next run compares the content."""
    page = _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE))
    pipeline.ingest(site)
    with Store(site.store_path) as store:
        (printed,) = store.file_fingerprints().values()
    assert printed.mtime_ns is None and printed.ctime_ns is None and printed.articles == 2
    assert pipeline.ingest(site).files_unchanged == 1
    assert page.exists()


def test_an_article_that_left_a_changed_file_is_gone(site: Config) -> None:
    page = _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE + PORTAL))
    pipeline.ingest(site)
    assert {"Neue Ladesäulen", "Bürgerportal geht online"} <= _titles(site)
    _write(page, k_page(teasers=PORTAL))
    summary = pipeline.ingest(site)
    assert len(summary.gone) == 1 and "Neue Ladesäulen" not in _titles(site)
    with Store(site.store_path) as store:
        (hidden,) = store.hidden()
    assert (hidden.article.title, hidden.state) == ("Neue Ladesäulen", "gone")
    # It comes back when a file holds it again.
    _write(page, k_page(teasers=PORTAL + LADE))
    back = pipeline.ingest(site)
    assert back.back == summary.gone and "Neue Ladesäulen" in _titles(site)


def test_an_article_another_file_still_has_stays(site: Config) -> None:
    folder = site.path.parent / "in"
    page = _write(folder / "a.txt", k_page(teasers=LADE + PORTAL))
    _write(folder / "b.txt", k_page(title="Andere Seite", teasers=LADE))
    pipeline.ingest(site)
    _write(page, k_page(teasers=PORTAL))
    summary = pipeline.ingest(site)
    assert summary.gone == [] and "Neue Ladesäulen" in _titles(site)
    with Store(site.store_path) as store:
        (lade,) = [a for a in store.articles() if a.title == "Neue Ladesäulen"]
    assert {s.path for s in lade.sources} == {"in/b.txt"}


def test_a_deleted_file_takes_its_articles_along(
    site: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = site.path.parent / "in"
    _write(folder / "a.txt", k_page(teasers=LADE))
    release = _write(folder / "b.txt", p_release())
    pipeline.ingest(site)
    release.unlink()
    assert main(["--config", str(site.path), "build"]) == 0
    out = capsys.readouterr().out
    assert "gone " in out and "no source file holds it any more" in out
    assert "Stadt tritt Datenbündnis bei" not in _titles(site)
    assert {"Gemeinsames Serviceportal", "Neue Ladesäulen"} <= _titles(site)
    with Store(site.store_path) as store:
        assert set(store.file_fingerprints()) == {"in/a.txt"}
        assert store.reading_paths() == ["in/a.txt"]
    # Put back, it is read again and its article is live again.
    _write(release, p_release())
    summary = pipeline.ingest(site)
    assert summary.files_read == 1 and len(summary.back) == 1
    assert "Stadt tritt Datenbündnis bei" in _titles(site)


def test_a_missing_source_folder_takes_nothing(site: Config) -> None:
    folder = site.path.parent / "in"
    _write(folder / "a.txt", k_page(teasers=LADE))
    pipeline.ingest(site)
    moved = folder.rename(site.path.parent / "elsewhere")
    summary = pipeline.ingest(site)
    assert any("does not exist" in p.message for p in summary.problems)
    assert summary.gone == [] and "Neue Ladesäulen" in _titles(site)
    assert moved.exists()


def test_a_file_with_problems_is_read_every_time(site: Config) -> None:
    folder = site.path.parent / "in"
    _write(folder / "a.txt", k_page(teasers=LADE))
    _write(folder / "bad.txt", "Nur eine Zeile ohne Datum und ohne Meldung.\n")
    first = pipeline.ingest(site)
    assert any(p.path == "in/bad.txt" for p in first.problems)
    again = pipeline.ingest(site)
    assert (again.files_unchanged, again.files_failed) == (1, 1)
    assert any(p.path == "in/bad.txt" for p in again.problems)  # still reported


def test_a_file_read_with_problems_keeps_the_articles_it_lost(site: Config) -> None:
    """A half-broken edit must not take stories out: only a clean read reconciles."""
    page = _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE + PORTAL))
    pipeline.ingest(site)
    broken = k_page(teasers=PORTAL) + "\n\x00\x01"
    _write(page, broken)
    summary = pipeline.ingest(site)
    assert any(p.path == "in/a.txt" for p in summary.problems)
    assert summary.gone == [] and "Neue Ladesäulen" in _titles(site)


def test_other_reader_settings_read_everything_again(site: Config) -> None:
    folder = site.path.parent / "in"
    _write(folder / "a.txt", k_page(teasers=LADE))
    _write(folder / "b.txt", p_release())
    pipeline.ingest(site)
    assert pipeline.ingest(site).files_read == 0
    bigger = replace(
        site, ingest=replace(site.ingest, max_file_bytes=site.ingest.max_file_bytes * 2)
    )
    assert pipeline.ingest(bigger).files_read == 2
    assert pipeline.ingest(bigger).files_read == 0


def test_nothing_to_classify_leaves_the_lemma_dictionary_unloaded(
    site: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE))
    pipeline.ingest(site)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the lemma dictionary was used")

    monkeypatch.setattr(classify, "lemmatize", refuse)
    monkeypatch.setattr(classify.Classifier, "warm_up", refuse)
    summary = pipeline.ingest(site)
    assert summary.files_unchanged == 1 and summary.total == 2


def test_a_rule_change_reclassifies_the_skipped_files_articles(site: Config) -> None:
    _write(site.path.parent / "in" / "a.txt", k_page(teasers=LADE))
    pipeline.ingest(site)
    (lade,) = [a for a in pipeline.list_articles(site, Query()) if a.title == "Neue Ladesäulen"]
    assert lade.topic != "policy"
    rules = replace(site.rules, overrides={lade.id: "policy"})
    summary = pipeline.ingest(replace(site, rules=rules))
    assert summary.files_unchanged == 1
    (after,) = [
        a
        for a in pipeline.list_articles(replace(site, rules=rules), Query())
        if a.title == "Neue Ladesäulen"
    ]
    assert after.topic == "policy"


def _stored(cfg: Config, title: str) -> list[str]:
    (found,) = [a for a in pipeline.list_articles(cfg, Query()) if a.title == title]
    return list(found.body)


def test_a_file_corrected_to_a_shorter_text_is_the_new_truth(site: Config) -> None:
    """A press release read again with a correction that shortens it (a number, a cut
    sentence) replaces the stored text: the stored text can only have come from this file.
    The fuller-text rule is for the same story from several files."""
    release = p_release()
    path = _write(site.path.parent / "in" / "p.txt", release)
    pipeline.ingest(site)
    assert "Der Stadtrat hat den Beitritt einstimmig beschlossen." in _stored(
        site, "Stadt tritt Datenbündnis bei"
    )
    _write(path, release.replace("einstimmig ", ""))
    summary = pipeline.ingest(site)
    assert (summary.files_read, summary.updated, summary.new) == (1, 1, 0)
    assert "Der Stadtrat hat den Beitritt beschlossen." in _stored(
        site, "Stadt tritt Datenbündnis bei"
    )
    built = pipeline.build(site)
    article = [n for n in built.written if n.startswith("articles/")]
    assert article and "einstimmig" not in (site.out / article[0]).read_text("utf-8")


def test_one_of_two_files_with_the_same_article_cannot_shorten_it(site: Config) -> None:
    """The same press release in two files: a shorter version in one of them does not win,
    since the stored text may be the other file's."""
    release = p_release()
    first = _write(site.path.parent / "in" / "p.txt", release)
    _write(site.path.parent / "in" / "q.txt", release)
    pipeline.ingest(site)
    _write(first, release.replace("einstimmig ", ""))
    summary = pipeline.ingest(site)
    assert summary.files_read == 1 and summary.updated == 0
    assert "Der Stadtrat hat den Beitritt einstimmig beschlossen." in _stored(
        site, "Stadt tritt Datenbündnis bei"
    )
