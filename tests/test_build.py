"""`digest build` end to end on the sample corpus: determinism, golden files, bad output."""

from __future__ import annotations

import contextlib
import difflib
import email
import email.policy
import io
import json
import shutil
from pathlib import Path

import pytest
from lxml import etree, html

from digest.cli import main

from .conftest import CORPUS, ROOT
from .pages import k_page

GOLDEN = ROOT / "tests" / "golden" / "sample-2026-W01"
# Relative to the preview folder (email/...) or to public/ (the rest).
GOLDEN_FILES = (
    "email/2026-W01.mjml",
    "email/2026-W01.html",
    "email/2026-W01.txt",
    "email/2026-W01.eml",
    "weeks/2026-W01.html",
    # "Nordrhein-Westfalen: Neue Pflichten für Kommunen ab Januar", a K article with links
    "articles/279b046ffabadf8c.html",
    "feed.atom",
)


@pytest.fixture
def sample_config(config_file: Path) -> Path:
    """config.toml whose source is the sample corpus and whose store lives in tmp."""
    text = config_file.read_text("utf-8").replace('path = "in"', f'path = "{CORPUS}"')
    config_file.write_text(text, "utf-8")
    return config_file


def build(config: Path, *args: str) -> int:
    return main(["--config", str(config), "build", *args])


def main_json(config: Path, *args: str) -> str:
    """Run a digest command and return what it printed."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["--config", str(config), *args]) == 0
    return buffer.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    """The files of an output folder, without digest's bookkeeping (the manifest records each
    file's mtime; the feed entry cache is data, not output)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name not in {".digest-manifest.json", ".digest-feed-entries.json"}
    }


