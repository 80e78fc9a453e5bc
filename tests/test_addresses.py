"""Subscriber addresses: validation, normalisation, display names and the To header value."""

from __future__ import annotations

import email
import email.policy
import re
from email.header import decode_header, make_header
from email.headerregistry import AddressHeader, BaseHeader
from email.utils import parseaddr

import pytest

from digest.subscribers.addresses import (
    Address,
    AddressError,
    clean_name,
    format_recipient,
    parse_address,
)


def test_plain_address_keeps_local_case_but_key_is_lower() -> None:
    # The domain is normalised to lower case, the local part is kept for display, and the
    # key folds everything so Foo@X.de and foo@x.de are one subscriber.
    address = parse_address("  Foo@X.de \n")
    assert address == Address(display="Foo@x.de", ascii="Foo@x.de", key="foo@x.de")
    assert parse_address("foo@x.de").key == address.key


def test_idn_domain_has_unicode_display_and_punycode_ascii() -> None:
    address = parse_address("info@Bücher.de")
    assert address.display == "info@bücher.de"
    assert address.ascii == "info@xn--bcher-kva.de"
    assert address.key == "info@xn--bcher-kva.de"
    # The punycode spelling of the same domain is the same subscriber.
    assert parse_address("INFO@xn--bcher-kva.de").key == address.key


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("erika@x.de\r\nBcc: spy@evil.de", "control character"),
        ("erika@x.de\nfoo", "control character"),
        ("eri\x00ka@x.de", "control character"),
        ("eri\tka@x.de", "control character"),
        ("eri\u2028ka@x.de", "control character"),
        ("Erika <erika@x.de>", "display name"),
        ('"Erika" <erika@x.de>', "display name"),
        ("jörg@x.de", "internationalized characters before the @-sign"),
        ("erika", "@-sign"),
        ("erika@", "after the @-sign"),
        ("@x.de", "before the @-sign"),
        ("erika@@x.de", "invalid characters"),
        ("erika@x", "period"),
        ("erika.@x.de", "period"),
        ("erika@mail.localhost", "special-use"),
        ("erika@localhost", "period"),
        ("erika@x.test", "special-use"),
        ("erika@[192.0.2.1]", "bracketed"),
        ('"erika mustermann"@x.de', "quoting"),
        ("a" * 65 + "@x.de", "too long before the @-sign"),
        ("a" * 64 + "@" + "b" * 190 + ".de", "longer than 254"),
    ],
)
def test_rejected_addresses_say_why(text: str, reason: str) -> None:
    with pytest.raises(AddressError) as caught:
        parse_address(text)
    message = str(caught.value)
    assert reason.lower() in message.lower()
    # Cleaned up to a clause that reads well after "invalid email address 'x': ".
    assert message == message.strip() and not message.endswith(".")
    assert message[0].islower()
    assert isinstance(caught.value, ValueError)


def test_longest_allowed_local_part_is_accepted() -> None:
    assert parse_address("a" * 64 + "@x.de").ascii == "a" * 64 + "@x.de"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (None, None),
        ("", None),
        (" \r\n\t ", None),
        ("  Erika   Mustermann ", "Erika Mustermann"),
        ("Erika\r\nBcc: spy@evil.de", "Erika Bcc: spy@evil.de"),
        ("Eri\x00\x07ka", "Erika"),
        ("Eri\u0085ka\u2028M.", "Eri ka M."),
        ("Jo\u0308rg", "Jörg"),  # decomposed umlaut becomes one character (NFC)
        ("x" * 150, "x" * 100),
        ("x" * 99 + " y", "x" * 99),  # no trailing space after the cut
    ],
)
def test_clean_name(raw: str | None, clean: str | None) -> None:
    assert clean_name(raw) == clean


def _parse_to(value: str) -> email.message.EmailMessage:
    """Put the value into a real message the way delivery writes headers, and parse it."""
    raw = b"To: " + value.encode("ascii") + b"\r\nSubject: x\r\n\r\nbody\r\n"
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


@pytest.mark.parametrize(
    "name",
    [
        "Erika Mustermann",
        "Müller, Jörg",
        'Erika "Eri" Mustermann',
        "a\\b",
        "Dr. Erika M. (Büro)",
        "=?utf-8?q?not_an_encoded_word?=",
        "Jörg =?utf-8?q?x?= Müller",
        "Grüße aus 🏙️ Musterstadt – „Digitalbüro“ " * 3,  # cut to 100 characters
        "x" * 100,
        "ä" * 100,
    ],
)
def test_format_recipient_round_trips(name: str) -> None:
    # The value must be 7-bit and one line (the caller folds, or writes it as is), every
    # RFC 2047 word at most 75 characters, and parsers must get back exactly the cleaned
    # name and the ASCII address.
    address = parse_address("info@bücher.de")
    value = format_recipient(name, address)
    expected = clean_name(name)
    assert value.isascii() and "\r" not in value and "\n" not in value
    assert len("To: " + value) < 998
    assert all(len(word) <= 75 for word in re.findall(r"=\?\S*\?=", value))
    # An RFC 2047 decoder (whitespace between adjacent encoded words is dropped, 6.2).
    phrase, addr_spec = parseaddr(value)
    assert addr_spec == "info@xn--bcher-kva.de"
    assert str(make_header(decode_header(phrase))) == expected
    # The modern parser that delivery's tests use.
    header = _parse_to(value)["To"]
    assert isinstance(header, AddressHeader) and isinstance(header, BaseHeader)
    assert not header.defects
    (parsed,) = header.addresses
    assert parsed.addr_spec == "info@xn--bcher-kva.de"
    if "?= =?" in value:
        # 100 umlauts need five adjacent encoded words; Python < 3.14 keeps the spaces
        # between them in address headers (CPython gh-128110), so compare without spaces.
        assert parsed.display_name.replace(" ", "") == (expected or "").replace(" ", "")
    else:
        assert parsed.display_name == expected


def test_format_recipient_without_name_is_the_bare_address() -> None:
    address = parse_address("erika@x.de")
    assert format_recipient(None, address) == "erika@x.de"
    assert format_recipient(" \r\n ", address) == "erika@x.de"


def test_name_cannot_inject_a_header() -> None:
    value = format_recipient("Erika\r\nBcc: spy@evil.de", parse_address("erika@x.de"))
    message = _parse_to(value)
    assert message.keys() == ["To", "Subject"]
    assert message["Bcc"] is None
    (parsed,) = message["To"].addresses
    assert parsed.addr_spec == "erika@x.de"


@pytest.mark.parametrize(
    "ascii_form", ["x@y.de\r\nBcc: spy@evil.de", "x@y.de>, spy@evil.de", "jörg@y.de", "x y@z.de"]
)
def test_hand_made_unsafe_address_is_refused(ascii_form: str) -> None:
    # Addresses rebuilt by hand (e.g. from the store) must not smuggle in a header or a
    # second recipient.
    with pytest.raises(ValueError):
        format_recipient("Erika", Address(display="x", ascii=ascii_form, key="x"))
