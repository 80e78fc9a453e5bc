"""The store's connection handling: transactions, locking between threads."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from digest.errors import StoreError
from digest.store import Store
from digest.store.failures import store_error
from digest.store.identity import APPLICATION_ID
from digest.store.migrations import MIGRATIONS


def test_writers_in_one_process_queue_on_one_lock_per_file(tmp_path: Path) -> None:
    """Two connections to one file, even spelled differently, share the writer lock: while one
    is inside a transaction, another thread cannot take it, and it is free after the commit."""
    path = tmp_path / "store.sqlite"
    os.symlink(tmp_path, tmp_path / "alias")
    with Store(path) as first, Store(tmp_path / "alias" / "store.sqlite") as second:
        taken: list[bool] = []

        def try_to_write() -> None:
            acquired = second._writer.acquire(blocking=False)
            taken.append(acquired)
            if acquired:
                second._writer.release()

        with first.transaction():
            first.set_meta("k", "1")
            probe = threading.Thread(target=try_to_write)
            probe.start()
            probe.join()
        probe = threading.Thread(target=try_to_write)
        probe.start()
        probe.join()
        assert taken == [False, True]
        with Store(tmp_path / "other.sqlite") as unrelated:
            assert unrelated._writer is not first._writer


def test_many_threads_writing_at_once_all_land(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    Store(path).close()
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with Store(path) as store:
                for i in range(25):
                    with store.transaction():
                        store.set_meta(f"t{n}-{i}", str(i))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(path) as store:
        assert all(store.get_meta(f"t{n}-24") == "24" for n in range(8))


# --- Failures: every SQLite error leaves the store as a StoreError with a hint. ---------------

FOREIGN_HINT = "set store.path in config.toml to a new file"


def _store_with_data(path: Path, rows: int = 2000) -> None:
    """A closed digest store whose meta table spans many pages, checkpointed into the file."""
    with Store(path) as store, store.transaction():
        for i in range(rows):
            store.set_meta(f"k{i}", f"value {i} " + "x" * 80)
    assert not path.with_name(path.name + "-wal").exists()


def _raised(path: Path, timeout: float = 5.0, write: bool = False) -> StoreError:
    """Open the store, read (and write) it; return the StoreError that must come out."""
    with pytest.raises(StoreError) as err, Store(path, timeout) as store:
        store.get_meta("k1")
        store.weeks()
        if write:
            with store.transaction():
                store.set_meta("new", "value")
    assert "\n" not in err.value.message and "\n" not in err.value.hint
    return err.value


def test_damaged_table_page_is_reported_with_a_restore_hint(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store_with_data(path)
    with sqlite3.connect(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'meta'").fetchone()
    db.close()
    with path.open("r+b") as f:  # garbage over the meta table's root page
        f.seek((root - 1) * page_size)
        f.write(bytes(range(256)) * (page_size // 256))
    err = _raised(path)
    assert err.message == f"the digest store {path} is damaged (database disk image is malformed)"
    assert f"restore {path} from a backup" in err.hint
    assert "digest keeps no other copy" in err.hint and f"sqlite3 {path} .recover" in err.hint
    assert "move it aside" not in err.hint


def test_damaged_header_is_damage_not_a_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store_with_data(path, rows=10)
    with path.open("r+b") as f:
        f.seek(16)
        f.write(b"\x00\x07")  # page size 7: SQLite answers "file is not a database"
    err = _raised(path)
    assert err.message == f"the digest store {path} is damaged (file is not a database)"
    assert "from a backup" in err.hint and ".recover" in err.hint


def test_random_bytes_are_not_an_sqlite_file_and_stay_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(random.Random(1).randbytes(8192))
    before = path.read_bytes()
    err = _raised(path)
    assert err.message == f"{path} is not a usable digest store: it is not an SQLite file"
    assert FOREIGN_HINT in err.hint and "nothing was changed" in err.hint
    assert "backup" not in err.hint
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["store.sqlite"]


_READ_ONLY_CHILD = """
import json, os, sys
from dataclasses import replace
from pathlib import Path
from digest.errors import StoreError
from digest.store import Store
if os.geteuid() == 0:  # root writes anything: become nobody, as a user without rights is
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
try:
    with Store(Path(sys.argv[1])) as store, store.transaction():
        store.set_meta("new", "value")
