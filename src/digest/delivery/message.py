"""Build the MIME message of a weekly issue (RFC 5322, 2045, 2047, 2369, 2919, 8058).

The message is assembled directly rather than through email.message.EmailMessage, which
costs milliseconds per message: the body (both parts, quoted-printable) is encoded once per
issue with binascii, and only the headers differ per recipient. The result parses cleanly
with the stdlib email package (see tests/test_email.py).
"""

from __future__ import annotations

import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr

from ..config import Config
from ..weeks import IsoWeek

CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class Body:
    """The encoded multipart/alternative body of an issue, shared by all its recipients."""

    boundary: str
    data: bytes


def encode_body(text: str, html: str) -> Body:
    """Encode the text and HTML parts once: multipart/alternative, text first, 7-bit clean."""
    # A boundary derived from the content keeps files reproducible; "=_" cannot occur in
    # quoted-printable output, so the boundary cannot collide with the parts.
    boundary = "=_digest_" + hashlib.sha256((text + html).encode("utf-8")).hexdigest()[:32]
    chunks = []
    for subtype, content in (("plain", text), ("html", html)):
        encoded = binascii.b2a_qp(content.encode("utf-8"), istext=True).decode("ascii")
        chunks.append(
            f"--{boundary}{CRLF}"
            f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
            f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
            + encoded.replace("\n", CRLF)
            + CRLF  # belongs to the next boundary delimiter (RFC 2046), not to the part
        )
    data = "".join(chunks) + f"--{boundary}--{CRLF}"
    return Body(boundary, data.encode("ascii"))


def build_message(
    *,
    cfg: Config,
    week: IsoWeek,
    subject: str,
    body: Body,
    recipient: tuple[str, str],
    token: str,
    sent: datetime,
) -> bytes:
    """Return the complete message for one recipient (display name, address), CRLF line ends."""
    if sent.tzinfo is None:
        raise ValueError("the Date header needs an aware datetime")
    email = cfg.email
    # Derived from (issue, recipient), never random: a resent message keeps its id.
    who = hashlib.sha256(recipient[1].encode("utf-8")).hexdigest()[:16]
    unsubscribe = f"{cfg.site.base_url}abmelden/{token}"
    headers = [
        ("From", formataddr((email.from_name, email.from_address), charset="utf-8")),
        ("To", formataddr(recipient, charset="utf-8")),
        ("Reply-To", email.reply_to),
        ("Subject", _encoded(subject, "Subject")),
        ("Date", format_datetime(sent)),
        ("Message-ID", f"<digest.{week}.{who}@{cfg.site.domain}>"),
        # RFC 2919: a phrase (encoded when not ASCII) and the list identifier in brackets.
        ("List-Id", f"{_encoded(cfg.site.title, 'List-Id')} <{email.list_id}>"),
        (
            "List-Unsubscribe",
            f"<{unsubscribe}>,{CRLF} "
            f"<mailto:{email.unsubscribe_mailto}?subject=abmelden%20{token}>",
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),  # RFC 8058 one-click
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative;{CRLF} boundary="{body.boundary}"'),
    ]
    head = "".join(f"{name}: {value}{CRLF}" for name, value in headers) + CRLF
    return head.encode("ascii") + body.data


def _encoded(value: str, name: str) -> str:
    """Return a header value as is when it is plain ASCII, else as RFC 2047 encoded words."""
    if value.isascii() and len(value) + len(name) < 76:
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep=CRLF)
