"""Payments leaving Bahi in unit tests: the VPA topic as the reversal process manager's consumer
sees it (`Feed`), a funded payer VPA, the moments around T+1 the tests use, and the projections
folded over a world's events (`project`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from command_service.upi.reversal import PaymentReversal
from projector_service.engine.apply import fold, group_by_document
from projector_service.projections import banking, upi, wallets
from projector_service.registry import ProjectorRegistry
from shared.envelope import EventEnvelope
from shared.upi.streams import VPA
from tests.support.upi import UpiWorld, rupees

IST_2300_1DEC = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
"""23:00 IST, Tuesday 1 Dec: the payments' moment (T)."""
T_PLUS_1_END = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
"""00:00 IST, 3 Dec: the end of T+1."""
START = rupees(50_000)


class Feed:
    """The VPA topic as the manager's consumer sees it: every event once, in commit order (those
    the manager's own commands append included), or everything again (a redelivery)."""

    def __init__(self, world: UpiWorld) -> None:
        self.world = world
        self.delivered: set[int] = set()

    async def pump(self, reversal: PaymentReversal) -> None:
        while fresh := [e for e in await self._events() if e.position not in self.delivered]:
            for env in fresh:
                self.delivered.add(env.position)
                await reversal.handle(env)

    async def redeliver(self, reversal: PaymentReversal) -> None:
        self.delivered.clear()
        await self.pump(reversal)

    async def _events(self) -> list[EventEnvelope]:
        return [e for e in await self.world.store.read_all(0, 100_000) if e.stream_type == VPA.name]


async def payer(world: UpiWorld, *, wallet: bool = False) -> tuple[str, str]:
    """asha@bahi on an account (or a wallet) with `START`, registered two days before T; the
    world's clock is then at T."""
    world.clock.now = IST_2300_1DEC - timedelta(days=2)
    if wallet:
        link = await world.wallet(START)
        await world.vpa("asha@bahi", wallet_id=link)
    else:
        link = await world.account(START)
        await world.vpa("asha@bahi", account_id=link)
    world.clock.now = IST_2300_1DEC
    return link, "asha@bahi"


@cache
def _registry() -> ProjectorRegistry:
    return ProjectorRegistry([wallets.MANIFEST, banking.MANIFEST, upi.MANIFEST])


def project(name: str, envelopes: list[EventEnvelope]) -> dict[str, dict[str, Any]]:
    """The documents of one projection folded from `envelopes` (redeliveries skipped by version)."""
    projection = _registry().projections[name]
    folded = {key: fold(projection, None, envs) for key, envs in group_by_document(projection, envelopes).items()}
    return {key: doc for key, doc in folded.items() if doc is not None}
