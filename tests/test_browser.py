"""End to end in a real browser: sign up, confirm, choose topics, receive the digest and
unsubscribe on a live server, with a screenshot at phone width and an axe-core check of every
page; and the RFC 8058 one-click unsubscribe as a mail client sends it.

The browser tests need Debian's Chromium (see tests/browser.py); they are skipped without it
unless DIGEST_REQUIRE_BROWSER=1. The one-click test needs no browser and always runs.
"""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from digest.config import Config
from digest.pipeline import open_store
from digest.pipeline import signup as signups
from digest.pipeline.mailing import send
from digest.store import Query
from digest.subscribers.manage import Proof
from digest.web import create_app

from .browser import (  # the fixtures `browser` and `page`, imported to be found
    browser_fixture,  # noqa: F401
    check_a11y,
    new_page,
    page_fixture,  # noqa: F401
    screenshot,
)
from .web_support import (
    SECRET,
    Clock,
    build_sample,
    free_port,
    link_in,
    live_server,
    outbox,
    web_config,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

READER = "leserin@example.org"
EVERYONE = "alle@example.org"
SIGNUP_TOPICS = ("congresses", "policy")  # ticked on the sign-up form
CHOSEN_TOPICS = ("partnerships", "policy")  # after the preferences page: congresses out
IN_VIEW = (
    "e => { const r = e.getBoundingClientRect(); return r.top > -1 && r.bottom < innerHeight + 1 }"
)
SECTION = re.compile(r"== (.+) \(\d+ [^()]*\) ==")


@dataclass(frozen=True)
class Live:
    cfg: Config
    clock: Clock
    url: str  # base URL of the live server, ending in /


@pytest.fixture
def live(cfg: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """The sample archive and the app on a live waitress server; links in mails point at it.

    Tests name `live` before `page`, so the page closes before the server stops: stopping it
    under the browser's open keep-alive connections takes seconds."""
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    port = free_port()
    built = build_sample(web_config(cfg, tmp_path, base_url=f"http://127.0.0.1:{port}/"))
    clock = Clock()
    with live_server(create_app(built, now=clock), port) as url:
        yield Live(built, clock, url)


def mails_to(cfg: Config, address: str) -> list[EmailMessage]:
    return [m for m in outbox(cfg) if address in str(m["To"])]


def wait_for_mail(cfg: Config, address: str, seconds: float = 5.0) -> EmailMessage:
    """The first mail to `address`; the sign-up mail goes out after the answer is closed."""
    deadline = time.monotonic() + seconds
    while True:
        found = mails_to(cfg, address)
        if found:
            return found[0]
        if time.monotonic() > deadline:
            pytest.fail(f"no mail to {address} within {seconds} s")
        time.sleep(0.05)


def sections(message: EmailMessage) -> list[str]:
    """The topic section headings of a digest's text part, as printed (upper case)."""
    part = message.get_body(("plain",))
    assert part is not None
    lines = part.get_content().splitlines()
    return [found.group(1) for line in lines if (found := SECTION.fullmatch(line.strip()))]


def headings(cfg: Config, topics: Collection[str]) -> list[str]:
    """The section headings a digest of these topics has, in the digest's order."""
    return [cfg.rules.label(key).upper() for key in cfg.topic_keys if key in topics]


def week_topics(cfg: Config, week: str) -> set[str]:
    with open_store(cfg) as store:
        return {a.topic for a in store.articles(Query(iso_week=week))}


def weeks(cfg: Config) -> list[str]:
    with open_store(cfg) as store:
        return [week for week, _ in store.weeks()]


def subscribe_confirmed(live: Live, address: str) -> None:
    """An active subscriber of every topic, signed up and confirmed through the library."""
    result = signups.add(live.cfg, address, None, None, "web", live.clock)
    assert result.confirm_token is not None
    with signups.subscriptions(live.cfg, live.clock) as subs:
        subs.confirm(result.confirm_token, Proof("web"))


def text_of(element: Locator) -> str:
    """An element's text with white space collapsed, visually hidden parts included."""
    return " ".join((element.text_content() or "").split())


def state_of(live: Live, address: str) -> str:
    with signups.subscriptions(live.cfg, live.clock) as subs:
        return subs.find(address).state


@pytest.mark.browser
def test_sign_up_choose_topics_receive_and_unsubscribe(live: Live, page: Page) -> None:
    cfg = live.cfg
    subscribe_confirmed(live, EVERYONE)  # receives every topic: what the reader's mail lacks

    # Sign up at phone width, ticking two topics, and send the form from the keyboard.
    page.goto(live.url + "anmelden")
    screenshot(page, "flow-01-anmelden")
    check_a11y(page, "flow-01-anmelden")
    page.get_by_role("textbox", name="E-Mail-Adresse").fill(READER)
    for key in SIGNUP_TOPICS:
        page.get_by_label(cfg.rules.label(key), exact=True).check()
    page.get_by_role("checkbox", name=re.compile(r"^Ja, ich möchte")).check()
    button = page.get_by_role("button", name="Anmelden")
    button.focus()
    assert page.evaluate("document.activeElement.textContent") == "Anmelden"
    with page.expect_navigation() as sent:
        page.keyboard.press("Enter")
    assert sent.value is not None and sent.value.status == 200
    assert page.get_by_role("heading", level=1).inner_text().startswith("Fast geschafft")
    screenshot(page, "flow-02-fast-geschafft")
    check_a11y(page, "flow-02-fast-geschafft")

    # The confirmation mail; its link opens a page with a button, and the button confirms.
    confirm_url = link_in(wait_for_mail(cfg, READER), "bestaetigen/")
    assert confirm_url.startswith(live.url)
    page.goto(confirm_url)
    assert state_of(live, READER) == "pending"  # opening the link alone changes nothing
    screenshot(page, "flow-03-bestaetigen")
    check_a11y(page, "flow-03-bestaetigen")
    with page.expect_navigation() as confirmed:
        page.get_by_role("button", name="Anmeldung bestätigen").click()
    assert confirmed.value is not None and confirmed.value.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Vielen Dank, Sie sind angemeldet"
    assert state_of(live, READER) == "active"
    screenshot(page, "flow-04-angemeldet")
    check_a11y(page, "flow-04-angemeldet")

    # Preferences: the sign-up's topics are ticked; swap congresses for partnerships.
    page.get_by_role("link", name="Themen auswählen").click()
    page.wait_for_url(re.compile(r"/einstellungen/"))
    screenshot(page, "flow-05-einstellungen")
    check_a11y(page, "flow-05-einstellungen")
    for key in cfg.topic_keys:
        box = page.get_by_label(cfg.rules.label(key), exact=True)
        assert box.is_checked() == (key in SIGNUP_TOPICS), key
    page.get_by_label(cfg.rules.label("congresses"), exact=True).uncheck()
    page.get_by_label(cfg.rules.label("partnerships"), exact=True).check()
    with page.expect_navigation() as saved:
        page.get_by_role("button", name="Auswahl speichern").click()
    assert saved.value is not None and saved.value.status == 200
    assert "Gespeichert" in page.get_by_role("status").inner_text()
    for key in cfg.topic_keys:
        box = page.get_by_label(cfg.rules.label(key), exact=True)
        assert box.is_checked() == (key in CHOSEN_TOPICS), key
    screenshot(page, "flow-06-gespeichert")
    check_a11y(page, "flow-06-gespeichert")

    # The newest week's digest: the reader's mail has only the chosen topics' sections.
    newest = weeks(cfg)[-1]
    present = week_topics(cfg, newest)
    assert present - set(CHOSEN_TOPICS), "the newest week must have a topic the reader dropped"
    assert present & set(CHOSEN_TOPICS), "the newest week must have a topic the reader chose"
    send(cfg, "newest", now=live.clock)
    [everyone_mail] = mails_to(cfg, EVERYONE)
    [digest] = [m for m in mails_to(cfg, READER) if m["List-Unsubscribe"]]  # not the opt-in
    assert sections(everyone_mail) == headings(cfg, present)
    assert sections(digest) == headings(cfg, present & set(CHOSEN_TOPICS))
    assert cfg.rules.label("congresses").upper() in sections(everyone_mail)
    assert cfg.rules.label("congresses").upper() not in sections(digest)

    # Unsubscribe through the link in that mail: a page with a button, then 200, no redirect.
    unsubscribe_url = link_in(digest, "abmelden/")
    assert unsubscribe_url.startswith(live.url)
    page.goto(unsubscribe_url)
    assert state_of(live, READER) == "active"
    screenshot(page, "flow-07-abmelden")
    check_a11y(page, "flow-07-abmelden")
    with page.expect_navigation() as left:
        page.get_by_role("button", name="Jetzt abmelden").click()
    response = left.value
    assert response is not None and response.status == 200
    assert response.request.method == "POST"
    assert response.request.redirected_from is None
    assert response.url == unsubscribe_url
    assert page.get_by_role("heading", level=1).inner_text() == "Sie sind abgemeldet"
    screenshot(page, "flow-08-abgemeldet")
    check_a11y(page, "flow-08-abgemeldet")
    assert state_of(live, READER) == "unsubscribed"

    # A week they have not had yet, with articles in their topics, now goes to the other
    # subscriber only. (A resend of the newest week would prove nothing: the ledger already
    # has a row for them, so it would skip them even if they were still active.)
    other_week = weeks(cfg)[-2]
    assert week_topics(cfg, other_week) & set(CHOSEN_TOPICS)
    before = len(outbox(cfg))
    report = send(cfg, other_week, now=live.clock)
    assert report.stats is not None and sum(report.stats.sent.values()) == 1
    new = outbox(cfg)[before:]
    assert [str(m["To"]) for m in new] == [EVERYONE]
    assert len(mails_to(cfg, READER)) == 2


@pytest.mark.browser
def test_other_pages_errors_and_focus(live: Live, page: Page) -> None:
    newest = weeks(live.cfg)[-1]
    for name, path in [
        ("datenschutz", "datenschutz"),
        ("impressum", "impressum"),
        ("archiv", ""),
        (f"woche-{newest}", f"weeks/{newest}.html"),
    ]:
        response = page.goto(live.url + path)
        assert response is not None and response.status == 200, path
        screenshot(page, name)
        check_a11y(page, name)

    # The keyboard focus on the e-mail field is visible.
    page.goto(live.url + "anmelden")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    else:
        pytest.fail("Tab never reached the e-mail field")
    email = page.locator("#email")
    assert email.evaluate("e => e.matches(':focus-visible')")
    assert email.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    screenshot(page, "anmelden-fokus")

    # An empty form: 400, every error tied to its field and linked from the summary.
    with page.expect_navigation() as failed:
        page.get_by_role("button", name="Anmelden").click()
    assert failed.value is not None and failed.value.status == 400
    assert page.title().startswith("Fehler: ")
    screenshot(page, "anmelden-fehler")
    check_a11y(page, "anmelden-fehler")
    for field in ("email", "consent"):
        control = page.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true", field
        described = (control.get_attribute("aria-describedby") or "").split()
        error = page.locator(f"#{field}-error")
        assert f"{field}-error" in described, field
        assert error.is_visible(), field
        assert text_of(error).startswith("Fehler: Bitte "), field
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    links = summary.get_by_role("link").all()
    assert [link.get_attribute("href") for link in links] == ["#email", "#consent"]
    for link in links:
        target = (link.get_attribute("href") or "")[1:]
        assert text_of(page.locator(f"#{target}-error")).endswith(link.inner_text()), target
        link.focus()
        page.keyboard.press("Enter")  # following the link focuses the field it names
        assert page.evaluate("document.activeElement.id") == target
        assert page.evaluate("location.hash") == f"#{target}"
        assert page.locator(f"#{target}").evaluate(IN_VIEW), target
    with signups.subscriptions(live.cfg, live.clock) as subs:
        assert not any(subs.counts().values())  # a refused form stores nothing


@pytest.mark.browser
def test_dark_mode(browser: Browser, live: Live) -> None:
    with new_page(browser, color_scheme="dark") as page:
        page.goto(live.url + "anmelden")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(19, 21, 24)", background  # the dark --bg
        screenshot(page, "dunkel-anmelden")
        check_a11y(page, "dunkel-anmelden")
        with page.expect_navigation():
            page.get_by_role("button", name="Anmelden").click()
        screenshot(page, "dunkel-anmelden-fehler")
        check_a11y(page, "dunkel-anmelden-fehler")


def test_one_click_unsubscribe_from_the_list_unsubscribe_header(live: Live) -> None:
    """RFC 8058: a mail client POSTs only `List-Unsubscribe=One-Click` to the header's URL,
    without cookies or a form token; the answer is 200, not a redirect."""
    subscribe_confirmed(live, READER)
    send(live.cfg, "newest", now=live.clock)
    [digest] = mails_to(live.cfg, READER)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    urls = re.findall(r"<([^>]+)>", str(digest["List-Unsubscribe"]))
    [url] = [u for u in urls if u.startswith(("http://", "https://"))]
    assert any(u.startswith("mailto:") for u in urls)
    parts = urlsplit(url)
    assert url.startswith(live.url) and parts.path.startswith("/abmelden/")

    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request(
            "POST",
            parts.path,
            body=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        body = response.read().decode("utf-8")
    finally:
        connection.close()
    assert response.status == 200, body
    assert response.getheader("Location") is None
    assert "Sie sind abgemeldet" in body
    assert state_of(live, READER) == "unsubscribed"
