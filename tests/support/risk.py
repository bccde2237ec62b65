"""Running the risk and compliance command routes in tests: every context over one store (a review
reads the subject's stream of banking, wallets or upi), the service's own composition root, a
clock the test moves; and the fold of a subject's stream as stored (what the projector and the
review command both run)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx

from command_service import banking, commerce, compliance, risk, upi, wallets
from command_service.api import build_app
from command_service.bootstrap import ReadyCheck, Services, build_dispatcher
from command_service.event_store import EventStore
from command_service.handling import CommandRegistry, Dispatcher
from command_service.settings import Settings
from shared.events import parse_event
from shared.risk.subjects import evolve, new_subject
from tests.support import auth
from tests.support.upi import UpiWorld


@cache
def registry() -> CommandRegistry:
    return CommandRegistry(
        [commerce.MANIFEST, wallets.MANIFEST, banking.MANIFEST, upi.MANIFEST, risk.MANIFEST, compliance.MANIFEST]
    )


@dataclass
class RiskWorld(UpiWorld):
    @property
    def dispatch(self) -> Dispatcher:
        if self._dispatch is None:
            service = Settings(max_conflict_retries=self.max_attempts)
            self._dispatch = build_dispatcher(registry(), self.store, self.clock, service, registry().settings())
        return self._dispatch


async def subject_fold(store: EventStore, subject: str, stream_id: str) -> dict[str, Any]:
    """The subject's state as its stream stands in the store."""
    state = new_subject(subject)
    for env in await store.read_stream(stream_id):
        event = parse_event(env.event_type, env.schema_version, env.data)
        state = evolve(state, event, stream_id, env.version) or state
    return state


@asynccontextmanager
async def api(world: RiskWorld) -> AsyncIterator[httpx.AsyncClient]:
    """The command API of every context over HTTP (ASGI, no server), on `world`'s store and clock."""
    services = Services(world.store, world.dispatch, Settings(), ReadyCheck(None))
    app = build_app(lambda: services, registry(), auth=auth.authenticator())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=auth.STAFF) as client:
        yield client
