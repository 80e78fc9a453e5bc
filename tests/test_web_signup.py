"""The sign-up form: accessible markup, the same answer for known and new addresses, the
honeypot, CSRF, bad input (invalid address, no consent, wrong encoding, oversize body) and
the rate limits per client and per address."""

from __future__ import annotations

import logging
import re
from typing import Any

import lxml.html
import pytest

from digest.config import Config
from digest.pipeline.signup import subscriptions

from .web_support import csrf_token, form_page, outbox

GOOD = {"email": "Erika.Muster@Example.org", "consent": "y", "topics": ["policy", "congresses"]}


def sign_up(client: Any, ip: str = "192.0.2.10", **fields: Any) -> Any:
    token = form_page(client, "/anmelden")
    data = {"csrf_token": token, **GOOD, **fields}
    return client.post("/anmelden", data=data, environ_base={"REMOTE_ADDR": ip}, buffered=True)


def stored(site: Config) -> dict[str, int]:
    with subscriptions(site) as subs:
        return subs.counts()


def main_text(response: Any) -> str:
    root = lxml.html.fromstring(response.data)
    return " ".join(root.xpath("string(//main)").split())


def test_form_is_german_labelled_and_shows_consent_and_topics(client: Any, site: Config) -> None:
    response = client.get("/anmelden")
    assert response.status_code == 200
    root = lxml.html.fromstring(response.data)
    assert root.get("lang", "").startswith("de")
    for field in root.xpath("//form//input[not(@type='hidden')]"):
        label = root.xpath(f"//label[@for='{field.get('id')}']")
        assert label, f"input {field.get('name')} has no label"
    boxes = root.xpath("//input[@name='topics']")
    labels = [root.xpath(f"string(//label[@for='{b.get('id')}'])") for b in boxes]
    assert labels == [site.rules.label(k) for k in site.topic_keys]
    consent = " ".join(root.xpath("string(//label[@for='consent'])").split())
    assert consent == " ".join(site.consent.text.split())
    privacy = root.xpath("//*[@id='consent-privacy']//a/@href")
    assert privacy == ["/datenschutz"]
    assert root.xpath("//input[@id='consent']/@aria-describedby") == ["consent-privacy"]
    # The honeypot is out of sight and out of the tab order.
    trap = root.xpath("//input[@name='homepage']")[0]
    assert trap.get("tabindex") == "-1" and trap.getparent().get("aria-hidden") == "true"
    assert "digest_csrf=" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "SameSite=Strict" in response.headers["Set-Cookie"]


def test_sign_up_stores_pending_and_sends_the_confirmation_mail(client: Any, site: Config) -> None:
    response = sign_up(client)
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihr Postfach" in main_text(response)
    with subscriptions(site) as subs:
        s = subs.find("erika.muster@example.org")
    assert s.state == "pending" and s.topics == ("congresses", "policy")
    assert s.signup_source == "web"
    mails = outbox(site)
    assert len(mails) == 1 and mails[0]["To"] == "Erika.Muster@example.org"
    assert "/bestaetigen/" in mails[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_same_answer_whether_known_or_not(client: Any, site: Config) -> None:
    new = sign_up(client, email="neu@example.org")
    pending = sign_up(client, email="neu@example.org", ip="192.0.2.11")
    with subscriptions(site) as subs:
        token = subs.add("aktiv@example.org").confirm_token
        assert token is not None
        from digest.subscribers.manage import Proof

        subs.confirm(token, Proof("cli"))
    active = sign_up(client, email="aktiv@example.org", ip="192.0.2.12")
    assert new.status_code == pending.status_code == active.status_code == 200
    assert main_text(new) == main_text(pending) == main_text(active)
    # Only the new address got a mail (the pending one is inside the resend pause).
    assert [m["To"] for m in outbox(site)] == ["neu@example.org"]


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"email": "keine-adresse"}, "email", "gültige E-Mail-Adresse"),
        ({"email": "a@b"}, "email", "gültige E-Mail-Adresse"),
        ({"email": ""}, "email", "Bitte geben Sie Ihre E-Mail-Adresse ein"),
        ({"email": "x" * 250 + "@example.org"}, "email", "zu lang"),
        ({"email": "a@example.org\r\nBcc: b@example.org"}, "email", "gültige E-Mail-Adresse"),
        ({"consent": ""}, "consent", "Einwilligung"),
        ({"topics": ["policy", "kochrezepte"]}, "topic-partnerships", "nur Themen"),
    ],
)
def test_bad_input_is_explained_at_the_field(
    client: Any, site: Config, fields: dict[str, Any], field_id: str, message: str
) -> None:
    response = sign_up(client, **fields)
    assert response.status_code == 400
    root = lxml.html.fromstring(response.data)
    assert root.xpath("string(//title)").startswith("Fehler:")
    summary = root.xpath("//div[@class='error-summary']")[0]
    assert summary.get("role") == "alert"
    assert f"#{field_id}" in summary.xpath(".//a/@href")
    assert message in summary.text_content()
    if field_id in ("email", "consent"):
        field = root.xpath(f"//input[@id='{field_id}']")[0]
        assert field.get("aria-invalid") == "true"
        error_id = f"{field_id}-error"
        assert error_id in field.get("aria-describedby").split()
        assert message in root.xpath(f"string(//*[@id='{error_id}'])")
    assert stored(site) == {} and outbox(site) == []
    # What was typed is kept, so nobody has to start again.
    if fields.get("email") and "\r" not in fields["email"]:
        assert root.xpath("//input[@id='email']/@value") == [fields["email"]]


