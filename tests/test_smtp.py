"""The SMTP transport against real aiosmtpd servers (tests/smtp_server.py); no mocks."""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path

import pytest

from digest.delivery.smtp import PASSWORD_ENV, RateLimiter, SmtpTransport
from digest.delivery.transport import (
    InDoubt,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    TransportError,
)

from .smtp_server import HOST, LocalCA, ScriptedServer, SinkProcess, free_port, smtp_config

SENDER = "bounces@digest.test"


def outgoing(rcpt: str, n: int = 0, body: str = "Hallo.") -> Outgoing:
    mid = f"<{n}.{rcpt.replace('@', '.')}@digest.test>"
    head = f"From: news@digest.test\r\nTo: {rcpt}\r\nSubject: Test {n}\r\nMessage-ID: {mid}\r\n"
    return Outgoing(SENDER, rcpt, mid, (head + "\r\n" + body + "\r\n").encode("ascii"))


@pytest.fixture
def ca(tmp_path: Path) -> LocalCA:
    return LocalCA(tmp_path)


# --- connecting -------------------------------------------------------------------------------


def test_delivers_and_returns_the_final_reply() -> None:
    body = "Erste Zeile.\r\n.Zeile mit Punkt\r\n.\r\n..zwei"  # dot-stuffing on the wire
    message = outgoing("a@example.org", body=body)
    with ScriptedServer() as server:
        with closing(SmtpTransport(server.smtp_config(), None).connect()) as conn:
            assert conn.send(message) == "250 2.0.0 OK queued"
        [got] = server.messages
    assert got.sender == SENDER and got.recipients == ("a@example.org",)
    assert got.data == message.data and got.message_id == message.message_id
    assert got.tls is False and got.login is None


def test_server_down_is_a_transport_error_naming_host_and_port() -> None:
    port = free_port()
    cfg = smtp_config(port)
    with pytest.raises(TransportError) as err:
        SmtpTransport(cfg, None).connect()
    assert f"{HOST}:{port}" in err.value.message and "refused" in err.value.message
    assert "running" in err.value.hint and "[smtp]" in err.value.hint


def test_wrong_password_is_a_transport_error() -> None:
    with ScriptedServer(users={"alice": "right"}) as server:
        transport = SmtpTransport(server.smtp_config(user="alice"), "wrong")
        with pytest.raises(TransportError) as err:
            transport.connect()
        assert server.messages == []
    assert "535" in err.value.message and f"{HOST}:{server.port}" in err.value.message
    assert PASSWORD_ENV in err.value.hint


@pytest.mark.parametrize("password", [None, ""])
def test_user_without_password(password: str | None) -> None:
    cfg = smtp_config(free_port(), user="alice")
    with pytest.raises(TransportError) as err:
        SmtpTransport(cfg, password)
    assert PASSWORD_ENV in err.value.hint


def test_unreadable_ca_file(tmp_path: Path) -> None:
    cfg = smtp_config(free_port(), security="tls", ca_file=tmp_path / "missing.pem")
    with pytest.raises(TransportError, match=r"smtp\.ca_file"):
        SmtpTransport(cfg, None)


def test_login_without_tls_when_the_server_allows_it() -> None:
    with ScriptedServer(users={"alice": "right"}) as server:
        transport = SmtpTransport(server.smtp_config(user="alice"), "right")
        with closing(transport.connect()) as conn:
            conn.send(outgoing("a@example.org"))
        assert [m.login for m in server.messages] == ["alice"]


# --- TLS ----------------------------------------------------------------------------------------


def test_starttls_with_own_ca_and_login(ca: LocalCA) -> None:
    server = ScriptedServer(
        tls_context=ca.server_context(), require_starttls=True, users={"alice": "right"}
    )
    with server:
        cfg = server.smtp_config(security="starttls", user="alice", ca_file=ca.ca_file)
        with closing(SmtpTransport(cfg, "right").connect()) as conn:
            conn.send(outgoing("a@example.org"))
        [got] = server.messages
    assert got.tls is True and got.login == "alice"


def test_implicit_tls_with_own_ca_and_login(ca: LocalCA) -> None:
    with ScriptedServer(ssl_context=ca.server_context(), users={"alice": "right"}) as server:
        cfg = server.smtp_config(security="tls", user="alice", ca_file=ca.ca_file)
        with closing(SmtpTransport(cfg, "right").connect()) as conn:
            conn.send(outgoing("a@example.org"))
        [got] = server.messages
    assert got.tls is True and got.login == "alice"


