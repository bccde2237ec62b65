"""/readyz of the services that read MongoDB answers 503 within its own bound (the setting
`mongo_ready_seconds`, 1 s) when MongoDB is gone, instead of waiting the driver's server
selection (30 s by default): a probe with a few seconds' timeout sees "not ready", not silence."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

GONE = "mongodb://127.0.0.1:1"  # nothing listens there: every connection is refused
DEADLINE = 10.0  # well under the driver's 30 s server selection, well over the 1 s bound


def query_app() -> FastAPI:
    from query_service.app import create_app
    from query_service.settings import Settings

    return create_app(Settings(mongo_url=GONE))


def projector_app() -> FastAPI:
    from projector_service.app import create_app
    from projector_service.settings import Settings

    return create_app(Settings(mongo_url=GONE, kafka_bootstrap="127.0.0.1:1"))


@pytest.mark.parametrize("build", [query_app, projector_app], ids=["query", "projector"])
async def test_readyz_says_503_soon_when_mongodb_is_gone(build: object) -> None:
    app = build()  # type: ignore[operator]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await asyncio.wait_for(client.get("/readyz", timeout=DEADLINE), DEADLINE)
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
