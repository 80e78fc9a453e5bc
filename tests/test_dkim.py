"""DKIM signing: a real weekly message signed and verified, tampering, bad key files."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from email.utils import formataddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dkim
import dkim.crypto
import dkim.util
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from digest.config import Config
from digest.config_delivery import DkimConfig
from digest.delivery.dkim import SIGNED_HEADERS, DkimSigner
from digest.delivery.message import build_message, encode_body, message_id
from digest.delivery.transport import TransportError

SELECTOR, DOMAIN = "woche2019", "digest.example.de"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: Any, fmt: serialization.PrivateFormat) -> bytes:
    return bytes(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))


@pytest.fixture
def key_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "dkim.pem"
    path.write_bytes(_pem(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL))
    return path


@pytest.fixture
def signer(key_file: Path) -> DkimSigner:
    return DkimSigner(DkimConfig(key_file, SELECTOR, DOMAIN))


def _dns(key: rsa.RSAPrivateKey) -> Any:
    """A resolver answering only the selector's TXT record, as a DNS zone would."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)

    def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return dnsfunc


@pytest.fixture
def weekly(repo_config: Config) -> bytes:
    """A real issue message of about 40 KB, with umlauts, folded headers and both parts."""
    para = "Die Stadt Köln startet ein Förderprogramm für digitale Bürgerdienste. "
    text = "\n\n".join(para * 4 for _ in range(60))
    html = "<p>" + "</p>\n<p>".join(para * 4 for _ in range(60)) + "</p>"
    return build_message(
        cfg=repo_config,
        subject="Wochenrückblick KW 38/2019",
        body=encode_body(text, html),
        to=formataddr(("Erika Müller", "erika@example.de"), charset="utf-8"),
        message_id=message_id("2019-W38", "3f9a0c1d2e4b5a69", DOMAIN),
        sent=datetime(2019, 9, 23, 7, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        unsubscribe="tok3n",
    )


def _tags(signed: bytes) -> dict[bytes, bytes]:
    head = signed.split(b"\r\n\r\n", 1)[0]
    field = re.match(rb"DKIM-Signature: (.*?)\r\n(?! )", head + b"\r\n", re.S)
    assert field, "no DKIM-Signature header at the top"
    tags: dict[bytes, bytes] = dkim.util.parse_tag_value(field.group(1))
    return tags


def test_sign_and_verify(signer: DkimSigner, weekly: bytes, rsa_key: rsa.RSAPrivateKey) -> None:
    assert 30_000 < len(weekly) < 60_000
    signed = signer.sign(weekly)
    assert signed.startswith(b"DKIM-Signature: ") and signed.endswith(weekly)
    assert b"\n" not in signed.replace(b"\r\n", b""), "a bare LF crept in"
    assert b"\r" not in signed.replace(b"\r\n", b""), "a bare CR crept in"
    assert max(len(line) for line in signed.split(b"\r\n")) <= 998
    assert dkim.verify(signed, dnsfunc=_dns(rsa_key))
    tags = _tags(signed)
    signed_headers = [h.strip() for h in re.sub(rb"\s+", b"", tags[b"h"]).split(b":")]
    assert signed_headers == list(SIGNED_HEADERS)
    assert {b"list-unsubscribe", b"list-unsubscribe-post"} <= set(signed_headers)  # RFC 8058
    assert tags[b"c"] == b"relaxed/relaxed" and tags[b"a"] == b"rsa-sha256"
    assert (tags[b"d"], tags[b"s"]) == (DOMAIN.encode(), SELECTOR.encode())


def test_all_required_headers_are_present_in_the_message(weekly: bytes) -> None:
    # The signature is only worth something if the headers it lists are really there.
    head = weekly.split(b"\r\n\r\n", 1)[0].lower()
    for name in SIGNED_HEADERS:
        assert re.search(rb"^" + re.escape(name) + rb":", head, re.M), name


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"Subject: =?utf-8?", b"Subject: =?UTF-8?"),  # a different subject to a verifier
        (b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: x"),
        (b"F=C3=B6rderprogramm", b"F=C3=B6rderprogrammm"),  # the body
    ],
)
def test_tampering_breaks_the_signature(
    signer: DkimSigner, weekly: bytes, rsa_key: rsa.RSAPrivateKey, old: bytes, new: bytes
) -> None:
    signed = signer.sign(weekly)
    assert old in signed
    assert not dkim.verify(signed.replace(old, new, 1), dnsfunc=_dns(rsa_key))


