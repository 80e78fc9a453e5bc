"""Build MIME messages (RFC 5322, 2045, 2047, 2369, 2919, 8058) by splicing, not per recipient.

The message is assembled directly rather than through email.message.EmailMessage, which
costs milliseconds per message. The body (both parts, quoted-printable, see
delivery/quoted_printable.py) is encoded once per variant, leaving gaps where the personal
tokens go (the unsubscribe and preference links); per recipient only the headers are
formatted and the tokens spliced into the gaps. The result parses cleanly with the stdlib
email package (see tests/test_message.py).

How a gap stays valid quoted-printable: the text before it ends with a soft line break
("=" CRLF), the token stands on a line of its own (tokens are URL-safe ASCII, which QP
carries literally; a long one is split by further soft breaks), and a soft break follows it.
A decoder joins the soft-broken lines, so the link reads whole in both parts.

Headers are 7-bit. The addresses, base_url and list_id taken from the config are already ASCII:
load_config converts an internationalised domain to punycode once, at load time (config_site.py
and config_email.py), so nothing here converts it again; the subscriber's To address comes in
its ASCII form from subscribers/addresses.py.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache

from ..config import Config
from ..encoded_words import encoded_words
from ..subscribers.addresses import format_mailbox
from . import quoted_printable

CRLF = "\r\n"
_TOKEN = re.compile(r"[A-Za-z0-9._~-]+")
_QP_LINE = quoted_printable.LINE


@dataclass(frozen=True, slots=True)
class Body:
    """An encoded multipart/alternative body with gaps for the personal tokens."""

    boundary: str
    pieces: tuple[bytes, ...]  # encoded bytes; a gap lies between each two pieces
    gaps: tuple[str, ...]  # the placeholder whose value fills each gap

    def fill(self, values: Mapping[str, str]) -> bytes:
        """Return the body with every gap filled from `values` (placeholder -> token)."""
        out = [self.pieces[0]]
        for gap, piece in zip(self.gaps, self.pieces[1:], strict=True):
            out.append(_token_lines(values[gap]))
            out.append(piece)
        return b"".join(out)

    @property
    def data(self) -> bytes:
        """The body with the placeholders themselves in the gaps (for previews)."""
        return self.fill({gap: gap for gap in self.gaps})


def encode_body(
    text: str | bytes, html: str | bytes | Sequence[bytes], placeholders: Sequence[str] = ()
) -> Body:
    """Encode the text and HTML parts once: multipart/alternative, text first, 7-bit clean.

    Each part is a str, or bytes already in UTF-8; the HTML may also come as a sequence of
    UTF-8 pieces (render/mjml.py's skeleton pieces and texts). Each piece is encoded on its
    own and ends in a soft line break, so a decoder reads the pieces back joined; a piece
    seen before (every week's skeleton pieces) is not encoded again. Each occurrence of a
    placeholder becomes a gap that `Body.fill` fills per recipient.
    """
    plain = _utf8(text)
    html_pieces = (_utf8(html),) if isinstance(html, (str, bytes)) else tuple(html)
    parts = (("plain", (plain,)), ("html", html_pieces))
    # A boundary derived from the content keeps files reproducible; "=_" cannot occur in
    # quoted-printable output nor in a token, so the boundary cannot collide with the parts
    # whatever it holds: a CRC of the text part (the cheapest checksum; the HTML shows the
    # same texts, and its CRC cost as much as encoding a fifth of the week's texts) and the
    # HTML's length.
    boundary = f"=_digest_{zlib.crc32(plain):08x}{sum(map(len, html_pieces)):08x}"
    marks = tuple(placeholders)
    pieces: list[bytes] = []
    gaps: list[str] = []
    current: list[bytes] = []
    for subtype, data in parts:
        current.append(
            (
                f"--{boundary}{CRLF}"
                f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
                f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
            ).encode("ascii")
        )
        last = len(data) - 1
        for index, piece in enumerate(data):
            for item in _encoded_piece(piece, marks, index < last):
                if isinstance(item, str):  # a placeholder: the piece before ends softly
                    pieces.append(b"".join(current))
                    gaps.append(item)
                    current = []
                else:
                    current.append(item)
        current.append(b"\r\n")  # belongs to the next boundary delimiter (RFC 2046)
    current.append(f"--{boundary}--{CRLF}".encode("ascii"))
    pieces.append(b"".join(current))
    return Body(boundary, tuple(pieces), tuple(gaps))


def _utf8(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


_Encoded = tuple[bytes | str, ...]
# What each recent piece became, by the piece's identity: a kept skeleton's pieces are the
# same bytes objects every week (render/mjml.py), and looking a piece up by its identity
# costs nothing, where a lookup by value hashed every week's 50 KB of new text to miss.
# Each entry holds its piece, so no other object can take its id while it is kept.
_ENCODED: OrderedDict[tuple[int, bool], tuple[bytes, tuple[str, ...], _Encoded]] = OrderedDict()
_ENCODED_KEPT = 64  # pieces: a week has about twenty, half of them its skeleton's (about 1 MiB)


def _encoded_piece(data: bytes, placeholders: tuple[str, ...], soft: bool) -> _Encoded:
    """`data` quoted-printable, cut at each placeholder: the encoded chunks and, between
    them, the placeholders (str); every chunk before a placeholder ends in a soft break, and
    so does the last one if `soft` (another piece follows on its line)."""
    key = (id(data), soft)
    found = _ENCODED.get(key)
    if found is not None and found[0] is data and found[1] == placeholders:
        _ENCODED.move_to_end(key)
        return found[2]
    chunks = _splitter(placeholders).split(data) if placeholders else [data]
    items: list[bytes | str] = []
    for index, chunk in enumerate(chunks):
        if index % 2:
            if items and isinstance(items[-1], bytes):
                items[-1] = _soft_end(items[-1])
            items.append(chunk.decode("ascii"))
        elif chunk:
            items.append(quoted_printable.encode(chunk))
    if soft and items and isinstance(items[-1], bytes):
        items[-1] = _soft_end(items[-1])
    result = tuple(items)
    _ENCODED[key] = (data, placeholders, result)
    _ENCODED.move_to_end(key)
    if len(_ENCODED) > _ENCODED_KEPT:
        _ENCODED.popitem(last=False)
    return result


@lru_cache(maxsize=16)
def _splitter(placeholders: tuple[str, ...]) -> re.Pattern[bytes]:
    return re.compile(b"(" + b"|".join(re.escape(p.encode("ascii")) for p in placeholders) + b")")


def _soft_end(encoded: bytes) -> bytes:
    """End encoded text with a soft line break, keeping its last line within 76 characters."""
    if encoded.endswith(b"\r\n") or not encoded:
        return encoded
    head, newline, last = encoded.rpartition(b"\r\n")
    prefix = head + newline
    lines = []
    while len(last) > _QP_LINE - 1:
        # Break before column 76, but never inside an "=XX" escape.
        cut = _QP_LINE - 1
        escape = last.rfind(b"=", cut - 2, cut)
        if escape != -1:
            cut = escape
        lines.append(last[:cut])
        last = last[cut:]
    lines.append(last)
    return prefix + b"".join(line + b"=\r\n" for line in lines)


def _token_lines(token: str) -> bytes:
    """A token as QP lines of its own, each ending in a soft line break."""
    if not _TOKEN.fullmatch(token):
        raise ValueError(f"a token must be URL-safe ASCII, got {token!r}")
    step = _QP_LINE - 1  # room for the "=" of the soft break
    return b"".join(
        token[i : i + step].encode("ascii") + b"=\r\n" for i in range(0, len(token), step)
    )


def message_id(kind: str, key: str, domain: str) -> str:
    """A Message-ID such as <digest.2019-W38.3f9a…@digest.example.de>, derived, never random."""
    return f"<digest.{kind}.{key}@{domain}>"


@lru_cache(maxsize=64)
def preview_key(address: str) -> str:
    return hashlib.sha256(address.encode("utf-8")).hexdigest()[:16]


def build_message(
    *,
    cfg: Config,
    subject: str,
    body: Body,
    to: str,
    message_id: str,
    sent: datetime,
    tokens: Mapping[str, str] | None = None,
    unsubscribe: str | None = None,
) -> bytes:
    """Return one recipient's complete message, CRLF line ends.

    `to` is the formatted To header value; `tokens` fills the body's gaps. With `unsubscribe`
    (that recipient's unsubscribe token) the message carries the list headers of a newsletter
    (List-Id, List-Unsubscribe with one-click); without, it is a transactional mail.
    """
    if sent.tzinfo is None:
        raise ValueError("the Date header needs an aware datetime")
    email = cfg.email
    headers = [
        ("From", _from_header(email.from_name, email.from_address)),
        ("To", _folded("To", to)),
        ("Reply-To", email.reply_to),
        ("Subject", _encoded(subject, "Subject")),
        ("Date", format_datetime(sent)),
        ("Message-ID", message_id),
    ]
    if unsubscribe is not None:
        if not _TOKEN.fullmatch(unsubscribe):
            raise ValueError(f"a token must be URL-safe ASCII, got {unsubscribe!r}")
        link = f"{cfg.site.base_url}abmelden/{unsubscribe}"
        headers += [
            # RFC 2919: a phrase (encoded when not ASCII) and the list identifier in brackets.
            ("List-Id", f"{_encoded(cfg.site.title, 'List-Id')}{CRLF} <{email.list_id}>"),
            (
                "List-Unsubscribe",
                f"<{link}>,{CRLF} <mailto:{email.unsubscribe_mailto}?subject=abmelden%20"
                f"{unsubscribe}>",
            ),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),  # RFC 8058 one-click
        ]
    headers += [
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative;{CRLF} boundary="{body.boundary}"'),
    ]
    head = "".join(f"{name}: {value}{CRLF}" for name, value in headers) + CRLF
    data = body.fill(tokens) if tokens is not None else body.data
    return head.encode("ascii") + data


@lru_cache(maxsize=64)
def _from_header(name: str, address: str) -> str:
    """The From mailbox as the To header has it (a name too long for one RFC 2047 word gets
    several), folded like it (see _folded)."""
    return _folded("From", format_mailbox(name, address))


def _folded(name: str, mailbox: str) -> str:
    """A mailbox header value folded at spaces into lines of at most 76 characters where it
    can be: between the words of a name without quotes, and before the address. An encoded
    word too long for the first line after the header's name starts on the next (RFC 2047
    §2: 76 a line holding one). A short value stays as it is."""
    first = 76 - len(name) - 2
    if len(mailbox) <= first:
        return mailbox
    words = mailbox.split(" ") if '"' not in mailbox else mailbox.rsplit(" ", 1)
    lines = ["", words[0]] if len(words[0]) > first and words[0].startswith("=?") else [words[0]]
    for word in words[1:]:
        room = first if len(lines) == 1 else 75  # a folded line starts with its space
        if len(lines[-1]) + 1 + len(word) > room:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}"
    return (CRLF + " ").join(lines)


@lru_cache(maxsize=256)
def _encoded(value: str, name: str) -> str:
    """Return a header value as is when it is plain ASCII, else as RFC 2047 encoded words,
    one per line, the first after the header's name."""
    if value.isascii() and len(value) + len(name) < 76:
        return value
    return (CRLF + " ").join(encoded_words(value, first_room=76 - len(name) - 2))