def test_starttls_not_offered_is_never_plain_text() -> None:
    with ScriptedServer() as server:
        with pytest.raises(TransportError, match="STARTTLS") as err:
            SmtpTransport(server.smtp_config(security="starttls"), None).connect()
        assert server.messages == []
    assert "smtp.security" in err.value.hint


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_untrusted_certificate(ca: LocalCA, security: str) -> None:
    if security == "starttls":
        server = ScriptedServer(tls_context=ca.server_context())
    else:
        server = ScriptedServer(ssl_context=ca.server_context())
    with server:
        with pytest.raises(TransportError, match="certificate verification failed") as err:
            SmtpTransport(server.smtp_config(security=security), None).connect()
        assert server.messages == []
    assert "smtp.ca_file" in err.value.hint


def test_implicit_tls_against_a_plain_server_names_the_setting() -> None:
    with ScriptedServer() as server, pytest.raises(TransportError, match="TLS") as err:
        SmtpTransport(server.smtp_config(security="tls", timeout=2.0), None).connect()
    assert "smtp.security" in err.value.hint


# --- failures of one message ---------------------------------------------------------------------


def test_421_closes_the_connection_and_the_next_send_reconnects() -> None:
    with ScriptedServer(close_after=2) as server:
        with closing(SmtpTransport(server.smtp_config(), None).connect()) as conn:
            conn.send(outgoing("a@example.org", 1))
            conn.send(outgoing("a@example.org", 2))
            with pytest.raises(TemporaryFailure) as err:
                conn.send(outgoing("a@example.org", 3))
            conn.send(outgoing("a@example.org", 3))
        assert [m.session for m in server.messages] == [1, 1, 2]
        assert server.sessions == 2
    assert type(err.value) is TemporaryFailure
    assert (err.value.code, err.value.stage) == (421, "mail")


def test_451_at_data_then_success_on_the_same_connection() -> None:
    with ScriptedServer(data_replies={"x@example.org": ["451 4.3.0 try again"]}) as server:
        with closing(SmtpTransport(server.smtp_config(), None).connect()) as conn:
            with pytest.raises(TemporaryFailure) as err:
                conn.send(outgoing("x@example.org"))
            conn.send(outgoing("x@example.org"))
        assert len(server.messages) == 1 and server.sessions == 1
    assert type(err.value) is TemporaryFailure
    assert (err.value.code, err.value.stage) == (451, "data")
    assert err.value.reply == "451 4.3.0 try again"


def test_550_for_one_recipient_and_the_next_message_goes_through() -> None:
    with ScriptedServer(rcpt_replies={"bad@example.org": "550 5.1.1 user unknown"}) as server:
        with closing(SmtpTransport(server.smtp_config(), None).connect()) as conn:
            with pytest.raises(PermanentFailure) as err:
                conn.send(outgoing("bad@example.org"))
            conn.send(outgoing("good@example.org"))
        assert [m.recipients for m in server.messages] == [("good@example.org",)]
        assert server.sessions == 1
    assert (err.value.code, err.value.stage) == (550, "rcpt")
    assert "user unknown" in err.value.reply


def test_552_at_data_is_permanent() -> None:
    with ScriptedServer(data_replies={"big@example.org": ["552 5.3.4 too big"]}) as server:
        with closing(SmtpTransport(server.smtp_config(), None).connect()) as conn:
            with pytest.raises(PermanentFailure) as err:
                conn.send(outgoing("big@example.org"))
            conn.send(outgoing("small@example.org"))
        assert len(server.messages) == 1
    assert (err.value.code, err.value.stage) == (552, "data")


def test_connection_dropped_after_data_is_in_doubt() -> None:
    server = ScriptedServer(drop_after_data=["x@example.org"], record_dropped=True)
    with server:
        with closing(SmtpTransport(server.smtp_config(), None).connect()) as conn:
            with pytest.raises(InDoubt) as err:
                conn.send(outgoing("x@example.org", 1))
            conn.send(outgoing("x@example.org", 1))  # the resend, same Message-ID
        # The server had taken it before it died: the recipient now has it twice, which is
        # why the loop resends with the same Message-ID.
        mid = outgoing("x@example.org", 1).message_id
        assert [m.message_id for m in server.messages] == [mid, mid]
        assert server.sessions == 2
    assert err.value.stage == "data" and err.value.code is None
    assert f"{HOST}:{server.port}" in err.value.reply


def test_timeout_waiting_for_the_reply_to_data_is_in_doubt() -> None:
    with ScriptedServer(stall_data={"slow@example.org": 5.0}) as server:
        with closing(SmtpTransport(server.smtp_config(timeout=0.3), None).connect()) as conn:
            with pytest.raises(InDoubt) as err:
                conn.send(outgoing("slow@example.org"))
            conn.send(outgoing("fast@example.org"))
        assert len(server.messages) == 2
    assert err.value.stage == "data"


