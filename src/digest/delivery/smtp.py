"""The SMTP transport: deliver finished messages to a relay with the standard library's smtplib.

Choices, and why:

- One transaction per message and recipient (MAIL, RCPT, DATA issued one by one rather than
  through `sendmail`), so that every failure is known to have happened at a stage. That stage
  decides what a failure means: a connection lost before DATA was issued cannot have delivered
  anything (TemporaryFailure), one lost after it may have (InDoubt, resend with the same
  Message-ID). smtplib's `data()` does the dot-stuffing of RFC 5321 §4.5.2.
- Replies are classified by their first digit (RFC 5321 §4.2.1): 4xx is transient, 5xx is
  permanent. 421 also means the server is closing the channel (§3.8), so the connection is
  dropped and re-opened on the next message.
- TLS always verifies the certificate and the host name. With security = "starttls" the
  session is upgraded as in RFC 3207 (EHLO, STARTTLS, EHLO again, because §4.2 says what was
  learnt before TLS must be discarded); a server that does not offer STARTTLS is an error,
  never a reason to go on in plain text. smtp.ca_file adds trusted CAs to the system's.
- Failures while opening a connection are TransportError: the server is down or the
  configuration is wrong, and no message can go out. A connection that breaks later is
  re-opened lazily on the next send(); if that fails for network reasons the message gets a
  TemporaryFailure (the loop retries later), but a refused login is still a TransportError.
- The password never comes from config.toml: the caller reads it from DIGEST_SMTP_PASSWORD.
- Connections are used each by one thread; the RateLimiter is the only object they share.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable

from ..config_delivery import SmtpConfig
from .transport import (
    InDoubt,
    Outgoing,
    PermanentFailure,
    SendFailure,
    Stage,
    TemporaryFailure,
    TransportError,
)

PASSWORD_ENV = "DIGEST_SMTP_PASSWORD"

Clock = Callable[[], float]
Sleep = Callable[[float], object]


class RateLimiter:
    """At most `per_second` acquisitions per second across threads (a token bucket).

    The bucket holds one second's worth of tokens (at least one), so after an idle spell at
    most that many messages go out at once. A caller takes its token under the lock and sleeps
    outside it, so waiting threads queue up in evenly spaced slots instead of all waking at once.
    """

    def __init__(
        self, per_second: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        self.per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._capacity = max(1.0, per_second)
        self._tokens = self._capacity
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait until a message may go out; return the seconds waited (0 when unlimited)."""
        if self.per_second <= 0:
            return 0.0  # unlimited: no lock on the hot path
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._last)
            self._tokens = min(self._capacity, self._tokens + elapsed * self.per_second)
            self._last = now
            self._tokens -= 1.0  # may go negative: a debt later callers queue behind
            wait = -self._tokens / self.per_second if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


