"""The body's quoted-printable (delivery/quoted_printable.py): valid, within 76 characters a line,
and read back by every decoder as the text's UTF-8, whatever characters the text holds."""

from __future__ import annotations

import binascii
import email
import email.policy
import quopri
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.delivery.quoted_printable import encode as _qp

LINE = 76

# Valid encoded text: literal printable ASCII but "=", escapes in upper case, soft breaks.
_VALID_LINE = re.compile(rb"(?:[\x21-\x3c\x3e-\x7e \t]|=[0-9A-F]{2})*=?")

# Mail-like text: words, umlauts and typographic quotes, "=" in markup, spaces and tabs next
# to line ends, long words and URLs, empty lines, a "." alone, and the odd control character.
_PIECES = st.sampled_from(
    [
        "Wort",
        " ",
        "  ",
        "\t",
        "\n",
        "\n\n",
        "ä",
        "ß",
        "„Zitat“",
        "…",
        "€",
        "😀",
        "=",
        "==",
        'style="a:b"',
        "=C3",
        "x" * 75,
        "https://example.de/" + "y" * 90,
        ".",
        "\r",
        "\x00",
        "\x7f",
        "\x0b",
    ]
)


def _decoded_by_email(encoded: bytes) -> str:
    raw = (
        b'Content-Type: text/plain; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + encoded
    )
    part = email.message_from_bytes(raw, policy=email.policy.default)
    assert not part.defects
    return str(part.get_content())


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_encoded_text_decodes_back_within_the_line_limit(text: str) -> None:
    encoded = _qp(text.encode("utf-8"))
    assert encoded.isascii()
    lines = encoded.split(b"\r\n")
    assert all(len(line) <= LINE for line in lines), "line over 76"
    assert b"\n" not in encoded.replace(b"\r\n", b""), "bare line feed"
    assert all(_VALID_LINE.fullmatch(line) for line in lines)
    assert not any(line.endswith((b" ", b"\t")) for line in lines), "whitespace at line end"
    want = text.encode("utf-8").replace(b"\n", b"\r\n")
    assert binascii.a2b_qp(encoded) == want
    assert quopri.decodestring(encoded) == want
    if "\r" not in text:  # the email package reads CR alone as a line end of its own
        assert _decoded_by_email(encoded).replace("\r\n", "\n") == text.replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("a=b", b"a=3Db"),
        ("Grüße", b"Gr=C3=BC=C3=9Fe"),
        ("„x“ …", b"=E2=80=9Ex=E2=80=9C =E2=80=A6"),
        ("ende \nweiter\t\n", b"ende=20\r\nweiter=09\r\n"),
        ("rest ", b"rest=20"),
        ("", b""),
    ],
)
def test_known_encodings(text: str, encoded: bytes) -> None:
    assert _qp(text.encode("utf-8")) == encoded


def test_a_long_line_breaks_softly_and_never_inside_an_escape() -> None:
    text = ("ab" + "ä" * 40 + "=") * 20
    lines = _qp(text.encode("utf-8")).split(b"\r\n")
    assert len(lines) > 20 and all(len(line) <= 76 for line in lines)
    assert all(line.endswith(b"=") for line in lines[:-1])
    assert all(re.fullmatch(rb"(?:[a-b]|=[0-9A-F]{2})*=?", line) for line in lines)
    assert binascii.a2b_qp(b"\r\n".join(lines)) == text.encode("utf-8")
