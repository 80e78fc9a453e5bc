"""The send loop: work through a week's delivery ledger over parallel connections.

The main thread owns the store: it claims one ledger row at a time (state 'sending', one
commit), hands the finished message to a worker thread that owns one connection, and records
each outcome as it comes back. A kill at any moment therefore leaves at most the rows in
flight in 'sending'; the next run finds them there, counts them "in doubt" and resends them
with the same Message-ID. Nobody is skipped, and duplicates cannot exceed the in-doubt count.

Outcomes: 250 → sent; 4xx or a dropped connection → retried with exponential backoff within
the run (at most [delivery] retries attempts), then left queued for the next run; 5xx →
failed with the server's reply, and a refused recipient counts towards `bounced`; a
TransportError (server gone for good, login refused, Maildir unwritable) stops the run at once.
"""

from __future__ import annotations

import heapq
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..models import Delivery, Subscriber
from ..store import Store
from .transport import (
    Connection,
    InDoubt,
    Outgoing,
    PermanentFailure,
    SendFailure,
    TemporaryFailure,
    Transport,
    TransportError,
)

Progress = Callable[[int, int, str], None]
Compose = Callable[[Delivery, Subscriber], Outgoing]
_BATCH = 200


@dataclass
class SendStats:
    """What one run did, overall and per variant (topic selection)."""

    sent: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    retried: int = 0  # temporary failures that were tried again within the run
    deferred: int = 0  # still not sent after all attempts: the next run tries again
    in_doubt: int = 0  # rows resent because an earlier attempt may have arrived
    bounced: int = 0  # subscribers marked bounced in this run
    seconds: float = 0.0
    error: TransportError | None = None
    interrupted: bool = False

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())


@dataclass
class _Job:
    delivery: Delivery
    subscriber: Subscriber
    message: Outgoing
    attempt: int  # attempts within this run, starting at 1
    doubt: bool  # the previous attempt may have arrived: record the resend as in doubt


@dataclass(order=True)
class _Retry:
    ready: float
    seq: int
    job: _Job = field(compare=False)


