"""SQL for subscribers and the suppression list of forgotten addresses."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from ..models import Consent, Subscriber, SubscriberState
from .base import StoreBase, in_chunks

_COLUMNS = (
    "id",
    "email",
    "email_ascii",
    "email_key",
    "name",
    "topics",
    "state",
    "signup_source",
    "created_at",
    "updated_at",
    "confirmed_at",
    "unsubscribed_at",
    "optin_sent_at",
    "optin_count",
    "consent_version",
    "consent_hash",
    "consent_at",
    "consent_ip",
    "consent_user_agent",
    "consent_source",
    "bounces",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM subscribers"
# Columns update_subscriber() may change; consent is given as a Consent and spread out.
_UPDATABLE = {
    "email",
    "email_ascii",
    "name",
    "topics",
    "state",
    "confirmed_at",
    "unsubscribed_at",
    "optin_sent_at",
    "optin_count",
    "consent",
    "bounces",
}


def stamp(moment: datetime | None) -> str | None:
    """Store a moment as ISO 8601 in UTC; naive datetimes are refused."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("timestamps must be aware")
    return moment.astimezone(UTC).isoformat()


def unstamp(text: object) -> datetime | None:
    return None if text is None else datetime.fromisoformat(str(text))


class SubscriberQueries(StoreBase):
    """Subscribers: insert, look up, change, stream, purge; and the suppression list."""

    def add_subscriber(
        self,
        *,
        email: str,
        email_ascii: str,
        email_key: str,
        name: str | None,
        topics: Sequence[str],
        state: SubscriberState,
        signup_source: str,
        now: datetime,
        consent: Consent | None = None,
    ) -> int:
        """Insert a subscriber (call inside `transaction()`); return its id."""
        cur = self._db.execute(
            "INSERT INTO subscribers (email, email_ascii, email_key, name, topics, state, "
            "signup_source, created_at, updated_at, confirmed_at, consent_version, consent_hash, "
            "consent_at, consent_ip, consent_user_agent, consent_source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                email,
                email_ascii,
                email_key,
                name,
                json.dumps(list(topics)),
                state,
                signup_source,
                stamp(now),
                stamp(now),
                stamp(now) if state == "active" else None,
                *_consent_row(consent),
            ),
        )
        return int(cur.lastrowid or 0)

    def subscriber(self, subscriber_id: int) -> Subscriber | None:
        row = self._db.execute(f"{_SELECT} WHERE id = ?", (subscriber_id,)).fetchone()
        return None if row is None else _subscriber(row)

    def subscriber_by_key(self, email_key: str) -> Subscriber | None:
        row = self._db.execute(f"{_SELECT} WHERE email_key = ?", (email_key,)).fetchone()
        return None if row is None else _subscriber(row)

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        """Return those of `keys` that belong to a stored subscriber."""
        found: set[str] = set()
        for chunk, marks in in_chunks(keys):
            rows = self._db.execute(
                f"SELECT email_key FROM subscribers WHERE email_key IN ({marks})", chunk
            )
            found.update(r[0] for r in rows)
        return found

    def update_subscriber(self, subscriber_id: int, now: datetime, **changes: Any) -> None:
        """Change some fields of a subscriber (call inside `transaction()`)."""
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        values: dict[str, object] = {"updated_at": stamp(now)}
        for key, value in changes.items():
            if key == "consent":
                names = ("version", "hash", "at", "ip", "user_agent", "source")
                values.update(
                    {f"consent_{n}": v for n, v in zip(names, _consent_row(value), strict=True)}
                )
            elif key == "topics":
                values[key] = json.dumps(list(value))
            elif isinstance(value, datetime):
                values[key] = stamp(value)
            else:
                values[key] = value
        assignments = ", ".join(f"{k} = ?" for k in values)
        self._db.execute(
            f"UPDATE subscribers SET {assignments} WHERE id = ?", (*values.values(), subscriber_id)
        )

    def count_bounce(self, subscriber_id: int, limit: int, now: datetime) -> bool:
        """Count one permanent failure in a row; mark the subscriber bounced at `limit`.

        Return whether this made the subscriber bounced.
        """
        self._db.execute(
            "UPDATE subscribers SET bounces = bounces + 1, updated_at = ? WHERE id = ?",
            (stamp(now), subscriber_id),
        )
        cur = self._db.execute(
            "UPDATE subscribers SET state = 'bounced' "
            "WHERE id = ? AND state = 'active' AND bounces >= ?",
            (subscriber_id, limit),
        )
        return cur.rowcount > 0

    def reset_bounces(self, subscriber_id: int) -> None:
        self._db.execute(
            "UPDATE subscribers SET bounces = 0 WHERE id = ? AND bounces != 0", (subscriber_id,)
        )

    def subscribers(
        self, state: SubscriberState | None = None, batch: int = 1000
    ) -> Iterator[Subscriber]:
        """Stream subscribers (of one state) by id, a batch at a time, never all at once."""
        last = 0
        while True:
            if state is None:
                rows = self._db.execute(
                    f"{_SELECT} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
                ).fetchall()
            else:
                rows = self._db.execute(
                    f"{_SELECT} WHERE state = ? AND id > ? ORDER BY id LIMIT ?",
                    (state, last, batch),
                ).fetchall()
            if not rows:
                return
            yield from map(_subscriber, rows)
            last = rows[-1][0]

    def subscriber_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT state, COUNT(*) FROM subscribers GROUP BY state")
        return {r[0]: r[1] for r in rows}

    def delete_subscriber(self, subscriber_id: int) -> None:
        """Delete a subscriber; their ledger rows stay, detached (ON DELETE SET NULL)."""
        self._db.execute("DELETE FROM subscribers WHERE id = ?", (subscriber_id,))

    def purge_pending(self, before: datetime) -> int:
        """Delete sign-ups whose last confirmation mail is older than `before`; return how many."""
        cur = self._db.execute(
            "DELETE FROM subscribers WHERE state = 'pending' "
            "AND COALESCE(optin_sent_at, created_at) < ?",
            (stamp(before),),
        )
        return cur.rowcount

    def suppress(self, digest: str, reason: str, now: datetime) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO suppressions (hash, reason, created_at) VALUES (?, ?, ?)",
            (digest, reason, stamp(now)),
        )

    def unsuppress(self, digest: str) -> None:
        self._db.execute("DELETE FROM suppressions WHERE hash = ?", (digest,))

    def suppressed(self, digests: Sequence[str]) -> set[str]:
        """Return those of `digests` that are on the suppression list."""
        found: set[str] = set()
        for chunk, marks in in_chunks(digests):
            rows = self._db.execute(f"SELECT hash FROM suppressions WHERE hash IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found


def _consent_row(c: Consent | None) -> tuple[str | None, ...]:
    if c is None:
        return (None,) * 6
    return (c.version, c.text_hash, stamp(c.at), c.ip, c.user_agent, c.source)


def _subscriber(row: Sequence[Any]) -> Subscriber:
    r = dict(zip(_COLUMNS, row, strict=True))
    consent = None
    if r["consent_at"] is not None:
        consent = Consent(
            version=str(r["consent_version"]),
            text_hash=str(r["consent_hash"]),
            at=datetime.fromisoformat(r["consent_at"]),
            source=str(r["consent_source"]),
            ip=r["consent_ip"],
            user_agent=r["consent_user_agent"],
        )
    return Subscriber(
        id=int(r["id"]),
        email=str(r["email"]),
        email_ascii=str(r["email_ascii"]),
        email_key=str(r["email_key"]),
        name=r["name"],
        topics=tuple(json.loads(r["topics"])),
        state=r["state"],
        signup_source=str(r["signup_source"]),
        created_at=datetime.fromisoformat(r["created_at"]),
        updated_at=datetime.fromisoformat(r["updated_at"]),
        confirmed_at=unstamp(r["confirmed_at"]),
        unsubscribed_at=unstamp(r["unsubscribed_at"]),
        optin_sent_at=unstamp(r["optin_sent_at"]),
        optin_count=int(r["optin_count"]),
        consent=consent,
        bounces=int(r["bounces"]),
    )
