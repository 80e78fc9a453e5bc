"""The subscriber life cycle: sign up, confirm, change topics, unsubscribe, export, forget.

pending ──confirm──▶ active ──unsubscribe──▶ unsubscribed
   │                   └──── permanent failures in a row ──▶ bounced
   └── not confirmed within [subscribe] confirm_days: purged

Library code: it talks to the store's named queries and returns what happened; sending the
confirmation mail is the caller's job (pipeline.py), so this module knows no transport.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from ..config import Config
from ..errors import SubscriberError, UsageError
from ..models import Consent, Subscriber, SubscriberState
from ..store import Store
from .addresses import Address, AddressError, clean_name, parse_address
from .csvfile import CsvRow
from .tokens import Purpose, Tokens

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Proof:
    """Where a consent came from: the request's IP and user agent on the web, else None."""

    source: str  # "web" or "cli"
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class SignUp:
    """What `add` did. `confirm_token` is set when a confirmation mail must go out now."""

    subscriber: Subscriber
    outcome: Literal["created", "renewed", "resent", "unchanged"]
    confirm_token: str | None


def parse_topics(text: str | Sequence[str] | None, keys: Sequence[str]) -> tuple[str, ...]:
    """Turn 'partnerships,policy' into topic keys in digest order; empty or 'all' means all."""
    if text is None:
        return ()
    items = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    wanted = {item.strip().lower() for item in items if item.strip()}
    if wanted in (set(), {"all"}):
        return ()
    unknown = sorted(wanted - set(keys))
    if unknown:
        raise UsageError(
            f"unknown topic{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            f"choose from: {', '.join(keys)} (or leave empty for all)",
        )
    chosen = tuple(k for k in keys if k in wanted)
    return () if len(chosen) == len(keys) else chosen


def address_of(text: str) -> Address:
    try:
        return parse_address(text)
    except AddressError as exc:
        raise UsageError(f"{text!r} is not a usable email address: {exc}") from None


