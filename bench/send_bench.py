"""SMTP send throughput against a local sink, compared in one run with a plain smtplib loop.

Store: the sample corpus plus a synthetic 40-item newest week, and N active subscribers with a
deterministic mix of topics (40% all, the rest 1-3). Each round runs `digest send` (mailing.send,
week "newest") on a fresh copy of it over SMTP to a sink in its own process (tests/smtp_sink.py,
aiosmtpd; and Postfix's smtp-sink when on PATH), then a plain loop: smtplib.sendmail of one
pre-encoded real digest message (of average size) to each recipient over the same number of
connections to the same sink. Then peak RSS of one send to --memory-subscribers, in a child.
Targets: at least 0.8x the loop's throughput; peak RSS below 200 MB at 100,000 subscribers.

    python bench/send_bench.py [--subscribers 10000] [--rounds 3] [--connections 2 [4 ...]]
                               [--items 40] [--no-memory] [--memory-subscribers 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest import pipeline
from digest.config import Config, load_config
from digest.delivery.compose import Composer
from digest.l10n import L10n
from digest.models import Subscriber
from digest.pipeline import mailing
from digest.render.environment import make_environment
from digest.subscribers.tokens import Tokens, load_secret
from digest.weeks import IsoWeek

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.issues import week_of_articles  # noqa: E402  (shared synthetic data)

os.environ.setdefault("DIGEST_SECRET", "send-bench-secret-0123456789")  # no key file
TARGET_RATIO = 0.8
TARGET_MB = 200.0
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def base_config(store: Path, port: int = 25, connections: int = 2) -> Config:
    """config.toml with the store at `store` and SMTP to 127.0.0.1:port: plain text, no login,
    no rate limit; timeout and reconnect_after (100) as configured."""
    cfg = load_config(ROOT / "config.toml")
    smtp = replace(cfg.delivery.smtp, host="127.0.0.1", port=port, security="none", user="")
    smtp = replace(smtp, connections=connections, rate_per_second=0.0)
    return replace(
        cfg, store_path=store, delivery=replace(cfg.delivery, transport="smtp", smtp=smtp)
    )


def make_store(path: Path, subscribers: int, items: int, seed: int) -> None:
    """Sample corpus + a synthetic newest week of `items` articles + `subscribers` actives."""
    cfg = base_config(path)
    pipeline.ingest(cfg)
    rng = random.Random(seed)
    keys = cfg.topic_keys
    with pipeline.open_store(cfg) as store, store.transaction():
        if items:
            newest = IsoWeek.parse(store.weeks()[-1][0])
            week = IsoWeek.of(newest.monday + timedelta(days=7))
            store.put(week_of_articles(str(week), items, cfg.rules))
        for n in range(subscribers):
            chosen = () if rng.random() < 0.4 else rng.sample(keys, rng.randint(1, 3))
            email = f"leser.{n:06d}@kommune{n % 97}.example.de"
            store.add_subscriber(
                email=email,
                email_ascii=email,
                email_key=email,
                name=f"Leserin {n}" if n % 3 else None,
                topics=tuple(k for k in keys if k in chosen),
                state="active",
                signup_source="import",
                now=NOW,
            )
    assert not path.with_name(path.name + "-wal").exists(), "store not checkpointed"


def sample_message(template: Path, sample: int = 500) -> tuple[bytes, str, list[str]]:
    """A real message of the average size over the first `sample` recipients, its envelope
    sender, and every recipient address that gets this week's mail."""
    cfg = base_config(template)
    week = mailing.resolve_week(cfg, "newest", NOW)
    issue, _problems = mailing.load_issue(cfg, week)
    assert issue is not None
    composer = Composer(
        cfg,
        issue,
        make_environment(cfg.templates, reload=False),
        L10n(cfg.site.locale),
        Tokens(load_secret(cfg.store_path)),
        NOW.astimezone(cfg.site.tz),
    )
    with pipeline.open_store(cfg) as store:
        people = [s for s in store.subscribers("active") if composer.variant_key(s)]

    def message(s: Subscriber) -> bytes:
        return composer.outgoing(s, composer.variant_key(s), composer.message_id(s.id)).data

    mean = statistics.fmean(len(message(s)) for s in people[:sample])
    data = min((message(s) for s in people[:sample]), key=lambda m: abs(len(m) - mean))
    return data, cfg.delivery.return_path, [s.email_ascii for s in people]


def ours(template: Path, work: Path, port: int, connections: int) -> tuple[int, float, float]:
    """One `digest send` on a fresh copy of the store: (sent, wall seconds, send-loop seconds)."""
    store = work / "run.sqlite3"
    shutil.copyfile(template, store)
    cfg = base_config(store, port, connections)
    started = time.perf_counter()
    report = mailing.send(cfg, "newest")
    wall = time.perf_counter() - started
    stats = report.stats
    assert stats is not None and stats.error is None, stats
    for name in ("run.sqlite3", "run.sqlite3-wal", "run.sqlite3-shm"):
        (work / name).unlink(missing_ok=True)
    return stats.total_sent, wall, stats.seconds


def plain_loop(port: int, connections: int, data: bytes, sender: str, rcpts: list[str]) -> float:
    """smtplib.sendmail of `data` to each recipient over `connections` threads; seconds."""
    errors: list[BaseException] = []

    def work(share: list[str]) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.example.de") as smtp:
                for rcpt in share:
                    smtp.sendmail(sender, [rcpt], data)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(rcpts[i::connections],)) for i in range(connections)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    assert not errors, errors
    return seconds


