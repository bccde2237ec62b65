"""`python -m tests.load stub`: a calibration server with a known fault. It answers every GET
at once with a small JSON body, except that on every Nth request it freezes the whole process for
M ms (a blocking sleep, as a collector pause or a blocking call would), so every request that
arrives during the freeze waits too. The load harness must show that freeze in its p99; a
closed-loop measure of the same server hides it (tests/integration/load/ checks both).
Prints `listening on <port>` once it accepts connections."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time

BODY = b'{"ok":true}'
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)


class StallServer:
    def __init__(self, every: int, stall_ms: float) -> None:
        self.every, self.stall = every, stall_ms / 1000
        self.count = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")  # GETs only: no body to read
                self.count += 1
                if self.every and self.count % self.every == 0:
                    time.sleep(self.stall)
                writer.write(RESPONSE)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def serve(port: int, every: int, stall_ms: float) -> None:
    server = await asyncio.start_server(StallServer(every, stall_ms).handle, "127.0.0.1", port, backlog=1024)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.load stub", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--stall-every", type=int, default=100)
    parser.add_argument("--stall-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.stall_every, args.stall_ms))
