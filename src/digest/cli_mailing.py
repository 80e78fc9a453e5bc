"""Command-line shell for subscribers and sending: `digest subscribers ...` and `digest send`.

Exit codes of `send`: 0 everything settled; 1 the transport failed as a whole (server down,
login refused); 75 (EX_TEMPFAIL) some messages hit temporary failures and wait for the next
run; 3 under --strict when a message failed permanently.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import Config
from .pipeline import mailing
from .pipeline import signup as signups
from .progress import ProgressBar
from .subscribers.manage import Proof

EXIT_FATAL, EXIT_PROBLEMS, EXIT_TEMPFAIL = 1, 3, 75
Common = Callable[[], argparse.ArgumentParser]


def add_commands(sub: Any, common: Common) -> None:
    """Register `subscribers` and `send` on the main parser's subcommands."""
    p = sub.add_parser(
        "subscribers", parents=[common()], help="manage subscribers (double opt-in, DSGVO)"
    )
    ops = p.add_subparsers(dest="operation", metavar="OPERATION", required=True)

    o = ops.add_parser("add", parents=[common()], help="sign up an address; sends the opt-in mail")
    o.add_argument("email")
    o.add_argument("--name", help="display name")
    o.add_argument("--topics", help="comma-separated topic keys (default: all)")
    o.set_defaults(handler=_add)

    o = ops.add_parser("confirm", parents=[common()], help="confirm a sign-up with its token")
    o.add_argument("token", help="the token from the confirmation link (after bestaetigen/)")
    o.set_defaults(handler=_confirm)

    o = ops.add_parser("unsubscribe", parents=[common()], help="unsubscribe an address")
    o.add_argument("email")
    o.set_defaults(handler=_unsubscribe)

    o = ops.add_parser("topics", parents=[common()], help="change the topics of a subscriber")
    o.add_argument("email")
    o.add_argument("topics", help="comma-separated topic keys, or 'all'")
    o.set_defaults(handler=_topics)

    o = ops.add_parser("list", parents=[common()], help="list subscribers")
    o.add_argument("--state", choices=["pending", "active", "unsubscribed", "bounced"])
    o.add_argument("--json", action="store_true", help="one JSON object per line")
    o.set_defaults(handler=_list)

    o = ops.add_parser(
        "export", parents=[common()], help="everything stored about an address (Art. 15)"
    )
    o.add_argument("email")
    o.set_defaults(handler=_export)

    o = ops.add_parser(
        "forget", parents=[common()], help="erase an address and suppress it (Art. 17)"
    )
    o.add_argument("email")
    o.set_defaults(handler=_forget)

    o = ops.add_parser("import", parents=[common()], help="import subscribers from a CSV file")
    o.add_argument("file", type=Path)
    o.add_argument(
        "--consent-documented",
        action="store_true",
        help="the file's consented_at/consent_source prove consent: import as active",
    )
    o.add_argument("--send-opt-in", action="store_true", help="mail pending rows the opt-in")
    o.add_argument("--strict", action="store_true", help="exit 3 if any row had a problem")
    o.set_defaults(handler=_import)

    o = ops.add_parser("purge", parents=[common()], help="delete expired unconfirmed sign-ups")
    o.set_defaults(handler=_purge)

    p = sub.add_parser("send", parents=[common()], help="send a week's digest to subscribers")
    p.add_argument(
        "--week",
        help="ISO week like 2019-W38, or 'newest' (default: the last complete week)",
    )
    p.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing")
    p.add_argument("--limit", type=_positive, help="send at most N messages in this run")
    p.add_argument("--to", metavar="EMAIL", help="send one test copy to EMAIL (no ledger)")
    p.add_argument("--strict", action="store_true", help="exit 3 if a message failed for good")
    p.set_defaults(handler=_send)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _add(cfg: Config, args: argparse.Namespace) -> int:
    signup = signups.add(cfg, args.email, args.name, args.topics)
    signups.send_optin(cfg, signup)
    s = signup.subscriber
    days = cfg.subscribe.confirm_days
    if signup.outcome == "unchanged" and s.state == "active":
        print(f"{s.email} is already subscribed (active); nothing changed.")
    elif signup.outcome == "unchanged":
        print(
            f"{s.email} is pending; a confirmation mail went out less than "
            f"{cfg.subscribe.resend_minutes} minutes ago, so none was sent now."
        )
    else:
        what = {"created": "Added", "resent": "Still pending:", "renewed": "Signed up again:"}
        print(
            f"{what[signup.outcome]} {s.email} (pending). Sent the confirmation mail; "
            f"its link is valid for {days} days."
        )
    return 0


def _confirm(cfg: Config, args: argparse.Namespace) -> int:
    with signups.subscriptions(cfg) as subs:
        s = subs.confirm(args.token, Proof(source="cli"))
    print(f"Confirmed: {s.email} is {s.state}.")
    return 0


def _unsubscribe(cfg: Config, args: argparse.Namespace) -> int:
    with signups.subscriptions(cfg) as subs:
        before = subs.find(args.email)
        after = subs.unsubscribe(before)
    if before.state == "pending":
        print(f"Deleted the unconfirmed sign-up of {before.email}.")
    elif before.state == "unsubscribed":
        print(f"{before.email} was already unsubscribed.")
    else:
        print(f"Unsubscribed {after.email}.")
    return 0


def _topics(cfg: Config, args: argparse.Namespace) -> int:
    with signups.subscriptions(cfg) as subs:
        s = subs.set_topics(subs.find(args.email), args.topics)
    chosen = ", ".join(s.topics) if s.topics else "all topics"
    print(f"{s.email} now gets: {chosen}.")
    return 0


