"""`python -m projector_service parked list|redrive|skip`: the events a projection could not
apply and those held behind them, per stream, in order."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from projector_service import console as show
from projector_service.app import open_resources
from projector_service.pointers import live_collection
from projector_service.projections import PROJECTIONS, Projection
from projector_service.redrive import NothingToSkipError, redrive, skip
from projector_service.settings import Settings

parked = typer.Typer(help="Events a projection could not apply, and those held behind them.")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def projection_named(name: str) -> Projection:
    if name not in PROJECTIONS:
        raise typer.BadParameter(f"unknown projection {name!r}; known: {', '.join(sorted(PROJECTIONS))}")
    return PROJECTIONS[name]


@parked.command("list")
def parked_list(
    projection: Annotated[str | None, typer.Option(help="Only this projection.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """List parked events, per collection and stream in queue order."""

    async def run() -> list[dict[str, Any]]:
        async with open_resources(Settings(), kafka=False) as res:
            return await res.lot.items(projection=projection, limit=limit)

    items = asyncio.run(run())
    if as_json:
        show.out.print_json(json.dumps(items, default=str))
    else:
        show.out.print(show.parked_table(items))


@parked.command("redrive")
def parked_redrive(
    projection: str, stream: Annotated[str | None, typer.Option(help="Only this stream.")] = None
) -> None:
    """Re-apply parked events in order with the code running now; a stream flows again once its queue is empty."""
    chosen = projection_named(projection)

    async def run() -> int:
        async with open_resources(Settings(), kafka=False) as res:
            collection = await live_collection(res.db, chosen.collection)
            results = await redrive(res.db, chosen, res.lot, collection, stream)
        for r in results:
            state = f"[red]still blocked ({r.still_parked} parked): {r.error}" if r.still_parked else "[green]flowing"
            show.out.print(f"{r.stream_id}: {r.applied} applied, {state}")
        return sum(1 for r in results if r.still_parked)

    if asyncio.run(run()):
        raise typer.Exit(1)


@parked.command("skip")
def parked_skip(
    projection: str,
    stream: Annotated[str, typer.Option(help="The stream whose parked event to skip.")],
    event_id: Annotated[str | None, typer.Option(help="This event (default: the head of the queue).")] = None,
) -> None:
    """Drop a parked event for good (recorded in projector_skipped); `redrive` then lets the rest through."""
    chosen = projection_named(projection)

    async def run() -> None:
        async with open_resources(Settings(), kafka=False) as res:
            collection = await live_collection(res.db, chosen.collection)
            skipped, left = await skip(res.lot, collection, stream, event_id)
        show.out.print(f"skipped {skipped['_id']} ({skipped['event_type'] or 'undecodable'}); {left} still parked")

    try:
        asyncio.run(run())
    except NothingToSkipError as exc:
        show.console.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
