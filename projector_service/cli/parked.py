"""`python -m projector_service parked list|redrive|skip`: the events a projection could not
apply and those held behind them, per stream, in order."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from projector_service.app import open_resources
from projector_service.cli import console as show
from projector_service.cli.options import JsonOpt, projection_named, registry_of
from projector_service.dead_letters import NothingToSkipError, redrive, skip
from projector_service.read_models import live_collection
from projector_service.settings import Settings

parked = typer.Typer(help="Events a projection could not apply, and those held behind them.")


@parked.command("list")
def parked_list(
    ctx: typer.Context,
    projection: Annotated[str | None, typer.Option(help="Only this projection.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """List parked events, per collection and stream in queue order."""

    async def run() -> list[dict[str, Any]]:
        async with open_resources(Settings(), kafka=False, registry=registry_of(ctx)) as res:
            return await res.lot.items(projection=projection, limit=limit)

    items = asyncio.run(run())
    if as_json:
        show.out.print_json(json.dumps(items, default=str))
    else:
        show.out.print(show.parked_table(items))


@parked.command("redrive")
def parked_redrive(
    ctx: typer.Context, projection: str, stream: Annotated[str | None, typer.Option(help="Only this stream.")] = None
) -> None:
    """Re-apply parked events in order with the code running now; a stream flows again once its queue is empty."""
    chosen = projection_named(ctx, projection)

    async def run() -> int:
        async with open_resources(Settings(), kafka=False, registry=registry_of(ctx)) as res:
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
    ctx: typer.Context,
    projection: str,
    stream: Annotated[str, typer.Option(help="The stream whose parked event to skip.")],
    event_id: Annotated[str | None, typer.Option(help="This event (default: the head of the queue).")] = None,
) -> None:
    """Drop a parked event for good (recorded in projector_skipped); `redrive` then lets the rest through."""
    chosen = projection_named(ctx, projection)

    async def run() -> None:
        async with open_resources(Settings(), kafka=False, registry=registry_of(ctx)) as res:
            collection = await live_collection(res.db, chosen.collection)
            skipped, left = await skip(res.lot, collection, stream, event_id)
        show.out.print(f"skipped {skipped['_id']} ({skipped['event_type'] or 'undecodable'}); {left} still parked")

    try:
        asyncio.run(run())
    except NothingToSkipError as exc:
        show.console.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
