"""The pages behind the links in the mails: confirm (GET shows a button, POST confirms and
stores the proof), expired links and renewal, preferences, and unsubscribe (button page,
POST without CSRF, RFC 8058 one-click, twice, and a GET flood that changes nothing); forged,
tampered and wrong-purpose tokens."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from digest.config import Config
from digest.models import Subscriber
from digest.pipeline.signup import subscriptions
from digest.subscribers.manage import Proof
from digest.subscribers.tokens import Tokens

from .web_support import SECRET, Clock, csrf_token, form_page, link_in, outbox

UA = "Mozilla/5.0 (X11; Linux x86_64) Testbrowser/1.0"


def main_text(response: Any) -> str:
    return " ".join(lxml.html.fromstring(response.data).xpath("string(//main)").split())


def tokens() -> Tokens:
    return Tokens(SECRET.encode())


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def state_of(site: Config, address: str) -> Subscriber:
    with subscriptions(site) as subs:
        return subs.find(address)


def signed_up(client: Any, site: Config, address: str = "lea@example.org") -> str:
    """Sign up through the form; return the path of the confirm link from the mail."""
    token = form_page(client, "/anmelden")
    response = client.post(
        "/anmelden",
        data={"csrf_token": token, "email": address, "consent": "y", "topics": ["policy"]},
        buffered=True,
    )
    assert response.status_code == 200
    return path_of(link_in(outbox(site)[-1], "bestaetigen/"))


def active(site: Config, clock: Clock, address: str = "max@example.org") -> Subscriber:
    with subscriptions(site, clock) as subs:
        signup = subs.add(address, topics="partnerships,policy")
        assert signup.confirm_token
        return subs.confirm(signup.confirm_token, Proof("cli"))


def test_confirm_get_shows_a_button_and_changes_nothing(client: Any, site: Config) -> None:
    link = signed_up(client, site)
    for _ in range(3):  # a mail scanner opening the link
        page = client.get(link)
        assert page.status_code == 200
    root = lxml.html.fromstring(page.data)
    assert root.xpath("//form[@method='post']//button[@type='submit']")
    assert " ".join(site.consent.text.split()) in main_text(page)
    assert state_of(site, "lea@example.org").state == "pending"


def test_confirm_post_activates_and_stores_the_proof(
    client: Any, site: Config, clock: Clock
) -> None:
    link = signed_up(client, site)
    token = csrf_token(client.get(link).get_data(as_text=True))
    clock.advance(hours=2)
    done = client.post(
        link,
        data={"csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.77"},
        headers={"User-Agent": UA},
    )
    assert done.status_code == 200 and "Location" not in done.headers
    assert "Sie sind angemeldet" in main_text(done)
    s = state_of(site, "lea@example.org")
    assert s.state == "active" and s.confirmed_at == clock()
    assert s.consent is not None
    assert (s.consent.ip, s.consent.user_agent, s.consent.source) == ("192.0.2.77", UA, "web")
    assert s.consent.version == site.consent.version
    assert s.consent.text_hash == site.consent.text_hash
    assert s.consent.at == clock()
    # The thank-you page leads to the preferences, and confirming again is fine.
    prefs = lxml.html.fromstring(done.data).xpath("//a[contains(@href,'/einstellungen/')]/@href")
    assert prefs and client.get(prefs[0]).status_code == 200
    again = client.get(link)
    assert again.status_code == 200 and "bereits bestätigt" in main_text(again)


def test_confirm_post_needs_the_csrf_token(client: Any, site: Config) -> None:
    link = signed_up(client, site)
    assert client.post(link, data={}).status_code == 400
    assert state_of(site, "lea@example.org").state == "pending"


def test_expired_link_offers_a_new_mail(client: Any, site: Config, clock: Clock) -> None:
    link = signed_up(client, site)
    clock.advance(days=site.subscribe.confirm_days, minutes=1)
    page = client.get(link)
    assert page.status_code == 400
    assert "abgelaufen" in main_text(page)
    form = lxml.html.fromstring(page.data).xpath("//form[@method='post']")[0]
    assert form.get("action").endswith("/neu")
    token = csrf_token(page.get_data(as_text=True))
    renewed = client.post(form.get("action"), data={"csrf_token": token}, buffered=True)
    assert renewed.status_code == 200 and "Neue Bestätigungsmail" in main_text(renewed)
    mails = outbox(site)
    assert len(mails) == 2
    fresh = path_of(link_in(mails[-1], "bestaetigen/"))
    assert fresh != link and client.get(fresh).status_code == 200
    # The old link is still expired; the new one confirms.
    assert client.get(link).status_code == 400
    token = csrf_token(client.get(fresh).get_data(as_text=True))
    assert client.post(fresh, data={"csrf_token": token}).status_code == 200
    assert state_of(site, "lea@example.org").state == "active"


def test_expired_and_purged_sign_up_says_sign_up_again(
    client: Any, site: Config, clock: Clock
) -> None:
    link = signed_up(client, site)
    clock.advance(days=site.subscribe.confirm_days + 1)
    with subscriptions(site, clock) as subs:
        assert subs.purge() == 1
    page = client.get(link)
    assert page.status_code == 404
    assert "Bitte melden Sie sich neu an" in main_text(page)
    assert lxml.html.fromstring(page.data).xpath("//main//a[@href='/anmelden']")


def test_preferences_show_and_change_the_topics(client: Any, site: Config, clock: Clock) -> None:
    s = active(site, clock)
    link = f"/einstellungen/{tokens().make('preferences', s.id)}"
    page = client.get(link)
    assert page.status_code == 200
    root = lxml.html.fromstring(page.data)
    checked = root.xpath("//input[@name='topics' and @checked]/@value")
    assert checked == ["partnerships", "policy"]
    token = csrf_token(page.get_data(as_text=True))
    saved = client.post(link, data={"csrf_token": token, "topics": ["congresses"]})
    assert saved.status_code == 200 and "Gespeichert" in main_text(saved)
    assert lxml.html.fromstring(saved.data).xpath("//input[@checked]/@value") == ["congresses"]
    assert state_of(site, "max@example.org").topics == ("congresses",)
    empty = client.post(link, data={"csrf_token": token})
    assert empty.status_code == 400 and "mindestens ein Thema" in main_text(empty)
    unknown = client.post(link, data={"csrf_token": token, "topics": ["policy", "wetter"]})
    assert unknown.status_code == 400
    assert client.post(link, data={"topics": ["policy"]}).status_code == 400  # no CSRF token
    assert state_of(site, "max@example.org").topics == ("congresses",)
    # Everything ticked is stored as "all", so topics added later are included too.
    every = client.post(link, data={"csrf_token": token, "topics": list(site.topic_keys)})
    assert every.status_code == 200 and state_of(site, "max@example.org").topics == ()
    # The page offers to unsubscribe, with a working unsubscribe link.
    leave = lxml.html.fromstring(every.data).xpath("//form[contains(@action,'/abmelden/')]")
    assert leave and leave[0].get("method") == "post"


def test_unsubscribe_page_flood_and_post(client: Any, site: Config, clock: Clock) -> None:
    s = active(site, clock)
    link = f"/abmelden/{tokens().make('unsubscribe', s.id)}"
    for _ in range(100):
        page = client.get(link)
        assert page.status_code == 200
    assert state_of(site, "max@example.org").state == "active"
    assert lxml.html.fromstring(page.data).xpath("//form[@method='post']//button")
    assert "Set-Cookie" not in page.headers
    done = client.post(link)  # the button: no CSRF token needed, the link is the key
    assert done.status_code == 200 and "Location" not in done.headers
    assert "Sie sind abgemeldet" in main_text(done)
    assert state_of(site, "max@example.org").state == "unsubscribed"
    twice = client.post(link)
    assert twice.status_code == 200 and "Sie sind abgemeldet" in main_text(twice)
    assert "abgemeldet" in main_text(client.get(link))


def test_rfc8058_one_click_without_cookies(app: Any, site: Config, clock: Clock) -> None:
    s = active(site, clock)
    bare = app.test_client(use_cookies=False)
    response = bare.post(
        f"/abmelden/{tokens().make('unsubscribe', s.id)}",
        data=b"List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "Location" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert state_of(site, "max@example.org").state == "unsubscribed"


def test_unsubscribing_an_erased_person_is_fine(client: Any, site: Config, clock: Clock) -> None:
    s = active(site, clock)
    with subscriptions(site, clock) as subs:
        subs.forget("max@example.org")
    link = f"/abmelden/{tokens().make('unsubscribe', s.id)}"
    assert client.post(link).status_code == 200
    page = client.get(f"/einstellungen/{tokens().make('preferences', s.id)}")
    assert page.status_code == 200 and "Kein aktives Abonnement" in main_text(page)


def _forged(clock: Clock, purpose: Any, subscriber_id: int) -> str:
    """A well-formed token signed with another key."""
    other = Tokens(b"a-different-secret-0123456789")
    return other.make(purpose, subscriber_id, clock() if purpose == "confirm" else None)


BAD_LINKS = [
    ("forged", _forged),
    ("tampered", lambda t, p, i: _good(t, p, i)[:-3] + "AAA"),
    ("cut short", lambda t, p, i: _good(t, p, i)[:12]),
    ("markup", lambda t, p, i: "%3Cb%3E%22onmouseover%3Dalert(1)"),
]


def _good(clock: Clock, purpose: Any, subscriber_id: int) -> str:
    if purpose == "confirm":
        return tokens().make("confirm", subscriber_id, clock())
    return tokens().make(purpose, subscriber_id)


@pytest.mark.parametrize(("kind", "make"), BAD_LINKS, ids=[k for k, _ in BAD_LINKS])
@pytest.mark.parametrize(
    ("route", "purpose"),
    [("bestaetigen", "confirm"), ("einstellungen", "preferences"), ("abmelden", "unsubscribe")],
)
def test_bad_tokens_get_a_german_400_and_change_nothing(
    client: Any, site: Config, clock: Clock, kind: str, make: Any, route: str, purpose: str
) -> None:
    s = active(site, clock)
    link = f"/{route}/{make(clock, purpose, s.id)}"
    for method in ("get", "post"):
        response = getattr(client, method)(link, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code in (400, 404), (method, response.status_code)
        text = main_text(response)
        assert "ungültig" in text or "nicht gefunden" in text.lower()
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and "<b>" not in body
    after = state_of(site, "max@example.org")
    assert (after.state, after.topics) == ("active", ("partnerships", "policy"))


@pytest.mark.parametrize(
    ("route", "made_for", "says"),
    [
        ("abmelden", "preferences", "ein Link zu den Einstellungen, nicht ein Abmeldelink"),
        ("einstellungen", "unsubscribe", "ein Abmeldelink, nicht ein Link zu den Einstellungen"),
        ("bestaetigen", "unsubscribe", "ein Abmeldelink, nicht ein Bestätigungslink"),
    ],
)
def test_wrong_purpose_token_says_which_link_it_is(
    client: Any, site: Config, clock: Clock, route: str, made_for: Any, says: str
) -> None:
    s = active(site, clock)
    response = client.post(f"/{route}/{tokens().make(made_for, s.id)}")
    assert response.status_code == 400
    assert says in main_text(response)
    assert state_of(site, "max@example.org").state == "active"
