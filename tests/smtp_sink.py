"""An SMTP sink in its own process: accepts every message, optionally logs each delivery.

    python tests/smtp_sink.py --port P [--log FILE] [--ready FILE]

--port 0 picks a free port. --log appends "<Message-ID> <recipient>" per recipient of every
accepted message and flushes before the 250 reply goes out, so the file lists everything a
sender was told was accepted, even if that sender is SIGKILLed a moment later. --ready is
written (atomically, containing the port) once the server listens. SIGTERM or SIGINT stops it.

Runs as a plain script (tests.smtp_server.SinkProcess starts it): it imports only aiosmtpd.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any, TextIO

from aiosmtpd.smtp import SMTP, Envelope, Session


class SinkHandler:
    def __init__(self, log: TextIO | None) -> None:
        self.log = log

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        mid = BytesHeaderParser().parsebytes(data)["Message-ID"]
        mid = str(mid).strip() if mid is not None else "-"
        if self.log is not None:
            for rcpt in envelope.rcpt_tos:
                self.log.write(f"{mid} {rcpt}\n")
                self.log.flush()
        return "250 2.0.0 OK"


async def serve(port: int, log_path: Path | None, ready: Path | None) -> None:
    loop = asyncio.get_running_loop()
    log = log_path.open("a", encoding="utf-8") if log_path else None
    handler = SinkHandler(log)

    def factory() -> Any:
        # loop given explicitly: aiosmtpd's own loop lookup is meant for its Controller.
        return SMTP(handler, hostname="sink.test", loop=loop, enable_SMTPUTF8=True)

    server = await loop.create_server(factory, "127.0.0.1", port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        tmp = ready.with_name(ready.name + ".tmp")
        tmp.write_text(f"{server.sockets[0].getsockname()[1]}\n", encoding="ascii")
        os.replace(tmp, ready)  # readers see the whole file or none
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        if log is not None:
            log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--ready", type=Path)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.log, args.ready))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
