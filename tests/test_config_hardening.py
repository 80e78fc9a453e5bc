"""Config values that passed validation and then crashed a build or a send, or added a header.

Each is now refused when config.toml is loaded, with one `file:line: key: message`, or works:
an internationalised domain becomes punycode wherever it reaches a header, and every CLDR plural
category renders. The tests change one line of the repository's config.toml (the `config_file`
fixture) and load it, or build and send with it.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from babel.localedata import locale_identifiers

from digest.cli import main
from digest.config import load_config
from digest.errors import ConfigError
from digest.l10n import L10n

from .conftest import ROOT
from .pages import k_page

IDN = "bürgerdienste.example"
# Computed by Python's own IDNA codec, independently of the code under test.
PUNY = IDN.encode("idna").decode("ascii")
IDN_LINES = [
    ('base_url = "https://digest.example.de/"', f'base_url = "https://{IDN}/"'),
    ('from_address = "newsletter@digest.example.de"', f'from_address = "newsletter@{IDN}"'),
    ('reply_to = "redaktion@digest.example.de"', f'reply_to = "redaktion@{IDN}"'),
    ('list_id = "wochenrueckblick.digest.example.de"', f'list_id = "wochenrückblick.{IDN}"'),
    ('unsubscribe_mailto = "abmelden@digest.example.de"', f'unsubscribe_mailto = "abmelden@{IDN}"'),
    ('return_path = "newsletter@digest.example.de"', f'return_path = "bounces@{IDN}"'),
    ('contact = "redaktion@digest.example.de"', f'contact = "redaktion@{IDN}"'),
    ('author_email = "redaktion@digest.example.de"', f'author_email = "feed@{IDN}"'),
]
LIST_ID = f"{'wochenrückblick'.encode('idna').decode()}.{PUNY}"


def edit(config_file: Path, *changes: tuple[str, str]) -> str:
    text = config_file.read_text("utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    config_file.write_text(text, "utf-8")
    return text


def refused(config_file: Path, old: str, new: str) -> str:
    """Change one line, load, and return the error after checking it names file and line."""
    text = edit(config_file, (old, new))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if new in t)
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    message = str(caught.value)
    assert message.startswith(f"{config_file}:{line}: "), message
    return message


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.isascii(), head
    assert not message.defects, message.defects
    for name, value in message.items():
        assert not getattr(value, "defects", ()), (name, value.defects)
    assert "Bcc" not in message
    return message


def build(config_file: Path, pages: int = 1) -> Path:
    for i in range(pages):
        title = f"Gemeinsames Serviceportal Nummer {i + 1}"
        (config_file.parent / "in" / f"k{i}.txt").write_text(k_page(title=title), "utf-8")
    out = config_file.parent / "public"
    assert main(["--config", str(config_file), "build", "--out", str(out)]) == 0
    return out


# ---- 1. internationalised domains ----------------------------------------------------------


def test_idn_values_are_stored_as_punycode(config_file: Path) -> None:
    edit(config_file, *IDN_LINES)
    cfg = load_config(config_file)
    assert cfg.site.base_url == f"https://{PUNY}/" and cfg.site.domain == PUNY
    assert cfg.email.from_address == f"newsletter@{PUNY}"
    assert cfg.email.reply_to == f"redaktion@{PUNY}"
    assert cfg.email.unsubscribe_mailto == f"abmelden@{PUNY}"
    assert cfg.email.list_id == LIST_ID
    assert cfg.delivery.return_path == f"bounces@{PUNY}"  # the SMTP envelope sender
    assert cfg.feeds.author_email == f"feed@{PUNY}"
    assert cfg.impressum.contact == f"redaktion@{IDN}"  # shown to people, never a header


def test_idn_defaults_follow_the_punycode_domain(config_file: Path) -> None:
    text = edit(config_file, IDN_LINES[0])
    start, end = text.index("[email]"), text.index("[impressum]")
    config_file.write_text(text[:start] + text[end:], "utf-8")  # no [email]: all defaults
    cfg = load_config(config_file)
    assert cfg.email.from_address == f"newsletter@{PUNY}"
    assert cfg.email.list_id == f"digest.{PUNY}"


def test_idn_preview_eml_has_punycode_headers(config_file: Path) -> None:
    edit(config_file, *IDN_LINES)
    build(config_file)
    [eml] = (config_file.parent / "preview" / "email").glob("*.eml")
    message = parse(eml.read_bytes())
    assert message["From"].addresses[0].domain == PUNY
    assert message["Reply-To"].addresses[0].addr_spec == f"redaktion@{PUNY}"
    assert message["Message-ID"].endswith(f"@{PUNY}>")
    assert message["List-Id"].endswith(f"<{LIST_ID}>")
    unsubscribe = message["List-Unsubscribe"]
    assert f"<https://{PUNY}/abmelden/" in unsubscribe and f"mailto:abmelden@{PUNY}?" in unsubscribe
    feed = (config_file.parent / "public" / "feed.atom").read_text("utf-8")
    assert f"<email>feed@{PUNY}</email>" in feed


def test_idn_opt_in_and_weekly_mail_are_sent_with_punycode(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_SECRET", "hardening-test-secret-0123456789")
    edit(config_file, *IDN_LINES)
    build(config_file)
    run = ["--config", str(config_file)]
    assert main([*run, "subscribers", "add", "neu@bücher.example"]) == 0
    csv = tmp_path / "liste.csv"
    csv.write_text("email,consented_at,consent_source\nleser@example.org,2025-01-01,Formular\n")
    assert main([*run, "subscribers", "import", str(csv), "--consent-documented"]) == 0
    assert main([*run, "send", "--week", "newest"]) == 0
    mails = [parse(f.read_bytes()) for f in (tmp_path / "var" / "outbox" / "new").iterdir()]
    [optin] = [m for m in mails if "List-Id" not in m]
    [weekly] = [m for m in mails if "List-Id" in m]
    assert optin["To"].addresses[0].domain == "bücher.example".encode("idna").decode()
    assert f"https://{PUNY}/bestaetigen/" in optin.get_body(("plain",)).get_content()
    for message in (optin, weekly):
        assert message["From"].addresses[0].addr_spec == f"newsletter@{PUNY}"
        assert message["Message-ID"].endswith(f"@{PUNY}>")
    assert weekly["List-Id"].endswith(f"<{LIST_ID}>")
    assert f"mailto:abmelden@{PUNY}?" in weekly["List-Unsubscribe"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (IDN_LINES[1][0], 'from_address = "nachrichtenübermittlung@example.de"', "from_address"),
        (IDN_LINES[2][0], 'reply_to = "redaktion@"', "reply_to"),
        (IDN_LINES[3][0], 'list_id = "zwei wörter.example.de"', "list_id"),
        (IDN_LINES[3][0], 'list_id = "liste>.example.de"', "list_id"),
        (IDN_LINES[5][0], 'return_path = "bounces@xn--.example"', "return_path"),
    ],
)
def test_unusable_addresses_are_refused(config_file: Path, old: str, new: str, key: str) -> None:
    message = refused(config_file, old, new)
    assert f".{key}: " in message and ("not a usable" in message or "not a list" in message)


# ---- 2.-4. site.since, site.base_url, site.timezone -----------------------------------------


def test_since_must_be_a_calendar_date(config_file: Path) -> None:
    message = refused(config_file, 'since = "2017-01-01"', 'since = "2017-02-30"')
    assert "site.since: '2017-02-30' is not a calendar date" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1/",
        "https://[nonsense]/",
        "https://digest.example.de:99999/",
        "https://digest.example.de:http/",
        "https://digest.example.de/?seite=1",
        "https://digest.example.de/#oben",
        "https://redaktion@digest.example.de/",
        "https://digest.example.de/<archiv>/",
        'https://digest.example.de/"/',
        "https://digest.example.de/ archiv/",
        "https://bürgerdienste.test/",
    ],
)
def test_base_url_is_validated_completely(config_file: Path, url: str) -> None:
    quoted = url.replace('"', '\\"')
    message = refused(config_file, IDN_LINES[0][0], f'base_url = "{quoted}"')
    assert "site.base_url: " in message


def test_base_url_keeps_an_ascii_url_and_encodes_a_unicode_path(config_file: Path) -> None:
    edit(config_file, (IDN_LINES[0][0], f'base_url = "http://{IDN}:8080/Rückblick"'))
    assert load_config(config_file).site.base_url == f"http://{PUNY}:8080/R%C3%BCckblick/"


@pytest.mark.parametrize("zone", ["Europe", "America/Argentina", "Zone" * 100])
def test_time_zone_folders_and_long_names_are_refused(config_file: Path, zone: str) -> None:
    """ZoneInfo raised IsADirectoryError or OSError for these, which nothing caught."""
    message = refused(config_file, 'timezone = "Europe/Berlin"', f'timezone = "{zone}"')
    assert f"site.timezone: unknown time zone '{zone}'" in message


@pytest.mark.parametrize("zone", ["../etc/passwd", "/etc/localtime", "zone.tab", "Mars/Olympus"])
def test_time_zone_paths_and_files_are_refused(config_file: Path, zone: str) -> None:
    """Refused before as well (ZoneInfo's ValueError); kept so the key pattern stays strict."""
    message = refused(config_file, 'timezone = "Europe/Berlin"', f'timezone = "{zone}"')
    assert "site.timezone: unknown time zone" in message


# ---- 5. locales with plural categories beyond one and other -------------------------------

OTHER_PLURALS = ["pl", "ru", "ar", "cy", "ga", "lt"]


@pytest.mark.parametrize("locale", OTHER_PLURALS)
def test_builds_in_locales_with_few_many_two_and_zero(config_file: Path, locale: str) -> None:
    edit(config_file, ('locale = "de_DE"', f'locale = "{locale}"'))
    out = build(config_file, pages=2)  # "2 items": few or two in all of these
    [eml] = (config_file.parent / "preview" / "email").glob("*.eml")
    parse(eml.read_bytes())
    assert L10n(locale).items(2) in (out / "index.html").read_text("utf-8")


def test_every_cldr_locale_counts_items() -> None:
    for locale in locale_identifiers():
        if locale == "root":
            continue
        l10n = L10n(locale)
        for n in (0, 1, 2, 3, 5, 11, 21, 100, 101, 1_000_000):
            assert l10n.items(n) and l10n.more_items(n), (locale, n)
    assert [L10n("pl").items(n) for n in (1, 2, 5)] == ["1 item", "2 items", "5 items"]


def test_root_locale_is_refused(config_file: Path) -> None:
    message = refused(config_file, 'locale = "de_DE"', 'locale = "root"')
    assert "site.locale: 'root' is CLDR's fallback data, not a language" in message


# ---- 6. numbers out of range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("max_html_kb = 90", "max_html_kb = -5", "email.max_html_kb: must be from 10 to 10240"),
        ("lead_chars = 400", "lead_chars = 0", "email.lead_chars: must be from 20 to 10000"),
        ("short_lead_chars = 160", "short_lead_chars = 500", "short_lead_chars: must be from 20"),
        ("weeks = 12", "weeks = 100000", "feeds.weeks: must be from 1 to 1000"),
        ("confirm_days = 7", "confirm_days = 100000", "subscribe.confirm_days: must be from 1"),
        ("resend_minutes = 60", "resend_minutes = 99999999", "resend_minutes: must be from 0"),
        ("bounce_after = 3", "bounce_after = 5000", "delivery.bounce_after: must be from 1 to"),
        ("retries = 4", "retries = 1000000", "delivery.retries: must be from 1 to 100"),
        ("backoff_seconds = 2.0", "backoff_seconds = nan", "delivery.backoff_seconds: must be"),
        ("connections = 2", "connections = 100000", "smtp.connections: must be from 1 to 100"),
        ("rate_per_second = 10.0", "rate_per_second = nan", "smtp.rate_per_second: must be"),
        ("reconnect_after = 100", "reconnect_after = 10000000", "reconnect_after: must be from 1"),
        ("timeout = 30.0", "timeout = inf", "smtp.timeout: must be from 0.1 to 3600"),
        ("threads = 8", "threads = 100000", "web.threads: must be from 1 to 1000"),
        ("proxies = 0", "proxies = 1000", "web.proxies: must be from 0 to 10"),
        ("max_body_kb = 16", "max_body_kb = 9999999", "web.max_body_kb: must be from 1 to 102400"),
        ("threshold = 5.0", "threshold = -1.0", "classify.threshold: must be from 0.1 to 1000"),
        ("threshold = 5.0", "threshold = 1" + "0" * 400, "classify.threshold: must be from"),
        ("modifier_factor = 0.5", "modifier_factor = 2.0", "modifier_factor: must be from 0 to 1"),
        ("weight = 4.0", "weight = -4.0", "joint_kicker_weight: must be from 0 to 100"),
        ("title = 3.0", "title = nan", "classify.field_weights.title: must be from 0 to 100"),
        ("max_file_mb = 10", "max_file_mb = 0.001", "ingest.max_file_mb: must be from 0.1"),
        ("busy_timeout = 5", "busy_timeout = 1" + "0" * 400, "store.busy_timeout: must be from 0"),
    ],
)
def test_numbers_out_of_range_name_key_and_range(
    config_file: Path, old: str, new: str, expected: str
) -> None:
    assert expected in refused(config_file, old, new)