def _list(cfg: Config, args: argparse.Namespace) -> int:
    count = 0
    with signups.subscriptions(cfg) as subs:
        for s in subs.listing(args.state):
            count += 1
            if args.json:
                print(json.dumps(signups.subscriber_json(s), ensure_ascii=False))
                continue
            topics = ",".join(s.topics) if s.topics else "all"
            name = f"  {s.name}" if s.name else ""
            print(f"{s.id:>6}  {s.state:<12}  {s.email:<40}  {topics}{name}")
        counts = subs.counts()
    sys.stdout.flush()
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"
    print(f"{count} listed; in the store: {summary}", file=sys.stderr)
    return 0


def _export(cfg: Config, args: argparse.Namespace) -> int:
    json.dump(signups.export_json(cfg, args.email), sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def _forget(cfg: Config, args: argparse.Namespace) -> int:
    with signups.subscriptions(cfg) as subs:
        known = subs.forget(args.email)
    if known:
        print(
            f"Erased {args.email.strip()}: subscriber deleted, delivery records anonymised; "
            "a keyed hash keeps a later import from adding the address again."
        )
    else:
        print(
            "No subscriber with that address; it is now on the suppression list, so an "
            "import will not add it."
        )
    return 0


def _import(cfg: Config, args: argparse.Namespace) -> int:
    report = signups.import_csv(
        cfg, args.file, consent_documented=args.consent_documented, send_opt_in=args.send_opt_in
    )
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    for error in report.mail_errors:
        print(f"digest: {error}", file=sys.stderr)
    i = report.imported
    print(
        f"Read {report.path} ({report.encoding}): {report.rows} valid rows, "
        f"{len(report.problems)} bad, {report.duplicates} duplicate in the file."
    )
    print(
        f"Imported {i.active + i.pending}: {i.active} active, {i.pending} pending; skipped "
        f"{i.known} already known and {i.suppressed} on the suppression list."
    )
    if i.pending and not args.send_opt_in:
        print(
            "Pending rows get no mail until they confirm: run again with --send-opt-in to send "
            "them the opt-in mail."
        )
    elif args.send_opt_in:
        print(f"Sent {report.mails_sent} confirmation mails.")
    if args.strict and report.problems:
        return EXIT_PROBLEMS
    return 0


def _purge(cfg: Config, args: argparse.Namespace) -> int:
    with signups.subscriptions(cfg) as subs:
        gone = subs.purge()
    print(f"Deleted {gone} unconfirmed sign-up{'s' if gone != 1 else ''}.")
    return 0


def _send(cfg: Config, args: argparse.Namespace) -> int:
    bar = ProgressBar(sys.stderr)
    try:
        report = mailing.send(
            cfg,
            args.week,
            dry_run=args.dry_run,
            limit=args.limit,
            to=args.to,
            progress=bar.update,
        )
    finally:
        bar.finish()
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if report.articles == 0:
        print(f"{report.week} has no articles: nothing to send.")
        return 0
    if report.test_to:
        print(f"Sent a test copy of {report.week} to {report.test_to}: {report.test_reply}")
        return 0
    head = f"{report.week}: {report.articles} article{'s' if report.articles != 1 else ''}."
    if args.dry_run:
        total = sum(report.variants.values())
        print(f"{head} Dry run: would send {total} message{'s' if total != 1 else ''}.")
        for key, n in sorted(report.variants.items()):
            print(f"  {n:>6}  {key}")
        print(
            f"  Not sent: {report.already} already done for this week, {report.skipped_empty} "
            "with no articles in their topics."
        )
        return 0
    stats = report.stats
    assert stats is not None
    if not (stats.total_sent or stats.failed or stats.skipped or stats.deferred or stats.error):
        print(
            f"{head} Nothing left to send: {report.week_sent} message"
            f"{'s' if report.week_sent != 1 else ''} of this week went out in earlier runs."
        )
        return 0
    rate = stats.total_sent / stats.seconds if stats.seconds > 0 else 0.0
    print(
        f"{head} Sent {stats.total_sent} in {stats.seconds:.1f} s ({rate:.0f}/s): "
        f"skipped {sum(stats.skipped.values()) + report.skipped_empty}, "
        f"retried {stats.retried}, failed {sum(stats.failed.values())}, "
        f"in doubt {stats.in_doubt}, waiting for the next run {stats.deferred}."
    )
    for key in sorted(set(stats.sent) | set(stats.failed) | set(stats.skipped)):
        print(
            f"  {key or '(no topic)':<45} sent {stats.sent[key]:>6}  "
            f"failed {stats.failed[key]:>4}  skipped {stats.skipped[key]:>4}"
        )
    print(
        f"  This week so far: {report.week_sent} sent; {report.week_in_doubt} resent in doubt "
        "(a crash or a dropped connection left open whether the server had them)."
    )
    if stats.bounced:
        print(f"  {stats.bounced} subscriber(s) marked bounced after repeated refusals.")
    if cfg.delivery.transport == "maildir":
        print(f"Outbox: {cfg.delivery.maildir / 'new'}")
    if stats.interrupted:
        print("digest: interrupted; run `digest send` again to finish", file=sys.stderr)
        return 130
    if stats.error is not None:
        raise stats.error
    if stats.deferred:
        return EXIT_TEMPFAIL
    if args.strict and stats.failed:
        return EXIT_PROBLEMS
    return 0
