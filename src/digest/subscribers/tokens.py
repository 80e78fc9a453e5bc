"""Signed tokens for the links in mails, and the secret that signs them.

A token names its purpose and its subscriber: the purpose is the itsdangerous salt, so a
token made for one purpose fails the signature check for every other, and signatures are
compared in constant time (hmac.compare_digest inside itsdangerous). Confirm tokens carry
their issue time and expire; unsubscribe and preference tokens do not, so the links in old
mails keep working, and they are deterministic, so a resent mail carries the same links.

The secret comes from DIGEST_SECRET or, when that is unset, from a key file beside the store
created on first use with mode 0600. Never from config.toml: that file is shared and versioned.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer

from ..errors import SubscriberError

Purpose = Literal["confirm", "unsubscribe", "preferences"]
PURPOSES: tuple[Purpose, ...] = ("confirm", "unsubscribe", "preferences")
SECRET_ENV = "DIGEST_SECRET"
KEY_FILE_NAME = "digest.key"
_NAMES = {"confirm": "confirmation", "unsubscribe": "unsubscribe", "preferences": "preferences"}


def load_secret(store_path: Path) -> bytes:
    """Return the signing secret: DIGEST_SECRET, else the key file beside the store."""
    from_env = os.environ.get(SECRET_ENV, "")
    if from_env:
        if len(from_env) < 16:
            raise SubscriberError(
                f"{SECRET_ENV} is too short ({len(from_env)} characters)",
                "use at least 32 random characters, e.g. from `python -c "
                "'import secrets; print(secrets.token_urlsafe(32))'`",
            )
        return from_env.encode("utf-8")
    path = store_path.parent / KEY_FILE_NAME
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SubscriberError(
            f"cannot read the key file {path}: {exc}", f"check its permissions or set {SECRET_ENV}"
        ) from None
    key = secrets.token_urlsafe(48).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not both write a key; the loser reads.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise SubscriberError(
            f"cannot create the key file {path}: {exc}", f"check permissions or set {SECRET_ENV}"
        ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
    print(
        f"digest: created a new signing key in {path} (mode 0600); keep it with the store "
        f"and back it up, or set {SECRET_ENV} instead. Links in sent mails depend on it.",
        file=sys.stderr,
    )
    return key


class Tokens:
    """Make and check the signed tokens of one secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._signers = {p: URLSafeSerializer(secret, salt=f"digest.{p}") for p in PURPOSES}

    def make(self, purpose: Purpose, subscriber_id: int, now: datetime | None = None) -> str:
        """Return the token for `purpose` and subscriber; confirm tokens need `now`."""
        if purpose == "confirm":
            if now is None:
                raise ValueError("a confirm token needs its issue time")
            payload: list[int] = [subscriber_id, int(now.timestamp())]
        else:
            payload = [subscriber_id]
        token: str = self._signers[purpose].dumps(payload)
        return token

    def check(
        self,
        purpose: Purpose,
        token: str,
        *,
        now: datetime | None = None,
        max_age: timedelta | None = None,
    ) -> int:
        """Return the subscriber id of a valid token; raise SubscriberError saying why not."""
        token = token.strip()
        try:
            payload = self._signers[purpose].loads(token)
        except BadSignature:
            for other in PURPOSES:
                if other != purpose and self._valid(other, token):
                    raise WrongPurpose(
                        other,
                        purpose,
                        f"this is {_article(other)} {_NAMES[other]} link, "
                        f"not {_article(purpose)} {_NAMES[purpose]} link",
                        "use the link meant for what you want to do",
                    ) from None
            raise BadToken(
                f"the {_NAMES[purpose]} link is invalid or incomplete",
                "copy the whole link from the mail",
            ) from None
        if not _well_formed(payload, purpose):
            raise BadToken(f"the {_NAMES[purpose]} link is invalid", "")
        if purpose == "confirm" and max_age is not None:
            if now is None:
                raise ValueError("checking a confirm token's age needs `now`")
            issued = payload[1]
            if now.timestamp() - issued > max_age.total_seconds():
                raise TokenExpired(int(payload[0]))
        return int(payload[0])

    def _valid(self, purpose: Purpose, token: str) -> bool:
        try:
            self._signers[purpose].loads(token)
        except BadSignature:
            return False
        return True

    def address_hash(self, email_key: str) -> str:
        """A keyed hash of an address for the suppression list: it cannot be reversed by
        hashing a list of guessed addresses without the secret."""
        return hmac.new(
            self._secret, b"suppress:" + email_key.encode("utf-8"), hashlib.sha256
        ).hexdigest()

    def message_key(self, week: str, subscriber_id: int) -> str:
        """A short keyed id for the Message-ID of (week, subscriber): stable, not guessable."""
        data = f"message:{week}:{subscriber_id}".encode()
        return hmac.new(self._secret, data, hashlib.sha256).hexdigest()[:24]


class BadToken(SubscriberError):
    """A token that is forged, tampered with or cut short."""


class WrongPurpose(SubscriberError):
    """A genuine token used for another purpose: made for `actual`, used as `expected`."""

    def __init__(self, actual: Purpose, expected: Purpose, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.actual = actual
        self.expected = expected


class TokenExpired(SubscriberError):
    """A genuine confirm token that is too old; carries the subscriber id to offer a new mail."""

    def __init__(self, subscriber_id: int) -> None:
        super().__init__(
            "the confirmation link has expired",
            "sign up again to get a new confirmation mail",
        )
        self.subscriber_id = subscriber_id


def _article(purpose: Purpose) -> str:
    return "an" if purpose == "unsubscribe" else "a"


def _well_formed(payload: object, purpose: Purpose) -> bool:
    size = 2 if purpose == "confirm" else 1
    return (
        isinstance(payload, list)
        and len(payload) == size
        and all(isinstance(v, int) and not isinstance(v, bool) for v in payload)
    )
