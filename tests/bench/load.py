"""A small HTTP/1.1 load driver on raw asyncio sockets (127.0.0.1 only): keep-alive
connections, one request in flight each, latencies per request. Much cheaper per
request than an HTTP client library, so on a small machine the driver steals less
CPU from the server it measures. Requests carry the test suite's staff token
(tests/support/auth.py) unless they name their own Authorization header; the servers a
benchmark starts trust it (the environment set here, `processes.service_env`)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time
from dataclasses import dataclass, field

from tests.support import auth

auth.use_in_environment()
AUTHORIZATION = auth.STAFF["Authorization"]


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> dict[str, float | int]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "rate_per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile(50) * 1000, 2),
            "p99_ms": round(self.percentile(99) * 1000, 2),
            "max_ms": round(max(self.latencies, default=0) * 1000, 2),
        }


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def run_load(port: int, paths: list[str], *, connections: int, seconds: float, warmup: float = 1.0) -> LoadResult:
    """Hammer GET `paths` (round robin) for `seconds` after `warmup`; only the measured window counts."""
    result = LoadResult()
    requests = [
        f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTHORIZATION}\r\n\r\n".encode() for p in paths
    ]
    start = time.perf_counter() + warmup
    stop = start + seconds

    async def connection(n: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = n
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop:
                    return
                writer.write(requests[i % len(requests)])
                i += 1
                status = await _read_response(reader)
                done = time.perf_counter()
                if sent >= start:
                    result.requests += 1
                    result.latencies.append(done - sent)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status >= 400:
                        result.errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection(n) for n in range(connections)))
    result.seconds = seconds
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:  # noqa: PTH123 - one small read
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listening_pid(port: int) -> int | None:
    """The process listening on a local TCP port (via `ss`), e.g. the MongoDB server."""
    try:
        out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    match = re.search(r"pid=(\d+)", out)
    return int(match.group(1)) if match else None


class HttpPool:
    """Keep-alive HTTP/1.1 connections to one 127.0.0.1 port, one request in flight each."""

    def __init__(self, port: int, size: int) -> None:
        self._port = port
        self._size = size
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def open(self) -> HttpPool:
        for _ in range(self._size):
            self._idle.put_nowait(await asyncio.open_connection("127.0.0.1", self._port))
        return self

    async def close(self) -> None:
        while not self._idle.empty():
            _, writer = self._idle.get_nowait()
            writer.close()

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        if body:
            lines.append("Content-Type: application/json")
        headers = headers or {}
        if not any(name.lower() == "authorization" for name in headers):
            lines.append(f"Authorization: {AUTHORIZATION}")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        reader, writer = await self._idle.get()
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            fields = {}
            for line in head.decode("latin-1").split("\r\n")[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    fields[name.strip().lower()] = value.strip()
            length = int(fields.get("content-length", "0"))
            payload = await reader.readexactly(length) if length else b""
        except BaseException:
            writer.close()
            self._idle.put_nowait(await asyncio.open_connection("127.0.0.1", self._port))
            raise
        self._idle.put_nowait((reader, writer))
        return status, fields, payload
