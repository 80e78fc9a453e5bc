"""The per-recipient splice: tokens filled into a body encoded once must give exactly the
message that encoding the personal text from scratch would give, within QP's line limits."""

from __future__ import annotations

import email
import email.policy
import random
from datetime import datetime
from email.header import decode_header
from email.utils import formataddr
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Config
from digest.delivery import message, quoted_printable
from digest.delivery.message import _encoded, build_message, encode_body, message_id

SLOTS = ("__A__", "__B__")


def _decoded(raw: bytes) -> list[str]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return [p.get_content().replace("\r\n", "\n") for p in msg.iter_parts()]


def _wrap(body_bytes: bytes) -> bytes:
    head = b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="%s"\r\n\r\n'
    boundary = body_bytes.split(b"\r\n", 1)[0][2:]
    return head % boundary + body_bytes


@pytest.mark.parametrize("seed", range(40))
def test_filled_body_decodes_to_the_personal_text(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "abcdefghij äöüß€ =.\t<>\"'" + "x" * 20

    def text() -> str:
        parts = []
        for _ in range(rng.randint(1, 6)):
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200))))
            parts.append(rng.choice([*SLOTS, "\n"]))
        return "".join(parts)

    plain, html = text(), text()
    tokens = {
        "__A__": "".join(rng.choice("abcXYZ019-_.") for _ in range(rng.randint(1, 200))),
        "__B__": "t" * rng.randint(1, 90),
    }
    body = encode_body(plain, html, SLOTS)
    raw = _wrap(body.fill(tokens))
    assert all(len(line) <= 76 for line in raw.split(b"\r\n")[4:]), "QP line over 76"
    assert all(b < 128 for b in raw)
    want = [plain, html]
    for slot, value in tokens.items():
        want = [w.replace(slot, value) for w in want]
    assert _decoded(raw) == want


@pytest.mark.parametrize("seed", range(40))
def test_html_given_in_pieces_decodes_to_the_pieces_joined(seed: int) -> None:
    """The HTML as render/mjml.py hands it over: pieces, each encoded on its own (a kept one
    from the memo), that must read back joined, with the tokens in the right places."""
    rng = random.Random(seed)
    alphabet = "abcdefghij äöüß€ =.\t<>\"'" + "x" * 20
    kept = ("<table>" + "".join(rng.choice(alphabet) for _ in range(900))).encode("utf-8")

    def piece() -> bytes:
        parts = []
        for _ in range(rng.randint(0, 4)):
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))))
            parts.append(rng.choice([*SLOTS, "\n", " ", ""]))
        return "".join(parts).encode("utf-8")

    pieces = [kept, piece(), kept, piece(), b"", piece(), kept]
    plain = "Text " + SLOTS[0]
    tokens = {"__A__": "a" * rng.randint(1, 120), "__B__": "b" * rng.randint(1, 90)}
    for _ in range(2):  # the second time the kept piece comes from the memo
        body = encode_body(plain, pieces, SLOTS)
        raw = _wrap(body.fill(tokens))
        assert all(len(line) <= 76 for line in raw.split(b"\r\n")[4:]), "QP line over 76"
        html = b"".join(pieces).decode("utf-8")
        for slot, value in tokens.items():
            html = html.replace(slot, value)
        assert _decoded(raw) == [plain.replace(SLOTS[0], tokens["__A__"]), html]