class Subscriptions:
    """Subscriber operations on one open store, with the site's rules and a clock."""

    def __init__(self, store: Store, cfg: Config, tokens: Tokens, now: Clock) -> None:
        self.store = store
        self.cfg = cfg
        self.tokens = tokens
        self.now = now

    @property
    def confirm_window(self) -> timedelta:
        return timedelta(days=self.cfg.subscribe.confirm_days)

    def purge(self) -> int:
        """Delete sign-ups that were not confirmed in time; return how many."""
        with self.store.transaction():
            return self.store.purge_pending(self.now() - self.confirm_window)

    def add(
        self,
        address: str,
        name: str | None = None,
        topics: str | Sequence[str] | None = None,
        source: str = "cli",
    ) -> SignUp:
        """Sign an address up (pending) and say whether a confirmation mail is due.

        The outcome is for the operator; a web form must answer the same whatever it is,
        so that nobody can find out who subscribes.
        """
        addr = address_of(address)
        chosen = parse_topics(topics, self.cfg.topic_keys)
        now = self.now()
        self.purge()
        with self.store.transaction():
            known = self.store.subscriber_by_key(addr.key)
            if known is None:
                new_id = self.store.add_subscriber(
                    email=addr.display,
                    email_ascii=addr.ascii,
                    email_key=addr.key,
                    name=clean_name(name),
                    topics=chosen,
                    state="pending",
                    signup_source=source,
                    now=now,
                )
                return self._mail_due(new_id, "created", now)
            if known.state == "active":
                return SignUp(known, "unchanged", None)
            if known.state == "pending":
                last = known.optin_sent_at or known.created_at
                if now - last < timedelta(minutes=self.cfg.subscribe.resend_minutes):
                    return SignUp(known, "unchanged", None)
                self.store.update_subscriber(known.id, now, topics=chosen)
                return self._mail_due(known.id, "resent", now)
            # Unsubscribed or bounced: a new sign-up is a new wish; it needs a new confirmation.
            self.store.update_subscriber(
                known.id, now, state="pending", topics=chosen, name=clean_name(name) or known.name
            )
            return self._mail_due(known.id, "renewed", now)

    def _mail_due(self, subscriber_id: int, outcome: Any, now: datetime) -> SignUp:
        current = self.store.subscriber(subscriber_id)
        assert current is not None
        self.store.update_subscriber(
            subscriber_id, now, optin_sent_at=now, optin_count=current.optin_count + 1
        )
        fresh = self.store.subscriber(subscriber_id)
        assert fresh is not None
        return SignUp(fresh, outcome, self.tokens.make("confirm", subscriber_id, now))

    def confirm(self, token: str, proof: Proof) -> Subscriber:
        """Confirm a sign-up with its token; store the consent proof. Confirming twice is fine."""
        now = self.now()
        subscriber_id = self.tokens.check("confirm", token, now=now, max_age=self.confirm_window)
        consent = self.cfg.consent
        with self.store.transaction():
            known = self.store.subscriber(subscriber_id)
            if known is None:
                raise SubscriberError(
                    "this sign-up no longer exists",
                    "it was not confirmed in time or was deleted; sign up again",
                )
            if known.state != "pending":
                return known
            self.store.update_subscriber(
                known.id,
                now,
                state="active",
                confirmed_at=now,
                bounces=0,
                consent=Consent(
                    version=consent.version,
                    text_hash=consent.text_hash,
                    at=now,
                    source=proof.source,
                    ip=proof.ip,
                    user_agent=(proof.user_agent or "")[:500] or None,
                ),
            )
            # Confirming again after being forgotten is a fresh, proven consent.
            self.store.unsuppress(self.tokens.address_hash(known.email_key))
            confirmed = self.store.subscriber(known.id)
        assert confirmed is not None
        return confirmed

    def renew(self, subscriber_id: int) -> SignUp | None:
        """A new confirmation mail for a pending sign-up whose link expired; None if it is
        gone. An active one comes back unchanged, and so does one inside the resend pause."""
        now = self.now()
        with self.store.transaction():
            known = self.store.subscriber(subscriber_id)
            if known is None or known.state not in ("pending", "active"):
                return None
            last = known.optin_sent_at or known.created_at
            pause = timedelta(minutes=self.cfg.subscribe.resend_minutes)
            if known.state == "active" or now - last < pause:
                return SignUp(known, "unchanged", None)
            return self._mail_due(known.id, "resent", now)

    def mail_failed(self, subscriber_id: int) -> None:
        """The confirmation mail did not go out: let the address be added again at once."""
        with self.store.transaction():
            self.store.update_subscriber(subscriber_id, self.now(), optin_sent_at=None)

    def get(self, subscriber_id: int) -> Subscriber | None:
        return self.store.subscriber(subscriber_id)

    def by_token(self, purpose: Purpose, token: str) -> Subscriber | None:
        """The subscriber of an unsubscribe or preferences link; None if they were erased.

        Raises SubscriberError (BadToken, WrongPurpose) for a link that is not genuine."""
        if purpose == "confirm":
            raise ValueError("confirm links are checked by confirm(), which knows their age")
        return self.store.subscriber(self.tokens.check(purpose, token))

    def find(self, address: str) -> Subscriber:
        addr = address_of(address)
        known = self.store.subscriber_by_key(addr.key)
        if known is None:
            raise SubscriberError(
                f"no subscriber with the address {addr.display}",
                "see `digest subscribers list`",
            )
        return known

    def listing(self, state: SubscriberState | None = None) -> Iterator[Subscriber]:
        """Stream the subscribers (of one state) in the order they signed up."""
        return self.store.subscribers(state)

    def counts(self) -> dict[str, int]:
        """How many subscribers are in each state."""
        return self.store.subscriber_counts()

    def unsubscribe(self, subscriber: Subscriber) -> Subscriber:
        """Unsubscribe; doing it twice is fine. A pending sign-up is deleted outright."""
        now = self.now()
        with self.store.transaction():
            if subscriber.state == "pending":
                self.store.delete_subscriber(subscriber.id)
                return subscriber
            if subscriber.state != "unsubscribed":
                self.store.update_subscriber(
                    subscriber.id, now, state="unsubscribed", unsubscribed_at=now
                )
            changed = self.store.subscriber(subscriber.id)
        assert changed is not None
        return changed

    def set_topics(self, subscriber: Subscriber, topics: str | Sequence[str]) -> Subscriber:
        chosen = parse_topics(topics, self.cfg.topic_keys)
        with self.store.transaction():
            self.store.update_subscriber(subscriber.id, self.now(), topics=chosen)
            changed = self.store.subscriber(subscriber.id)
        assert changed is not None
        return changed

    def export(self, address: str) -> dict[str, Any]:
        """Everything stored about one person (DSGVO Art. 15), as JSON-ready data."""
        s = self.find(address)
        consent = s.consent
        return {
            "email": s.email,
            "name": s.name,
            "state": s.state,
            "topics": list(s.topics) or "all",
            "signup_source": s.signup_source,
            "created_at": _iso(s.created_at),
            "updated_at": _iso(s.updated_at),
            "confirmed_at": _iso(s.confirmed_at),
            "unsubscribed_at": _iso(s.unsubscribed_at),
            "confirmation_mails": s.optin_count,
            "last_confirmation_mail_at": _iso(s.optin_sent_at),
            "permanent_failures_in_a_row": s.bounces,
            "consent": None
            if consent is None
            else {
                "text_version": consent.version,
                "text_sha256": consent.text_hash,
                "at": _iso(consent.at),
                "source": consent.source,
                "ip": consent.ip,
                "user_agent": consent.user_agent,
            },
            "deliveries": [
                {
                    "week": d.week,
                    "state": d.state,
                    "topics": d.variant,
                    "attempts": d.attempts,
                    "message_id": d.message_id,
                    "last_reply": d.last_reply,
                    "sent_at": _iso(d.sent_at),
                    "updated_at": _iso(d.updated_at),
                }
                for d in self.store.deliveries_of(s.id)
            ],
        }

    def import_rows(
        self, rows: Sequence[CsvRow], *, consent_documented: bool, send_opt_in: bool
    ) -> Imported:
        """Add the rows of a CSV file in one transaction; known and suppressed ones are skipped.

        Rows become active only when the file documents consent and the operator vouches for
        it (`consent_documented`); otherwise they are pending and need the opt-in mail.
        """
        out = Imported()
        now = self.now()
        self.purge()
        with self.store.transaction():
            keys = [r.address.key for r in rows]
            known = self.store.known_keys(keys)
            hashes = {r.address.key: self.tokens.address_hash(r.address.key) for r in rows}
            suppressed = self.store.suppressed(list(hashes.values()))
            for row in rows:
                if row.address.key in known:
                    out.known += 1
                    continue
                if hashes[row.address.key] in suppressed:
                    out.suppressed += 1
                    continue
                active = consent_documented and row.consented_at is not None
                new_id = self.store.add_subscriber(
                    email=row.address.display,
                    email_ascii=row.address.ascii,
                    email_key=row.address.key,
                    name=row.name,
                    topics=row.topics,
                    state="active" if active else "pending",
                    signup_source="import",
                    now=now,
                    consent=_import_consent(row) if active else None,
                )
                if active:
                    out.active += 1
                    continue
                out.pending += 1
                if send_opt_in:
                    out.mails.append(self._mail_due(new_id, "created", now))
        return out

    def forget(self, address: str) -> bool:
        """Erase a person (DSGVO Art. 17) and suppress the address; return whether it was known.

        Only a keyed hash of the address stays, so an import cannot silently add it again.
        """
        addr = address_of(address)
        with self.store.transaction():
            known = self.store.subscriber_by_key(addr.key)
            if known is not None:
                self.store.erase_deliveries(known.id)
                self.store.delete_subscriber(known.id)
            self.store.suppress(self.tokens.address_hash(addr.key), "forgotten", self.now())
        return known is not None


@dataclass
class Imported:
    """What an import added: subscribers and, for pending ones with --send-opt-in, mails due."""

    active: int = 0
    pending: int = 0
    known: int = 0  # already a subscriber (in any state): left as they are
    suppressed: int = 0  # forgotten addresses: never re-added by an import
    mails: list[SignUp] = field(default_factory=list)


def _import_consent(row: CsvRow) -> Consent:
    # The consent was given elsewhere, under a text we do not have: record where and when,
    # and say so in the version instead of pretending it was our current text.
    assert row.consented_at is not None
    return Consent(
        version="import",
        text_hash="",
        at=row.consented_at,
        source=f"import: {row.consent_source or 'unknown'}",
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
