"""Bad input that used to crash, hang or poison the store: each becomes a Problem, and the run
goes on. Every sample is written here, so the tests need nothing beside the clone."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import FrameType

import pytest
from lxml import etree

from digest import cli, pipeline
from digest.config import Config
from digest.ingest.files import name_bytes, printable_name
from digest.models import Article, Problem
from digest.normalise import ILLEGAL_CHARS, clean_text, is_url, is_web_url
from digest.store import Store

from .conftest import ROOT
from .pages import article_texts, k_page, p_release, teaser

# A real dump is a few kilobytes; a few stray control characters in it are damage to repair,
# while the same number in a few lines would make decode_bytes call the file binary.
FILLER = "Für die Bürgerinnen und Bürger ändert sich zunächst wenig, sagt die Stadt. " * 40 + "\n\n"
GOOD_TEASER = teaser("Kassel", "Neue Ladesäulen", "4.11.2025", "Kassel baut zwanzig Ladesäulen.")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def _line(text: str, fragment: str) -> int:
    """The 1-based number of the first line of `text` that contains `fragment`."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if fragment in line)


def _stored(cfg: Config) -> list[Article]:
    with Store(cfg.store_path) as store:
        return store.articles()


def _where(problems: list[Problem], message: str) -> list[tuple[str, int | None]]:
    return [(p.path, p.line) for p in problems if message in p.message]


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail, instead of hanging the suite, when a test blocks for more than 20 s."""

    def expired(signum: int, frame: FrameType | None) -> None:
        pytest.fail("ingest blocked for 20 s")  # not an OSError: ingest must not swallow it

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# ---- 1. characters no output can carry ----------------------------------------------------


def test_clean_text_drops_illegal_characters_and_spaces_separators() -> None:
    assert clean_text("Ulm\x0bNeu-Ulm\x01 \ufffeheute\uffff\ud800\x85!") == (
        "Ulm Neu-Ulm heute !",
        6,
    )
    clean = "Grüße\tan\r\nalle"
    assert clean_text(clean) == (clean, 0)
    assert not is_url("www.ulm.de/\x07seite") and is_url("www.ulm.de/seite")
    assert not is_web_url("https://www.ulm.de/\x1b[31m")


def test_control_characters_are_removed_where_they_are_and_reported(
    cfg: Config, tmp_path: Path
) -> None:
    page = k_page(
        title="Gemeinsames\x01 Service\x7fportal",
        lead="Die Städte Ulm\x0bund Neu-Ulm betreiben\ufffe künftig ein Portal.\uffff",
        body=FILLER + "Die Zusammenarbeit soll\x1b Kosten sparen. (ve)",
    ).replace("www.ulm.de", "www.ulm.de/\x08portal")
    path = _write(tmp_path / "ulm.txt", page)
    summary = pipeline.ingest(cfg, [path])
    (article,) = _stored(cfg)
    assert article.title == "Gemeinsames Serviceportal"
    assert article.lead == "Die Städte Ulm und Neu-Ulm betreiben künftig ein Portal."
    assert article.body[-1] == "Die Zusammenarbeit soll Kosten sparen."
    assert article.urls == ("https://www.ulm.de/portal",)
    shown = path.resolve().as_posix()
    found = {(p.line, p.message.split(" (")[0]) for p in summary.problems if p.path == shown}
    assert found == {
        (_line(page, "Gemeinsames"), "2 control characters removed"),
        (_line(page, "Die Städte"), "3 control characters removed"),
        (_line(page, "Zusammenarbeit"), "1 control character removed"),
        (_line(page, "www.ulm.de"), "1 control character removed"),
    }
    assert all(p.hint for p in summary.problems)
    # What the feed and the email need: lxml refuses any text that XML 1.0 cannot carry.
    for text in article_texts(article):
        etree.Element("entry").text = text


def test_utf16_file_with_nul_and_lone_surrogate_is_read_clean(cfg: Config, tmp_path: Path) -> None:
    release = p_release(title="Stadt tritt\x00 Datenbündnis bei").replace(
        "offene Daten", "offene\ud83d Daten"
    )
    data = "\ufeff".encode("utf-16-le") + release.encode("utf-16-le", "surrogatepass")
    path = tmp_path / "utf16.txt"
    path.write_bytes(data)
    summary = pipeline.ingest(cfg, [path])
    (article,) = _stored(cfg)
    assert article.title == "Stadt tritt Datenbündnis bei"
    assert "offene Daten" in article.body[0]
    assert sorted(line for _, line in _where(summary.problems, "control character")) == [
        _line(release, "Stadt tritt"),
        _line(release, "offene"),
    ]
    assert not any(ILLEGAL_CHARS.search(t) for t in article_texts(article))


# ---- 2. no title --------------------------------------------------------------------------


@pytest.mark.parametrize("heading", [":", ": :", "– Bericht", "…"])
def test_teaser_without_title_is_reported_and_skipped(
    cfg: Config, tmp_path: Path, heading: str
) -> None:
    blank = f"{heading}\n[5.11.2025] Ein Text ohne Überschrift. mehr...\n"
    page = k_page(teasers=blank + GOOD_TEASER)
    path = _write(tmp_path / "k.txt", page)
    summary = pipeline.ingest(cfg, [path])
    line = page.split("\n").index(heading) + 1
    assert _where(summary.problems, "teaser has no title") == [(path.resolve().as_posix(), line)]
    (problem,) = summary.problems
    assert str(problem).startswith(f"{path.resolve().as_posix()}:{line}: teaser has no title (")
    assert sorted(a.title for a in _stored(cfg)) == ["Gemeinsames Serviceportal", "Neue Ladesäulen"]


def test_main_article_and_release_without_title_are_skipped(cfg: Config, tmp_path: Path) -> None:
    page = _write(tmp_path / "k.txt", k_page(title="…", teasers=GOOD_TEASER))
    release = _write(tmp_path / "p.txt", p_release(title="–"))
    summary = pipeline.ingest(cfg, [page, release])
    assert _where(summary.problems, "the main article has no title") == [
        (page.resolve().as_posix(), 1)
    ]
    assert _where(summary.problems, "the press release has no title") == [
        (release.resolve().as_posix(), _line(p_release(title="–"), "–"))
    ]
    assert [a.title for a in _stored(cfg)] == ["Neue Ladesäulen"]


# ---- 3. dates -----------------------------------------------------------------------------


def test_implausible_dates_are_reported_with_line_and_not_stored(
    cfg: Config, tmp_path: Path
) -> None:
    old = teaser("Kassel", "Ein Fund aus dem Mittelalter", "4.10.1017", "Tippfehler im Jahr.")
    page = k_page(day="27.12.9999", teasers=old + GOOD_TEASER)
    k = _write(tmp_path / "k.txt", page)
    p = _write(tmp_path / "p.txt", p_release(title="Ferne Zukunft", day="27.12.9999"))
    summary = pipeline.ingest(cfg, [k, p])
    first, last = cfg.ingest.plausible_years()
    dated = [p for p in summary.problems if "outside the plausible years" in p.message]
    assert [(Path(p.path).name, p.line) for p in dated] == [
        ("k.txt", _line(page, "[27.12.9999]")),
        ("k.txt", _line(page, "[4.10.1017]")),
        ("p.txt", _line(p_release(day="27.12.9999"), "Pressemitteilung vom")),
    ]
    assert "27.12.9999" in dated[0].message and "4.10.1017" in dated[1].message
    assert all(f"{first}-{last}" in p.message for p in dated)
    assert all("[ingest] earliest_year/latest_year" in p.hint for p in dated)
    assert [a.title for a in _stored(cfg)] == ["Neue Ladesäulen"]


def test_plausible_years_come_from_the_config(cfg: Config, tmp_path: Path) -> None:
    old = teaser("Kassel", "Ein Fund aus dem Mittelalter", "4.10.1017", "Alte Urkunde.")
    k = _write(tmp_path / "k.txt", k_page(day="3.11.2017", teasers=old))
    p = _write(tmp_path / "p.txt", p_release(day="05.11.2019"))
    history = replace(cfg, ingest=replace(cfg.ingest, earliest_year=1000, latest_year=2018))
    summary = pipeline.ingest(history, [k, p])
    (problem,) = summary.problems
    assert Path(problem.path).name == "p.txt" and "1000-2018" in problem.message
    assert {a.title for a in _stored(cfg)} == {
        "Gemeinsames Serviceportal",
        "Ein Fund aus dem Mittelalter",
    }


def test_malformed_date_is_named_with_its_line(cfg: Config, tmp_path: Path) -> None:
    text = "Digitale Verwaltung\n\n[0.0.0] Die Stadt stellt ihre Dienste online.\n\nMehr (ve)\n"
    path = _write(tmp_path / "k.txt", text)
    summary = pipeline.ingest(cfg, [path])
    shown = path.resolve().as_posix()
    assert f"{shown}:3: malformed date [0.0.0]" in [str(p).split(" (")[0] for p in summary.problems]
    assert not any("no known format" in p.message for p in summary.problems)
    assert any("D.M.YYYY" in p.hint for p in summary.problems)


# ---- 4. file names that are not UTF-8 -----------------------------------------------------

MUENCHEN = b"Pressemitteilung_M\xfcnchen.txt"


def _bytes_file(folder: Path, name: bytes, text: str) -> bytes:
    path = os.fsencode(folder) + b"/" + name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    except OSError as exc:  # a file system that insists on UTF-8 names (APFS)
        pytest.skip(f"cannot create a non-UTF-8 file name here: {exc}")
    os.write(fd, text.encode("utf-8"))
    os.close(fd)
    return path


def test_printable_name_is_unambiguous_and_reversible() -> None:
    for raw in [b"M\xfcnchen.txt", b"a\\xfc.txt", b"tab\there", "Grüße.txt".encode(), b"\\"]:
        shown = printable_name(os.fsdecode(raw))
        assert shown.isprintable() and name_bytes(shown) == raw
    assert printable_name(os.fsdecode(b"M\xfcnchen.txt")) == "M\\xfcnchen.txt"
    assert printable_name("Grüße.txt") == "Grüße.txt"


def test_file_name_that_is_not_utf8_is_stored_printable(cfg: Config, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = _bytes_file(folder, MUENCHEN, p_release())
    summary = pipeline.ingest(cfg, [folder])
    assert (summary.files_read, summary.new) == (1, 1)
    (article,) = _stored(cfg)
    (source,) = article.sources
    assert source.path.endswith("/Pressemitteilung_M\\xfcnchen.txt")
    assert name_bytes(source.path) == os.path.realpath(raw)


def test_cli_prints_a_name_that_is_not_utf8(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    _bytes_file(folder, MUENCHEN, p_release())
    _bytes_file(folder, b"leer_\xe4.txt", "")
    code = cli.main(["--config", str(config_file), "ingest", str(folder)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Read 1 of 2 files" in out
    assert "problem: in/leer_\\xe4.txt: is empty" in err
    code = cli.main(["--config", str(config_file), "articles", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and '"path": "in/Pressemitteilung_M\\\\xfcnchen.txt"' in out
    code = cli.main(["--config", str(config_file), "build", "--out", str(tmp_path / "public")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "problem: in/leer_\\xe4.txt: is empty" in err and "Rendered" in out


# ---- 5. FIFOs, devices, huge files --------------------------------------------------------


def test_fifo_in_a_folder_is_skipped_not_waited_for(
    cfg: Config, tmp_path: Path, deadline: None
) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", k_page())
    os.mkfifo(folder / "feed.txt")
    summary = pipeline.ingest(cfg, [folder])
    assert summary.files_read == 1
    (problem,) = summary.problems
    assert problem.path.endswith("in/feed.txt")
    assert problem.message == "not a regular file (a named pipe), skipped"


def _run_limited(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI with at most 2 GB of address space, so a reader that slurps /dev/zero
    fails fast with MemoryError instead of taking the machine's memory."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "digest.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        preexec_fn=limit,
        check=False,
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_as_path_or_source_is_refused(config_file: Path, tmp_path: Path) -> None:
    result = _run_limited(["--config", str(config_file), "ingest", "/dev/zero"], tmp_path)
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    assert "problem: /dev/zero: not a regular file (a character device), skipped" in result.stderr
    text = config_file.read_text("utf-8").replace('path = "in"', 'path = "/dev/zero"')
    config_file.write_text(text, "utf-8")
    result = _run_limited(["--config", str(config_file), "build"], tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert "problem: /dev/zero: not a regular file" in result.stderr


def test_file_over_the_size_limit_is_reported_not_read(cfg: Config, tmp_path: Path) -> None:
    big = _write(tmp_path / "big.txt", k_page(body="Langer Text. " * 120_000 + "(ve)"))
    small = _write(tmp_path / "small.txt", p_release())
    limited = replace(cfg, ingest=replace(cfg.ingest, max_file_bytes=1024 * 1024))
    summary = pipeline.ingest(limited, [big, small])
    (problem,) = summary.problems
    assert problem.path == big.resolve().as_posix()
    assert problem.message == "is 1.5 MB, more than the limit of 1 MB; not read"
    assert "max_file_mb" in problem.hint
    assert [a.title for a in _stored(cfg)] == ["Stadt tritt Datenbündnis bei"]


# ---- 6. formats we cannot read ------------------------------------------------------------


def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document>Gemeinsames Serviceportal</w:document>")
    return path


def test_documents_in_a_folder_are_reported_litter_is_not(cfg: Config, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "a.txt", k_page())
    _write(folder / "seite.html", "<html><body>[3.11.2025] Meldung</body></html>")
    _docx(folder / "brief.docx")
    (folder / "flyer.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    for litter in [
        ".DS_Store",
        "Thumbs.db",
        "desktop.ini",
        "x.tmp",
        "a.txt~",
        "~$brief.docx",
        "expected.json",
        "seite_files/logo.png",
        "seite_files/style.css",
    ]:
        _write(folder / litter, "junk")
    summary = pipeline.ingest(cfg, [folder])
    assert summary.files_read == 1
    assert sorted((Path(p.path).name, p.message.split(" (")[0]) for p in summary.problems) == [
        ("brief.docx", "skipped: not a supported format"),
        ("flyer.pdf", "skipped: not a supported format"),
        ("seite.html", "skipped: not a supported format"),
    ]
    assert all(".txt" in p.hint and "save" in p.hint for p in summary.problems)


@pytest.mark.parametrize("name", ["brief.docx", "flyer.PDF", "notiz.rtf", "text.odt"])
def test_document_named_explicitly_says_save_as_text(
    cfg: Config, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    if name.endswith("docx"):
        _docx(path)
    else:  # RTF is text: read as text it would be "in no known format"
        _write(path, "{\\rtf1\\ansi [3.11.2025] Gemeinsames Serviceportal}")
    summary = pipeline.ingest(cfg, [path])
    (problem,) = summary.problems
    assert summary.files_failed == 1 and problem.path == path.resolve().as_posix()
    assert "not a plain-text dump" in problem.message and "save it as plain text" in problem.hint
    assert "no known format" not in str(problem) and "binary" not in str(problem)


# ---- 7. Ctrl-C during a parallel ingest ---------------------------------------------------


def _group(pgid: int) -> list[str]:
    """The processes (pid and state) still in process group `pgid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields_ = stat.rsplit(")", 1)[1].split()
            if int(fields_[2]) == pgid:
                found.append(f"{entry.name} {fields_[0]}")
    return found


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: ingest never forks")
def test_ctrl_c_during_parallel_ingest_stops_cleanly(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _write(tmp_path / "p.txt", p_release())
    assert cli.main(["--config", str(config_file), "ingest", str(first)]) == 0
    capsys.readouterr()
    store = tmp_path / "store.sqlite3"
    before = _dump(store)  # ingest writes in one transaction at the end: an interrupt keeps this
    folder = tmp_path / "many"
    extra = "".join(
        teaser("Kassel", f"Ladesäule Nummer {n}", "4.11.2025", "Kassel baut weiter. " * 20)
        for n in range(40)
    )
    for n in range(300):
        _write(folder / f"{n:04d}.txt", k_page(title=f"Serviceportal {n}", teasers=extra))
    command = [sys.executable, "-m", "digest.cli", "--config", str(config_file)]
    command += ["ingest", str(folder)]  # 300 files: from PARALLEL_MIN_FILES on, a fork pool
    for delay in (0.0, 0.05, 0.15, 0.3, 0.6):
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            started = time.monotonic()
            while len(_group(proc.pid)) < 2:  # the workers are forked: reading has begun
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() - started < 30, "the workers never started"
                time.sleep(0.005)
            time.sleep(delay)
            assert proc.poll() is None, "the ingest ended before it could be interrupted"
            os.killpg(proc.pid, signal.SIGINT)
            _, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        assert "Traceback" not in err, f"delay {delay}: {err}"
        assert proc.returncode == 130, f"delay {delay}: {proc.returncode} {err}"
        assert err.strip().splitlines() == ["digest: interrupted; the store is unchanged"]
        assert _group(proc.pid) == [], f"delay {delay}: workers left behind"
        assert _dump(store) == before


def test_problem_messages_name_file_and_line(cfg: Config, tmp_path: Path) -> None:
    """Each problem of a file full of mistakes names the file, and its line where it has one."""
    page = k_page(title="Titel\x01", day="0.0.0", teasers=":\n[1.1.2025] Ohne Titel mehr...\n")
    path = _write(tmp_path / "k.txt", page)
    summary = pipeline.ingest(cfg, [path])
    assert {p.message.split(" (")[0] for p in summary.problems} == {
        "1 control character removed",
        "malformed date [0.0.0]",
        "teaser has no title",
    }
    for problem in summary.problems:
        assert re.match(re.escape(path.resolve().as_posix()) + r":\d+: ", str(problem))


@pytest.mark.parametrize(("limit", "read_whole"), [(None, True), (4096, True), (1500, False)])
def test_a_file_that_grew_since_its_stat_is_read_whole_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int | None, read_whole: bool
) -> None:
    # The reader reads as many bytes as the stat said and one more; a file that grew in
    # between must still come in whole, or be refused once it passes the limit.
    from digest.ingest import files

    path = tmp_path / "grows.txt"
    path.write_bytes(b"x" * 2000)
    real_stat = os.stat

    def stale(target: object, *a: object, **kw: object) -> os.stat_result:
        info = real_stat(target, *a, **kw)  # type: ignore[arg-type]
        if os.fspath(target) == os.fspath(path):  # type: ignore[arg-type]
            fields = list(info)
            fields[6] = 100  # st_size as it was before the file grew
            return os.stat_result(fields)
        return info

    monkeypatch.setattr(files.os, "stat", stale)
    data = files.read_regular(path, limit)
    if read_whole:
        assert data == b"x" * 2000
    else:
        assert isinstance(data, files.Refused) and "limit" in data.message
