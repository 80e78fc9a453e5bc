"""The Maildir transport: files, exactly-once per Message-ID, crash leftovers, OS errors."""

from __future__ import annotations

import email
import email.policy
import errno
import mailbox
import os
from pathlib import Path

import pytest

from digest.delivery.maildir import MaildirTransport, file_name
from digest.delivery.transport import Outgoing, TemporaryFailure, TransportError


def _message(n: int = 1) -> Outgoing:
    mid = f"<digest.2019-W38.{n:016x}@digest.example.de>"
    data = (
        "From: Digest <newsletter@digest.example.de>\r\n"
        f"To: reader{n}@example.de\r\n"
        "Subject: Wochenrueckblick\r\n"
        f"Message-ID: {mid}\r\n"
        "\r\n"
        f"Hallo {n}\r\n"
    ).encode("ascii")
    return Outgoing("newsletter@digest.example.de", f"reader{n}@example.de", mid, data)


def _files(folder: Path, sub: str) -> list[str]:
    return sorted(os.listdir(folder / sub))


def test_writes_one_file_byte_identical(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    conn = MaildirTransport(folder).connect()
    for sub in ("tmp", "new", "cur"):
        assert (folder / sub).is_dir()
        assert (folder / sub).stat().st_mode & 0o777 == 0o700
    msg = _message()
    note = conn.send(msg)
    name = file_name(msg.message_id)
    assert note == f"written: new/{name}"
    assert _files(folder, "new") == [name]
    assert (folder / "new" / name).read_bytes() == msg.data  # CRLF kept
    assert _files(folder, "tmp") == []
    conn.close()


def test_name_is_stable_and_safe() -> None:
    mid = "<a/b:c@example.de>"
    assert file_name(mid) == file_name(mid)
    assert "/" not in file_name(mid) and ":" not in file_name(mid)
    assert file_name(mid) != file_name("<a/b:d@example.de>")


def test_same_message_id_twice_writes_once(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path)
    msg = _message()
    name = file_name(msg.message_id)
    assert transport.connect().send(msg).startswith("written")
    # Same connection, and a fresh one as after a crash and re-run.
    assert transport.connect().send(msg) == f"already in the Maildir: new/{name}"
    conn = transport.connect()
    assert conn.send(msg) == f"already in the Maildir: new/{name}"
    assert conn.send(msg) == f"already in the Maildir: new/{name}"
    assert _files(tmp_path, "new") == [name]


def test_read_mail_in_cur_counts_as_delivered(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path)
    msg = _message()
    name = file_name(msg.message_id)
    transport.connect().send(msg)
    os.rename(tmp_path / "new" / name, tmp_path / "cur" / f"{name}:2,S")
    assert transport.connect().send(msg) == f"already in the Maildir: cur/{name}:2,S"
    assert _files(tmp_path, "new") == []


def test_moved_to_cur_while_connected(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path)
    msg = _message()
    name = file_name(msg.message_id)
    conn = transport.connect()
    other = transport.connect()
    other.send(msg)  # a concurrent writer delivers it after `conn` listed the folder
    os.rename(tmp_path / "new" / name, tmp_path / "cur" / name)
    assert conn.send(msg) == f"already in the Maildir: cur/{name}"
    assert _files(tmp_path, "new") == []


def test_link_race_keeps_the_first_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = MaildirTransport(tmp_path).connect()
    msg = _message()
    name = file_name(msg.message_id)
    real_link = os.link

    def racing_link(src: Path, dst: Path) -> None:
        # Another writer gets there between our check and our link.
        Path(dst).write_bytes(b"first")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    assert conn.send(msg) == f"already in the Maildir: new/{name}"
    assert (tmp_path / "new" / name).read_bytes() == b"first"
    assert _files(tmp_path, "tmp") == []


def test_different_message_ids_and_mailbox_reads_them(tmp_path: Path) -> None:
    conn = MaildirTransport(tmp_path).connect()
    messages = [_message(n) for n in range(1, 4)]
    for msg in messages:
        assert conn.send(msg).startswith("written")
    assert len(_files(tmp_path, "new")) == 3
    box = mailbox.Maildir(tmp_path, create=False)
    try:
        ids = sorted(m["Message-ID"] for m in box)
        assert ids == sorted(m.message_id for m in messages)
        for key in box.iterkeys():
            raw = box.get_bytes(key)
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            assert parsed["Message-ID"] in ids
    finally:
        box.close()


def test_leftover_tmp_file_from_a_crash(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path)
    msg = _message()
    name = file_name(msg.message_id)
    transport.connect()
    # A run crashed half-way through writing this very message.
    debris = tmp_path / "tmp" / f"{name}.4242.deadbeef"
    debris.write_bytes(msg.data[:10])
    conn = transport.connect()
    assert conn.send(msg) == f"written: new/{name}"
    assert conn.send(msg).startswith("already")
    assert _files(tmp_path, "new") == [name]
    assert (tmp_path / "new" / name).read_bytes() == msg.data


def test_stale_tmp_debris_is_swept(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path)
    transport.connect()
    old = tmp_path / "tmp" / "digest-0123.1.aa"
    fresh = tmp_path / "tmp" / "digest-4567.1.bb"
    foreign = tmp_path / "tmp" / "1569214800.M1P2.host"
    for path in (old, fresh, foreign):
        path.write_bytes(b"x")
    two_days_ago = os.stat(old).st_mtime - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(foreign, (two_days_ago, two_days_ago))
    transport.connect()
    assert not old.exists()
    assert fresh.exists() and foreign.exists()  # too young, or not ours


def _unwritable(tmp_path: Path) -> Path:
    """A Maildir path that cannot be written, also when the tests run as root."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        return locked / "outbox"
    # chmod does not stop root; a path below a regular file fails for everyone.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    return blocker / "outbox"


def test_unwritable_folder(tmp_path: Path) -> None:
    folder = _unwritable(tmp_path)
    with pytest.raises(TransportError) as caught:
        MaildirTransport(folder).connect()
    assert str(folder) in str(caught.value)
    assert "[delivery] maildir" in caught.value.hint


def test_parent_is_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(TransportError, match="Not a directory"):
        MaildirTransport(tmp_path / "file" / "outbox").connect()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES])
def test_disk_errors_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    conn = MaildirTransport(tmp_path).connect()
    real_write = os.write
    calls = 0

    def failing_write(fd: int, data: bytes) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            return real_write(fd, bytes(data)[:7])  # a partial file first
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(TransportError) as caught:
        conn.send(_message())
    monkeypatch.undo()
    assert os.strerror(code) in str(caught.value)
    wanted = "free disk space" if code in (errno.ENOSPC, errno.EDQUOT) else "may create"
    assert wanted in caught.value.hint
    assert _files(tmp_path, "new") == [] and _files(tmp_path, "tmp") == []
    # Once there is room again, the same message goes out normally.
    assert conn.send(_message()).startswith("written")


def test_other_write_errors_fail_only_this_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = MaildirTransport(tmp_path).connect()

    def broken_fsync(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(TemporaryFailure) as caught:
        conn.send(_message())
    monkeypatch.undo()
    assert caught.value.stage == "write" and "Input/output error" in caught.value.reply
    assert _files(tmp_path, "new") == [] and _files(tmp_path, "tmp") == []
