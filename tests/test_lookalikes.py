"""Look-alike notices searched in a child process during the writes (pipeline/lookalikes.py)
are the notices the plain search after the writes gives: same pairs, same order, none with
an article the run dropped, retracted or left hidden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import Config, load_config
from digest.pipeline import editing, lookalikes
from digest.store import Query, Store

from .pages import k_page, p_release, teaser

LADE = teaser("Kassel", "Neue Ladesäulen", "4.11.2025", "Kassel baut zwanzig Ladesäulen am Markt.")
PORTAL = teaser("Fulda", "Bürgerportal geht online", "5.11.2025", "Fulda startet ein Portal.")


def _id(cfg: Config, title: str) -> str:
    with Store(cfg.store_path) as store:
        (found,) = [a.id for a in store.articles(Query(include_hidden=True)) if a.title == title]
    return found


def scenario(cfg: Config) -> list[str]:
    """Two runs on a fresh store; the notices of the second, as text."""
    folder = cfg.path.parent / "in"
    for old in folder.iterdir():
        old.unlink()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cfg.store_path}{suffix}").unlink(missing_ok=True)
    files = {
        "a.txt": k_page(teasers=LADE + PORTAL),
        "r1.txt": p_release("Stadt tritt Datenbündnis bei", "05.11.2025"),
        "r2.txt": p_release("Digitalstrategie beschlossen", "06.11.2025"),
        "r3.txt": p_release("Haushalt 2025 beschlossen", "07.11.2025"),
    }
    for name, text in files.items():
        (folder / name).write_text(text, "utf-8")
    pipeline.ingest(cfg)
    editing.drop(cfg, [_id(cfg, "Digitalstrategie beschlossen")])
    second = {
        # A correction: the old title is retracted, so it is no look-alike of the new one.
        "r1.txt": p_release("Stadt tritt dem Datenbündnis bei", "05.11.2025"),
        "n1.txt": p_release("Neue Ladesäule", "05.11.2025"),  # like a live one
        "n2.txt": p_release("Digitalstrategie beschlossen!", "07.11.2025"),  # like a dropped one
        "n3.txt": p_release("Bürgerportal ging online", "05.11.2025"),  # like a live one ...
        "n4.txt": p_release("Bürgerportal geht nun online", "06.11.2025"),  # ... and n3
        "n5.txt": p_release("Haushalt 2026 beschlossen", "07.11.2025"),  # other numbers
    }
    for name, text in second.items():
        (folder / name).write_text(text, "utf-8")
    summary = pipeline.ingest(cfg)
    assert summary.retracted, "the corrected release must retract its old version"
    return [str(n) for n in summary.notices]


def test_the_search_beside_the_writes_gives_the_plain_notices(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(config_file)
    plain = scenario(cfg)
    forks: list[int] = []
    fork = lookalikes.LookAlikes._fork

    def counted(self: lookalikes.LookAlikes, *args: object) -> None:
        forks.append(os.getpid())
        fork(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(lookalikes.LookAlikes, "_fork", counted)
    monkeypatch.setattr(lookalikes, "FORK_FROM", 1)
    beside = scenario(cfg)
    assert forks, "the second scenario must have searched in a child"
    assert beside == plain
    assert len(plain) == 4, plain  # n1-Lade, n3-Portal, n4-Portal, n4-n3
    text = "\n".join(plain)
    assert "Digitalstrategie" not in text and "Datenbündnis" not in text
    assert "Haushalt 2026" not in text


def test_a_child_that_dies_leaves_the_search_to_the_parent(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(config_file)
    plain = scenario(cfg)

    def dies(*_: object) -> None:
        os._exit(3)

    monkeypatch.setattr(lookalikes, "_in_child", dies)
    monkeypatch.setattr(lookalikes, "FORK_FROM", 1)
    assert scenario(cfg) == plain
