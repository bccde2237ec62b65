"""The order load the freshness and capacity benchmarks drive: `POST /v1/orders` (COD, spread
over 50 SKUs) sent open loop at a rate (sends are scheduled, not paced by answers), each 2xx
followed by `GET /v1/orders/{id}` with the command's consistency token, which the query
service holds until the view has caught up (it re-reads at most every 20 ms, so figures
include up to that much quantisation). Raw keep-alive sockets, separate pools: an HTTP client
library would cost the driver more CPU than the services it measures on a two-core machine,
and a read must never queue behind commands for a connection."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer

from tests.bench.load import HttpPool, LoadResult

SKUS = 50
WARM_UP_SECONDS = 8.0
ADDRESS = {"name": "Asha", "line1": "12 MG Road", "city": "Pune", "state": "MH", "pincode": "411001"}


class TopicWatch:
    """When each order's first event reached the order topic (seen by a consumer in this
    process): splits freshness into 2xx -> on the topic (relay) and the rest (projector + read)."""

    def __init__(self, kafka: str, topic: str) -> None:
        self.arrived: dict[str, float] = {}
        self._consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka, auto_offset_reset="latest", group_id=None)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        # "latest" is resolved lazily: resolve it now, before any command is sent.
        await self._consumer.getmany(timeout_ms=100)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for record in self._consumer:
            if record.key is not None:
                self.arrived.setdefault(record.key.decode(), time.perf_counter())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._consumer.stop()


async def create_products(cmd_port: int) -> list[str]:
    """The SKUs orders are spread over (stock enough for any run)."""
    commands = await HttpPool(cmd_port, 8).open()
    try:
        skus = [f"FRESH-{uuid.uuid4().hex[:8]}" for _ in range(SKUS)]
        for sku in skus:
            body = {"sku": sku, "name": "Parle G", "category": "grocery", "price_paise": 1000, "stock": 1_000_000}
            status, _, _ = await commands.request("POST", "/v1/products", json.dumps(body).encode())
            assert status == 201
        return skus
    finally:
        await commands.close()


async def drive(
    cmd_port: int,
    query_port: int,
    rate: float,
    seconds: float,
    watch: TopicWatch | None = None,
    *,
    skus: list[str],
) -> dict[str, Any]:
    # Raw keep-alive sockets, separate pools: an HTTP client library would cost the
    # driver more CPU than the services it measures on a two-core machine, and a read
    # must never queue behind commands for a connection.
    commands, reads = await HttpPool(cmd_port, 64).open(), await HttpPool(query_port, 64).open()
    fresh, acked, relayed = LoadResult(), LoadResult(), LoadResult()
    acked_at: dict[str, float] = {}
    timeline: list[tuple[float, float]] = []  # (seconds into the run the 2xx came, freshness)
    timeouts = failures = 0
    try:

        async def one(i: int) -> None:
            nonlocal timeouts, failures
            body = {
                "customer_id": f"cust-{i % 500}",
                "items": [{"sku": random.choice(skus), "quantity": 1}],
                "shipping_address": ADDRESS,
                "payment_method": "COD",
            }
            sent = time.perf_counter()
            status, headers, payload = await commands.request("POST", "/v1/orders", json.dumps(body).encode())
            ok = time.perf_counter()
            if status != 201:
                failures += 1
                return
            acked.latencies.append(ok - sent)
            order_id = json.loads(payload)["order_id"]
            acked_at[order_id] = ok
            path = f"/v1/orders/{order_id}"
            token = {"X-Consistency-Token": headers["x-consistency-token"]}
            status, headers, _ = await reads.request("GET", path, headers=token)
            if status != 200 or "x-consistency-timeout" in headers:
                timeouts += 1
                return
            fresh.latencies.append(time.perf_counter() - ok)
            timeline.append((ok - start, fresh.latencies[-1]))

        tasks = []
        start = time.perf_counter()  # also read by `one` (timeline)
        total = int(rate * seconds)
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        sent_over = time.perf_counter() - start
        await asyncio.gather(*tasks)
    finally:
        if watch is not None:
            relayed.latencies = [
                max(0.0, watch.arrived[order] - at) for order, at in acked_at.items() if order in watch.arrived
            ]
        await commands.close()
        await reads.close()
    return {
        "commands": total,
        "send_rate_per_s": round(total / sent_over, 1),
        "acked": len(acked.latencies),
        "failed_commands": failures,
        "view_timeouts": timeouts,
        "command_latency": {k: v for k, v in acked.summary().items() if k.endswith("_ms")},
        "freshness": {k: v for k, v in fresh.summary().items() if k.endswith("_ms")},
        "to_topic": {k: v for k, v in relayed.summary().items() if k.endswith("_ms")},
        "windows": windows(timeline),
    }


def windows(timeline: list[tuple[float, float]], width: float = 2.0) -> list[dict[str, float]]:
    """Freshness per `width` seconds of the run (by when the 2xx came): whether the tail is
    spread out or one stall (a collection, a checkpoint) that a p99 over 4,000 orders shows."""
    by_window: dict[int, list[float]] = {}
    for at, latency in timeline:
        by_window.setdefault(int(at // width), []).append(latency)
    result = []
    for index, latencies in sorted(by_window.items()):
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        result.append(
            {
                "from_s": index * width,
                "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
                "p99_ms": round(p99 * 1000, 1),
                "max_ms": round(ordered[-1] * 1000, 1),
            }
        )
    return result