class _Unreachable(TransportError):
    """Opening failed for network reasons (refused, timeout, dropped): may pass on its own."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text.replace(chr(10), ' ')}".strip()  # multi-line replies on one line


class SmtpTransport:
    """Opens SMTP connections to the relay in [smtp]; see the module docstring."""

    name = "smtp"

    def __init__(
        self,
        cfg: SmtpConfig,
        password: str | None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if cfg.user and not password:
            raise TransportError(
                f"smtp.user is {cfg.user!r} but no SMTP password was given",
                f"set the environment variable {PASSWORD_ENV} to the password of that account"
                " (or leave smtp.user empty if the server needs no login)",
            )
        self.cfg = cfg
        self.connections = cfg.connections
        self.where = f"{cfg.host}:{cfg.port}"
        self._password = password or ""
        self._limiter = RateLimiter(cfg.rate_per_second, clock=clock, sleep=sleep)
        self._context: ssl.SSLContext | None = None
        if cfg.security != "none":
            self._context = ssl.create_default_context()  # verifies certificate and host name
            if cfg.ca_file is not None:
                try:
                    self._context.load_verify_locations(cafile=str(cfg.ca_file))
                except (OSError, ssl.SSLError) as exc:
                    raise TransportError(
                        f"cannot load smtp.ca_file {cfg.ca_file}: {exc}",
                        "point smtp.ca_file at a PEM file with the CA certificate of the relay",
                    ) from exc
        # Looked up once: smtplib would call socket.getfqdn() for every connection.
        self._helo_name = _helo_name()

    def connect(self) -> SmtpConnection:
        return SmtpConnection(self, self._open())

    def _open(self) -> smtplib.SMTP:
        """A logged-in session ready for MAIL; TransportError (maybe _Unreachable) if not."""
        cfg = self.cfg
        smtp: smtplib.SMTP | None = None
        try:
            if cfg.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    cfg.host,
                    cfg.port,
                    local_hostname=self._helo_name,
                    timeout=cfg.timeout,
                    context=self._context,
                )
            else:
                smtp = smtplib.SMTP(
                    cfg.host, cfg.port, local_hostname=self._helo_name, timeout=cfg.timeout
                )
            smtp.ehlo_or_helo_if_needed()
            if cfg.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise TransportError(
                        f"{self.where} does not offer STARTTLS; refusing to send in plain text",
                        'check smtp.port and smtp.security ("tls" for port 465, "starttls"'
                        ' for 587); only a relay on the same host may use "none"',
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo_or_helo_if_needed()  # RFC 3207 §4.2: forget the pre-TLS EHLO
            if cfg.user:
                smtp.login(cfg.user, self._password)
            return smtp
        except TransportError:
            _close_quietly(smtp)
            raise
        except (OSError, ValueError) as exc:  # smtplib.SMTPException and ssl errors are OSError
            _close_quietly(smtp)
            raise self._open_error(exc) from exc

    def _open_error(self, exc: Exception) -> TransportError:
        w, cfg = self.where, self.cfg
        check = "check [smtp] host, port and security"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return TransportError(
                f"{w} refused the login as {cfg.user!r}: {_reply(exc.smtp_code, exc.smtp_error)}",
                f"check smtp.user and the password in {PASSWORD_ENV}",
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return TransportError(
                f"{w} does not offer AUTH, so {cfg.user!r} cannot log in",
                'many servers allow login only after TLS: use security = "starttls" or "tls";'
                " or leave smtp.user empty if the server needs no login",
            )
        if isinstance(exc, smtplib.SMTPConnectError):  # greeting other than 220
            return _Unreachable(
                f"{w} refused the session: {_reply(exc.smtp_code, exc.smtp_error)}",
                "the server may be overloaded; try again later, or " + check,
            )
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return _Unreachable(f"{w} closed the connection: {exc}", check)
        if isinstance(exc, smtplib.SMTPResponseException):  # EHLO, STARTTLS refused
            return TransportError(f"{w}: {_reply(exc.smtp_code, exc.smtp_error)}", check)
        if isinstance(exc, ssl.SSLCertVerificationError):
            return TransportError(
                f"{w}: TLS certificate verification failed: {exc.verify_message or exc}",
                "check that smtp.host is the name in the server's certificate; if the relay"
                " uses its own CA, set smtp.ca_file to that CA's PEM certificate",
            )
        if isinstance(exc, ssl.SSLError):
            return TransportError(
                f"{w}: TLS handshake failed: {exc.reason or exc}",
                'check smtp.security: "tls" is implicit TLS (port 465), "starttls" upgrades'
                " a plain connection (port 587)",
            )
        if isinstance(exc, ConnectionRefusedError):
            return _Unreachable(
                f"cannot connect to {w}: connection refused",
                "is the mail server running? " + check,
            )
        if isinstance(exc, socket.gaierror):
            return _Unreachable(
                f"cannot connect to {w}: cannot resolve {cfg.host!r} ({exc.strerror})",
                "check smtp.host and the DNS settings of this machine",
            )
        if isinstance(exc, TimeoutError):
            return _Unreachable(
                f"cannot connect to {w}: no answer within {cfg.timeout:g} s",
                check + ' (a server expecting TLS on connect with security = "starttls" looks'
                " like this), a firewall in between, or raise smtp.timeout",
            )
        if isinstance(exc, smtplib.SMTPException):  # e.g. no common AUTH mechanism
            return TransportError(f"{w}: {exc}", check + ", smtp.user")
        return _Unreachable(f"cannot connect to {w}: {exc}", check)


class SmtpConnection:
    """One SMTP session, used by one thread; re-opened when it breaks or has sent enough."""

    def __init__(self, transport: SmtpTransport, smtp: smtplib.SMTP) -> None:
        self._transport = transport
        self._smtp: smtplib.SMTP | None = smtp
        self._count = 0  # messages begun on the current session

    def send(self, message: Outgoing) -> str:
        t = self._transport
        if self._smtp is not None and self._count >= t.cfg.reconnect_after:
            self.close()  # QUIT; some relays limit messages per session, and it bounds state
        if self._smtp is None:
            try:
                self._smtp = t._open()
            except _Unreachable as exc:
                raise TemporaryFailure(exc.message, None, "connect") from exc
            self._count = 0
        smtp = self._smtp
        self._count += 1
        t._limiter.acquire()
        stage: Stage = "mail"
        text: bytes | str
        try:
            # SIZE (RFC 1870) lets a server refuse an oversized message before it is sent.
            options = [f"SIZE={len(message.data)}"] if smtp.has_extn("size") else []
            code, text = smtp.mail(message.sender, options)
            if code // 100 == 2:
                stage = "rcpt"
                code, text = smtp.rcpt(message.recipient)
            if code // 100 == 2:
                stage = "data"
                try:
                    code, text = _data(smtp, message.data)
                except smtplib.SMTPDataError as exc:  # DATA itself refused, no content sent
                    code, text = exc.smtp_code, exc.smtp_error
        except ValueError as exc:  # an address smtplib will not send (CR, LF, non-ASCII)
            raise self._refused(None, str(exc), stage) from exc
        except OSError as exc:  # lost connection or timeout; smtplib's errors are OSErrors
            self._drop()
            if stage == "data":
                # Once DATA is issued the server may have taken the message; only the mailbox
                # can tell. The loop resends with the same Message-ID, so a copy is harmless.
                reply = f"connection to {t.where} lost after DATA, message may be delivered"
                raise InDoubt(f"{reply}: {exc}", None, stage) from exc
            raise TemporaryFailure(f"connection to {t.where} lost: {exc}", None, stage) from exc
        if code // 100 == 2:
            return _reply(code, text)
        raise self._refused(code, text, stage)

    def _refused(self, code: int | None, text: bytes | str, stage: Stage) -> SendFailure:
        """Classify a refusal by its reply class (RFC 5321 §4.2.1); leave the session clean."""
        reply = _reply(code, text) if code is not None else str(text)
        if code == 421:  # §3.8: the server is closing the transmission channel
            self._drop()
            return TemporaryFailure(reply, code, stage)
        if code is not None and not 400 <= code < 600:  # garbled or unexpected: trust nothing
            self._drop()
            return (InDoubt if stage == "data" else TemporaryFailure)(reply, code, stage)
        self._reset()
        if code is not None and code < 500:
            return TemporaryFailure(reply, code, stage)
        return PermanentFailure(reply, code, stage)

    def _reset(self) -> None:
        """RSET after a failed transaction; a session that cannot even do that is dropped."""
        if self._smtp is None:
            return
        try:
            code, _ = self._smtp.rset()
        except OSError:
            code = 0
        if code != 250:
            self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        _close_quietly(smtp)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        with contextlib.suppress(Exception):  # close() must never raise
            smtp.quit()  # polite QUIT; may fail when the server is already gone
        _close_quietly(smtp)


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError):
            smtp.close()


def _helo_name() -> str:
    """The name to announce in EHLO: the FQDN, else an address literal (RFC 5321 §4.1.4)."""
    fqdn = socket.getfqdn()
    if "." in fqdn:
        return fqdn
    try:
        return f"[{socket.gethostbyname(socket.gethostname())}]"
    except OSError:
        return "[127.0.0.1]"


def _data(smtp: smtplib.SMTP, data: bytes) -> tuple[int, bytes]:
    """DATA for a message whose lines all end in CRLF (the Outgoing contract).

    smtplib.data() dot-stuffs with a regex pass and fixes bare LFs: about 0.3 ms for a 50 KB
    digest, the largest single cost per message in bench/send_bench.py. With CRLF already
    guaranteed, dot-stuffing (RFC 5321 §4.5.2) is one bytes.replace.
    """
    code, text = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, text)
    stuffed = data.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    smtp.send(stuffed + b".\r\n")
    return smtp.getreply()