class Sender:
    """Send one week's open ledger rows through a transport."""

    def __init__(
        self,
        store: Store,
        transport: Transport,
        compose: Compose,
        *,
        now: Callable[[], datetime],
        retries: int,
        backoff: float,
        bounce_after: int,
        progress: Progress | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.transport = transport
        self.compose = compose
        self.now = now
        self.retries = retries
        self.backoff = backoff
        self.bounce_after = bounce_after
        self.progress = progress
        self.monotonic = monotonic

    def run(self, week: str, total: int, limit: int | None = None) -> SendStats:
        """Send the open rows of `week` (`total` of them, for progress); at most `limit`."""
        stats = SendStats()
        started = self.monotonic()
        connections = [self.transport.connect() for _ in range(self.transport.connections)]
        jobs: queue.Queue[_Job | None] = queue.Queue()
        results: queue.Queue[tuple[_Job, str | BaseException]] = queue.Queue()
        workers = [
            threading.Thread(target=_work, args=(c, jobs, results), daemon=True)
            for c in connections
        ]
        for worker in workers:
            worker.start()
        retry: list[_Retry] = []
        rows = self._rows(week)
        in_flight = claimed = done = seq = 0
        capacity = 2 * len(connections)
        stopping = False

        def settle(block: bool) -> None:
            nonlocal in_flight, done, stopping, seq
            batch = _drain(results, block, _wait_for(retry, self.monotonic()))
            if not batch:
                return
            with self.store.transaction():
                for job, outcome in batch:
                    in_flight -= 1
                    again = self._record(job, outcome, stats)
                    if again is not None:
                        seq += 1
                        heapq.heappush(retry, _Retry(self.monotonic() + again, seq, job))
                    else:
                        done += 1
                    if isinstance(outcome, TransportError):
                        stopping = True
            if self.progress:
                self.progress(done, total, f"{stats.total_sent} sent")

        try:
            while True:
                settle(block=False)
                if stopping:
                    break
                if in_flight >= capacity:
                    settle(block=True)
                    continue
                job = None
                if retry and retry[0].ready <= self.monotonic():
                    job = heapq.heappop(retry).job
                    job.attempt += 1
                elif limit is None or claimed < limit:
                    job = self._next(rows, stats)
                    if job is not None:
                        claimed += 1
                if job is None:
                    if in_flight == 0 and not retry:
                        break
                    if in_flight == 0:
                        time.sleep(max(0.0, retry[0].ready - self.monotonic()))
                    else:
                        settle(block=True)
                    continue
                with self.store.transaction():
                    self.store.mark_sending(job.delivery.id, self.now(), in_doubt=job.doubt)
                job.doubt = False
                in_flight += 1
                jobs.put(job)
            while in_flight:
                settle(block=True)
        except KeyboardInterrupt:
            stats.interrupted = True
            while in_flight:  # let the messages in flight finish and record them
                settle(block=True)
        finally:
            for _ in workers:
                jobs.put(None)
            for worker in workers:
                worker.join(timeout=30)
            for connection in connections:
                connection.close()
        # Rows waiting for a retry time that never came (run stopped): leave them queued.
        stats.deferred += len(retry)
        stats.seconds = self.monotonic() - started
        return stats

    def _rows(self, week: str) -> Iterator[tuple[Delivery, Subscriber]]:
        after = 0
        while True:
            batch = self.store.open_deliveries(week, after, _BATCH)
            if not batch:
                return
            yield from batch
            after = batch[-1][0].id

    def _next(self, rows: Iterator[tuple[Delivery, Subscriber]], stats: SendStats) -> _Job | None:
        for delivery, subscriber in rows:
            if delivery.state == "sending":
                stats.in_doubt += 1
            if subscriber.state != "active":
                with self.store.transaction():
                    self.store.mark_delivery(
                        delivery.id, "skipped", f"subscriber is {subscriber.state}", self.now()
                    )
                stats.skipped[delivery.variant] += 1
                continue
            message = self.compose(delivery, subscriber)
            return _Job(delivery, subscriber, message, 1, delivery.state == "sending")
        return None

    def _record(self, job: _Job, outcome: str | BaseException, stats: SendStats) -> float | None:
        """Store one attempt's outcome; return the delay before a retry, or None when settled."""
        now = self.now()
        d, variant = job.delivery, job.delivery.variant
        if isinstance(outcome, str):
            self.store.mark_delivery(d.id, "sent", outcome, now)
            self.store.reset_bounces(job.subscriber.id)
            stats.sent[variant] += 1
            return None
        if isinstance(outcome, PermanentFailure):
            self.store.mark_delivery(d.id, "failed", outcome.reply, now)
            stats.failed[variant] += 1
            # A refused recipient says something about the address; a refused message
            # (552 too large, 554 content) says something about us, not the subscriber.
            if outcome.stage == "rcpt" and self.store.count_bounce(
                job.subscriber.id, self.bounce_after, now
            ):
                stats.bounced += 1
            return None
        if isinstance(outcome, TemporaryFailure):
            if isinstance(outcome, InDoubt):
                stats.in_doubt += 1
                job.doubt = True
            if job.attempt < self.retries:
                delay: float = self.backoff * 2.0 ** (job.attempt - 1)
                self.store.mark_delivery(
                    d.id, "queued", outcome.reply, now, now + timedelta(seconds=delay)
                )
                stats.retried += 1
                return delay
            self.store.mark_delivery(d.id, "queued", outcome.reply, now)
            stats.deferred += 1
            return None
        # A TransportError, or a bug in a worker: this message was not sent; stop the run.
        reason = outcome.message if isinstance(outcome, TransportError) else repr(outcome)
        self.store.mark_delivery(d.id, "queued", f"not sent: {reason}", now)
        if isinstance(outcome, TransportError):
            stats.error = stats.error or outcome
        else:
            stats.error = stats.error or TransportError(
                f"unexpected error while sending: {outcome!r}", "run again with --debug"
            )
        return None


def _work(
    connection: Connection,
    jobs: queue.Queue[_Job | None],
    results: queue.Queue[tuple[_Job, str | BaseException]],
) -> None:
    while (job := jobs.get()) is not None:
        try:
            outcome: str | BaseException = connection.send(job.message)
        except (SendFailure, TransportError) as exc:
            outcome = exc
        except Exception as exc:  # a bug must not kill the thread silently and hang the run
            outcome = exc
        results.put((job, outcome))


def _drain(
    results: queue.Queue[tuple[_Job, str | BaseException]], block: bool, timeout: float
) -> list[tuple[_Job, str | BaseException]]:
    batch = []
    try:
        if block:
            batch.append(results.get(timeout=timeout))
        while True:
            batch.append(results.get_nowait())
    except queue.Empty:
        pass
    return batch


def _wait_for(retry: list[_Retry], now: float) -> float:
    """How long a blocking wait for results may last before a retry falls due."""
    if not retry:
        return 1.0
    return min(1.0, max(0.0, retry[0].ready - now))
