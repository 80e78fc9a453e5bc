"""What every transport (Maildir, SMTP) promises the send loop, and how it reports failure.

A transport is a factory of connections; the send loop opens `connections` of them, one per
worker thread, and hands each one finished message at a time. A connection classifies every
failure into one of the exceptions below, so the loop never sees smtplib or OSError:

    SendFailure                 one message did not go out; the others may
    ├── TemporaryFailure        4xx, dropped connection, timeout: try again later
    │   └── InDoubt             the connection broke after the whole message was handed over:
    │                           the server may have taken it; resend with the same Message-ID
    └── PermanentFailure        5xx: this message will never be accepted as it is
    TransportError (DigestError) the transport as a whole is unusable (server down, wrong
                                password, Maildir not writable): stop the run at once
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from ..errors import DigestError

Stage = Literal["connect", "mail", "rcpt", "data", "write"]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One finished message and its envelope (RFC 5321 addresses, ASCII only)."""

    sender: str
    recipient: str
    message_id: str  # with angle brackets, as in the header
    data: bytes  # the complete message, CRLF line ends


class SendFailure(Exception):
    """One message was not delivered; `reply` is the server's answer or the local reason."""

    def __init__(self, reply: str, code: int | None = None, stage: Stage = "data") -> None:
        super().__init__(reply)
        self.reply = reply
        self.code = code
        self.stage = stage


class TemporaryFailure(SendFailure):
    """Try this message again later (4xx, connection lost before the message was complete)."""


class InDoubt(TemporaryFailure):
    """The connection was lost after the message was sent: it may or may not have arrived."""


class PermanentFailure(SendFailure):
    """The server refused this message or recipient for good (5xx)."""


class TransportError(DigestError):
    """The transport cannot be used at all; the run must stop (nothing more is sent)."""


class Connection(Protocol):
    def send(self, message: Outgoing) -> str:
        """Deliver one message; return the server's reply (or a local note such as a file name).

        Raises SendFailure for this message alone, TransportError when nothing can be sent.
        """
        ...

    def close(self) -> None:
        """Release the connection; never raises."""
        ...


class Transport(Protocol):
    name: str  # "maildir" or "smtp", for messages
    connections: int  # how many connections the send loop should open in parallel

    def connect(self) -> Connection:
        """Open one connection (and log in); raise TransportError when that is impossible."""
        ...