def test_server_gone_between_messages() -> None:
    with ScriptedServer() as server:
        conn = SmtpTransport(server.smtp_config(), None).connect()
        conn.send(outgoing("a@example.org", 1))
        server.stop()
        with pytest.raises(TemporaryFailure) as lost:
            conn.send(outgoing("a@example.org", 2))  # the connection is found dead at MAIL
        with pytest.raises(TemporaryFailure) as down:
            conn.send(outgoing("a@example.org", 2))  # re-opening is refused
        conn.close()
        conn.close()  # idempotent, never raises
    assert type(lost.value) is TemporaryFailure and lost.value.stage == "mail"
    assert type(down.value) is TemporaryFailure and down.value.stage == "connect"
    assert "refused" in down.value.reply


def test_reconnect_with_wrong_password_is_a_transport_error() -> None:
    with ScriptedServer(users={"alice": "right"}, close_after=1) as server:
        conn = SmtpTransport(server.smtp_config(user="alice"), "right").connect()
        with closing(conn):
            conn.send(outgoing("a@example.org"))
            with pytest.raises(TemporaryFailure):
                conn.send(outgoing("b@example.org"))  # 421: closed
            server.set_users({"alice": "changed"})  # the password changed meanwhile
            with pytest.raises(TransportError, match="535"):
                conn.send(outgoing("b@example.org"))


# --- connections ---------------------------------------------------------------------------------


def test_reconnect_after() -> None:
    with ScriptedServer() as server:
        transport = SmtpTransport(server.smtp_config(reconnect_after=3), None)
        with closing(transport.connect()) as conn:
            for n in range(7):
                conn.send(outgoing("a@example.org", n))
        assert [m.session for m in server.messages] == [1, 1, 1, 2, 2, 2, 3]
        assert server.sessions == 3


def test_connections_in_threads_all_deliver() -> None:
    with ScriptedServer() as server:
        transport = SmtpTransport(server.smtp_config(connections=4), None)
        conns = [transport.connect() for _ in range(transport.connections)]
        errors: list[BaseException] = []

        def work(i: int) -> None:
            try:
                with closing(conns[i]) as conn:
                    for n in range(10):
                        conn.send(outgoing(f"t{i}@example.org", n))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(conns))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        ids = {m.message_id for m in server.messages}
        assert len(server.messages) == 40 and len(ids) == 40
        assert server.sessions == 4


def test_sink_process_logs_what_it_accepted(tmp_path: Path) -> None:
    messages = [outgoing(f"s{n}@example.org", n) for n in range(3)]
    with SinkProcess(tmp_path) as sink:
        with closing(SmtpTransport(sink.smtp_config(), None).connect()) as conn:
            for m in messages:
                conn.send(m)
        assert sink.deliveries() == [(m.message_id, m.recipient) for m in messages]
        assert sink.stop() == 0


# --- rate limit (fake clock: no wall-clock assertions) -------------------------------------------


class FakeTime:
    def __init__(self, advance: bool = True) -> None:
        self.now = 100.0
        self.advance = advance
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(seconds)
            if self.advance:
                self.now += seconds


def test_rate_limiter_spaces_messages_after_one_seconds_burst() -> None:
    t = FakeTime()
    limiter = RateLimiter(2.0, clock=t.clock, sleep=t.sleep)
    waits = [limiter.acquire() for _ in range(6)]
    assert waits == [0, 0, 0.5, 0.5, 0.5, 0.5]
    assert t.now == 102.0  # six messages at 2/s, two of them in the initial burst
    t.now += 60  # a long pause refills the bucket only up to one second's worth
    assert [limiter.acquire() for _ in range(3)] == [0, 0, 0.5]


def test_rate_limiter_below_one_per_second() -> None:
    t = FakeTime()
    limiter = RateLimiter(0.25, clock=t.clock, sleep=t.sleep)
    assert [limiter.acquire() for _ in range(3)] == [0, 4.0, 4.0]


def test_rate_limiter_queues_threads_in_slots() -> None:
    t = FakeTime(advance=False)  # all threads arrive at the same instant
    limiter = RateLimiter(4.0, clock=t.clock, sleep=t.sleep)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # 4 go at once, the other 8 are given distinct slots 1/4 s apart
    assert sorted(t.sleeps) == [0.25 * k for k in range(1, 9)]


def test_rate_limiter_zero_is_unlimited() -> None:
    def never() -> float:
        raise AssertionError("clock read")

    limiter = RateLimiter(0, clock=lambda: 0.0, sleep=lambda s: never())
    assert [limiter.acquire() for _ in range(1000)] == [0.0] * 1000


def test_transport_applies_the_rate_limit() -> None:
    t = FakeTime()
    with ScriptedServer() as server:
        cfg = server.smtp_config(rate_per_second=2.0)
        transport = SmtpTransport(cfg, None, clock=t.clock, sleep=t.sleep)
        with closing(transport.connect()) as conn:
            for n in range(5):
                conn.send(outgoing("a@example.org", n))
        assert len(server.messages) == 5
    assert t.sleeps == [0.5, 0.5, 0.5]
