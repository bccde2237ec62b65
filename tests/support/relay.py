"""Waiting for the relay: until its checkpoint covers every event the store holds."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from tests.support.infra import Infra


async def caught_up(infra: Infra, relay_name: str = "main", timeout: float = 120.0) -> None:
    """Wait until the relay's checkpoint covers every stored event."""
    conn = await asyncpg.connect(infra.pg_dsn)
    deadline = time.monotonic() + timeout
    try:
        while True:
            behind = await conn.fetchval(
                """SELECT count(*) FROM bahi_events e WHERE NOT EXISTS (
                     SELECT 1 FROM bahi_relay_checkpoint c
                     WHERE c.name = $1 AND (e.tx_id, e.position) <= (c.tx_id, c.position))""",
                relay_name,
            )
            if behind == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"relay still {behind} events behind")
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
