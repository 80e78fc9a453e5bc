"""Shared fixtures: the repository's real config.toml, pointed at a temporary store."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from digest.config import Config, SourceConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CORPUS = ROOT / "samples" / "corpus"


@pytest.fixture(scope="session")
def repo_config() -> Config:
    return load_config(ROOT / "config.toml")


@pytest.fixture
def cfg(repo_config: Config, tmp_path: Path) -> Config:
    """The real rules with a fresh store in tmp_path and no configured sources; a build
    writes to tmp_path too (the checkout's public/ and preview/ are `make run`'s)."""
    return replace(
        repo_config,
        store_path=tmp_path / "store.sqlite3",
        sources=(),
        out=tmp_path / "public",
        preview=tmp_path / "preview",
    )


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A copy of config.toml in tmp_path whose store lives in tmp_path and source is tmp/in."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert 'path = "var/digest.sqlite3"' in text and 'path = "samples/corpus"' in text
    text = text.replace('path = "var/digest.sqlite3"', 'path = "store.sqlite3"')
    text = text.replace('path = "samples/corpus"', 'path = "in"')
    # Only the one source "in": the sample feed and notes give way to blank lines (so that
    # every other line keeps its number for the tests that point at config lines).
    start = text.index('[[sources]]\ntype = "feed"\npath = "samples/feeds')
    end = text.index("# A feed over HTTP")
    text = text[:start] + "\n" * text[start:end].count("\n") + text[end:]
    assert 'templates = "templates"' in text
    text = text.replace('templates = "templates"', f'templates = "{ROOT / "templates"}"')
    (tmp_path / "in").mkdir()
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def with_sources(cfg: Config, *paths: Path) -> Config:
    return replace(
        cfg,
        sources=tuple(
            SourceConfig(p, f"sources[{i}].path", None, name=f"Quelle {i + 1}")
            for i, p in enumerate(paths)
        ),
    )


def expected_seeds() -> list[dict[str, object]]:
    if not SEEDS.exists():
        return []  # a clone without ../shared: the seed tests are skipped (see below)
    data: list[dict[str, object]] = json.loads((SEEDS / "expected.json").read_text("utf-8"))
    return data


@pytest.fixture(autouse=True)
def _needs_seeds(request: pytest.FixtureRequest) -> None:
    """Skip, and say why, a test that reads ../shared/seeds when the clone has none beside it.

    CI always has ../shared and sets DIGEST_REQUIRE_SEEDS=1: there a missing folder fails
    the test instead, so the comparison with the seeds can never be skipped unnoticed.
    """
    import os

    function = getattr(request, "function", None)
    uses_seeds = function is not None and bool(
        {"SEEDS", "expected_seeds"} & set(function.__code__.co_names)
    )
    if uses_seeds and not SEEDS.exists():
        if os.environ.get("DIGEST_REQUIRE_SEEDS") == "1":
            pytest.fail(f"DIGEST_REQUIRE_SEEDS=1 but {SEEDS} is missing")
        pytest.skip(f"{SEEDS} is not beside this clone")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


# ---- the web app -------------------------------------------------------------------------


@pytest.fixture
def clock() -> Any:
    from .web_support import Clock

    return Clock()


@pytest.fixture
def site(cfg: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """A config for the web app with a small hand-made build output in tmp_path/public."""
    from .web_support import SECRET, web_config

    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    site = web_config(cfg, tmp_path)
    out = site.out
    (out / "weeks").mkdir(parents=True)
    (out / "email").mkdir()
    filler = "<p>" + "Meldung über Partnerschaften und Kongresse. " * 40 + "</p>"
    (out / "index.html").write_text(f"<!DOCTYPE html><title>Archiv</title>{filler}", "utf-8")
    (out / "weeks" / "2026-W01.html").write_text(f"<!DOCTYPE html><p>KW 1</p>{filler}", "utf-8")
    (out / "feed.atom").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Wochenrückblick</title><subtitle>{filler}</subtitle></feed>",
        "utf-8",
    )
    (out / "email" / "2026-W01.eml").write_bytes(b"Subject: x\r\n\r\nhallo\r\n")
    (out / "tiny.txt").write_text("klein", "utf-8")
    (out / ".hidden").write_text("versteckt", "utf-8")
    (tmp_path / "secret.txt").write_text("GEHEIM-AUSSERHALB", "utf-8")
    (out / "leak.html").symlink_to(tmp_path / "secret.txt")
    return site


@pytest.fixture
def app(site: Config, clock: Any) -> Any:
    from digest.web import create_app

    return create_app(site, now=clock)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


# ---- CI must run the browser tests ---------------------------------------------------------

_BROWSER_PASSED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed and "browser" in report.keywords:
        _BROWSER_PASSED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With DIGEST_REQUIRE_BROWSER=1 (CI), a run in which no browser test passed fails."""
    import os

    wanted = os.environ.get("DIGEST_REQUIRE_BROWSER") == "1"
    selected = not session.config.option.keyword and not session.config.option.markexpr
    if wanted and selected and not _BROWSER_PASSED and exitstatus == 0:
        print("\ndigest: DIGEST_REQUIRE_BROWSER=1 but no browser test passed", flush=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
