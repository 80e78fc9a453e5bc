"""The store's connection handling: transactions, locking between threads."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from digest.store import Store


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