def test_build_writes_every_artefact(
    sample_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = sample_config.parent / "public"
    assert build(sample_config, "--out", str(out)) == 0
    files, previews = tree(out), tree(sample_config.parent / "preview")
    assert "index.html" in files and "feed.atom" in files
    for week in ("2025-W44", "2026-W01", "2026-W04", "2020-W53"):
        for suffix in ("html", "txt", "eml", "mjml"):
            assert f"email/{week}.{suffix}" in previews
        assert f"weeks/{week}.html" in files
    # Publishing public/ as it is publishes no preview with placeholder tokens.
    assert not [n for n in files if n.startswith("email/") or n.endswith((".eml", ".mjml"))]
    assert not [n for n, data in files.items() if b"__ABMELDE_TOKEN__" in data]
    stored = json.loads(main_json(sample_config, "articles", "--json"))
    assert {f"articles/{a['id']}.html" for a in stored} == {
        n for n in files if n.startswith("articles/")
    }
    for topic in ("partnerships", "congresses", "policy", "other"):
        assert f"topics/{topic}.atom" in files
    assert not any(name.endswith(".tmp") for name in files)
    assert "Rendered 14 weeks" in capsys.readouterr().out


def test_build_is_deterministic_and_skips_unchanged(
    sample_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert build(sample_config, "--out", str(first)) == 0
    assert build(sample_config, "--out", str(second)) == 0
    assert tree(first) == tree(second)
    capsys.readouterr()
    before = {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()}
    assert build(sample_config, "--out", str(first)) == 0
    assert "Up to date: nothing changed since the last build" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()} == before


def test_golden_week(sample_config: Path, tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "public"
    assert build(sample_config, "--out", str(out), "--week", "2026-W01") == 0
    assert not (out / "weeks" / "2026-W02.html").exists()  # --week renders just that week
    problems = []
    for name in GOLDEN_FILES:
        folder = sample_config.parent / "preview" if name.startswith("email/") else out
        got = (folder / name).read_text("utf-8")
        golden = GOLDEN / name
        if update_golden:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(got, "utf-8")
            continue
        assert golden.exists(), f"{golden} missing: run pytest --update-golden and review it"
        want = golden.read_text("utf-8")
        if got != want:
            diff = difflib.unified_diff(
                want.splitlines(), got.splitlines(), f"golden/{name}", f"built/{name}", lineterm=""
            )
            problems.append("\n".join(list(diff)[:40]))
    assert not problems, "\n\n".join(problems) + "\n(review, then pytest --update-golden)"


def test_no_raw_markup_reaches_any_output(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = k_page(
        kicker='Ulm & "Neu-Ulm"',
        title="<script>alert(1)</script> Smart & <KI> „Zitat“",
        lead="Vorspann mit <img src=x onerror=alert(2)> & <b>fett</b>.",
    )
    (config_file.parent / "in" / "evil.txt").write_text(evil, "utf-8")
    out = config_file.parent / "public"
    assert build(config_file, "--out", str(out)) == 0
    files = {**tree(out), **tree(config_file.parent / "preview")}
    assert any(name.startswith("articles/") for name in files)
    for name, data in files.items():
        text = data.decode("utf-8")
        if name.endswith(".txt"):
            assert "<script>alert(1)</script>" in text  # plain text shows it literally
            continue
        if name.endswith(".eml"):
            message = email.message_from_bytes(data, policy=email.policy.default)
            parts = {p.get_content_type(): p.get_content() for p in message.iter_parts()}
            assert "<script>alert(1)</script>" in parts["text/plain"]
            text = parts["text/html"]
        assert "<script" not in text and "<img" not in text and "<b>fett" not in text, name
        if name.endswith(".html"):
            page = html.document_fromstring(data)
            assert not page.xpath("//script | //img"), name
            if name.startswith(("weeks/", "topics/", "email/", "articles/")):
                assert "<script>alert(1)</script> Smart & <KI> „Zitat“" in page.text_content()
        if name.endswith(".atom"):
            feed = etree.fromstring(data)
            for node in feed.iter("{http://www.w3.org/2005/Atom}content"):
                fragment = html.fragment_fromstring(node.text or "", create_parent="div")
                assert not fragment.xpath("//script | //img"), name


def test_unwritable_output_folder(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    blocker = config_file.parent / "blocker"
    blocker.write_text("a file where a folder should be")
    assert build(config_file, "--out", str(blocker / "public")) == 1
    err = capsys.readouterr().err
    assert f"cannot write {blocker / 'public'}" in err and "--out" in err
    assert "Traceback" not in err


def test_template_error_writes_nothing(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    templates = config_file.parent / "templates"
    shutil.copytree(ROOT / "templates", templates)
    page = templates / "web" / "_item.html.j2"  # included for every item of a week page
    page.write_text("{{ nicht_da }}\n" + page.read_text("utf-8"), "utf-8")
    text = config_file.read_text("utf-8").replace(
        f'templates = "{ROOT / "templates"}"', f'templates = "{templates}"'
    )
    config_file.write_text(text, "utf-8")
    out = config_file.parent / "public"
    assert build(config_file, "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "_item.html.j2:1:" in err and "nicht_da" in err
    assert not out.exists()


def test_week_without_articles(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (config_file.parent / "in" / "a.txt").write_text(k_page(), "utf-8")
    out = config_file.parent / "public"
    assert build(config_file, "--out", str(out), "--week", "2019-W38") == 0
    captured = capsys.readouterr()
    assert "2019-W38 has no articles" in captured.err
    assert not (out / "email").exists()
    assert (out / "feed.atom").exists() and (out / "index.html").exists()


def test_undated_and_bare_articles_build(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = config_file.parent / "in"
    (folder / "undated.txt").write_text(k_page(day=None, title="Ohne Datum"), "utf-8")
    bare = k_page(title="Nackte Meldung", lead="", body="Nur Text.").replace("www.ulm.de\n", "")
    (folder / "bare.txt").write_text(bare, "utf-8")
    out = config_file.parent / "public"
    assert build(config_file, "--out", str(out)) == 0
    week = (out / "weeks" / "2025-W45.html").read_text("utf-8")
    assert "Nackte Meldung" in week and "Ohne Datum" not in week
    assert "Ohne Datum" not in (out / "feed.atom").read_text("utf-8")
    capsys.readouterr()
    main(["--config", str(config_file), "articles", "--json"])
    stored = {a["title"]: a for a in json.loads(capsys.readouterr().out)}
    assert stored["Nackte Meldung"]["urls"] == [] and stored["Ohne Datum"]["iso_week"] is None
