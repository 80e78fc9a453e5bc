"""A build renders what changed: output keys, the manifest, the up-to-date short cut, and
what it must survive (templates and config changed, the output folder edited or emptied by
hand, a killed build). An incremental build always ends where a fresh one would."""

from __future__ import annotations

import importlib
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from digest import output, pipeline
from digest.config import Config, load_config
from digest.pipeline import editing
from digest.pipeline.outputs import FEED_ENTRIES
from digest.render import environment
from digest.store import Query

from .pages import k_page, p_release, teaser

build_module = importlib.import_module("digest.pipeline.build")  # `pipeline.build` is the function
LADE = teaser("Kassel", "Neue Ladesäulen", "4.11.2025", "Kassel baut zwanzig Ladesäulen am Markt.")


@pytest.fixture
def site(config_file: Path) -> Config:
    return three_files(config_file)


def three_files(config_file: Path) -> Config:
    """Three articles in 2025-W45 (a.txt and its teaser, c.txt), one in 2025-W46 (b.txt)."""
    folder = config_file.parent / "in"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(k_page(teasers=LADE), "utf-8")
    (folder / "b.txt").write_text(k_page(title="Zweite Woche", day="12.11.2025"), "utf-8")
    (folder / "c.txt").write_text(p_release(), "utf-8")
    return load_config(config_file)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` but digest's own bookkeeping."""
    skip = {output.MANIFEST, output.JOURNAL, FEED_ENTRIES}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def fresh_build(
    cfg: Config, tmp_path: Path, name: str
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """A from-scratch build of the same store into new folders."""
    out, preview = tmp_path / f"{name}-public", tmp_path / f"{name}-preview"
    pipeline.build(cfg, out=out, preview=preview)
    return tree(out), tree(preview)


def assert_same_as_fresh(cfg: Config, tmp_path: Path, name: str) -> None:
    public, preview = fresh_build(cfg, tmp_path, name)
    assert tree(cfg.out) == public
    assert tree(cfg.preview) == preview


def test_a_second_build_with_nothing_changed_renders_nothing(
    site: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = pipeline.build(site)
    assert first.written and not first.up_to_date

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the articles were loaded")

    monkeypatch.setattr(build_module.Catalogue, "update", refuse)
    again = pipeline.build(site)
    assert again.up_to_date and again.written == [] and again.removed == []
    assert again.articles == first.articles and again.weeks == first.weeks
    assert again.skipped == len(tree(site.out)) + len(tree(site.preview))


def test_a_new_article_renders_only_the_files_that_show_it(site: Config, tmp_path: Path) -> None:
    pipeline.build(site)
    (site.path.parent / "in" / "d.txt").write_text(
        k_page(title="Dritte Meldung der Woche", day="5.11.2025", teasers=""), "utf-8"
    )
    built = pipeline.build(site)
    assert built.ingest.new == 1 and not built.up_to_date
    rendered = set(built.written) | set(built.unchanged)
    articles = {n for n in rendered if n.startswith("articles/")}
    new_id = next(n for n in built.written if n.startswith("articles/"))
    assert articles == {new_id}  # no other article page was rendered
    assert "weeks/2025-W45.html" in built.written and "index.html" in built.written
    assert "weeks/2025-W46.html" not in rendered  # the other week shows nothing new
    assert "preview: email/2025-W45.html" in built.written
    assert not any("2025-W46" in n for n in rendered)
    assert built.skipped > 0
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_changed_template_renders_everything_that_uses_it(site: Config, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(site.templates, templates)
    cfg = replace(site, templates=templates)
    pipeline.build(cfg)
    page = templates / "web" / "article.html.j2"
    text = page.read_text("utf-8")
    assert "{% block main %}" in text
    page.write_text(text.replace("{% block main %}", "{% block main %}<!-- neu -->"), "utf-8")
    built = pipeline.build(cfg)
    articles = [n for n in built.written if n.startswith("articles/")]
    assert len(articles) == built.articles and all(
        "<!-- neu -->" in (cfg.out / n).read_text("utf-8") for n in articles
    )
    assert not any(n.startswith("weeks/") for n in built.written)  # they look the same


def test_a_changed_config_renders_what_depends_on_it(site: Config) -> None:
    pipeline.build(site)
    retitled = replace(site, site=replace(site.site, title="Ein anderer Titel"))
    built = pipeline.build(retitled)
    assert not built.up_to_date
    pages = list(retitled.out.rglob("*.html"))
    assert pages and all("Ein anderer Titel" in p.read_text("utf-8") for p in pages)


def test_a_config_change_no_output_shows_renders_nothing(site: Config) -> None:
    """A new SMTP relay, another port for `digest serve`, a longer wait for the store, a
    longer confirmation period: nothing the build writes shows them, so nothing is rendered
    (each of them rendered every file again, 52,000 at 50,000 articles). A change to a part
    an output does show (the footer's privacy link) still renders."""
    pipeline.build(site)
    unseen = replace(
        site,
        delivery=replace(
            site.delivery,
            smtp=replace(site.delivery.smtp, host="relay.example.org", port=2525),
            retries=9,
        ),
        web=replace(site.web, port=8123),
        store_timeout=site.store_timeout + 5,
        subscribe=replace(site.subscribe, confirm_days=site.subscribe.confirm_days + 1),
    )
    built = pipeline.build(unseen)
    assert built.up_to_date and built.written == [] and built.unchanged == []
    privacy = "https://digest.example.de/anders-datenschutz"
    shown = replace(unseen, consent=replace(unseen.consent, privacy_url=privacy))
    rebuilt = pipeline.build(shown)
    assert not rebuilt.up_to_date
    assert privacy in (shown.out / "index.html").read_text("utf-8")


def test_no_renderer_reads_a_part_of_the_config_left_out_of_the_key() -> None:
    """The parts of the config left out of every output's key (outputs.NOT_SHOWN) must stay
    unread by the code that renders a build's outputs, or a change to one would leave stale
    files. Should a renderer start to read one, take it out of NOT_SHOWN."""
    import re

    from digest.pipeline.outputs import NOT_SHOWN

    src = Path(pipeline.__file__).resolve().parent.parent
    renderers = [
        *(p for p in (src / "render").glob("*.py") if p.name != "optin.py"),  # not a build's
        *(src / "pipeline" / n for n in ("build.py", "outputs.py", "catalogue.py", "edition.py")),
        src / "delivery" / "message.py",  # the preview .eml
        src / "grouping.py",
        src / "vet.py",
        src / "l10n.py",
    ]
    parts = "|".join(sorted(NOT_SHOWN - {"path"}))
    reads = re.compile(rf"\b(?:cfg|config)\.({parts})\b")
    found = {p.name: reads.findall(p.read_text("utf-8")) for p in renderers}
    assert all(p.exists() for p in renderers)
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_files_deleted_or_edited_by_hand_are_written_again(site: Config) -> None:
    pipeline.build(site)
    index, week = site.out / "index.html", site.out / "weeks" / "2025-W45.html"
    good_index, good_week = index.read_bytes(), week.read_bytes()
    index.unlink()
    week.write_text("von Hand verdorben", "utf-8")
    built = pipeline.build(site)
    assert set(built.written) == {"index.html", "weeks/2025-W45.html"}
    assert index.read_bytes() == good_index and week.read_bytes() == good_week
    # Touched, not changed: the hash says the file is as written; nothing is rendered.
    os.utime(index, ns=(0, 10**18))
    again = pipeline.build(site)
    assert again.written == [] and again.unchanged == []


def test_an_emptied_output_folder_is_filled_again(site: Config, tmp_path: Path) -> None:
    pipeline.build(site)
    before = tree(site.out), tree(site.preview)
    shutil.rmtree(site.out)
    for child in site.preview.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    built = pipeline.build(site)
    assert not built.up_to_date
    assert (tree(site.out), tree(site.preview)) == before


def test_a_killed_build_is_finished_by_the_next_and_leaves_nothing_stale(
    site: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.build(site)
    folder = site.path.parent / "in"
    (folder / "b.txt").unlink()  # a week goes: its files must go too
    (folder / "d.txt").write_text(
        k_page(title="Neue Woche", day="19.11.2025", teasers=LADE), "utf-8"
    )
    real = output._atomic_write
    calls = 0

    def dying(target: Path, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls > 3:
            raise KeyboardInterrupt
        real(target, data)

    monkeypatch.setattr(output, "_atomic_write", dying)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(site)
    monkeypatch.setattr(output, "_atomic_write", real)
    assert (site.preview / output.JOURNAL).is_file()  # the emails come first
    built = pipeline.build(site)
    assert not (site.out / output.JOURNAL).exists()
    assert not (site.preview / output.JOURNAL).exists()
    assert "weeks/2025-W46.html" in built.removed
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_written_file_the_killed_build_left_is_removed_if_no_longer_wanted(
    site: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The killed build wrote a page the manifest never learned of; its data is gone before
    the next build. Only the journal says digest wrote it."""
    pipeline.build(site)
    extra = site.path.parent / "in" / "d.txt"
    extra.write_text(k_page(title="Kurzlebig", day="19.11.2025"), "utf-8")
    real = output._atomic_write
    written: list[Path] = []

    def dying(target: Path, data: bytes) -> None:
        if target.name == output.MANIFEST:
            raise KeyboardInterrupt
        written.append(target)
        real(target, data)

    monkeypatch.setattr(output, "_atomic_write", dying)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(site)
    monkeypatch.setattr(output, "_atomic_write", real)
    assert (site.out / "weeks" / "2025-W47.html").is_file()
    extra.unlink()
    pipeline.build(site)
    assert not (site.out / "weeks" / "2025-W47.html").exists()
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_sequence_of_changes_ends_byte_identical_to_a_fresh_build(
    site: Config, tmp_path: Path
) -> None:
    folder = site.path.parent / "in"
    pipeline.build(site)
    steps = [
        lambda: (folder / "d.txt").write_text(k_page(title="Vierte", day="20.11.2025"), "utf-8"),
        lambda: (folder / "a.txt").write_text(k_page(title="Gemeinsames Serviceportal"), "utf-8"),
        lambda: (folder / "c.txt").unlink(),
        lambda: editing.drop(site, [_id_of(site, "Zweite Woche")]),
        lambda: _editorial(site, "2025-W47", "Ein Wort vorab."),
    ]
    for number, step in enumerate(steps):
        step()
        built = pipeline.build(site)
        assert not built.up_to_date, number
        assert_same_as_fresh(site, tmp_path, f"fresh{number}")
    assert pipeline.build(site).up_to_date


def test_the_manifest_records_keys_and_what_the_files_look_like(site: Config) -> None:
    pipeline.build(site)
    manifest = json.loads((site.out / output.MANIFEST).read_text("utf-8"))
    assert manifest["version"] == 2 and manifest["stamp"]
    key, sha, size, mtime = manifest["files"]["index.html"][:4]
    assert len(key) == 64 and size == (site.out / "index.html").stat().st_size
    assert mtime == (site.out / "index.html").stat().st_mtime_ns and len(sha) == 64


def test_an_old_manifest_renders_once_and_keeps_the_operators_files(site: Config) -> None:
    pipeline.build(site)
    names = sorted(json.loads((site.out / output.MANIFEST).read_text("utf-8"))["files"])
    (site.out / output.MANIFEST).write_text(json.dumps(names), "utf-8")  # the first format
    (site.out / "robots.txt").write_text("User-agent: *\n", "utf-8")
    built = pipeline.build(site)
    assert not built.up_to_date and built.written == [] and built.removed == []
    assert (site.out / "robots.txt").is_file()
    assert pipeline.build(site).up_to_date


def test_a_render_error_is_still_reported_after_an_incremental_build(
    site: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.build(site)
    (site.path.parent / "in" / "d.txt").write_text(
        k_page(title="Noch eine", day="5.11.2025"), "utf-8"
    )
    real = environment.render_template

    def failing(env: object, name: str, **context: object) -> str:
        if name == "web/article.html.j2":
            raise ValueError("kaputt")
        return real(env, name, **context)  # type: ignore[arg-type]

    monkeypatch.setattr(environment, "render_template", failing)
    monkeypatch.setattr("digest.render.archive.render_template", failing)
    with pytest.raises(Exception, match="rendering failed"):
        pipeline.build(site)
    monkeypatch.undo()
    built = pipeline.build(site)  # fixed: the next build finishes the job
    assert any(n.startswith("articles/") for n in built.written)


def _id_of(cfg: Config, title: str) -> str:
    (found,) = [a.id for a in pipeline.list_articles(cfg, Query()) if a.title == title]
    return found


def _editorial(cfg: Config, week: str, text: str) -> None:
    cfg.editorial.folder.mkdir(parents=True, exist_ok=True)
    (cfg.editorial.folder / f"{week}.md").write_text(f"---\nsubject: Vorab\n---\n{text}\n", "utf-8")


def test_the_command_line_says_what_an_up_to_date_build_did(
    site: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import main

    assert main(["--config", str(site.path), "build"]) == 0
    capsys.readouterr()
    assert main(["--config", str(site.path), "build"]) == 0
    out = capsys.readouterr().out
    assert "No source file changed since the last run (3 files)" in out
    assert "Up to date: nothing changed since the last build (2 weeks, 4 articles" in out


def test_the_global_key_is_the_same_in_every_process(site: Config) -> None:
    """Sets in the config must not make the key depend on the process's hash seed, or no
    build would ever be up to date."""
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from digest.config import load_config; "
        "from digest.pipeline.outputs import global_key; from digest.render.keys import Digester; "
        "print(global_key(load_config(Path(sys.argv[1])), Digester()))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", script, str(site.path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1 and len(keys.pop()) == 64


def test_a_damaged_feed_entry_cache_is_made_again(site: Config, tmp_path: Path) -> None:
    """The issue feed's entries are kept for the next build; a damaged cache costs a render,
    never a wrong or failed feed."""
    pipeline.build(site)
    cache = site.preview / FEED_ENTRIES
    kept = json.loads(cache.read_text("utf-8"))
    assert kept and all(v["id"].startswith("tag:") for v in kept.values())
    for value in kept.values():
        value["published"] = "gestern"  # not a time
        value["title"] = "Falsch"
    cache.write_text(json.dumps(kept), "utf-8")
    (site.path.parent / "in" / "d.txt").write_text(
        k_page(title="Dritte Meldung der Woche", day="5.11.2025", teasers=""), "utf-8"
    )
    built = pipeline.build(site)
    assert "feed.atom" in built.written
    assert "Falsch" not in (site.out / "feed.atom").read_text("utf-8")
    assert_same_as_fresh(site, tmp_path, "fresh")


def test_a_build_run_from_elsewhere_or_with_the_config_spelt_otherwise_is_up_to_date(
    site: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where digest is run from and how the config's path is typed (relative, absolute,
    through a link) change nothing it shows: a cron job with an absolute path after an
    editor's run with `--config config.toml` must not render the whole archive again
    (it did: the config's path as typed was part of every output's key)."""
    from digest.cli import main

    folder = site.path.parent
    link = folder.parent / "link-to-site"
    link.symlink_to(folder, target_is_directory=True)
    monkeypatch.chdir(folder)
    assert main(["--config", site.path.name, "build"]) == 0
    for spelling, where in (
        (str(site.path), folder.parent),
        (f"../{site.path.name}", folder / "in"),
        (str(link / site.path.name), Path("/")),
    ):
        monkeypatch.chdir(where)
        capsys.readouterr()
        assert main(["--config", spelling, "build"]) == 0
        assert "Up to date: nothing changed" in capsys.readouterr().out, spelling


def test_the_installed_library_versions_are_read_right_whichever_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The versions that count as code are those importlib.metadata reports, whether found
    by the .dist-info folders on sys.path or, where a folder cannot be listed, asked for."""
    from importlib import metadata

    from digest.pipeline import unchanged

    expected = [f"{name} {metadata.version(name)}" for name in unchanged.LIBRARIES]
    assert unchanged.library_versions() == expected

    def unreadable(folder: str) -> list[str]:
        raise PermissionError(folder)

    monkeypatch.setattr(unchanged.os, "listdir", unreadable)
    assert unchanged.library_versions() == expected


def test_a_library_upgrade_reads_and_renders_everything_once_more(
    site: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another release of a library that shapes pages or parsing (mjml-python within the
    range pyproject.toml allows, say) counts as other code: every source is read and every
    output rendered once more, so nothing rendered by the old release is kept beside pages
    of the new one."""
    from digest.pipeline import unchanged

    pipeline.build(site)
    assert pipeline.build(site).up_to_date
    upgraded = [
        "mjml_python 9.9.9" if v.startswith("mjml_python ") else v
        for v in unchanged.library_versions()
    ]
    monkeypatch.setattr(unchanged, "library_versions", lambda: upgraded)
    unchanged.code_hash.cache_clear()
    try:
        again = pipeline.build(site)
    finally:
        unchanged.code_hash.cache_clear()
    assert not again.up_to_date
    assert again.ingest.files_read == 3
    assert again.skipped == 0 and len(again.written) + len(again.unchanged) > 0
