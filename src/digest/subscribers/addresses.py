"""Subscriber e-mail addresses: validate and normalise them, clean display names, and format
the To header value.

Addresses are checked for syntax only (email-validator, never DNS): an import or a sign-up
must not depend on the network, and a bad domain shows up as a bounce later anyway. Local
parts must be ASCII because the messages we build have 7-bit headers and we do not rely on
the relay offering SMTPUTF8; internationalised *domains* are fine, they have an ASCII
(punycode) form for the envelope and the header.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email.utils import formataddr

from email_validator import EmailNotValidError, validate_email

from ..encoded_words import encoded_words
from ..models import Subscriber

MAX_ADDRESS = 254  # RFC 5321 path limit (256) minus the angle brackets
MAX_NAME = 100

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators: any of them in a header
# value could end the header line (CR/LF) or confuse a mail client (the rest).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Whitespace runs in names, including CR/LF and tabs, which become single spaces.
_WHITESPACE = re.compile(r"\s+")
# Lone surrogates cannot be encoded as UTF-8, so a name containing one could not be sent.
_SURROGATE = re.compile("[\ud800-\udfff]")
# RFC 5322 atext: a word made only of these can stand in a phrase without quotes or encoding.
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
# What parse_address can return as `ascii`: a dot-atom local part and an ASCII domain.
_ADDR_SPEC = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class Address:
    """A validated address in the three forms the rest of digest needs."""

    display: str  # normalised, Unicode domain (info@bücher.de): for people
    ascii: str  # punycode domain (info@xn--bcher-kva.de): SMTP envelope and To header
    key: str  # `ascii` lower-cased: two rows with the same key are the same subscriber


class AddressError(ValueError):
    """Text that is not a usable address; `str()` is a short English reason for the user."""


def parse_address(text: str) -> Address:
    """Validate one bare address (no display name) and return its normalised forms."""
    text = text.strip()
    if not text:
        raise AddressError("the address is empty")
    # Checked before email-validator so that a line break can never reach a header, whatever
    # the library's rules are, and so that a huge field costs nothing.
    if _CONTROL.search(text):
        raise AddressError("the address contains a line break or another control character")
    if len(text) > MAX_ADDRESS:
        raise AddressError(f"the address is longer than {MAX_ADDRESS} characters")
    try:
        # Every option is spelled out: the library's defaults are module globals that other
        # code could change. strict=True adds the 64-character limit on the local part
        # (RFC 5321), which some mail servers enforce.
        valid = validate_email(
            text,
            allow_smtputf8=False,
            allow_empty_local=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            strict=True,
            check_deliverability=False,
            test_environment=False,
            globally_deliverable=True,
        )
    except EmailNotValidError as exc:
        raise AddressError(_reason(str(exc))) from None
    ascii_form = valid.ascii_email
    if ascii_form is None:  # cannot happen with allow_smtputf8=False; keeps the types honest
        raise AddressError("the address has no ASCII form")
    return Address(display=valid.normalized, ascii=ascii_form, key=ascii_form.lower())


def _reason(message: str) -> str:
    """Turn an email-validator message into a clause: no trailing period, lower-case start
    unless the first word is an acronym."""
    message = " ".join(message.split()).rstrip(".")
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        message = message[0].lower() + message[1:]
    return message or "the address is not valid"


def clean_name(text: str | None) -> str | None:
    """Return a display name fit for a header: single spaces, no control characters,
    NFC-normalised, at most 100 characters; None when nothing is left."""
    if text is None:
        return None
    # Whitespace first, so that "Erika\r\nMustermann" keeps its space, then whatever
    # control characters are left ("\x00", "\x07") go without a trace.
    text = _CONTROL.sub("", _WHITESPACE.sub(" ", text))
    text = _SURROGATE.sub("", text)
    text = unicodedata.normalize("NFC", text).strip()[:MAX_NAME].rstrip()
    return text or None


def recipient_of(subscriber: Subscriber) -> str:
    """The To header value for a stored subscriber."""
    address = Address(subscriber.email, subscriber.email_ascii, subscriber.email_key)
    return format_recipient(subscriber.name, address)


def format_recipient(name: str | None, address: Address) -> str:
    """Return the value of a To header (see format_mailbox)."""
    return format_mailbox(name, address.ascii)


def format_mailbox(name: str | None, address: str) -> str:
    """Return a mailbox for a header (To, From): ASCII only, one line, the name quoted or
    RFC 2047 encoded as needed, `address` in its ASCII form. The name is cleaned here too,
    so no caller can inject a header."""
    if not _ADDR_SPEC.fullmatch(address):
        # Address objects come from parse_address; this guards hand-made ones (e.g. rebuilt
        # from the store), where a stray ">" or "," would add a recipient.
        raise ValueError(f"not a header-safe address: {address!r}")
    cleaned = clean_name(name)
    if cleaned is None:
        return address
    # formataddr quotes and escapes ASCII names correctly; an ASCII name that looks like an
    # encoded word ("=?...?=") would be decoded by the reader, so it is encoded as well.
    if cleaned.isascii() and "=?" not in cleaned:
        return formataddr((cleaned, address))
    return f"{_phrase(cleaned)} <{address}>"


def _phrase(name: str) -> str:
    """Encode a display name as plain atoms and RFC 2047 encoded words.

    RFC 2047 limits an encoded word to 75 characters (formataddr ignores that), so a long
    name needs several. Readers must drop the space between two adjacent encoded words, but
    Python's address parser before 3.14 keeps it (CPython gh-128110). So plain words stay
    plain, consecutive words that need encoding share one encoded word (their spaces inside
    it), and adjacent encoded words only remain where a run exceeds one word's capacity."""
    parts: list[str] = []
    run: list[str] = []
    for word in name.split(" "):  # clean_name left single spaces only
        if _ATOM.fullmatch(word) and "=?" not in word:
            if run:
                parts.append(" ".join(encoded_words(" ".join(run))))
                run = []
            parts.append(word)
        else:
            run.append(word)
    if run:
        parts.append(" ".join(encoded_words(" ".join(run))))
    return " ".join(parts)