# ---- 7. control characters (header injection) ----------------------------------------------


def test_title_with_crlf_cannot_add_a_bcc_header(config_file: Path) -> None:
    new = 'title = "X\\r\\nBcc: evil@example.org"'
    message = refused(config_file, 'title = "Wochenrückblick"', new)
    assert "site.title: contains a line break or another control character (U+000D)" in message
    assert main(["--config", str(config_file), "build"]) == 1
    assert not list(config_file.parent.glob("public/email/*.eml"))


def _string_lines() -> list[tuple[int, str, str]]:
    """(line number, dotted key, line) of every one-line string value in config.toml."""
    found = []
    table = ""
    sources = 0  # the config_file fixture keeps only the first [[sources]] entry
    for number, line in enumerate((ROOT / "config.toml").read_text("utf-8").splitlines(), 1):
        if header := re.fullmatch(r"\[\[?([^\]]+)\]\]?", line):
            table = header.group(1)
            sources += line == "[[sources]]"
        elif table == "sources" and sources > 1:
            continue
        elif value := re.fullmatch(r'([A-Za-z_]+) = "[^"]*"', line):
            found.append((number, f"{table}.{value.group(1)}", line))
    return found


STRING_LINES = _string_lines()


def test_the_sweep_covers_the_header_values() -> None:
    keys = {key for _, key, _ in STRING_LINES}
    assert len(keys) >= 30 and {"consent.text", "web.privacy_text"}.isdisjoint(keys)
    for key in ("site.title", "site.base_url", "email.from_name", "email.reply_to"):
        assert key in keys


