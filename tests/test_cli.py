"""The command line on good and bad input: clear messages, no tracebacks, right exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import main

from .conftest import ROOT, SEEDS
from .pages import k_page, teaser

GOOD = k_page()
CUT_TEASER = k_page(
    teasers=teaser("Kassel", "Neue Ladesäulen", "4.11.2025", "Kassel baut Ladesäulen.")
    + "Fulda: Neues Bürgerportal",
    ending="",
)

BAD_INPUTS = {
    "empty.txt": (b"", None, "is empty"),
    "binary.txt": (bytes(range(256)) * 8, None, "binary"),
    "baddate.txt": (k_page(day="31.2.2019").encode(), 5, "[31.2.2019] is not a calendar date"),
    "nodate.txt": (k_page(day=None).encode(), 1, "no [D.M.YYYY] date line"),
    "cut.txt": (CUT_TEASER.encode(), None, "cut off"),
    "unknown.txt": (b"Liebe Kolleginnen,\nbitte denkt an die Sitzung.\n", None, "no known format"),
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_and_the_run_goes_on(
    name: str, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, line, message = BAD_INPUTS[name]
    folder = config_file.parent / "in"
    (folder / name).write_bytes(data)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    code, _out, err = run(capsys, "--config", str(config_file), "ingest", str(folder))
    assert code == 0
    assert "Traceback" not in err
    problems = [e for e in err.splitlines() if e.startswith("problem:")]
    assert problems, err
    where = f"{name}:{line}:" if line else f"{name}:"
    assert any(where in p and message in p for p in problems), problems
    assert "Gemeinsames Serviceportal" in _titles(config_file, capsys)
    # --strict turns the same problems into a failing exit code; the store stays consistent.
    code, _, _ = run(capsys, "--config", str(config_file), "ingest", "--strict", str(folder))
    assert code == 3


def test_undated_and_cut_articles_are_kept_not_lost(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = config_file.parent / "in"
    (folder / "nodate.txt").write_text(k_page(day=None, title="Ohne Datum"), encoding="utf-8")
    (folder / "cut.txt").write_text(CUT_TEASER, encoding="utf-8")
    run(capsys, "--config", str(config_file), "ingest", str(folder))
    _code, out, _ = run(capsys, "--config", str(config_file), "articles", "--json")
    by_title = {a["title"]: a for a in json.loads(out)}
    assert by_title["Ohne Datum"]["date"] is None and by_title["Ohne Datum"]["iso_week"] is None
    assert by_title["Neue Ladesäulen"]["teaser"] == "Kassel baut Ladesäulen."
    assert "Neues Bürgerportal" not in by_title  # the heading without a date line is skipped


def test_nothing_readable_exits_1(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = config_file.parent / "in" / "empty.txt"
    empty.write_bytes(b"")
    code, _, err = run(capsys, "--config", str(config_file), "ingest", str(empty))
    assert code == 1 and "nothing could be read" in err


def test_missing_path_on_command_line(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--config", str(config_file), "ingest", "/nonexistent/x.txt", str(SEEDS)
    )
    assert code == 0
    assert "problem: /nonexistent/x.txt: does not exist" in err


def test_missing_sources_path_in_config(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config_file.read_text("utf-8").replace(
        "[exclude]",
        f'[[sources]]\npath = "gone"\nname = "Weg"\n\n'
        f'[[sources]]\npath = "{SEEDS}"\nname = "Seeds"\n\n[exclude]',
    )
    config_file.write_text(text, "utf-8")
    code, out, err = run(capsys, "--config", str(config_file), "build")
    assert code == 0, err
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t == 'path = "gone"')
    assert f"config.toml:{line}: sources[1].path:" in err and "does not exist" in err
    assert "25 new" in out
    assert run(capsys, "--config", str(config_file), "build", "--strict")[0] == 3


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("threshold = 5.0", "threshhold = 5.0", "classify.threshhold: unknown key"),
        ("threshold = 5.0", 'threshold = "fünf"', "classify.threshold: expected a number"),
        ('locale = "de_DE"', 'locale = "xx_YY"', "site.locale: unknown locale"),
        ("title = 3.0", "title = true", "classify.field_weights.title: expected a number"),
        ("[classify]", "[classify\n", "not valid TOML"),
    ],
)
def test_config_mistakes_name_the_key_and_line(
    old: str, new: str, expected: str, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config_file.read_text("utf-8")
    assert old in text
    config_file.write_text(text.replace(old, new, 1), "utf-8")
    code, _, err = run(capsys, "--config", str(config_file), "build")
    assert code == 1
    assert expected in err and "Traceback" not in err
    assert str(config_file) in err
    if "unknown key" in expected:
        assert "did you mean 'threshold'" in err
        line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(old))
        assert f"config.toml:{line}:" in err
    assert not (config_file.parent / "store.sqlite3").exists()


def test_store_that_is_not_sqlite(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = config_file.parent / "store.sqlite3"
    store.write_text("not a database\n" * 100)
    code, _, err = run(capsys, "--config", str(config_file), "ingest", str(SEEDS))
    assert code == 1
    assert "store.sqlite3 is not a usable digest store" in err and "move it aside" in err
    assert store.read_text() == "not a database\n" * 100


def test_articles_filters_and_json_fields(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--config", str(config_file), "ingest", str(SEEDS))
    code, out, _ = run(
        capsys,
        "--config",
        str(config_file),
        "articles",
        "--week",
        "2020-W07",
        "--topic",
        "policy",
        "--json",
    )
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 4 and {r["iso_week"] for r in rows} == {"2020-W07"}
    assert {r["topic"] for r in rows} == {"policy"}
    for key in (
        "id",
        "kind",
        "scores",
        "matched_terms",
        "sources",
        "lead",
        "teaser",
        "urls",
        "keywords",
        "image_credit",
        "section",
        "caption",
        "body",
        "author",
        "label",
    ):
        assert key in rows[0]
    code, out, _ = run(capsys, "--config", str(config_file), "articles", "--week", "2017-W40")
    assert code == 0 and "Smarte Städtepartnerschaft" in out


def test_bad_week_and_topic_are_usage_errors(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--config", str(config_file), "articles", "--week", "2019-38"])
    assert exit_info.value.code == 2
    assert "write it like 2019-W38" in capsys.readouterr().err
    code, _, err = run(capsys, "--config", str(config_file), "articles", "--topic", "sport")
    assert code == 2 and "partnerships, congresses, policy, other" in err


def test_explain(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--config", str(config_file), "ingest", str(SEEDS))
    _, out, _ = run(
        capsys, "--config", str(config_file), "articles", "--week", "2017-W40", "--json"
    )
    article_id = json.loads(out)[0]["id"]
    code, out, _ = run(capsys, "--config", str(config_file), "explain", article_id[:6])
    assert code == 0
    assert "Topic: partnerships (Partnerschaften & Kooperationen)" in out
    assert "partnerschaft" in out and "title" in out
    code, _, err = run(capsys, "--config", str(config_file), "explain", "zzzz")
    assert code == 1 and "no article with id" in err


def test_explain_names_the_evidence_for_other(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = k_page(
        kicker="Studie",
        title="Nur jede dritte Kommune hat eine Digitalstrategie",
        lead="Eine Umfrage unter 900 Gemeinden zeigt, wie selten eine Digitalstrategie ist.",
        body="Die Studie hat eine Hochschule erstellt. (ve)",
    )
    (config_file.parent / "in" / "studie.txt").write_text(page, "utf-8")
    run(capsys, "--config", str(config_file), "ingest", str(config_file.parent / "in"))
    _, out, _ = run(capsys, "--config", str(config_file), "articles", "--json")
    [article] = json.loads(out)
    code, out, _ = run(capsys, "--config", str(config_file), "explain", article["id"])
    assert code == 0
    assert "Topic: other (Weitere Meldungen)" in out
    assert "because the evidence for 'other'" in out and "(policy)" in out
    assert "other         kicker    studie" in out


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    """The installed entry point, as a user calls it, with a missing config."""
    result = subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config", str(tmp_path / "nope.toml"), "build"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert "config file not found" in result.stderr and "Traceback" not in result.stderr


def _titles(config_file: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    code, out, _ = run(capsys, "--config", str(config_file), "articles", "--json")
    assert code == 0
    return {a["title"] for a in json.loads(out)}


def test_starting_the_cli_leaves_the_optional_libraries_unloaded() -> None:
    """A build with nothing to read or render (the weekly no-op) must not pay for yaml and
    the Markdown renderer (notes, editorials), feedgen (feeds) or httpx (fetching): about
    50 ms of a 0.8 s no-op build at 50,000 articles. They load when first needed."""
    code = (
        "import sys, digest.cli; "
        "print(sorted(m for m in ('yaml', 'markdown_it', 'feedgen', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
