"""The subscriber and send commands as a user runs them: messages, exit codes, no tracebacks."""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
from pathlib import Path

import pytest

from digest.cli import main
from tests.conftest import CORPUS
from tests.smtp_server import free_port


@pytest.fixture
def site(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIGEST_SECRET", "cli-test-secret-0123456789")
    shutil.copytree(CORPUS, config_file.parent / "in", dirs_exist_ok=True)
    assert main(["--config", str(config_file), "build"]) == 0
    return config_file


def run(site: Path, *args: str) -> int:
    return main(["--config", str(site), *args])


def outbox(site: Path) -> list[email.message.EmailMessage]:
    folder = site.parent / "var" / "outbox" / "new"
    files = sorted(folder.iterdir()) if folder.exists() else []
    return [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for f in files
    ]


def test_sign_up_confirm_list_export_forget(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert (
        run(
            site,
            "subscribers",
            "add",
            "Leser@Example.org",
            "--name",
            "Lea Leser",
            "--topics",
            "policy",
        )
        == 0
    )
    assert "Sent the confirmation mail" in capsys.readouterr().out
    [optin] = outbox(site)
    text = optin.get_body(("plain",)).get_content()
    # No newsletter content: no "KW 4/2026". Not just "KW", which the random confirmation
    # token contains now and then (it failed a CI run once).
    assert "Politik & Strategie" in text and not re.search(r"\bKW \d", text)
    token = re.search(r"bestaetigen/([A-Za-z0-9._-]+)", text).group(1)  # type: ignore[union-attr]
    assert run(site, "subscribers", "add", "leser@example.org") == 0
    assert "none was sent now" in capsys.readouterr().out and len(outbox(site)) == 1
    assert run(site, "subscribers", "confirm", token + "x") == 1
    assert "invalid" in capsys.readouterr().err
    assert run(site, "subscribers", "confirm", token) == 0
    assert "is active" in capsys.readouterr().out
    assert run(site, "subscribers", "list", "--state", "active") == 0
    listed = capsys.readouterr()
    assert "Leser@example.org" in listed.out and "1 active" in listed.err
    assert run(site, "subscribers", "export", "leser@example.org") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["consent"]["source"] == "cli" and data["topics"] == ["policy"]
    assert run(site, "subscribers", "forget", "leser@example.org") == 0
    assert "Erased" in capsys.readouterr().out
    assert run(site, "subscribers", "export", "leser@example.org") == 1
    assert "no subscriber" in capsys.readouterr().err


def test_import_reports_bad_rows_with_lines(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "liste.csv"
    csv.write_bytes(
        "email,name,topics\r\ngut@example.org,Jürgen,policy\r\nkaputt@,X,\r\n"
        "auch@example.org,,sport\r\nGUT@example.org,,\r\n".encode("latin-1")
    )
    capsys.readouterr()
    assert run(site, "subscribers", "import", str(csv), "--strict") == 3
    out = capsys.readouterr()
    assert f"{csv}:3:" in out.err and f"{csv}:4:" in out.err and "sport" in out.err
    assert "1 duplicate" in out.out and "0 active, 1 pending" in out.out
    assert run(site, "subscribers", "import", str(tmp_path / "fehlt.csv")) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_send_dry_run_send_and_nothing_left(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "l.csv"
    csv.write_text(
        "email,topics,consented_at,consent_source\na@example.org,,2025-01-01,Formular\n", "utf-8"
    )
    assert run(site, "subscribers", "import", str(csv), "--consent-documented") == 0
    capsys.readouterr()
    assert run(site, "send", "--week", "newest", "--dry-run") == 0
    assert "would send 1 message" in capsys.readouterr().out and outbox(site) == []
    assert run(site, "send", "--week", "newest") == 0
    assert "Sent 1" in capsys.readouterr().out and len(outbox(site)) == 1
    assert run(site, "send", "--week", "newest") == 0
    assert "Nothing left to send" in capsys.readouterr().out
    assert run(site, "send", "--week", "2019-W38") == 0
    assert "no articles" in capsys.readouterr().out


def test_send_to_a_server_that_is_down_is_one_clear_error(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = site.read_text("utf-8").replace('transport = "maildir"', 'transport = "smtp"')
    text = text.replace('host = "localhost"', 'host = "127.0.0.1"').replace(
        "port = 587", f"port = {free_port()}"
    )
    site.write_text(text.replace('security = "starttls"', 'security = "none"'), "utf-8")
    csv = tmp_path / "l.csv"
    csv.write_text(
        "email,consented_at,consent_source\na@example.org,2025-01-01,Formular\n", "utf-8"
    )
    assert run(site, "subscribers", "import", str(csv), "--consent-documented") == 0
    capsys.readouterr()
    assert run(site, "send", "--week", "newest") == 1
    err = capsys.readouterr().err
    assert "127.0.0.1" in err and "hint:" in err and "Traceback" not in err


def test_bad_delivery_config_names_the_key(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site.write_text(
        site.read_text("utf-8").replace('security = "starttls"', 'security = "ssl"'), "utf-8"
    )
    assert run(site, "send") == 1
    err = capsys.readouterr().err
    assert re.search(r"config\.toml:\d+: smtp\.security: unknown value 'ssl'", err)