def test_a_piece_is_encoded_once_while_it_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces are remembered by identity (a kept skeleton hands over the same bytes objects
    every week): the same object is not encoded again, an equal copy is, to the same bytes,
    and the memo stays bounded."""
    calls: list[bytes] = []
    encode = quoted_printable.encode

    def counted(data: bytes) -> bytes:
        calls.append(data)
        return encode(data)

    monkeypatch.setattr(quoted_printable, "encode", counted)
    skeleton = ("<table>" + "Grüße = Größe " * 60 + "</table>").encode("utf-8")
    week = "<p>Neue Woche: Kooperation mit Zürich</p>".encode()
    end = b"</html>" * 100
    first = encode_body("Text", [skeleton, week, skeleton, end], SLOTS)
    assert calls == [b"Text", skeleton, week, end]  # the skeleton's piece once
    calls.clear()
    again = encode_body("Text", [skeleton, week, skeleton, end], SLOTS)
    assert calls == [b"Text"] and again == first  # the str text part is a new object
    calls.clear()
    copy = bytes(bytearray(skeleton))
    assert encode_body("Text", [copy, week, copy, end], SLOTS) == first
    assert calls == [b"Text", copy]
    calls.clear()
    # The same piece last (no soft break after it) is encoded once more, then kept too.
    for _ in range(2):
        data = encode_body("Text", [week, skeleton], SLOTS).data
        assert data.split(b"\r\n--=_")[-2].endswith(b"table>")  # no soft break at its end
        assert _decoded(_wrap(data)) == ["Text", (week + skeleton).decode("utf-8")]
    assert calls == [b"Text", skeleton, b"Text"]
    for n in range(3 * message._ENCODED_KEPT):  # many weeks' pieces: the memo stays bounded
        encode_body("Text", [f"<p>{n}</p>".encode("ascii")])
    assert len(message._ENCODED) == message._ENCODED_KEPT


def test_a_token_that_is_not_url_safe_is_refused() -> None:
    body = encode_body("x __A__ y", "<p>__A__</p>", SLOTS)
    with pytest.raises(ValueError, match="URL-safe"):
        body.fill({"__A__": "bad\r\nBcc: x@y"})


def test_newsletter_and_transactional_headers(repo_config: Config) -> None:
    body = encode_body("Text __A__", "<p>__A__</p>", SLOTS)
    sent = datetime(2026, 11, 23, 7, tzinfo=ZoneInfo("Europe/Berlin"))
    mid = message_id("2026-W47", "abc", "digest.example.de")
    news = build_message(
        cfg=repo_config,
        subject="Betreff",
        body=body,
        to=formataddr(("Ä", "a@example.org"), "utf-8"),
        message_id=mid,
        sent=sent,
        tokens={"__A__": "tok.1"},
        unsubscribe="unsub.2",
    )
    msg = email.message_from_bytes(news, policy=email.policy.default)
    assert msg["List-Unsubscribe"] == (
        "<https://digest.example.de/abmelden/unsub.2>, "
        "<mailto:abmelden@digest.example.de?subject=abmelden%20unsub.2>"
    )
    assert msg["Message-ID"] == mid and msg["To"].addresses[0].display_name == "Ä"
    assert _decoded(news) == ["Text tok.1", "<p>tok.1</p>"]
    plain = build_message(
        cfg=repo_config,
        subject="Betreff",
        body=body,
        to="a@example.org",
        message_id=mid,
        sent=sent,
        tokens={"__A__": "x"},
    )
    assert b"List-Unsubscribe" not in plain and b"List-Id" not in plain


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    value=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300),
    name=st.sampled_from(["Subject", "List-Id", "X-A-Rather-Long-Header-Name"]),
)
def test_a_header_value_is_encoded_in_lines_of_76_and_reads_back(value: str, name: str) -> None:
    encoded = _encoded(value, name)
    head = f"{name}: {encoded}\r\n"
    assert head.isascii()
    lines = head.split("\r\n")[:-1]
    assert all(line[:1] == " " for line in lines[1:]), "continuation lines start folded"
    if not (value.isascii() and len(value) + len(name) < 76):
        assert all(len(line) <= 76 for line in lines), "RFC 2047: 76 per line of encoded words"
        for word in encoded.split("\r\n "):  # each word holds whole characters
            assert len(word) <= 75
            ((data, charset),) = decode_header(word)
            data.decode(charset)
        msg = email.message_from_bytes(head.encode("ascii") + b"\r\n", policy=email.policy.default)
        assert msg[name] == value
    else:
        assert encoded == value


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    name=st.lists(
        st.sampled_from([*'abcXYZ äöüß€😀",.<>()@=?', "Wochenrückblick ", "Stadt"]),
        min_size=1,
        max_size=60,
    ).map("".join),
    header=st.sampled_from(["From", "To"]),
)
def test_a_mailbox_header_reads_back_within_its_line_limits(name: str, header: str) -> None:
    from digest.delivery.message import _folded
    from digest.subscribers.addresses import clean_name, format_mailbox

    head = f"{header}: {_folded(header, format_mailbox(name, 'newsletter@digest.example.de'))}\r\n"
    assert head.isascii()
    lines = head.split("\r\n")[:-1]
    assert all(line[:1] in (" ", "\t") for line in lines[1:]), "continuations start folded"
    assert all(len(line) <= 76 for line in lines if "=?" in line), "RFC 2047: 76 a line"
    msg = email.message_from_bytes(head.encode() + b"\r\n", policy=email.policy.default)
    (mailbox,) = msg[header].addresses
    assert mailbox.addr_spec == "newsletter@digest.example.de" and not msg.defects
    # CPython before 3.14 keeps the space between two adjacent encoded words (gh-128110)
    want = clean_name(name) or ""
    assert mailbox.display_name.replace(" ", "") == want.replace(" ", "")


def test_the_from_and_to_headers_of_a_message_are_folded(repo_config: Config) -> None:
    body = encode_body("Text", "<p>x</p>")
    sent = datetime(2026, 11, 23, 7, tzinfo=ZoneInfo("Europe/Berlin"))
    from digest.subscribers.addresses import format_mailbox

    to = format_mailbox("Digitalbüro Gemeinde Süd", "digitalbuero@gemeinde-sued.example")
    assert len(f"To: {to}") > 76  # one line, as subscribers/addresses.py gives it
    raw = build_message(
        cfg=repo_config, subject="Betreff", body=body, to=to, message_id="<a@b>", sent=sent
    )
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert all(len(line) <= 76 for line in head if b"=?" in line)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"].addresses[0].addr_spec == "digitalbuero@gemeinde-sued.example"
    assert msg["To"].addresses[0].display_name.replace(" ", "") == "DigitalbüroGemeindeSüd"