def test_adding_an_unsigned_list_header_breaks_it(
    signer: DkimSigner, rsa_key: rsa.RSAPrivateKey
) -> None:
    # A message without List-Id: listing it in h= still forbids adding one later.
    plain = (
        b"From: a@digest.example.de\r\nTo: b@example.de\r\nSubject: Hallo\r\n"
        b"Date: Mon, 23 Sep 2019 07:00:00 +0200\r\nMessage-ID: <x@digest.example.de>\r\n"
        b"\r\nText\r\n"
    )
    signed = signer.sign(plain)
    assert dkim.verify(signed, dnsfunc=_dns(rsa_key))
    forged = signed.replace(b"\r\n\r\n", b"\r\nList-Id: evil <evil.example>\r\n\r\n", 1)
    assert not dkim.verify(forged, dnsfunc=_dns(rsa_key))


def test_relaxed_survives_refolding(
    signer: DkimSigner, weekly: bytes, rsa_key: rsa.RSAPrivateKey
) -> None:
    signed = signer.sign(weekly)
    refolded = signed.replace(b"Subject: ", b"Subject:\r\n\t ", 1).replace(
        b"MIME-Version: 1.0", b"MIME-Version:   1.0  ", 1
    )
    assert dkim.verify(refolded, dnsfunc=_dns(rsa_key))


@pytest.mark.parametrize(
    "fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL]
)
def test_pkcs8_and_crlf_key_files(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, fmt: serialization.PrivateFormat
) -> None:
    # OpenSSL 3's genrsa writes PKCS#8; a key copied via Windows may have CRLF line ends.
    path = tmp_path / "key.pem"
    path.write_bytes(_pem(rsa_key, fmt).replace(b"\n", b"\r\n"))
    signer = DkimSigner(DkimConfig(path, SELECTOR, DOMAIN))
    assert dkim.verify(signer.sign(b"From: a@b.de\r\n\r\nx\r\n"), dnsfunc=_dns(rsa_key))


def test_missing_key_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "dkim.pem"
    with pytest.raises(TransportError) as caught:
        DkimSigner(DkimConfig(path, SELECTOR, DOMAIN))
    assert str(path) in caught.value.message
    assert "No such file" in caught.value.message
    assert "openssl genrsa -out" in caught.value.hint
    assert f"{SELECTOR}._domainkey.{DOMAIN}" in caught.value.hint
    assert "v=DKIM1; k=rsa; p=" in caught.value.hint


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a key\n",
        b"",
        b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        b"-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----\n",
    ],
)
def test_garbage_key_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "dkim.pem"
    path.write_bytes(content)
    with pytest.raises(TransportError) as caught:
        DkimSigner(DkimConfig(path, SELECTOR, DOMAIN))
    assert str(path) in caught.value.message
    assert "openssl genrsa" in caught.value.hint


def test_ed25519_pem_is_refused(tmp_path: Path) -> None:
    # dkimpy wants ed25519 keys as raw base64 plus PyNaCl, which digest does not install.
    path = tmp_path / "ed.pem"
    path.write_bytes(_pem(ed25519.Ed25519PrivateKey.generate(), serialization.PrivateFormat.PKCS8))
    with pytest.raises(TransportError, match="not a PEM RSA private key"):
        DkimSigner(DkimConfig(path, SELECTOR, DOMAIN))


def test_short_key_is_refused(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # cryptography will not generate a key under 1024 bits, so shrink what dkimpy reports.
    real = dkim.crypto.parse_pem_private_key

    def short(pem: bytes) -> dict[str, Any]:
        key: dict[str, Any] = real(pem)
        return {**key, "modulus": key["modulus"] >> 1100}

    monkeypatch.setattr(dkim.crypto, "parse_pem_private_key", short)
    with pytest.raises(TransportError, match="only 948 bits"):
        DkimSigner(DkimConfig(key_file, SELECTOR, DOMAIN))


def test_unusable_domain(key_file: Path) -> None:
    with pytest.raises(TransportError, match="domain"):
        DkimSigner(DkimConfig(key_file, SELECTOR, "bad..dömain"))
    idn = DkimSigner(DkimConfig(key_file, SELECTOR, "bürger.example"))
    assert idn.domain == b"xn--brger-kva.example"
