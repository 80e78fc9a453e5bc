"""SQL for the delivery ledger: one row per (week, subscriber), and its state changes.

A row moves queued → sending → sent (or failed, or back to queued for a retry); rows that
need no mail are written as skipped. A row found in 'sending' when a run starts was being
handed to the server when the previous run died: it is "in doubt".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..models import Delivery, Subscriber
from .base import StoreBase
from .subscribers import _COLUMNS as _SUBSCRIBER_COLUMNS
from .subscribers import _subscriber, stamp, unstamp

_COLUMNS = (
    "id",
    "week",
    "subscriber_id",
    "recipient",
    "variant",
    "state",
    "attempts",
    "in_doubt",
    "last_reply",
    "message_id",
    "created_at",
    "updated_at",
    "sent_at",
    "next_attempt_at",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM deliveries"
_JOINED = (
    f"SELECT {', '.join('d.' + c for c in _COLUMNS)}, "
    f"{', '.join('s.' + c for c in _SUBSCRIBER_COLUMNS)} "
    "FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id"
)


class DeliveryQueries(StoreBase):
    """The delivery ledger."""

    def unplanned_subscribers(self, week: str, after: int, batch: int) -> list[Subscriber]:
        """Active subscribers with no ledger row for `week` yet, by id after `after`."""
        rows = self._db.execute(
            f"SELECT {', '.join('s.' + c for c in _SUBSCRIBER_COLUMNS)} FROM subscribers s "
            "WHERE s.state = 'active' AND s.id > ? AND NOT EXISTS "
            "(SELECT 1 FROM deliveries d WHERE d.week = ? AND d.subscriber_id = s.id) "
            "ORDER BY s.id LIMIT ?",
            (after, week, batch),
        ).fetchall()
        return [_subscriber(r) for r in rows]

    def plan_deliveries(
        self,
        week: str,
        rows: Iterable[tuple[int, str, str, str, str | None, str | None]],
        now: datetime,
    ) -> None:
        """Add ledger rows (subscriber id, recipient, variant, state, Message-ID, note)."""
        moment = stamp(now)
        self._db.executemany(
            "INSERT OR IGNORE INTO deliveries (week, subscriber_id, recipient, variant, state, "
            "message_id, last_reply, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((week, *row, moment, moment) for row in rows),
        )

    def open_deliveries(
        self, week: str, after: int, batch: int
    ) -> list[tuple[Delivery, Subscriber]]:
        """Queued and in-doubt ('sending') rows of `week` with their subscribers, by id."""
        rows = self._db.execute(
            f"{_JOINED} WHERE d.week = ? AND d.state IN ('queued', 'sending') AND d.id > ? "
            "ORDER BY d.id LIMIT ?",
            (week, after, batch),
        ).fetchall()
        n = len(_COLUMNS)
        return [(_delivery(r[:n]), _subscriber(r[n:])) for r in rows]

    def mark_sending(self, delivery_id: int, now: datetime, in_doubt: bool) -> None:
        self._db.execute(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, "
            "in_doubt = in_doubt + ?, updated_at = ? WHERE id = ?",
            (1 if in_doubt else 0, stamp(now), delivery_id),
        )

    def mark_delivery(
        self,
        delivery_id: int,
        state: str,
        reply: str | None,
        now: datetime,
        next_attempt: datetime | None = None,
    ) -> None:
        """Record the outcome of an attempt: sent, failed, skipped, or queued for a retry."""
        self._db.execute(
            "UPDATE deliveries SET state = ?, last_reply = ?, updated_at = ?, "
            "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, next_attempt_at = ? "
            "WHERE id = ?",
            (state, reply, stamp(now), state, stamp(now), stamp(next_attempt), delivery_id),
        )

    def delivery_counts(self, week: str) -> list[tuple[str, str, int, int]]:
        """Per (state, variant): number of rows and how often they were found in doubt."""
        rows = self._db.execute(
            "SELECT state, variant, COUNT(*), SUM(in_doubt) FROM deliveries WHERE week = ? "
            "GROUP BY state, variant ORDER BY state, variant",
            (week,),
        )
        return [(r[0], r[1], r[2], r[3] or 0) for r in rows]

    def settled_subscriber_ids(self, week: str) -> set[int]:
        """Subscribers whose row for `week` needs nothing more (sent, skipped or failed)."""
        rows = self._db.execute(
            "SELECT subscriber_id FROM deliveries WHERE week = ? AND subscriber_id IS NOT NULL "
            "AND state IN ('sent', 'skipped', 'failed')",
            (week,),
        )
        return {int(r[0]) for r in rows}

    def deliveries_of(self, subscriber_id: int) -> list[Delivery]:
        rows = self._db.execute(
            f"{_SELECT} WHERE subscriber_id = ? ORDER BY week, id", (subscriber_id,)
        ).fetchall()
        return [_delivery(r) for r in rows]

    def erase_deliveries(self, subscriber_id: int) -> int:
        """Remove the personal parts of a subscriber's ledger rows and detach them (Art. 17)."""
        cur = self._db.execute(
            "UPDATE deliveries SET subscriber_id = NULL, recipient = NULL, last_reply = NULL, "
            "message_id = NULL WHERE subscriber_id = ?",
            (subscriber_id,),
        )
        return cur.rowcount


def _delivery(row: Sequence[Any]) -> Delivery:
    r = dict(zip(_COLUMNS, row, strict=True))
    return Delivery(
        id=int(r["id"]),
        week=str(r["week"]),
        subscriber_id=r["subscriber_id"],
        recipient=r["recipient"],
        variant=str(r["variant"]),
        state=r["state"],
        attempts=int(r["attempts"]),
        in_doubt=int(r["in_doubt"]),
        last_reply=r["last_reply"],
        message_id=r["message_id"],
        created_at=datetime.fromisoformat(r["created_at"]),
        updated_at=datetime.fromisoformat(r["updated_at"]),
        sent_at=unstamp(r["sent_at"]),
        next_attempt_at=unstamp(r["next_attempt_at"]),
    )
