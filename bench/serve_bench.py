"""Throughput and latency of `digest serve` (Flask under waitress) on loopback.

Builds the sample archive into a temporary folder, imports --subscribers active subscribers,
and starts the server in its own process the way `digest serve` does (web.server.serve: the
configured [web] threads, body limit, INFO logging, here to a file), so the load generator's
GIL is not the server's. The load generator is one asyncio thread in this process with a small
HTTP/1.1 client over asyncio.open_connection: one keep-alive connection per client, opened
before the clock starts. Scenarios:

  index      GET /                 the archive index (static file, ETag; no Accept-Encoding)
  feed       GET /feed.atom        full body, Accept-Encoding: gzip
  feed 304   GET /feed.atom        If-None-Match: the ETag of a first answer -> 304
  one-click  POST /abmelden/<tok>  List-Unsubscribe=One-Click (RFC 8058), each to a different
                                   subscriber while any are left

Each runs twice: closed loop (--clients clients for --seconds, each sends its next request when
the answer to the previous one has arrived: the throughput) and open loop (--rate requests per
second in total, each client sending on a fixed schedule, staggered; latency counts from the
scheduled time, so a late send is not hidden). Per run: requests per second, mean, p50, p99 and
max latency, errors (a status other than 2xx/304, or an exception), and the CPU time of the load
generator, of the server process and of everything else on the machine (other processes, kernel
interrupts), as a share of one core over the wall time: the client is not the bottleneck while
its share stays well below 100%, and a large "others" share means the run was disturbed. Then
the target "p99 < 50 ms for static pages and the one-click POST", as measured, in both modes,
and waitress's "Task queue depth" warnings from the server log.

    python bench/serve_bench.py [--seconds 10] [--clients 50] [--rate 200]
                                [--subscribers 20000] [--only one-click] [--mode closed]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from digest.config import Config, load_config
from digest.pipeline.signup import subscriptions
from digest.subscribers.csvfile import CsvRow
from digest.subscribers.manage import address_of
from digest.subscribers.tokens import Tokens, load_secret

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.web_support import build_sample, free_port, web_config  # noqa: E402  (shared helpers)

os.environ.setdefault("DIGEST_SECRET", "serve-bench-secret-0123456789")  # no key file
TARGET_MS = 50.0
TIMEOUT = 30.0  # seconds for one answer; waitress's channel_timeout is 30 s too
HOST = "127.0.0.1"

# The server process: the config as the bench made it, served by digest.web.server.serve.
SERVER = """
import sys
from pathlib import Path
root, tmp, port = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, str(root))
from digest.config import load_config
from digest.web.server import serve
from tests.web_support import web_config
cfg = web_config(load_config(root / "config.toml"), tmp, base_url=f"http://127.0.0.1:{port}/")
serve(cfg, "127.0.0.1", port)
"""


def bench_config(tmp: Path, port: int) -> Config:
    return web_config(load_config(ROOT / "config.toml"), tmp, base_url=f"http://{HOST}:{port}/")


def prepare(cfg: Config, subscribers: int) -> list[str]:
    """Build the sample archive, import active subscribers; their one-click unsubscribe paths."""
    build_sample(cfg)
    now = datetime.now(UTC)
    rows = [
        CsvRow(n + 2, address_of(f"leser.{n:06d}@bench.example.de"), None, (), now, "bench")
        for n in range(subscribers)
    ]
    with subscriptions(cfg) as subs:
        subs.import_rows(rows, consent_documented=True, send_opt_in=False)
        ids = [s.id for s in subs.listing("active")]
    tokens = Tokens(load_secret(cfg.store_path))
    return [f"/abmelden/{tokens.make('unsubscribe', i)}" for i in ids]


def start_server(tmp: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(ROOT), str(tmp), str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"server did not start:\n{log.read_text()}") from None
            time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU time of the whole machine not spent idle, from /proc/stat (0 where there is none)."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


# ---- the load generator -------------------------------------------------------------------


class Connection:
    """One HTTP/1.1 keep-alive connection; reconnects after an error or Connection: close."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(HOST, self.port)
        return self.streams

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None

    async def request(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            reader, writer = await self.open()
            writer.write(data)
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            status = int(head[0].split()[1])
            headers = {}
            for line in head[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            if "transfer-encoding" in headers:  # the app sets Content-Length on every answer
                raise ValueError(f"unexpected Transfer-Encoding: {headers['transfer-encoding']}")
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, headers, body
        except BaseException:
            self.close()
            raise


def request_bytes(method: str, path: str, port: int, *extra: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: serve-bench"]
    lines += extra
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter[int | str] = field(default_factory=Counter)
    body_bytes: int = 0
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    other_cpu: float = 0.0  # everything else on the machine meanwhile

    @property
    def errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if not _ok(s))

    def pct(self, p: float) -> float:
        """Nearest-rank percentile in ms."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000 if ordered else 0.0


def _ok(status: int | str) -> bool:
    return isinstance(status, int) and (200 <= status < 300 or status == 304)


async def run_load(
    port: int, make: Callable[[], bytes], clients: int, seconds: float, rate: float | None
) -> Result:
    """Closed loop (rate None) or open loop at `rate`/s over `clients` connections."""
    result = Result()
    conns = [Connection(port) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in conns))
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    stop = start + seconds
    interval = clients / rate if rate else 0.0

    async def client(n: int, conn: Connection) -> None:
        due = start + (n * interval / clients if rate else 0.0)
        while due < stop:
            if rate:
                await asyncio.sleep(max(0.0, due - loop.time()))
            sent = due if rate else loop.time()
            try:
                async with asyncio.timeout(TIMEOUT):
                    status, _, body = await conn.request(make())
                result.statuses[status] += 1
                result.body_bytes += len(body)
            except Exception as exc:
                result.statuses[type(exc).__name__] += 1
            done = loop.time()
            result.latencies.append(done - sent)
            due = due + interval if rate else done

    await asyncio.sleep(max(0.0, start - loop.time()))
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(n, c) for n, c in enumerate(conns)))
    result.wall = time.perf_counter() - wall
    result.client_cpu = time.process_time() - cpu
    for c in conns:
        c.close()
    return result


Scenario = tuple[str, Callable[[], bytes]]  # name, the next request's bytes


def scenarios(port: int, unsubscribe: Callable[[], str]) -> list[Scenario]:
    gzip = "Accept-Encoding: gzip"
    index = request_bytes("GET", "/", port)
    feed = request_bytes("GET", "/feed.atom", port, gzip)
    status, headers, _ = asyncio.run(_once(port, feed))  # also warms the server's file cache
    assert status == 200 and "etag" in headers, (status, headers)
    cached = request_bytes("GET", "/feed.atom", port, gzip, f"If-None-Match: {headers['etag']}")
    for data, expected in ((index, 200), (cached, 304)):
        status = asyncio.run(_once(port, data))[0]
        assert status == expected, (data, status)
    body = b"List-Unsubscribe=One-Click"
    return [
        ("GET / (index)", lambda: index),
        ("GET /feed.atom gzip", lambda: feed),
        ("GET /feed.atom 304", lambda: cached),
        ("POST one-click unsub", lambda: request_bytes("POST", unsubscribe(), port, body=body)),
    ]


async def _once(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    conn = Connection(port)
    try:
        return await conn.request(data)
    finally:
        conn.close()


# ---- report -------------------------------------------------------------------------------


def row(name: str, mode: str, r: Result) -> str:
    n = len(r.latencies)
    rps = n / r.wall if r.wall else 0.0
    mean = statistics.fmean(r.latencies) * 1000 if n else 0.0
    size = r.body_bytes / max(1, sum(v for s, v in r.statuses.items() if _ok(s)))
    return (
        f"{name:<21} {mode:<10} {rps:7.0f} {mean:7.1f} {r.pct(50):7.1f} {r.pct(99):7.1f}"
        f" {max(r.latencies, default=0) * 1000:7.1f} {r.errors:6d} {size:7.0f}"
        f" {r.client_cpu / r.wall:6.0%} {r.server_cpu / r.wall:6.0%}"
        f" {r.other_cpu / r.wall:6.0%}"
        f"  {' '.join(f'{s}:{v}' for s, v in sorted(r.statuses.items(), key=str))}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="open loop, requests/s")
    parser.add_argument("--subscribers", type=int, default=20000)
    parser.add_argument(
        "--only", default="", help="run only the scenarios whose name contains this text"
    )
    parser.add_argument("--mode", choices=("both", "closed", "open"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as name:
        tmp = Path(name)
        port = free_port()
        cfg = bench_config(tmp, port)
        started = time.perf_counter()
        paths = prepare(cfg, args.subscribers)
        print(
            f"sample archive built, {len(paths)} active subscribers imported"
            f" in {time.perf_counter() - started:.1f} s"
        )
        log = tmp / "server.log"
        proc = start_server(tmp, port, log)
        try:
            report(args, cfg, proc, port, paths, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return 0


def report(
    args: argparse.Namespace,
    cfg: Config,
    proc: subprocess.Popen[bytes],
    port: int,
    paths: list[str],
    log: Path,
) -> None:
    posted = 0

    def unsubscribe() -> str:
        """The next subscriber's link; past the last one, the first ones again."""
        nonlocal posted
        posted += 1
        return paths[(posted - 1) % len(paths)]

    print(
        f"server: waitress in its own process (pid {proc.pid}), threads = {cfg.web.threads}"
        f" ([web] threads), {HOST}:{port}; machine: {os.cpu_count()} CPUs"
    )
    print(
        f"load: one asyncio thread here, {args.clients} keep-alive connections,"
        f" {args.seconds:g} s per run; open loop at {args.rate:g} requests/s in total"
    )
    results: list[tuple[str, str, Result]] = []
    modes = [("closed", None), (f"open {args.rate:g}/s", args.rate)]
    modes = [m for m in modes if args.mode in ("both", m[0].split()[0])]
    for name, make in scenarios(port, unsubscribe):
        if args.only.lower() not in name.lower():
            continue
        for mode, rate in modes:
            cpu, busy = cpu_seconds(proc.pid), busy_seconds()
            r = asyncio.run(run_load(port, make, args.clients, args.seconds, rate))
            r.server_cpu = cpu_seconds(proc.pid) - cpu
            r.other_cpu = max(0.0, busy_seconds() - busy - r.server_cpu - r.client_cpu)
            results.append((name, mode, r))
            if proc.poll() is not None:
                raise RuntimeError(f"the server died:\n{log.read_text()[-3000:]}")
    print(
        f"\n{'scenario':<21} {'mode':<10} {'req/s':>7} {'mean ms':>7} {'p50 ms':>7}"
        f" {'p99 ms':>7} {'max ms':>7} {'errors':>6} {'bytes':>7} {'client':>6} {'server':>6}"
        f" {'others':>6}  statuses"
    )
    for name, mode, r in results:
        print(row(name, mode, r))
    print(
        "(bytes: mean body per answer; client, server, others: CPU time of the load generator,"
        f" of the server process and of all other processes over wall time, 100% = one core of"
        f" {os.cpu_count()})"
    )
    print(
        f"one-click POSTs: {posted} to {min(posted, len(paths))} distinct subscribers"
        f" ({max(0, posted - len(paths))} to already unsubscribed ones)"
    )
    print(
        f"\nclosed loop: {args.clients} clients each wait for their answer, so mean latency ="
        " clients / throughput (Little's law); its p99 is queueing in front of the server,"
        " not the cost of one request. The open loop shows latency when not saturated:"
    )
    for name, mode, r in results:
        if mode == "closed" and r.latencies:
            little = args.clients / (len(r.latencies) / r.wall) * 1000
            mean = statistics.fmean(r.latencies) * 1000
            print(f"  {name:<21} clients/throughput {little:6.1f} ms, measured mean {mean:6.1f} ms")
    print(f"\ntarget: p99 < {TARGET_MS:g} ms for static pages and the one-click POST, no errors")
    for name, mode, r in results:
        met = r.pct(99) < TARGET_MS and r.errors == 0
        print(f"  {name:<21} {mode:<10} p99 {r.pct(99):7.1f} ms  {'met' if met else 'NOT met'}")
    for name, mode, r in results:
        if mode != "closed" and len(r.latencies) / r.wall < 0.95 * args.rate:
            print(f"  ({name}: the open loop fell short of {args.rate:g}/s: saturated)")
    disturbed = max(r.other_cpu / r.wall for _, _, r in results)
    if disturbed > 0.2:
        print(
            f"\nother processes used up to {disturbed:.0%} of a core during a run: on a machine"
            " this small, they disturb these numbers"
        )
    summarise_log(log)


def summarise_log(log: Path) -> None:
    """waitress's queue warnings counted, and the first other lines that are not INFO."""
    depths, other = [], []
    for line in log.read_text(errors="replace").splitlines():
        if "Task queue depth is " in line:
            depths.append(int(line.rsplit(" ", 1)[1]))
        elif " INFO " not in line and not line.startswith("digest: serving"):
            other.append(line)
    if depths:
        print(
            f"\nserver log: {len(depths)} waitress warnings 'Task queue depth is N' (requests"
            f" waiting for one of the threads), N up to {max(depths)}"
        )
    if other:
        print(f"server log: {len(other)} other lines above INFO, the first 10:")
        for line in other[:10]:
            print("  " + line)


if __name__ == "__main__":
    sys.exit(main())
