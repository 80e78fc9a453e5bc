"""Composition root for subscribers and sending: wires the subscriber library, the renderer,
the transports and the send loop to the store, the clock, the environment and the config."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..config import Config
from ..delivery.compose import Composer
from ..delivery.dkim import DkimSigner
from ..delivery.maildir import MaildirTransport
from ..delivery.message import message_id
from ..delivery.send import Progress, Sender, SendStats
from ..delivery.smtp import PASSWORD_ENV, SmtpTransport
from ..delivery.transport import SendFailure, Transport
from ..errors import DigestError, UsageError
from ..l10n import L10n
from ..models import Issue, Problem, Subscriber
from ..render.environment import make_environment
from ..store import Store
from ..subscribers.manage import Subscriptions, address_of
from ..subscribers.tokens import Tokens, load_secret
from ..weeks import IsoWeek
from . import open_store
from .edition import issues_of, load_edition

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_transport(cfg: Config) -> Transport:
    """The configured transport; the SMTP password comes only from the environment."""
    if cfg.delivery.transport == "smtp":
        return SmtpTransport(cfg.delivery.smtp, os.environ.get(PASSWORD_ENV) or None)
    return MaildirTransport(cfg.delivery.maildir)


@dataclass
class SendReport:
    """What `send` did or, with dry_run, would do."""

    week: str
    articles: int = 0
    stats: SendStats | None = None
    variants: dict[str, int] = field(default_factory=dict)  # open messages per variant
    skipped_empty: int = 0  # subscribers whose topics have no articles this week
    already: int = 0  # rows already settled by an earlier run
    test_to: str | None = None
    test_reply: str | None = None
    week_in_doubt: int = 0  # resends in doubt for this week over all runs, from the ledger
    week_sent: int = 0  # messages of this week sent over all runs
    problems: list[Problem] = field(default_factory=list)  # articles repaired or left out


def default_week(cfg: Config, now: datetime) -> IsoWeek:
    """The last complete ISO week in the site's time zone."""
    today = now.astimezone(cfg.site.tz).date()
    return IsoWeek.of(today - timedelta(days=7))


def resolve_week(cfg: Config, spec: str | None, now: datetime) -> IsoWeek:
    """`--week`: a week like 2019-W38, 'newest' (the newest week with articles), or default."""
    if spec is None:
        return default_week(cfg, now)
    if spec in ("newest", "latest"):
        with open_store(cfg) as store:
            weeks = store.weeks()
        if not weeks:
            raise UsageError("the store has no articles yet", "run `digest build` first")
        return IsoWeek.parse(weeks[-1][0])
    return IsoWeek.parse(spec)


def load_issue(cfg: Config, week: IsoWeek) -> tuple[Issue | None, list[Problem]]:
    """The week's issue exactly as `digest build` renders it (see pipeline/edition.py)."""
    edition = load_edition(cfg, week)
    issues = issues_of(edition, cfg)
    return (issues[0] if issues else None), edition.problems


def send(
    cfg: Config,
    week_spec: str | None = None,
    *,
    dry_run: bool = False,
    limit: int | None = None,
    to: str | None = None,
    progress: Progress | None = None,
    now: Clock = utc_now,
    transport: Transport | None = None,
) -> SendReport:
    """Send a week's digest to every active subscriber who has not had it yet."""
    started = now()
    week = resolve_week(cfg, week_spec, started)
    report = SendReport(str(week))
    issue, report.problems = load_issue(cfg, week)
    if issue is None:
        return report
    report.articles = issue.count
    tokens = Tokens(load_secret(cfg.store_path))
    composer = Composer(
        cfg,
        issue,
        make_environment(cfg.templates, reload=False),
        L10n(cfg.site.locale),
        tokens,
        started.astimezone(cfg.site.tz),
        DkimSigner(cfg.delivery.dkim) if cfg.delivery.dkim else None,
    )
    transport = transport or make_transport(cfg)
    if to is not None:
        return _send_test(cfg, composer, transport, to, report, started)
    with open_store(cfg) as store:
        subs = Subscriptions(store, cfg, tokens, now)
        subs.purge()
        if dry_run:
            _count_open(store, composer, report)
            for key in report.variants:
                composer.variant(key)  # render now, so a template error shows in a dry run
            return report
        _plan(store, composer, report, started)
        counts = store.delivery_counts(report.week)
        total = sum(n for state, _, n, _ in counts if state in ("queued", "sending"))
        total = min(total, limit) if limit is not None else total
        sender = Sender(
            store,
            transport,
            lambda d, s: composer.outgoing(s, d.variant, d.message_id or composer.message_id(s.id)),
            now=now,
            retries=cfg.delivery.retries,
            backoff=cfg.delivery.backoff_seconds,
            bounce_after=cfg.delivery.bounce_after,
            progress=progress,
        )
        report.stats = sender.run(report.week, total, limit)
        counts = store.delivery_counts(report.week)
        report.week_in_doubt = sum(doubt for _, _, _, doubt in counts)
        report.week_sent = sum(n for state, _, n, _ in counts if state == "sent")
    return report


def _plan(store: Store, composer: Composer, report: SendReport, now: datetime) -> None:
    """Add a ledger row for every active subscriber who has none for this week yet."""
    after = 0
    while True:
        batch = store.unplanned_subscribers(report.week, after, 1000)
        if not batch:
            return
        rows = []
        for s in batch:
            key = composer.variant_key(s)
            state, note = (
                ("queued", None) if key else ("skipped", "no articles in the chosen topics")
            )
            rows.append((s.id, s.email_ascii, key, state, composer.message_id(s.id), note))
            report.skipped_empty += 0 if key else 1
        with store.transaction():
            store.plan_deliveries(report.week, rows, now)
        after = batch[-1].id


def _count_open(store: Store, composer: Composer, report: SendReport) -> None:
    settled = store.settled_subscriber_ids(report.week)
    for s in store.subscribers("active"):
        if s.id in settled:
            report.already += 1
            continue
        key = composer.variant_key(s)
        if key:
            report.variants[key] = report.variants.get(key, 0) + 1
        else:
            report.skipped_empty += 1


def _send_test(
    cfg: Config,
    composer: Composer,
    transport: Transport,
    to: str,
    report: SendReport,
    now: datetime,
) -> SendReport:
    addr = address_of(to)
    key = ",".join(composer.topics)
    fake = Subscriber(
        id=0,
        email=addr.display,
        email_ascii=addr.ascii,
        email_key=addr.key,
        name=None,
        topics=(),
        state="active",
        signup_source="test",
        created_at=now,
        updated_at=now,
    )
    # A test copy gets its own Message-ID each time, so a second test is not folded away.
    mid = message_id(f"{report.week}.test", f"{int(now.timestamp() * 1000)}", cfg.site.domain)
    message = composer.outgoing(fake, key, mid, subject_prefix="[Test] ")
    connection = transport.connect()
    try:
        report.test_reply = connection.send(message)
    except SendFailure as exc:
        raise DigestError(f"the test copy to {addr.display} was not sent: {exc.reply}") from None
    finally:
        connection.close()
    report.test_to = addr.display
    return report