@contextmanager
def aiosmtpd_sink(work: Path) -> Iterator[int]:
    from tests.smtp_server import SinkProcess  # not in the --child process: it imports trustme

    folder = Path(tempfile.mkdtemp(prefix="aiosmtpd-", dir=work))
    with SinkProcess(folder) as sink:
        yield sink.port


@contextmanager
def postfix_sink(work: Path) -> Iterator[int]:
    from tests.smtp_server import free_port

    port = free_port()
    argv = ["smtp-sink", "-u", "nobody"] if os.geteuid() == 0 else ["smtp-sink"]
    proc = subprocess.Popen([*argv, f"127.0.0.1:{port}", "256"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("smtp-sink did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class Fixture:
    work: Path
    template: Path  # the store every run of ours starts from (copied)
    data: bytes  # the plain loop's message
    sender: str
    rcpts: list[str]  # everyone who gets this week's mail


def compare(name: str, port: int, args: argparse.Namespace, fx: Fixture) -> None:
    m = len(fx.rcpts)
    for conns in args.connections:
        runs = []
        print(f"\n== {name}, {conns} connections, {m} messages of {len(fx.data)} bytes ==")
        print("round   ours msg/s (send loop only)   plain loop msg/s   ratio")
        for n in range(1, args.rounds + 1):
            sent, wall, loop = ours(fx.template, fx.work, port, conns)
            assert sent == m, (sent, m)
            plain = plain_loop(port, conns, fx.data, fx.sender, fx.rcpts)
            runs.append((wall, loop, plain))
            print(
                f"{n:5d}   {m / wall:10.0f} ({m / loop:10.0f})         {m / plain:10.0f}"
                f"        {plain / wall:5.2f}x"
            )
        walls, loops, plains = zip(*runs, strict=True)
        for label, pick in (("min time", min), ("median", statistics.median)):
            w, lo, p = pick(walls), pick(loops), pick(plains)
            verdict = "met" if p / w >= TARGET_RATIO else "NOT met"
            print(
                f"{label:>8}: ours {m / w:5.0f} msg/s ({w:5.2f} s, send loop only {m / lo:5.0f}"
                f" msg/s)  plain loop {m / p:5.0f} msg/s ({p:5.2f} s)\n"
                f"{'':10}ratio ours/plain {p / w:4.2f}x (send loop only {p / lo:4.2f}x);"
                f" 0.8x target {verdict}"
            )


def peak_rss_kb() -> int:
    """Peak RSS of this process's own memory: VmHWM. Not ru_maxrss: Linux carries that over
    exec from the forking parent, so a child's would include the parent's peak."""
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else ():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # no /proc: an upper bound


def child(store: Path, port: int, connections: int) -> int:
    """--child: one send in this process; print JSON with peak RSS (KiB) before and after."""
    before = peak_rss_kb()
    started = time.perf_counter()
    report = mailing.send(base_config(store, port, connections), "newest")
    wall = time.perf_counter() - started
    assert report.stats is not None and report.stats.error is None, report.stats
    peak = peak_rss_kb()
    out = {"sent": report.stats.total_sent, "seconds": wall, "before_kb": before, "peak_kb": peak}
    print(json.dumps(out))
    return 0


def memory(args: argparse.Namespace, work: Path) -> None:
    n, postfix = args.memory_subscribers, bool(shutil.which("smtp-sink"))
    name = "Postfix smtp-sink" if postfix else "aiosmtpd sink"  # the faster one when there
    print(f"\n== peak RSS of one send to {n} subscribers (child process, {name}) ==")
    started = time.perf_counter()
    store = work / "memory.sqlite3"
    make_store(store, n, args.items, args.seed)
    print(f"store prepared in {time.perf_counter() - started:.1f} s")
    with (postfix_sink if postfix else aiosmtpd_sink)(work) as port:
        argv = [sys.executable, __file__, "--child", str(store), "--port", str(port)]
        argv += ["--connections", str(args.connections[0])]
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    sent, seconds, peak_mb = result["sent"], result["seconds"], result["peak_kb"] / 1024
    print(
        f"sent {sent} in {seconds:.1f} s ({sent / seconds:.0f} msg/s); RSS after imports"
        f" {result['before_kb'] / 1024:.0f} MB, peak {peak_mb:.0f} MB"
        f" (MiB); below {TARGET_MB:.0f} MB: {'yes' if peak_mb < TARGET_MB else 'NO'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[2])
    parser.add_argument("--items", type=int, default=40, help="0: the sample's newest week")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--memory-subscribers", type=int, default=100000)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.port, args.connections[0])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.sqlite3"
        make_store(template, args.subscribers, args.items, args.seed)
        fx = Fixture(work, template, *sample_message(template))
        print(f"subscribers: {args.subscribers}, receiving this week: {len(fx.rcpts)}")
        with aiosmtpd_sink(work) as port:
            compare("aiosmtpd sink (tests/smtp_sink.py)", port, args, fx)
        if shutil.which("smtp-sink"):
            with postfix_sink(work) as port:
                compare("Postfix smtp-sink", port, args, fx)
        else:
            print("\n== Postfix smtp-sink: skipped (not on PATH) ==")
        if args.memory:
            memory(args, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