@pytest.mark.parametrize(
    ("number", "key", "line"), STRING_LINES, ids=[k for _, k, _ in STRING_LINES]
)
def test_every_one_line_string_refuses_a_line_break(
    config_file: Path, number: int, key: str, line: str
) -> None:
    text = config_file.read_text("utf-8").splitlines()
    name = line.split(" = ")[0]
    original = text[number - 1]  # the fixture changed some values; the key is on the same line
    assert original.startswith(f"{name} = ")
    text[number - 1] = f'{name} = "eins\\nBcc: evil@example.org"'
    config_file.write_text("\n".join(text) + "\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    key = key.replace("sources.", "sources[0].")
    assert str(caught.value).startswith(
        f"{config_file}:{number}: {key}: contains a line break or another control character"
    )


# TOML escapes: CR, tab, NUL, ESC, DEL, NEL (a C1 control) and the Unicode line separator.
CONTROLS = ["\\r", "\\t", "\\u0000", "\\u001b", "\\u007f", "\\u0085", "\\u2028"]


@pytest.mark.parametrize("char", CONTROLS)
def test_other_control_characters_are_refused(config_file: Path, char: str) -> None:
    new = f'from_name = "Wochenrückblick{char}X"'
    message = refused(config_file, 'from_name = "Wochenrückblick Kommunale Digitalisierung"', new)
    assert "email.from_name: contains a line break or another control character" in message


def test_term_lists_refuse_control_characters(config_file: Path) -> None:
    text = edit(config_file, ('    "jahrestreffen",', '    "jahres\\ntreffen",'))
    lines = text.splitlines()
    line = lines.index("strong = [", lines.index("[topics.congresses]")) + 1  # the list's line
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    assert str(caught.value).startswith(
        f"{config_file}:{line}: topics.congresses.strong: contains a line break"
    )


def test_multiline_texts_allow_line_breaks_and_tabs_only(config_file: Path) -> None:
    old = "erhalten. Meine E-Mail-Adresse"
    edit(config_file, (old, "erhalten.\tMeine E-Mail-Adresse"))
    assert "\n" in load_config(config_file).consent.text  # the shipped text spans lines
    edit(config_file, ("erhalten.\tMeine", "erhalten.\\u0007Meine"))
    with pytest.raises(ConfigError, match=r"consent\.text: contains the control character U\+0007"):
        load_config(config_file)
