"""Crash test: SIGKILL `digest send` at 20 random moments while it sends to a real SMTP server
in another process, re-run it each time, and check the ledger's promise: everybody receives the
digest at least once, and duplicates never exceed the in-doubt resends the runs reported."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from digest.config import load_config
from digest.pipeline import ingest, open_store
from tests.conftest import CORPUS
from tests.smtp_server import SinkProcess

SUBSCRIBERS = 600  # the issue asks for at least 500
KILLS = 20
WEEK = "2026-W04"


def _configure(config_file: Path, port: int) -> Path:
    text = config_file.read_text("utf-8")
    text = text.replace('transport = "maildir"', 'transport = "smtp"')
    text = text.replace('host = "localhost"', 'host = "127.0.0.1"')
    text = text.replace("port = 587", f"port = {port}")
    text = text.replace('security = "starttls"', 'security = "none"')
    # A rate limit stretches the send to a few seconds, so the kills land while it runs.
    text = text.replace("rate_per_second = 10.0", "rate_per_second = 30.0")
    text = text.replace("backoff_seconds = 2.0", "backoff_seconds = 0.05")
    assert f"port = {port}" in text and 'transport = "smtp"' in text
    config_file.write_text(text, "utf-8")
    return config_file


def _run(
    argv: list[str], env: dict[str, str], kill_when: object, rng: random.Random, sink: SinkProcess
) -> tuple[str, bool]:
    """Start a send; kill it at the chosen moment; return its output and whether it was killed."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    start_count = len(sink.deliveries())
    deadline = time.monotonic() + 60
    if kill_when == "time":
        # Anywhere from start-up (imports, rendering, planning) into the sending itself.
        wait = rng.uniform(0.05, 1.2)
        while proc.poll() is None and time.monotonic() - (deadline - 60) < wait:
            time.sleep(0.005)
    else:
        target = start_count + int(kill_when)  # type: ignore[call-overload]
        while proc.poll() is None and len(sink.deliveries()) < target:
            if time.monotonic() > deadline:
                break
            time.sleep(0.002)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    if not killed:
        assert proc.returncode == 0, err.decode()
    return out.decode(), killed


def test_sigkill_during_send_never_skips_and_bounds_duplicates(
    config_file: Path, tmp_path: Path
) -> None:
    seed = int(os.environ.get("DIGEST_CRASH_SEED") or random.SystemRandom().randrange(10**6))
    rng = random.Random(seed)
    shutil.copytree(CORPUS, tmp_path / "in", dirs_exist_ok=True)
    env = {**os.environ, "DIGEST_SECRET": "crash-test-secret-0123456789"}
    with SinkProcess(tmp_path) as sink:
        cfg_path = _configure(config_file, sink.port)
        cfg = load_config(cfg_path)
        ingest(cfg)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with open_store(cfg) as store, store.transaction():
            keys = cfg.topic_keys
            for i in range(SUBSCRIBERS):
                topics = tuple(k for k in keys if rng.random() < 0.5) if i % 3 else ()
                # Everyone gets something this week (W04 has partnerships, congresses, other).
                topics = topics if "partnerships" in topics or not topics else ("partnerships",)
                address = f"leser{i}@example.org"
                store.add_subscriber(
                    email=address,
                    email_ascii=address,
                    email_key=address,
                    name=None,
                    topics=topics,
                    state="active",
                    signup_source="import",
                    now=now,
                )
        argv = [
            sys.executable,
            "-m",
            "digest.cli",
            "--config",
            str(cfg_path),
            "send",
            "--week",
            WEEK,
        ]
        reported_in_doubt = 0
        kills = 0
        outputs = []
        plan = ["time" if n % 2 else rng.randint(1, 30) for n in range(KILLS)]
        for when in plan:
            out, killed = _run(argv, env, when, rng, sink)
            kills += killed
            outputs.append(out)
        final, killed = _run(argv, env, 10**9, rng, sink)
        assert not killed
        outputs.append(final)
        delivered = Counter(rcpt for _, rcpt in sink.deliveries())
    for out in outputs:
        if found := re.search(r"(\d+) resent in doubt", out):
            reported_in_doubt = max(reported_in_doubt, int(found.group(1)))
    duplicates = sum(delivered.values()) - len(delivered)
    missing = SUBSCRIBERS - len(delivered)
    print(
        f"\ncrash test (seed {seed}): {kills} of {KILLS} runs killed mid-way; "
        f"{sum(delivered.values())} messages for {len(delivered)} subscribers; "
        f"duplicates {duplicates}, in doubt reported {reported_in_doubt}"
    )
    assert missing == 0, f"{missing} subscribers never got the digest (seed {seed})"
    assert duplicates <= reported_in_doubt, f"seed {seed}"
    assert f"{SUBSCRIBERS} sent" in final
    assert kills == KILLS, "a run finished before its kill: the test proved less than it says"
