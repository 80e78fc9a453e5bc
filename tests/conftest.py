"""Shared fixtures: the repository's real config.toml, pointed at a temporary store."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

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
    """The real rules with a fresh store in tmp_path and no configured sources."""
    return replace(repo_config, store_path=tmp_path / "store.sqlite3", sources=())


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A copy of config.toml in tmp_path whose store lives in tmp_path and source is tmp/in."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert 'path = "var/digest.sqlite3"' in text and 'path = "samples/corpus"' in text
    text = text.replace('path = "var/digest.sqlite3"', 'path = "store.sqlite3"')
    text = text.replace('path = "samples/corpus"', 'path = "in"')
    assert 'templates = "templates"' in text
    text = text.replace('templates = "templates"', f'templates = "{ROOT / "templates"}"')
    (tmp_path / "in").mkdir()
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def with_sources(cfg: Config, *paths: Path) -> Config:
    return replace(
        cfg, sources=tuple(SourceConfig(p, f"sources[{i}].path", None) for i, p in enumerate(paths))
    )


def expected_seeds() -> list[dict[str, object]]:
    if not SEEDS.exists():
        return []  # a clone without ../shared: the seed tests are skipped (see below)
    data: list[dict[str, object]] = json.loads((SEEDS / "expected.json").read_text("utf-8"))
    return data


@pytest.fixture(autouse=True)
def _needs_seeds(request: pytest.FixtureRequest) -> None:
    """Skip, and say why, a test that reads ../shared/seeds when the clone has none beside it.

    CI always has ../shared, so there every one of these runs; a bare clone still passes.
    """
    function = getattr(request, "function", None)
    uses_seeds = function is not None and bool(
        {"SEEDS", "expected_seeds"} & set(function.__code__.co_names)
    )
    if uses_seeds and not SEEDS.exists():
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