except StoreError as exc:
    print(json.dumps([exc.message, exc.hint]))
"""


@pytest.mark.parametrize(
    ("case", "sqlite_says"),
    [
        ("file", "attempt to write a readonly database"),  # folder writable, file not
        ("both", "attempt to write a readonly database"),  # neither: no -wal/-shm either
        ("new", "unable to open database file"),  # a new store in a read-only folder
    ],
)
def test_read_only_store_asks_to_check_permissions(
    tmp_path: Path, case: str, sqlite_says: str
) -> None:
    """A store file or folder the user cannot write gives SQLite's own read-only errors; run in
    a child process that, when the tests run as root, drops to `nobody` after its imports."""
    root = os.geteuid() == 0
    # As root, tmp_path's parents are closed to nobody: use a fresh folder in /tmp instead.
    folder = Path(tempfile.mkdtemp(prefix="digest-ro-")) if root else tmp_path / "ro"
    folder.mkdir(exist_ok=True)
    path = folder / "store.sqlite"
    try:
        if case != "new":
            _store_with_data(path, rows=10)
            path.chmod(0o444)
        before = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
        folder.chmod((0o777 if root else 0o755) if case == "file" else 0o555)
        child = subprocess.run(
            [sys.executable, "-c", _READ_ONLY_CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        message, hint = json.loads(child.stdout)
        after = sorted((p.name, p.read_bytes()) for p in folder.iterdir() if p.name == path.name)
        assert after == [x for x in before if x[0] == path.name]
    finally:
        folder.chmod(0o755)
        if path.exists():
            path.chmod(0o644)
        if root:
            shutil.rmtree(folder)
    assert message == f"cannot write the digest store {path} ({sqlite_says})"
    assert hint == (
        f"check the permissions of {path} and of its folder {folder}: digest must be able to "
        "write both, because SQLite's WAL mode creates store.sqlite-wal and store.sqlite-shm "
        "beside it"
    )


def test_full_disk_is_reported_and_the_old_data_kept(tmp_path: Path) -> None:
    """PRAGMA max_page_count makes SQLite fail with SQLITE_FULL, as on a full disk."""
    path = tmp_path / "store.sqlite"
    with Store(path) as store:
        with store.transaction():
            store.set_meta("old", "kept")
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(StoreError) as err, store.transaction():
            store.set_meta("old", "overwritten")
            store.set_meta("big", "x" * 1_000_000)
        assert store.get_meta("old") == "kept" and store.get_meta("big") is None
    assert err.value.message == (
        f"cannot write the digest store {path}: the disk is full (database or disk is full)"
    )
    assert f"free space on the disk that holds {tmp_path}" in err.value.hint
    with Store(path) as store:
        assert store.get_meta("old") == "kept" and store.get_meta("big") is None
    full = store_error(path, OSError(errno.ENOSPC, "No space left on device"))
    assert full.hint == err.value.hint


_LOCK_HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO meta VALUES ('holder', 'was here')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process (as another digest would be) holding the store's write lock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _LOCK_HOLDER, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def test_store_locked_by_another_process_gives_up_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store_with_data(path, rows=1)
    holder = _hold_lock(path, 60)
    try:
        start = time.monotonic()
        err = _raised(path, timeout=0.2, write=True)
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.communicate()
    assert 0.2 <= waited < 1.0
    assert err.message == f"the digest store {path} is locked by another process (waited 0.2 s)"
    assert "another digest (build, send or serve) is running" in err.hint
    assert "[store] busy_timeout" in err.hint


def test_store_locked_for_less_than_the_timeout_waits_and_writes(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store_with_data(path, rows=1)
    holder = _hold_lock(path, 0.3)
    start = time.monotonic()
    with Store(path, timeout=5) as store:
        with store.transaction():
            store.set_meta("mine", "too")
        waited = time.monotonic() - start
        holder.communicate(timeout=10)
        assert holder.returncode == 0
        assert store.get_meta("holder") == "was here" and store.get_meta("mine") == "too"
    assert 0.1 < waited < 5


# --- Other programs' SQLite files are refused untouched. --------------------------------------


def _foreign(path: Path, kind: str) -> None:
    with sqlite3.connect(path, isolation_level=None) as db:
        if kind == "wal":
            db.execute("PRAGMA journal_mode = WAL")
        if kind == "app_id":
            db.execute("PRAGMA application_id = 1179011410")  # b"FOSR", anybody's
            db.execute("PRAGMA user_version = 1")
        else:
            db.execute("CREATE TABLE recipes (name TEXT, flour_g INTEGER)")
            db.execute("INSERT INTO recipes VALUES ('Brezel', 500)")
    db.close()


@pytest.mark.parametrize("kind", ["table", "wal", "app_id"])
def test_sqlite_file_of_another_application_is_refused_untouched(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "recipes.db"
    _foreign(path, kind)
    before, names = path.read_bytes(), sorted(os.listdir(tmp_path))
    err = _raised(path, write=True)
    assert err.message == f"{path} is an SQLite database of another application"
    assert err.hint == f"{FOREIGN_HINT}; nothing was changed"
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == names


def test_store_made_before_application_id_opens_and_is_stamped(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    _store_with_data(path, rows=3)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 0")  # as every store was before
    db.close()
    assert path.read_bytes()[68:72] == bytes(4)
    with Store(path) as store:
        assert store.get_meta("k2") == "value 2 " + "x" * 80
    assert path.read_bytes()[68:72] == b"dgst" and APPLICATION_ID == 0x64677374
    with Store(path) as store:
        assert store.get_meta("k2") is not None


@pytest.mark.parametrize("empty", [True, False])
def test_new_or_empty_file_becomes_a_stamped_store(tmp_path: Path, empty: bool) -> None:
    path = tmp_path / "store.sqlite"
    if empty:
        path.write_bytes(b"")
    with Store(path) as store, store.transaction():
        store.set_meta("k", "v")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    db.close()


def _triggers(store: Store) -> list[tuple[str, str]]:
    return store._db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()


def test_a_bulk_put_counts_its_weeks_once_and_keeps_the_triggers(tmp_path: Path) -> None:
    """A put of BULK articles or more sets the counting triggers aside and counts once: every
    week an article entered or left gets a newer generation, and the triggers come back as
    they were, so a later single write (or one by hand) is counted again."""
    from datetime import date, timedelta

    from digest.store.articles import BULK

    from .issues import article

    monday = date(2025, 11, 3)
    moved = article("Umzug in eine andere Woche", monday, "policy")
    with Store(tmp_path / "s.sqlite") as store:
        with store.transaction():
            store.put([moved])
        triggers = _triggers(store)
        assert len(triggers) == 6
        before = store.week_generations()
        assert set(before) == {"2025-W45"}
        many = [
            article(f"Meldung Nummer {n}", monday + timedelta(days=7 + n % 14), "other")
            for n in range(BULK + 5)
        ]
        with store.transaction():  # the moved article changes its date, so its id stays
            store.put([*many, replace(moved, date=monday + timedelta(days=21))])
        after = store.week_generations()
        assert set(after) == {"2025-W45", "2025-W46", "2025-W47", "2025-W48"}
        assert all(after[week] > before["2025-W45"] for week in after)
        assert _triggers(store) == triggers
        # Counting row by row again: one small put marks just its week, newer still.
        with store.transaction():
            store.put([article("Einzeln danach", monday + timedelta(days=28), "other")])
        assert store.week_generations()["2025-W49"] > max(after.values())


def test_a_failed_bulk_put_rolls_back_with_its_triggers(tmp_path: Path) -> None:
    from datetime import date, timedelta

    from digest.store.articles import BULK

    from .issues import article

    with Store(tmp_path / "s.sqlite") as store:
        triggers = _triggers(store)
        many = [
            article(f"Meldung {n}", date(2025, 11, 3) + timedelta(days=n % 30), "other")
            for n in range(BULK)
        ]
        with pytest.raises(RuntimeError), store.transaction():
            store.put(many)
            raise RuntimeError("stopped half-way")
        assert _triggers(store) == triggers
        assert store.count() == 0 and store.week_generations() == {}


def test_look_ups_over_many_values_cross_the_in_list_chunks(tmp_path: Path) -> None:
    """Queries over more values than one "IN (...)" list takes (IN_CHUNK) ask in chunks and
    return the whole answer: every article, its sources, every reading."""
    from datetime import date, timedelta

    from digest.store.base import IN_CHUNK

    from .issues import article

    day = date(2025, 11, 3)
    many = [
        article(f"Meldung Nummer {n}", day + timedelta(days=n % 30), "other")
        for n in range(2 * IN_CHUNK + 7)
    ]
    ids = [a.id for a in many]
    with Store(tmp_path / "s.sqlite") as store:
        with store.transaction():
            store.put(many)
            store.set_readings((f"in/{n}.txt", {"main": [i]}) for n, i in enumerate(ids))
        found = store.get_many([*ids, "no-such-id"])
        assert set(found) == set(ids)
        assert all(found[a.id].sources == a.sources for a in many)
        assert store.live_ids([day + timedelta(days=k) for k in range(30)]) == set(ids)
        paths = [f"in/{n}.txt" for n in range(len(ids))]
        assert store.readings(paths) == {p: {"main": [i]} for p, i in zip(paths, ids, strict=True)}


def test_the_live_counts_leave_out_hidden_articles_and_read_the_live_index(
    tmp_path: Path,
) -> None:
    """The counts every run ends with (weeks, total, undated) count live articles only, and
    SQLite answers them from the index of live articles (migration 8) alone: through the
    week index it looked up every article's row, 120 ms of a 0.9 s no-op build at 50,000
    articles. Should store.articles.LIVE and the index's WHERE part ways, SQLite would fall
    back to the table and this test would say so."""
    from datetime import UTC, date, datetime, timedelta

    from .issues import article

    monday = date(2025, 11, 3)
    kept = [article(f"Meldung {n}", monday + timedelta(days=n), "other") for n in range(9)]
    dropped, replaced, gone, new = (article(f"Versteckt {n}", monday, "other") for n in range(4))
    undated = [replace(article(f"Ohne Datum {n}", monday, "other"), date=None) for n in range(2)]
    statements: list[str] = []
    with Store(tmp_path / "s.sqlite") as store:
        with store.transaction():
            store.put([*kept, dropped, replaced, gone, new, *undated])
            at = datetime(2025, 11, 20, tzinfo=UTC)
            store.drop([dropped.id], at)
            store.replace(replaced.id, new.id, at)
            store.mark_gone([gone.id], at)
        store._db._raw.set_trace_callback(statements.append)
        assert store.weeks() == [("2025-W45", 7 + 1), ("2025-W46", 2)]
        assert store.count() == 9 + 1 + 2
        assert store.count_undated() == 2
        store._db._raw.set_trace_callback(None)
    assert len(statements) == 3
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        for sql in statements:
            plan = " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING INDEX articles_live" in plan or "USING COVERING INDEX" in plan, plan
            assert "articles_week" not in plan, plan
