"""The demo context in the command service: a Tally aggregate, one command, one route."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from command_service.api.commands import Meta, run_command
from command_service.event_store import AppendStream
from command_service.handling import AggregateType, Command, CommandManifest, Decision, Loader, new_events
from shared.auth import allow
from shared.envelope import EventMetadata
from shared.events import DomainEvent
from tests.support.demo.shared import MANIFEST as SHARED
from tests.support.demo.shared import TALLY, TallyCounted


@dataclass(frozen=True)
class Tally:
    total: int = 0


def evolve(state: Tally, event: DomainEvent) -> Tally:
    return replace(state, total=event.total) if isinstance(event, TallyCounted) else state


class CountTally(Command):
    amount: int = Field(gt=0, le=1_000, strict=True)


class DemoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_DEMO_", extra="ignore")

    snapshot_every: int = 2
    ceiling: int = 1_000_000


async def count_tally(
    cmd: CountTally, *, target_id: str, metadata: EventMetadata, load: Loader, ceiling: int
) -> Decision:
    state, version = await load(TALLY.stream_id(target_id), Tally(), evolve)
    total = min(state.total + cmd.amount, ceiling)
    event = TallyCounted(tally_id=target_id, amount=cmd.amount, total=total)
    stream = AppendStream(TALLY.stream_id(target_id), TALLY.name, version, new_events([event], metadata))
    return Decision([stream], {"tally_id": target_id, "total": total})


router = APIRouter(prefix="/v1")


TALLIES_WRITE = "tallies:write"


@router.post("/tallies/{tally_id}/counts", dependencies=[allow(TALLIES_WRITE)])
async def count(
    request: Request, tally_id: Annotated[str, Path(pattern=r"^[a-z0-9]{1,20}$")], body: CountTally, meta: Meta
) -> JSONResponse:
    return await run_command(request, body, meta, target_id=tally_id)


def aggregates(settings: DemoSettings) -> list[AggregateType[Any]]:
    return [AggregateType(TALLY.name, Tally, evolve, snapshot_every=settings.snapshot_every)]


MANIFEST = CommandManifest(
    shared=SHARED,
    handlers={CountTally: count_tally},
    routers=(router,),
    settings=DemoSettings,
    aggregates=aggregates,
    dependencies=lambda settings: {"ceiling": settings.ceiling},
)
