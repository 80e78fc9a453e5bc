"""`digest send` end to end: the sample corpus in a real store, real subscribers, a real
Maildir or a real SMTP server (aiosmtpd) that misbehaves on request."""

from __future__ import annotations

import email
import email.message
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.config import Config
from digest.config_delivery import SmtpConfig
from digest.delivery.smtp import SmtpTransport
from digest.delivery.transport import TransportError
from digest.pipeline import ingest, open_store
from digest.pipeline.mailing import send
from digest.subscribers.tokens import Tokens, load_secret
from tests.conftest import CORPUS, with_sources
from tests.smtp_server import ScriptedServer, free_port, smtp_config

WEEK = "2026-W04"  # the sample corpus's newest week: partnerships, congresses and other
ALL = "partnerships,congresses,other"


@pytest.fixture
def shop(cfg: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """The sample corpus ingested, fast retries, a Maildir outbox in tmp_path."""
    monkeypatch.setenv("DIGEST_SECRET", "test-secret-of-sufficient-length")
    cfg = with_sources(cfg, CORPUS)
    cfg = replace(
        cfg,
        delivery=replace(
            cfg.delivery,
            maildir=tmp_path / "outbox",
            retries=3,
            backoff_seconds=0.01,
            bounce_after=2,
        ),
    )
    ingest(cfg)
    return cfg


def subscribe(cfg: Config, *people: tuple[str, tuple[str, ...]]) -> dict[str, int]:
    """Add active subscribers (address, topics) directly; return their ids."""
    ids = {}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with open_store(cfg) as store, store.transaction():
        for address, topics in people:
            ids[address] = store.add_subscriber(
                email=address,
                email_ascii=address,
                email_key=address.lower(),
                name=None,
                topics=topics,
                state="active",
                signup_source="cli",
                now=now,
            )
    return ids


def outbox(cfg: Config) -> list[email.message.EmailMessage]:
    """The messages in the Maildir outbox, parsed from the files as written."""
    files = sorted((cfg.delivery.maildir / "new").iterdir())
    return [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for f in files
    ]


def ledger(cfg: Config) -> dict[str, tuple[str, int, int, str | None]]:
    with open_store(cfg) as store:
        rows = store._db.execute(
            "SELECT recipient, state, attempts, in_doubt, last_reply FROM deliveries"
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def smtp(cfg: Config, server: ScriptedServer | SmtpConfig) -> SmtpTransport:
    conf = server.smtp_config() if isinstance(server, ScriptedServer) else server
    return SmtpTransport(conf, None)


def test_each_subscriber_gets_their_topics_once_with_own_links(shop: Config) -> None:
    ids = subscribe(
        shop,
        ("all@example.org", ()),
        ("partner@example.org", ("partnerships",)),
        ("policy@example.org", ("policy",)),  # no policy article this week: skipped
        ("two@example.org", ("congresses", "partnerships", "policy")),
    )
    report = send(shop, WEEK)
    assert report.stats is not None
    assert dict(report.stats.sent) == {ALL: 1, "partnerships": 1, "partnerships,congresses": 1}
    assert report.skipped_empty == 1
    messages = {m["To"]: m for m in outbox(shop)}
    assert set(messages) == {"all@example.org", "partner@example.org", "two@example.org"}
    tokens = Tokens(load_secret(shop.store_path))
    for address, msg in messages.items():
        html = msg.get_body(("html",)).get_content()
        text = msg.get_body(("plain",)).get_content()
        unsubscribe = tokens.make("unsubscribe", ids[address])
        preferences = tokens.make("preferences", ids[address])
        assert f"abmelden/{unsubscribe}" in html and f"abmelden/{unsubscribe}" in text
        assert f"einstellungen/{preferences}" in html and f"einstellungen/{preferences}" in text
        assert msg["List-Unsubscribe"].startswith(
            f"<https://digest.example.de/abmelden/{unsubscribe}>"
        )
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "__" not in html and "__" not in text  # no placeholder left
    partner = messages["partner@example.org"].get_body(("plain",)).get_content()
    assert "PARTNERSCHAFTEN & KOOPERATIONEN" in partner and "KONGRESSE" not in partner
    # Deterministic Message-ID per (week, subscriber); a re-run sends nothing.
    before = {m["Message-ID"] for m in messages.values()}
    again = send(shop, WEEK)
    assert again.stats is not None and again.stats.total_sent == 0
    assert len(outbox(shop)) == 3
    assert all(mid.startswith(f"<digest.{WEEK}.") for mid in before)
    assert ledger(shop)["policy@example.org"][0] == "skipped"


def test_a_week_without_articles_sends_nothing(shop: Config) -> None:
    subscribe(shop, ("a@example.org", ()))
    report = send(shop, "2019-W38")
    assert report.articles == 0 and report.stats is None
    assert ledger(shop) == {}


def test_default_week_is_the_last_complete_one(shop: Config) -> None:
    subscribe(shop, ("a@example.org", ()))
    # Monday 26 January 2026, 00:30 in Berlin (Sunday 23:30 UTC): W04 has just ended.
    report = send(shop, now=lambda: datetime(2026, 1, 25, 23, 30, tzinfo=UTC))
    assert report.week == WEEK and report.stats is not None and report.stats.total_sent == 1


def test_dry_run_limit_and_test_copy(shop: Config) -> None:
    subscribe(shop, *((f"s{i}@example.org", ()) for i in range(5)))
    dry = send(shop, WEEK, dry_run=True)
    assert dry.variants == {ALL: 5} and ledger(shop) == {}
    first = send(shop, WEEK, limit=2)
    assert first.stats is not None and first.stats.total_sent == 2
    states = sorted(s for s, *_ in ledger(shop).values())
    assert states == ["queued"] * 3 + ["sent"] * 2
    rest = send(shop, WEEK)
    assert rest.stats is not None and rest.stats.total_sent == 3
    copy = send(shop, WEEK, to="editor@example.org")
    assert copy.test_to == "editor@example.org" and "editor@example.org" not in ledger(shop)
    assert [m["To"] for m in outbox(shop) if m["Subject"].startswith("[Test] ")] == [
        "editor@example.org"
    ]


def test_unsubscribed_before_sending_is_skipped(shop: Config) -> None:
    ids = subscribe(shop, ("a@example.org", ()), ("b@example.org", ()))
    with open_store(shop) as store, store.transaction():
        store.plan_deliveries(
            WEEK,
            [(ids["b@example.org"], "b@example.org", ALL, "queued", "<x@y>", None)],
            datetime.now(UTC),
        )
        store.update_subscriber(ids["b@example.org"], datetime.now(UTC), state="unsubscribed")
    report = send(shop, WEEK)
    assert report.stats is not None and report.stats.total_sent == 1
    assert ledger(shop)["b@example.org"][0] == "skipped"


def test_smtp_refusals_retries_and_bounces(shop: Config) -> None:
    subscribe(
        shop,
        ("ok@example.org", ()),
        ("gone@example.org", ()),
        ("later@example.org", ()),
        ("huge@example.org", ()),
    )
    with ScriptedServer(
        rcpt_replies={"gone@example.org": "550 5.1.1 user unknown"},
        data_replies={
            "later@example.org": ["451 4.3.0 try again"],
            "huge@example.org": ["552 5.3.4 too big"],
        },
    ) as server:
        report = send(shop, WEEK, transport=smtp(shop, server))
        received = sorted(r for m in server.messages for r in m.recipients)
    stats = report.stats
    assert stats is not None
    assert (stats.total_sent, sum(stats.failed.values()), stats.retried) == (2, 2, 1)
    assert received == ["later@example.org", "ok@example.org"]
    rows = ledger(shop)
    assert rows["gone@example.org"][0] == "failed" and "550 5.1.1 user unknown" in (
        rows["gone@example.org"][3] or ""
    )
    assert rows["huge@example.org"][0] == "failed" and "552" in (rows["huge@example.org"][3] or "")
    assert rows["later@example.org"][:2] == ("sent", 2)
    with open_store(shop) as store:
        gone = store.subscriber_by_key("gone@example.org")
        huge = store.subscriber_by_key("huge@example.org")
    assert gone and gone.bounces == 1 and gone.state == "active"
    assert huge and huge.bounces == 0  # a refused message is not the address's fault


def test_repeated_refusals_mark_bounced(shop: Config) -> None:
    subscribe(shop, ("gone@example.org", ()))
    with ScriptedServer(rcpt_replies={"gone@example.org": "550 5.1.1 user unknown"}) as server:
        send(shop, "2026-W03", transport=smtp(shop, server))
        report = send(shop, WEEK, transport=smtp(shop, server))
    assert report.stats is not None and report.stats.bounced == 1
    with open_store(shop) as store:
        gone = store.subscriber_by_key("gone@example.org")
    assert gone and gone.state == "bounced"


def test_421_mid_run_reconnects_and_resumes(shop: Config) -> None:
    # Each connection takes 2 messages and answers the next MAIL with 421, so 7 messages
    # meet at most 3 of those (a 421 ends a session that took 2). With 3 attempts, one
    # message could meet all 3 (a retry can land on the other connection just at its limit)
    # and wait for the next run; with 4 attempts (the default) none can.
    shop = replace(shop, delivery=replace(shop.delivery, retries=4))
    subscribe(shop, *((f"s{i}@example.org", ()) for i in range(7)))
    with ScriptedServer(close_after=2) as server:
        report = send(shop, WEEK, transport=smtp(shop, server))
        received = [r for m in server.messages for r in m.recipients]
        sessions = server.sessions
    assert report.stats is not None and report.stats.total_sent == 7
    assert sorted(received) == sorted(f"s{i}@example.org" for i in range(7))
    assert sessions >= 4


def test_dropped_after_data_is_in_doubt_and_resent_with_the_same_id(shop: Config) -> None:
    subscribe(shop, ("a@example.org", ()), ("b@example.org", ()))
    with ScriptedServer(drop_after_data=["b@example.org"], record_dropped=True) as server:
        report = send(shop, WEEK, transport=smtp(shop, server))
        got = [(m.recipients[0], m.message_id) for m in server.messages]
    assert report.stats is not None and report.stats.in_doubt == 1
    b = [mid for rcpt, mid in got if rcpt == "b@example.org"]
    assert len(b) == 2 and b[0] == b[1]  # the copy carries the same Message-ID
    duplicates = len(got) - len({r for r, _ in got})
    assert duplicates <= report.stats.in_doubt


def test_temporary_failures_wait_for_the_next_run(shop: Config) -> None:
    subscribe(shop, ("slow@example.org", ()))
    with ScriptedServer(data_replies={"slow@example.org": ["451 busy"] * 3}) as server:
        report = send(shop, WEEK, transport=smtp(shop, server))
        assert report.stats is not None and report.stats.deferred == 1
        assert ledger(shop)["slow@example.org"][0] == "queued"
        report = send(shop, WEEK, transport=smtp(shop, server))
    assert report.stats is not None and report.stats.total_sent == 1


def test_server_down_marks_nothing(shop: Config) -> None:
    subscribe(shop, ("a@example.org", ()))
    with pytest.raises(TransportError, match=r"127\.0\.0\.1:\d+"):
        send(shop, WEEK, transport=smtp(shop, smtp_config(free_port())))
    assert all(state != "sent" for state, *_ in ledger(shop).values())


def test_wrong_password_stops_at_once(shop: Config) -> None:
    subscribe(shop, ("a@example.org", ()), ("b@example.org", ()))
    with ScriptedServer(users={"digest": "right"}) as server:
        transport = SmtpTransport(server.smtp_config(user="digest"), "wrong")
        with pytest.raises(TransportError, match=r"535|login"):
            send(shop, WEEK, transport=transport)
        assert server.messages == []
    assert all(state == "queued" for state, *_ in ledger(shop).values())


def test_rows_left_sending_by_a_crash_are_resent_as_in_doubt(shop: Config) -> None:
    subscribe(shop, ("a@example.org", ()), ("b@example.org", ()))
    send(shop, WEEK, limit=1)
    with open_store(shop) as store, store.transaction():
        store._db.execute("UPDATE deliveries SET state = 'sending' WHERE state = 'queued'")
    report = send(shop, WEEK)
    assert report.stats is not None and report.stats.in_doubt == 1 and report.stats.total_sent == 1
    assert {s for s, *_ in ledger(shop).values()} == {"sent"}
    # Maildir is exactly-once: an in-doubt row whose file exists is not written twice.
    with open_store(shop) as store, store.transaction():
        store._db.execute("UPDATE deliveries SET state = 'sending'")
    report = send(shop, WEEK)
    assert report.stats is not None and report.stats.in_doubt == 2
    assert len(outbox(shop)) == 2


def test_dkim_signed_digest_verifies(shop: Config, tmp_path: Path) -> None:
    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from digest.config_delivery import DkimConfig
    from tests.test_dkim import DOMAIN, SELECTOR, _dns, _pem

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "dkim.pem"
    path.write_bytes(_pem(key, serialization.PrivateFormat.PKCS8))
    signed = replace(shop, delivery=replace(shop.delivery, dkim=DkimConfig(path, SELECTOR, DOMAIN)))
    subscribe(signed, ("a@example.org", ("partnerships",)))
    send(signed, WEEK)
    [raw] = [f.read_bytes() for f in (shop.delivery.maildir / "new").iterdir()]
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=_dns(key))
    assert not dkim.verify(raw.replace(b"Subject: ", b"Subject: X", 1), dnsfunc=_dns(key))