def test_filled_honeypot_looks_accepted_and_stores_nothing(client: Any, site: Config) -> None:
    real = sign_up(client, email="mensch@example.org")
    bot = sign_up(client, email="bot@example.org", homepage="https://spam.example", ip="1.2.3.4")
    assert bot.status_code == 200 and main_text(bot) == main_text(real)
    with subscriptions(site) as subs:
        assert [s.email for s in subs.listing()] == ["mensch@example.org"]
    assert len(outbox(site)) == 1


def test_missing_or_wrong_csrf_token_is_refused(client: Any, site: Config) -> None:
    client.get("/anmelden")
    missing = client.post("/anmelden", data=GOOD)
    assert missing.status_code == 400
    assert "Formular ist abgelaufen" in main_text(missing)
    forged = client.post("/anmelden", data={**GOOD, "csrf_token": "IjEyMyI.forged"})
    assert forged.status_code == 400
    # A token read off the page is useless to a client without the matching cookie.
    other = client.application.test_client()
    token = csrf_token(client.get("/anmelden").get_data(as_text=True))
    stolen = other.post("/anmelden", data={**GOOD, "csrf_token": token})
    assert stolen.status_code == 400
    assert stored(site) == {}


def test_form_data_in_a_wrong_encoding(client: Any, site: Config) -> None:
    token = form_page(client, "/anmelden")
    for body in (
        f"csrf_token={token}&email=m%FCller%40example.org&consent=y".encode(),
        f"csrf_token={token}&email=".encode()
        + "müller@example.org".encode("latin-1")
        + b"&consent=y",
        f"csrf_token={token}&email=%C3%28%40example.org&consent=y".encode(),
    ):
        response = client.post(
            "/anmelden",
            data=body,
            content_type="application/x-www-form-urlencoded; charset=latin-1",
        )
        assert response.status_code == 400, body
        assert "nicht in der Zeichenkodierung UTF-8" in main_text(response)
    assert stored(site) == {}
    # The check does not get in the way of real UTF-8.
    umlaut = sign_up(client, email="info@münchen.example")
    assert umlaut.status_code == 200
    assert stored(site) == {"pending": 1}


def test_a_body_over_the_limit_gets_413(client: Any, site: Config) -> None:
    token = form_page(client, "/anmelden")
    padding = "x" * (site.web.max_body_kb * 1024)
    response = client.post("/anmelden", data={**GOOD, "csrf_token": token, "homepage": padding})
    assert response.status_code == 413
    assert "Anfrage zu groß" in main_text(response)
    assert stored(site) == {}


def test_a_flood_from_one_client_is_throttled_and_others_are_served(
    client: Any, site: Config
) -> None:
    token = form_page(client, "/anmelden")
    codes = []
    for i in range(100):
        response = client.post(
            "/anmelden",
            data={**GOOD, "email": f"flut{i}@example.org", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "203.0.113.66"},
            buffered=True,
        )
        codes.append(response.status_code)
    allowed = int(re.match(r"\d+", site.web.signup_limit_client).group())  # type: ignore[union-attr]
    assert codes[:allowed] == [200] * allowed
    assert set(codes[allowed:]) == {429}
    throttled = client.post(
        "/anmelden",
        data={**GOOD, "email": "noch@example.org", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "203.0.113.66"},
    )
    assert throttled.status_code == 429
    assert "Zu viele Anfragen" in main_text(throttled)
    assert int(throttled.headers["Retry-After"]) > 0
    other = sign_up(client, email="andere@example.org", ip="198.51.100.7")
    assert other.status_code == 200
    assert stored(site) == {"pending": allowed + 1}


def test_one_address_from_many_clients_is_throttled(client: Any, site: Config) -> None:
    allowed = int(re.match(r"\d+", site.web.signup_limit_address).group())  # type: ignore[union-attr]
    codes = [
        sign_up(client, email="Ziel@Example.org", ip=f"198.51.100.{i}").status_code
        for i in range(allowed + 2)
    ]
    assert codes == [200] * allowed + [429, 429]
    assert len(outbox(site)) == 1  # and one mail: the resend pause of the library
    assert sign_up(client, email="sonst@example.org", ip="198.51.100.99").status_code == 200


def test_logs_never_show_the_address(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="digest.web")
    sign_up(client, email="geheim.person@example.org")
    sign_up(client, email="bot@example.org", homepage="x")
    assert any("sign-up" in r.getMessage() for r in caplog.records)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "geheim" not in text.lower() and "bot@" not in text
