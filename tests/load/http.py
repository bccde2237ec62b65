"""The driver's HTTP/1.1 client: keep-alive connections on raw asyncio streams, one request in
flight each. An HTTP library would spend more CPU per request than the query service's fast path
does (tests/bench/load.py measured as much), and the driver's CPU is the first thing that hides a
server's tail: a busy driver sends late. Plain HTTP only (in a cluster, the Service's port)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit


class SetupError(ValueError):
    """The run cannot start as asked (no token, the target does not answer, the data is not seeded):
    exit status 2, with a message saying what to do."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url if "//" in url else f"http://{url}")
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"target {url!r}: expected http://host:port (plain HTTP)")
        return cls(parts.hostname, parts.port or 80)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, target: Target) -> Connection:
        reader, writer = await asyncio.open_connection(target.host, target.port, limit=1 << 20)
        return cls(reader, writer)

    def send(self, request: bytes) -> None:
        self._writer.write(request)

    async def response(self) -> tuple[int, bytes]:
        """The next answer's status and body (the body is read whole: it must be, to reuse the
        connection). A server closing the connection raises ConnectionError."""
        try:
            head = await self._reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            raise ConnectionResetError("server closed the connection") from exc
        status = int(head[9:12])
        length, chunked = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            return status, await self._chunks()
        return status, (await self._reader.readexactly(length) if length else b"")

    async def _chunks(self) -> bytes:
        body = bytearray()
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return bytes(body)
            body += await self._reader.readexactly(size + 2)
            del body[-2:]

    def close(self) -> None:
        self._writer.close()


def request_bytes(target: Target, path: str, authorization: str | None) -> bytes:
    auth = f"Authorization: {authorization}\r\n" if authorization else ""
    return f"GET {path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n{auth}\r\n".encode()
