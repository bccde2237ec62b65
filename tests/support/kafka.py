"""Reading our topics back in tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord


async def consume_until(
    bootstrap: str,
    topics: list[str],
    done: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    *,
    timeout: float = 60.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read the topics from the earliest offset until `done(records)` or the deadline."""
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while not done(records):
            if time.monotonic() > deadline:
                raise TimeoutError(f"gave up after {timeout}s with {len(records)} records")
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            for part in batch.values():
                records.extend(part)
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return records


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers:
        if key == name:
            return value.decode()
    return None
