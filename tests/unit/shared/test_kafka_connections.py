"""A request written on a connection the broker already closed raises KafkaConnectionError under
uvloop (not RuntimeError), and the connection is closed, so aiokafka's client reconnects."""

from __future__ import annotations

import asyncio

import pytest
import uvloop
from aiokafka import errors
from aiokafka.conn import AIOKafkaConnection
from aiokafka.protocol.metadata import MetadataRequest

from shared import kafka_connections


async def _closed_connection() -> tuple[AIOKafkaConnection, asyncio.AbstractServer]:
    """An AIOKafkaConnection over a real socket whose transport is already closed (as after the
    broker went away), before aiokafka's reader task noticed."""
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    conn = AIOKafkaConnection("127.0.0.1", port)
    conn._reader, conn._writer = reader, writer
    conn._read_task = asyncio.get_running_loop().create_future()
    conn._versions = {MetadataRequest.API_KEY: (0, 1)}
    writer.close()
    await writer.wait_closed()  # the handle is closed now, as after the broker's FIN was read
    return conn, server


def _send_on_closed() -> BaseException | None:
    async def main() -> BaseException | None:
        conn, server = await _closed_connection()
        try:
            try:
                outcome = conn.send(MetadataRequest([]))
                if asyncio.iscoroutine(outcome) or isinstance(outcome, asyncio.Future):
                    await outcome
            except BaseException as exc:
                assert conn._writer is None, "the broken connection must be closed"
                return exc
            return None
        finally:
            server.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())


def test_a_write_on_a_closed_uvloop_transport_is_a_kafka_connection_error() -> None:
    kafka_connections.install()
    raised = _send_on_closed()
    assert isinstance(raised, errors.KafkaConnectionError), raised


def test_install_is_idempotent() -> None:
    kafka_connections.install()
    patched = AIOKafkaConnection.send
    kafka_connections.install()
    assert AIOKafkaConnection.send is patched


def test_other_runtime_errors_pass_through() -> None:
    kafka_connections.install()

    class Transport:
        def is_closing(self) -> bool:
            return False

    class Writer:
        transport = Transport()

        def write(self, data: bytes) -> None:
            raise RuntimeError("something else")

    async def main() -> None:
        conn = AIOKafkaConnection("127.0.0.1", 1)
        conn._writer = Writer()  # type: ignore[assignment]
        conn._versions = {MetadataRequest.API_KEY: (0, 1)}
        with pytest.raises(RuntimeError, match="something else"):
            conn.send(MetadataRequest([]))

    asyncio.run(main())
