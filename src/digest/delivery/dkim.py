"""Optional DKIM signing of outgoing mail (RFC 6376) with dkimpy.

The signature covers the headers a receiver judges the newsletter by, including both
List-Unsubscribe fields, which RFC 8058 §4 requires to be signed for one-click unsubscribe.
Canonicalization is relaxed/relaxed so that a relay refolding headers or trimming trailing
whitespace does not break the signature.

dkimpy signs in pure Python (its own ASN.1 parser and RSA arithmetic) and has no way to
reuse a body hash, so every sign() canonicalizes and hashes the body again; see
`DkimSigner.sign` for what that costs.
"""

from __future__ import annotations

import shlex

from ..config_delivery import DkimConfig
from .transport import PermanentFailure, TransportError

# Exactly these, in this order; a header absent from a message is still listed, which
# (RFC 6376 §5.4) stops anyone from adding it later without breaking the signature.
SIGNED_HEADERS: tuple[bytes, ...] = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"reply-to",
    b"mime-version",
    b"content-type",
)
CANONICALIZATION = (b"relaxed", b"relaxed")


class DkimSigner:
    """Signs messages with the private key, selector and domain of a [dkim] section."""

    def __init__(self, cfg: DkimConfig) -> None:
        self.selector = _ascii(cfg.selector, "selector", cfg)
        self.domain = _ascii(cfg.domain, "domain", cfg)
        self.key_file = cfg.key_file
        self._key = _load_key(cfg)

    def sign(self, message: bytes) -> bytes:
        """Return `message` with a DKIM-Signature header in front; CRLF line ends throughout.

        Raises PermanentFailure when dkimpy cannot parse this message's header.
        """
        import dkim  # here: its import (and dnspython's) costs every run 60 ms

        try:
            header: bytes = dkim.sign(
                message,
                self.selector,
                self.domain,
                self._key,
                canonicalize=CANONICALIZATION,
                include_headers=list(SIGNED_HEADERS),
                linesep=b"\r\n",  # folds and ends the signature header like the message
            )
        except dkim.DKIMException as err:
            raise PermanentFailure(f"cannot DKIM-sign this message: {err}", stage="data") from err
        return header + message


def _ascii(value: str, key: str, cfg: DkimConfig) -> bytes:
    try:
        # IDNA turns an internationalised domain into the A-label that DNS will be asked for.
        return value.encode("ascii") if value.isascii() else value.encode("idna")
    except UnicodeError as err:
        raise TransportError(
            f"[dkim] {key} {value!r} cannot be used in DNS: {err}",
            _hint(cfg),
        ) from err


def _load_key(cfg: DkimConfig) -> bytes:
    """Read the PEM key once and prove now that dkimpy can parse it, not at the first send."""
    path = cfg.key_file
    try:
        pem = path.read_bytes()
    except OSError as err:
        raise TransportError(
            f"cannot read the DKIM key file {path}: {err.strerror or err}", _hint(cfg)
        ) from err
    # dkimpy looks for "--\n" around the base64 block, so a key saved with CRLF would fail.
    pem = pem.replace(b"\r\n", b"\n")
    import dkim.crypto

    try:
        key = dkim.crypto.parse_pem_private_key(pem)
    except Exception as err:  # its hand-written ASN.1 parser fails in several ways on garbage
        raise TransportError(
            f"the DKIM key file {path} is not a PEM RSA private key (PKCS#1 or PKCS#8, "
            f"unencrypted): {err}",
            _hint(cfg),
        ) from err
    bits = int(key["modulus"]).bit_length()
    if bits < 1024:
        # RFC 8301 §3.2: verifiers must reject keys shorter than 1024 bits.
        raise TransportError(f"the DKIM key in {path} has only {bits} bits", _hint(cfg))
    return pem


def _hint(cfg: DkimConfig) -> str:
    key = shlex.quote(str(cfg.key_file))
    return (
        f"create a key with `openssl genrsa -out {key} 2048`, then "
        f"publish its public key as a DNS TXT record at "
        f"{cfg.selector}._domainkey.{cfg.domain}: "
        f'"v=DKIM1; k=rsa; p=<base64>", where <base64> is the output of '
        f"`openssl rsa -in {key} -pubout -outform DER | base64 -w0`"
    )
