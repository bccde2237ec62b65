"""A context added by the recipe runs end to end through the registries: a throw-away `demo`
context (only in tests/support/demo) beside commerce, its command over HTTP into PostgreSQL,
the relay to its own topic, the projector into its own view, the query service out again."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from command_service.api import build_app as build_command_app
from command_service.bootstrap import services_for
from command_service.commerce import MANIFEST as COMMERCE_COMMANDS
from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from command_service.handling import CommandRegistry
from command_service.relay import Relay
from command_service.relay.publisher import Publisher, create_producer
from command_service.settings import Settings as CommandSettings
from projector_service.app import create_app as create_projector
from projector_service.projections.commerce import MANIFEST as COMMERCE_PROJECTIONS
from projector_service.registry import ProjectorRegistry
from projector_service.settings import Settings as ProjectorSettings
from query_service.app import create_app as create_query
from query_service.commerce import MANIFEST as COMMERCE_QUERIES
from query_service.registry import QueryRegistry
from query_service.settings import Settings as QuerySettings
from shared.kafka_admin import ensure_topics
from shared.streams import topic_for
from tests.support import auth
from tests.support.demo import command, projector, query
from tests.support.demo.shared import TALLY, TALLY_VIEW
from tests.support.infra import fresh_infra
from tests.support.kafka import consume_until

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = auth.bearer(
            auth.token("staff-demo", command.TALLIES_WRITE, query.TALLIES_READ, *auth.declared_scopes())
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as client:
            yield client


async def eventually(check: Callable[[], Awaitable[Any]], what: str, seconds: float = 60.0) -> Any:
    """Poll `check` until it returns something truthy; fail after `seconds` with `what`."""
    deadline = time.monotonic() + seconds
    while not (result := await check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
    return result


async def test_the_demo_context_runs_from_command_to_query(run_id: str) -> None:
    async with fresh_infra(f"{run_id}demo") as infra:
        commands = CommandRegistry([COMMERCE_COMMANDS, command.MANIFEST])
        projections = ProjectorRegistry([COMMERCE_PROJECTIONS, projector.MANIFEST])
        queries = QueryRegistry([COMMERCE_QUERIES, query.MANIFEST])
        await ensure_topics(infra.kafka, infra.topic_prefix, 1, stream_types=commands.catalog.stream_types)

        pool = await open_pool(infra.pg_dsn, min_size=1, max_size=4)
        await create_schema(pool)
        producer = create_producer(infra.kafka)
        await producer.start()
        relay = Relay(infra.pg_dsn, Publisher(producer, prefix=infra.topic_prefix, source="/bahi/test"))
        relaying = asyncio.create_task(relay.run())
        services = services_for(PostgresEventStore(pool), settings=CommandSettings(), registry=commands)
        projector_app = create_projector(
            ProjectorSettings(
                kafka_bootstrap=infra.kafka,
                topic_prefix=infra.topic_prefix,
                topic_partitions=1,
                mongo_url=infra.mongo_url,
                mongo_db=infra.mongo_db,
                group_prefix=f"{infra.topic_prefix}.projector",
            ),
            registry=projections,
        )
        query_app = create_query(QuerySettings(mongo_url=infra.mongo_url, mongo_db=infra.mongo_db), registry=queries)
        try:
            async with (
                running(build_command_app(lambda: services, commands, auth=auth.authenticator())) as writes,
                running(projector_app),
                running(query_app) as reads,
            ):
                first = await writes.post(
                    "/v1/tallies/t1/counts", json={"amount": 3}, headers={"Idempotency-Key": "k1"}
                )
                again = await writes.post(
                    "/v1/tallies/t1/counts", json={"amount": 3}, headers={"Idempotency-Key": "k1"}
                )
                second = await writes.post("/v1/tallies/t1/counts", json={"amount": 4})
                bad = await writes.post("/v1/tallies/t1/counts", json={"amount": 0})
                assert (first.status_code, again.status_code, second.status_code) == (200, 200, 200)
                assert again.headers["Idempotent-Replayed"] == "true" and second.json()["total"] == 7
                assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "amount"
                order = await writes.post("/v1/orders/ord-x/delivery")  # commerce is still there, beside it
                assert order.status_code == 404

                async def tally() -> dict[str, Any] | None:
                    answer = await reads.get("/v1/tallies/t1")
                    return answer.json() if answer.status_code == 200 and answer.json()["total"] == 7 else None

                view = await eventually(tally, "the tally view to apply both counts")
                assert view == {"tally_id": "t1", "total": 7, "counts": 2, "version": 2}
                assert (await reads.get("/v1/tallies/nope")).status_code == 404
                indexes = await eventually(
                    lambda: reads_indexes(infra.mongo_url, infra.mongo_db), "the tally view's declared index"
                )
                assert "by_total" in indexes

            records = await consume_until(
                infra.kafka, [topic_for(TALLY.name, infra.topic_prefix)], lambda rs: len(rs) >= 2
            )
            assert [dict(r.headers)["ce_type"] for r in records] == [b"in.bahi.demo.TallyCounted"] * 2
            assert {r.key for r in records} == {TALLY.stream_id("t1").encode()}
        finally:
            relaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relaying
            await producer.stop()
            await pool.close()


async def reads_indexes(mongo_url: str, mongo_db: str) -> list[str]:
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        return [index["name"] async for index in await client[mongo_db][TALLY_VIEW].list_indexes()]
    finally:
        await client.close()
