"""A broker connection that broke while a request was being written is a connection error,
under uvloop as under asyncio.

aiokafka (0.14) turns only an `OSError` from writing a request into a `KafkaConnectionError`,
the error its metadata synchroniser, group coordinator and fetcher handle by reconnecting.
uvloop's transport raises `RuntimeError` ("unable to perform operation on <TCPTransport
closed=True ...>; the handler is closed") when the broker closed the socket first
(aio-libs/aiokafka#1038): that error escapes, the client's metadata task dies, and the consumer
waits for metadata forever. Seen in a chaos run: after a broker restart 9 of the projector's 20
consumers never fetched again. `install()` (every service's composition root calls it) makes
such a write close the connection and raise `KafkaConnectionError`, as aiokafka does for an
`OSError`; the client then reconnects as it would after any dropped connection."""

from __future__ import annotations

from typing import Any

from aiokafka import errors
from aiokafka.conn import AIOKafkaConnection, CloseReason

_MARK = "_bahi_closed_transport_is_a_connection_error"


def install() -> None:
    """Patch `AIOKafkaConnection.send` once per process (idempotent)."""
    if getattr(AIOKafkaConnection, _MARK, False):
        return
    original = AIOKafkaConnection.send

    def send(self: AIOKafkaConnection, request: Any, expect_response: bool = True) -> Any:
        writer = self._writer
        try:
            return original(self, request, expect_response)
        except RuntimeError as exc:
            if writer is None or not writer.transport.is_closing():
                raise
            self.close(reason=CloseReason.CONNECTION_BROKEN, exc=exc)
            raise errors.KafkaConnectionError(f"Connection at {self.host}:{self.port} broken: {exc}") from exc

    AIOKafkaConnection.send = send
    setattr(AIOKafkaConnection, _MARK, True)
