"""Which files a configured folder offers (pipeline/reading.collect_inputs): nested folders,
no dot files or dot folders, no linked folder entered, a linked file named by its target,
an unreadable document reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.classify import Classifier
from digest.config import load_config
from digest.pipeline.reading import _path_order, collect_inputs


def test_a_folder_offers_its_dumps_notes_of_the_right_kind_and_reports_documents(
    config_file: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    (folder / "2025" / "11").mkdir(parents=True)
    (folder / ".cache").mkdir()
    for name in ("a.txt", "b.TXT", "notiz.md", ".versteckt.txt", "2025/11/c.text"):
        (folder / name).write_text("x", "utf-8")
    (folder / ".cache" / "d.txt").write_text("x", "utf-8")
    (folder / "bericht.docx").write_bytes(b"PK")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "e.txt").write_text("x", "utf-8")
    os.symlink(elsewhere / "e.txt", folder / "verweis.txt")  # a linked file: read
    os.symlink(elsewhere, folder / "ordner")  # a linked folder: not entered
    cfg = load_config(config_file)
    inputs, problems = collect_inputs(cfg, None)
    assert [(Path(i.path).relative_to(tmp_path).as_posix(), i.kind, i.shown) for i in inputs] == [
        ("in/2025/11/c.text", "dumps", "in/2025/11/c.text"),
        ("in/a.txt", "dumps", "in/a.txt"),
        ("in/b.TXT", "dumps", "in/b.TXT"),
        ("in/verweis.txt", "dumps", "elsewhere/e.txt"),
    ]
    assert [(p.path, p.message) for p in problems] == [
        ("in/bericht.docx", "skipped: not a supported format (a Word document)")
    ]


def test_readers_collect_cycles_while_the_ingest_parent_does_not(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest turns cyclic garbage collection off in the parent, which keeps every article
    until its transaction; a reader process keeps nothing and must collect (a Markdown note's
    syntax tree is cycles), so the pool's processes turn it back on."""
    import gc

    from digest.ingest import FileResult
    from digest.models import Problem
    from digest.pipeline import _no_cycle_collection, reading

    def reports_gc(item: reading.Input, job: reading.Job, data: object = None) -> FileResult:
        return FileResult(item.shown, (), (Problem(item.shown, None, f"gc={gc.isenabled()}"),))

    monkeypatch.setattr(reading, "read_input", reports_gc)
    for n in range(reading.PARALLEL_MIN_FILES):
        (tmp_path / "in" / f"{n:03}.txt").write_text("x", "utf-8")
    cfg = load_config(config_file)
    inputs, _ = collect_inputs(cfg, None)
    assert len(inputs) >= reading.PARALLEL_MIN_FILES  # so that the pool reads them
    with _no_cycle_collection():
        assert not gc.isenabled()
        job = reading.job_of(cfg, Classifier(cfg.rules))
        seen = {p.message for r in reading.read_all(inputs, job) for p in r.problems}
        assert not gc.isenabled()
    assert gc.isenabled() and seen == {"gc=True"}


_SEGMENT = st.text(alphabet="ab-._ 0Zä", min_size=1, max_size=4).filter(
    lambda s: s not in {".", ".."}
)
_NAMES = st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join)


@given(st.lists(_NAMES, min_size=1, max_size=8), st.booleans())
def test_inputs_are_read_in_the_order_of_their_paths_as_path_objects(
    names: list[str], absolute: bool
) -> None:
    """Inputs are collected as strings but read in the order Path objects sort in (part by
    part), as they were when they were Paths: the order decides which file a story is first
    seen in. "a/b" comes before "a-b", though "/" sorts after "-" in a string."""
    paths = [str(Path("/" if absolute else ".", name)) for name in names]
    assert sorted(paths, key=_path_order) == [str(p) for p in sorted(map(Path, paths))]


def test_a_nested_file_and_a_hyphenated_sibling_keep_the_order_of_paths(
    config_file: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "b.txt").write_text("x", "utf-8")
    (folder / "a-b.txt").write_text("x", "utf-8")
    inputs, _ = collect_inputs(load_config(config_file), None)
    assert [i.shown for i in inputs] == ["in/a/b.txt", "in/a-b.txt"]
