"""Real SMTP servers for tests: aiosmtpd 1.4 on 127.0.0.1, scriptable per test.

Not a test module: test modules import from here.

    ScriptedServer   an aiosmtpd Controller in a thread of this process. Records every
                     message it accepts (`messages`), counts connections (`sessions`), and
                     misbehaves on request: refuse chosen recipients, answer DATA from a queue
                     of replies, say 421 and hang up after N messages on a connection, drop
                     the connection after the message but before the reply, stall before the
                     reply, require AUTH, offer STARTTLS or speak implicit TLS.
    LocalCA          a throwaway certificate authority (trustme) with a certificate for
                     127.0.0.1 and localhost; `ca_file` is its PEM for SmtpConfig.ca_file.
    SinkProcess      tests/smtp_sink.py in a subprocess: accepts everything and logs
                     "<Message-ID> <recipient>" per delivery, so a test can count what arrived
                     even after it SIGKILLed the sender.
    free_port()      a TCP port on 127.0.0.1 that nothing listens on (at the moment).

Typical use:

    with ScriptedServer(rcpt_replies={"bad@example.org": "550 5.1.1 user unknown"}) as server:
        transport = SmtpTransport(server.smtp_config(), None)
        ...
        assert [m.recipients for m in server.messages] == [("ok@example.org",)]

Details of aiosmtpd 1.4 this relies on (checked against its source):
- A handler's handle_MAIL/RCPT/DATA hooks return the reply line; returning MISSING makes
  aiosmtpd do its default (record the sender or recipient and answer 250).
- A hook closes a session through `server.transport` (`server` is the per-connection SMTP
  protocol object). abort() from inside handle_DATA makes aiosmtpd's write of the returned
  reply a no-op and its session task ends by cancellation, as after its own QUIT. To send a
  reply and then hang up (421), close() is scheduled with call_soon: close() flushes first.
- A failed TLS handshake is logged as an ERROR by aiosmtpd (STARTTLS) or asyncio (implicit
  TLS) on the server side. These are log records, not warnings: harmless for tests.
- Controller(port=0) would bind a random port but then probe port 0 in `_trigger_server`;
  `_Controller` reads the real port from the listening socket first.
- Controller.stop() cancels the session tasks and closes the loop right away. stop() here
  first aborts every live session and waits for its connection_lost(), so "the server died"
  is immediate for clients (no TLS close_notify exchange either) and no transport outlives
  the loop (one left for the garbage collector would warn: ResourceWarning, an error under
  filterwarnings = error).
- SMTP() called without `loop` looks the loop up inside warnings.catch_warnings(), which is
  not thread-safe; `_Controller.factory` passes the loop explicitly.
- auth_required=True together with auth_require_tls=False emits a UserWarning, so "AUTH is
  required" is enforced in handle_MAIL instead (530 without a successful login).
"""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from email.parser import BytesHeaderParser
from pathlib import Path
from types import TracebackType
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session

from digest.config_delivery import SmtpConfig

