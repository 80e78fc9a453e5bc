"""The subscriber life cycle on a real store: sign-up, confirm, tokens, unsubscribe, topics,
export (Art. 15), forget (Art. 17), purge, and the import's consent rules."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from digest.config import Config
from digest.errors import SubscriberError, UsageError
from digest.pipeline import open_store
from digest.subscribers.csvfile import read_subscriber_csv
from digest.subscribers.manage import Proof, Subscriptions, parse_topics
from digest.subscribers.tokens import TokenExpired, Tokens, load_secret

from .web_support import Clock  # the test clock; the `clock` fixture is in conftest.py


@pytest.fixture
def subs(cfg: Config, clock: Clock):  # type: ignore[no-untyped-def]
    with open_store(cfg) as store:
        yield Subscriptions(store, cfg, Tokens(b"k" * 32), clock)


def test_sign_up_confirm_and_consent_proof(subs: Subscriptions, cfg: Config) -> None:
    signup = subs.add(" Erika@Example.ORG ", name="Erika\r\nBcc: x@y", topics="policy,partnerships")
    assert signup.outcome == "created" and signup.confirm_token
    s = signup.subscriber
    assert (s.state, s.email_ascii, s.topics) == (
        "pending",
        "Erika@example.org",
        ("partnerships", "policy"),
    )
    assert "\n" not in (s.name or "")
    confirmed = subs.confirm(signup.confirm_token, Proof("web", "192.0.2.7", "Firefox/140"))
    assert confirmed.state == "active" and confirmed.confirmed_at == subs.now()
    c = confirmed.consent
    assert c is not None
    assert (c.version, c.text_hash, c.ip, c.user_agent, c.source) == (
        cfg.consent.version,
        cfg.consent.text_hash,
        "192.0.2.7",
        "Firefox/140",
        "web",
    )
    # Confirming twice changes nothing.
    assert subs.confirm(signup.confirm_token, Proof("web")).consent == c


def test_adding_again_reveals_nothing_and_harms_nothing(subs: Subscriptions, clock: Clock) -> None:
    first = subs.add("a@example.org")
    assert first.confirm_token
    again = subs.add("A@EXAMPLE.org")
    assert again.outcome == "unchanged" and again.confirm_token is None  # within the hour
    clock.advance(minutes=61)
    later = subs.add("a@example.org")
    assert later.outcome == "resent" and later.confirm_token
    assert later.subscriber.optin_count == 2
    subs.confirm(later.confirm_token, Proof("cli"))
    active = subs.add("a@example.org", topics="policy")
    assert active.outcome == "unchanged" and active.subscriber.state == "active"
    assert active.subscriber.topics == ()  # an unconfirmed request cannot change an active one


def test_confirm_token_expires_and_pending_is_purged(subs: Subscriptions, clock: Clock) -> None:
    signup = subs.add("late@example.org")
    assert signup.confirm_token
    clock.advance(days=7, seconds=1)
    with pytest.raises(TokenExpired) as caught:
        subs.confirm(signup.confirm_token, Proof("web"))
    assert caught.value.subscriber_id == signup.subscriber.id
    assert subs.purge() == 1
    with pytest.raises(SubscriberError, match="no subscriber"):
        subs.find("late@example.org")


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), "invalid"),
        (lambda t: "W1szXV0" + t[t.index(".") :], "invalid"),  # another payload, same signature
        (lambda t: t.split(".")[0], "invalid"),
        (lambda t: "", "invalid"),
        (lambda t: "<script>", "invalid"),
    ],
)
def test_forged_or_tampered_tokens_are_refused(subs: Subscriptions, mangle, message) -> None:  # type: ignore[no-untyped-def]
    token = subs.add("t@example.org").confirm_token
    assert token
    with pytest.raises(SubscriberError, match=message):
        subs.confirm(mangle(token), Proof("web"))


def test_tokens_name_their_purpose() -> None:
    tokens = Tokens(b"s" * 32)
    unsubscribe = tokens.make("unsubscribe", 7)
    assert tokens.check("unsubscribe", unsubscribe) == 7
    with pytest.raises(SubscriberError, match="unsubscribe link, not a preferences link"):
        tokens.check("preferences", unsubscribe)
    with pytest.raises(SubscriberError, match="invalid"):
        Tokens(b"other-secret-123456").check("unsubscribe", unsubscribe)
    assert tokens.make("unsubscribe", 7) == unsubscribe  # stable: old mails keep working


def test_unsubscribe_twice_and_topics(subs: Subscriptions) -> None:
    signup = subs.add("u@example.org")
    assert signup.confirm_token
    s = subs.confirm(signup.confirm_token, Proof("cli"))
    s = subs.set_topics(s, "congresses, other")
    assert s.topics == ("congresses", "other")
    assert subs.set_topics(s, "all").topics == ()
    with pytest.raises(UsageError, match="unknown topic: sport"):
        subs.set_topics(s, "policy,sport")
    gone = subs.unsubscribe(s)
    assert gone.state == "unsubscribed" and gone.unsubscribed_at
    assert subs.unsubscribe(gone).state == "unsubscribed"
    again = subs.add("u@example.org")  # a new sign-up after leaving needs a new confirmation
    assert again.outcome == "renewed" and again.subscriber.state == "pending"


def test_parse_topics_normalises_order_and_all() -> None:
    keys = ("partnerships", "congresses", "policy", "other")
    assert parse_topics("policy;Partnerships", keys) == ("partnerships", "policy")
    assert parse_topics("", keys) == () == parse_topics(list(keys), keys)


def test_export_and_forget(subs: Subscriptions, cfg: Config, tmp_path: Path) -> None:
    signup = subs.add("f@example.org", name="Frida")
    assert signup.confirm_token
    s = subs.confirm(signup.confirm_token, Proof("web", "198.51.100.1", "UA"))
    with subs.store.transaction():
        subs.store.plan_deliveries(
            "2026-W44", [(s.id, s.email_ascii, "policy", "sent", "<m@x>", "250 ok")], subs.now()
        )
    data = subs.export("F@example.org")
    assert data["email"] == "f@example.org" and data["name"] == "Frida"
    assert data["consent"]["ip"] == "198.51.100.1"
    assert data["deliveries"][0]["week"] == "2026-W44"
    assert subs.forget("f@example.org") is True
    with pytest.raises(SubscriberError):
        subs.find("f@example.org")
    rows = subs.store._db.execute(
        "SELECT subscriber_id, recipient, last_reply FROM deliveries"
    ).fetchall()
    assert rows == [(None, None, None)]
    dump = "\n".join(subs.store._db.iterdump())
    assert "f@example.org" not in dump.lower() and "Frida" not in dump
    # An import cannot bring the address back; a new double opt-in can.
    csv = tmp_path / "in.csv"
    csv.write_text("email,consented_at,consent_source\nF@Example.org,2026-01-02,Messe\n", "utf-8")
    rows_in = read_subscriber_csv(csv, cfg.topic_keys, cfg.site.tz, require_consent=True).rows
    result = subs.import_rows(rows_in, consent_documented=True, send_opt_in=False)
    assert (result.suppressed, result.active) == (1, 0)
    back = subs.add("f@example.org")
    assert back.confirm_token
    subs.confirm(back.confirm_token, Proof("web"))
    result = subs.import_rows(rows_in, consent_documented=True, send_opt_in=False)
    assert result.known == 1


def test_import_needs_documented_consent_to_activate(
    subs: Subscriptions, cfg: Config, tmp_path: Path
) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text(
        "email,name,topics,consented_at,consent_source\n"
        "a@example.org,A,policy,2025-05-01,Formular Messe\n"
        "b@example.org,B,,2025-05-02,Altliste\n",
        "utf-8",
    )
    rows = read_subscriber_csv(csv, cfg.topic_keys, cfg.site.tz, require_consent=False).rows
    plain = subs.import_rows(rows[:1], consent_documented=False, send_opt_in=True)
    assert (plain.pending, plain.active, len(plain.mails)) == (1, 0, 1)
    vouched = subs.import_rows(rows, consent_documented=True, send_opt_in=False)
    assert (vouched.active, vouched.known) == (1, 1)
    b = subs.find("b@example.org")
    assert b.state == "active" and b.consent and b.consent.source == "import: Altliste"
    assert b.consent.version == "import"  # not our text: we do not pretend it was


def test_secret_from_env_or_a_private_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DIGEST_SECRET", raising=False)
    store = tmp_path / "var" / "store.sqlite3"
    first = load_secret(store)
    key = tmp_path / "var" / "digest.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert "created a new signing key" in capsys.readouterr().err
    assert load_secret(store) == first and capsys.readouterr().err == ""
    monkeypatch.setenv("DIGEST_SECRET", "e" * 40)
    assert load_secret(store) == b"e" * 40
    monkeypatch.setenv("DIGEST_SECRET", "short")
    with pytest.raises(SubscriberError, match="too short"):
        load_secret(store)


def test_config_has_no_secret(cfg: Config) -> None:
    text = cfg.path.read_text("utf-8").lower()
    assert "password =" not in text and "secret =" not in text
    assert replace(cfg).delivery.smtp.user == ""