HOST = "127.0.0.1"
SINK_SCRIPT = Path(__file__).with_name("smtp_sink.py")


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now (e.g. for "server is down" tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def smtp_config(port: int, **changes: Any) -> SmtpConfig:
    """An SmtpConfig for 127.0.0.1:port: plain text, no login, one connection, no rate limit,
    reconnect after 100 messages, 5 s timeout; `changes` override any field."""
    cfg = SmtpConfig(
        host=HOST,
        port=port,
        security="none",
        user="",
        connections=1,
        rate_per_second=0.0,
        reconnect_after=100,
        timeout=5.0,
        ca_file=None,
    )
    return replace(cfg, **changes)


def message_id(data: bytes) -> str | None:
    """The Message-ID header of a raw message, or None."""
    value = BytesHeaderParser().parsebytes(data)["Message-ID"]
    return None if value is None else str(value).strip()


@dataclass(frozen=True)
class Received:
    """One message a ScriptedServer accepted (or took and then dropped the connection)."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes  # as received, dot-stuffing removed, CRLF line ends
    message_id: str | None
    session: int  # which connection it came on: 1 for the first one the server accepted
    login: str | None  # the AUTH user name, when the client logged in
    tls: bool  # whether the session was encrypted (STARTTLS or implicit TLS)


class LocalCA:
    """A throwaway CA and a server certificate for 127.0.0.1 and localhost.

    `ca_file` (written into `directory`) is what a client passes as SmtpConfig.ca_file;
    `server_context()` is for ScriptedServer(tls_context=...) or (ssl_context=...).
    """

    def __init__(self, directory: Path) -> None:
        self._ca = trustme.CA()
        self._leaf = self._ca.issue_cert(HOST, "localhost")
        self.ca_file = directory / "smtp-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)  # no client certificates
        self._leaf.configure_cert(ctx)
        return ctx


class _Session(SMTP):
    """aiosmtpd's protocol object for one connection, plus what the script counts per session."""

    def __init__(self, state: _State, number: int, **kwargs: Any) -> None:
        super().__init__(state, **kwargs)
        self.state = state
        self.number = number
        self.accepted = 0  # messages accepted on this connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Called again after STARTTLS; with implicit TLS only once the handshake succeeded,
        # so a failed handshake never counts as live (and gets no connection_lost either).
        super().connection_made(transport)
        self.state.live.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        super().connection_lost(error)
        self.state.live.discard(self)


class _Controller(Controller):
    def factory(self) -> _Session:
        state: _State = self.handler
        with state.lock:
            state.sessions += 1
            number = state.sessions
        return _Session(state, number, loop=self.loop, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # Bound to port 0: learn the real port before aiosmtpd probes the server.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class _State:
    """The aiosmtpd handler: the script and the record. Hooks run in the server's thread."""

    def __init__(
        self,
        rcpt_replies: Mapping[str, str],
        data_replies: Mapping[str, Sequence[str]],
        close_after: int | None,
        drop_after_data: Iterable[str],
        record_dropped: bool,
        stall_data: Mapping[str, float],
        users: Mapping[str, str] | None,
    ) -> None:
        self.lock = threading.Lock()
        self.rcpt_replies = dict(rcpt_replies)
        self.data_replies = {k: deque(v) for k, v in data_replies.items()}
        self.close_after = close_after
        self.drop_after_data = set(drop_after_data)
        self.record_dropped = record_dropped
        self.stall_data = dict(stall_data)
        self.users = None if users is None else dict(users)
        self.received: list[Received] = []
        self.sessions = 0
        self.live: set[_Session] = set()

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            self.users is not None
            and isinstance(data, LoginPassword)
            and self.users.get(data.login.decode("utf-8", "replace")) == data.password.decode()
        )
        # aiosmtpd answers 235 or 535 and keeps auth_data in session.auth_data
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    async def handle_MAIL(
        self, server: _Session, session: Session, envelope: Envelope, address: str, options: Any
    ) -> Any:
        if self.users is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if self.close_after is not None and server.accepted >= self.close_after:
            # Close once the 421 is written (close() flushes first), like a real server would.
            assert server.transport is not None
            server.loop.call_soon(server.transport.close)
            return "421 4.7.0 Too many messages on this connection, closing"
        return MISSING

    async def handle_RCPT(
        self, server: _Session, session: Session, envelope: Envelope, address: str, options: Any
    ) -> Any:
        reply = self.rcpt_replies.get(address)
        return MISSING if reply is None or reply.startswith("2") else reply

    async def handle_DATA(self, server: _Session, session: Session, envelope: Envelope) -> str:
        rcpts = list(envelope.rcpt_tos)
        with self.lock:
            queue = next((self.data_replies[r] for r in rcpts if self.data_replies.get(r)), None)
            scripted = queue.popleft() if queue else None
            drop = next((r for r in rcpts if r in self.drop_after_data), None)
            self.drop_after_data.discard(drop or "")
            stall = next((self.stall_data.pop(r) for r in rcpts if r in self.stall_data), 0.0)
        if drop is not None:
            if self.record_dropped:
                self._record(server, session, envelope)
            assert isinstance(server.transport, asyncio.Transport)
            server.transport.abort()  # the reply below goes nowhere
            return "250 never sent"
        if scripted is not None and not scripted.startswith("2"):
            return scripted
        self._record(server, session, envelope)
        server.accepted += 1
        if stall:
            await asyncio.sleep(stall)  # the message is taken; the reply comes late
        return scripted or "250 2.0.0 OK queued"

    def _record(self, server: _Session, session: Session, envelope: Envelope) -> None:
        data = envelope.original_content or b""
        auth = session.auth_data if session.authenticated else None
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        assert server.transport is not None
        tls = server.transport.get_extra_info("ssl_object") is not None
        sender = envelope.mail_from or ""
        rcpts = tuple(envelope.rcpt_tos)
        entry = Received(sender, rcpts, data, message_id(data), server.number, login, tls)
        with self.lock:
            self.received.append(entry)

    async def abort_all(self) -> None:
        for session in list(self.live):
            if isinstance(session.transport, asyncio.Transport):
                session.transport.abort()
        for _ in range(500):  # until every connection_lost() ran (at most ~5 s)
            if not self.live:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # let the cancelled session tasks finish


class ScriptedServer:
    """A real SMTP server on 127.0.0.1 in a background thread; use it as a context manager.

    Script (all optional, keyed by recipient address exactly as given in RCPT TO):
    rcpt_replies     reply to RCPT, e.g. {"bad@example.org": "550 5.1.1 user unknown"}
    data_replies     replies to DATA consumed in order, e.g. {"x@example.org": ["451 4.3.0
                     try again"]}; when a queue is empty the message is accepted. A scripted
                     2xx reply accepts the message with that text.
    close_after      after this many accepted messages on one connection, answer the next
                     MAIL with 421 and close that connection (new connections work again)
    drop_after_data  recipients for which, once each, the connection is cut after the message
                     was received and before the reply; record_dropped=True still records the
                     message (a server that took it and then died)
    stall_data       recipient -> seconds: once, accept the message and wait that long before
                     replying (to run into the client's timeout after DATA)
    users            AUTH accounts {user: password} (PLAIN, LOGIN); MAIL without login gets 530
    tls_context      offer STARTTLS with this server context (see LocalCA.server_context);
                     require_starttls=True refuses mail before it
    ssl_context      implicit TLS: TLS from the first byte (like port 465)
    auth_require_tls offer AUTH only under STARTTLS; default: True when tls_context is given.
                     (aiosmtpd does not count implicit TLS as TLS here, so it must be False then.)

    Record: `messages` (Received, in order), `sessions` (connections accepted, not counting
    aiosmtpd's own start-up probe), `port`; `smtp_config(**changes)` makes a matching SmtpConfig.
    """

    def __init__(
        self,
        *,
        rcpt_replies: Mapping[str, str] | None = None,
        data_replies: Mapping[str, Sequence[str]] | None = None,
        close_after: int | None = None,
        drop_after_data: Iterable[str] = (),
        record_dropped: bool = False,
        stall_data: Mapping[str, float] | None = None,
        users: Mapping[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        auth_require_tls: bool | None = None,
    ) -> None:
        self._state = _State(
            rcpt_replies or {},
            data_replies or {},
            close_after,
            drop_after_data,
            record_dropped,
            stall_data or {},
            users,
        )
        kwargs: dict[str, Any] = {
            "hostname": HOST,
            "port": 0,
            "server_hostname": "smtp.test",  # spares aiosmtpd a getfqdn() per connection
            "ssl_context": ssl_context,
            "auth_require_tls": tls_context is not None
            if auth_require_tls is None
            else auth_require_tls,
        }
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=require_starttls)
        if users is not None:
            kwargs["authenticator"] = self._state.authenticate
        self.security = "tls" if ssl_context else "starttls" if tls_context else "none"
        self.port = 0  # known once started
        self._kwargs = kwargs
        self._controller: _Controller | None = None

    def __enter__(self) -> ScriptedServer:
        # The Controller creates its event loop at once, so it is made only here: a loop that
        # is never run and closed would warn when collected.
        assert self._controller is None and self.port == 0, "a ScriptedServer runs once"
        self._controller = _Controller(self._state, **self._kwargs)
        self._controller.start()
        with self._state.lock:
            self._state.sessions = 0  # forget aiosmtpd's start-up probe
        self.port = self._controller.port
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Cut every connection and stop listening (idempotent); clients see the server die."""
        controller, self._controller = self._controller, None
        if controller is None or controller.server is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._state.abort_all(), controller.loop)
        future.result(timeout=10)
        controller.stop()

    def set_users(self, users: Mapping[str, str]) -> None:
        """Change the AUTH accounts of a running server (say, a password changed mid-run)."""
        with self._state.lock:
            self._state.users = dict(users)

    @property
    def messages(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.received)

    @property
    def sessions(self) -> int:
        with self._state.lock:
            return self._state.sessions

    def smtp_config(self, **changes: Any) -> SmtpConfig:
        """An SmtpConfig for this server (see smtp_config()); security matches the server."""
        return smtp_config(self.port, **{"security": self.security, **changes})


class SinkProcess:
    """tests/smtp_sink.py as a subprocess that accepts every message; a context manager.

    Entering starts it and waits until it listens (`port`); `deliveries()` reads its log as
    (Message-ID, recipient) pairs. The log is written and flushed before each 250 reply, so
    whatever a sender saw accepted is in it, even if the sender was killed right after.
    Leaving sends SIGTERM and waits.
    """

    def __init__(self, directory: Path, port: int = 0, *, start_timeout: float = 15.0) -> None:
        self.directory = directory
        self.log = directory / "sink.log"
        self.ready = directory / "sink.ready"
        self.stderr = directory / "sink.stderr"
        self._port = port
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SinkProcess:
        self.ready.unlink(missing_ok=True)
        argv = [sys.executable, str(SINK_SCRIPT), "--port", str(self._port)]
        argv += ["--log", str(self.log), "--ready", str(self.ready)]
        with self.stderr.open("wb") as err:
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + self._start_timeout
        while not self.ready.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"smtp sink did not start: {self.stderr.read_text()}")
            time.sleep(0.02)
        self.port = int(self.ready.read_text().strip())
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> int | None:
        """SIGTERM and wait (SIGKILL after 5 s); return the exit code."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                return proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        return proc.wait()

    def deliveries(self) -> list[tuple[str, str]]:
        """(Message-ID, recipient) per accepted delivery, in order."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [(mid, rcpt) for mid, _, rcpt in (line.partition(" ") for line in lines)]

    def smtp_config(self, **changes: Any) -> SmtpConfig:
        return smtp_config(self.port, **changes)


__all__ = [
    "HOST",
    "LocalCA",
    "Received",
    "ScriptedServer",
    "SinkProcess",
    "free_port",
    "message_id",
    "smtp_config",
]
