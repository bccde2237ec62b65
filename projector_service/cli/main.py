"""`python -m projector_service [COMMAND]`: without a command, run the projector service;
`rebuild`, `status` and `parked list|redrive|skip` operate on a running deployment."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from projector_service.app import Resources, create_app, open_resources
from projector_service.cli import console as show
from projector_service.cli.options import JsonOpt, projection_named, registry_of
from projector_service.cli.parked import parked
from projector_service.cli.status_view import status_view
from projector_service.engine import Projection
from projector_service.live import ProjectionStatus, StatusCollector
from projector_service.read_models import drop_due
from projector_service.rebuild import ConsumerGroups, KafkaSource, RebuildOptions, RebuildResult, Source, rebuild
from projector_service.registry import ProjectorRegistry
from projector_service.settings import Settings
from shared.logging import setup_logging
from shared.streams import topic_for
from shared.tuning import gc_tuned
from shared.web import serve as serve_http

app = typer.Typer(
    add_completion=False,
    help="Bahi projector: keeps the MongoDB read models current.",
    pretty_exceptions_enable=False,  # plain tracebacks for logs, and no local variables (settings) in them
)
app.add_typer(parked, name="parked")


@app.callback(invoke_without_command=True)
def main(ctx: typer.Context) -> None:
    """Without a command: run the projector (health and metrics on BAHI_PROJECTOR_PORT)."""
    if ctx.invoked_subcommand is None:
        serve(ctx)


@app.command()
def serve(ctx: typer.Context) -> None:
    """Run every projection (the default)."""
    settings = Settings()
    setup_logging("projector", settings.log_level)
    with gc_tuned():
        _serve(settings, registry_of(ctx))


def _serve(settings: Settings, registry: ProjectorRegistry) -> None:
    serve_http(create_app(settings, registry), host=settings.host, port=settings.projector_port)


def _source(settings: Settings, projection: Projection, from_store: bool) -> Source:
    if from_store:
        from projector_service.rebuild.store_feed import StoreSource  # only this command needs PostgreSQL

        return StoreSource(settings.database_url, projection.stream_types)
    topics = [topic_for(t, settings.topic_prefix) for t in projection.stream_types]
    group = f"{settings.group_prefix}.{projection.name}.rebuild.{uuid.uuid4().hex[:8]}"
    return KafkaSource(settings.kafka_bootstrap, topics, group)


@app.command("rebuild")
def rebuild_command(
    ctx: typer.Context,
    projections: Annotated[list[str] | None, typer.Argument(help="Projection names.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every projection.")] = False,
    from_store: Annotated[bool, typer.Option("--from-store", help="Replay the event store, not Kafka.")] = False,
    grace: Annotated[float | None, typer.Option(help="Seconds before the old collection is dropped.")] = None,
    wait: Annotated[bool, typer.Option(help="Wait out the grace period and drop the old collection.")] = True,
    batch: Annotated[int | None, typer.Option(help="Records per batch.")] = None,
) -> None:
    """Blue/green: replay into a new versioned collection, switch when caught up, retire the old one.

    An abandoned rebuild of the same read model (its process died) is cleaned up first."""
    settings = Settings()
    setup_logging("projector-rebuild", "WARNING")
    registry = registry_of(ctx)
    chosen = list(registry.projections.values()) if all_ else [projection_named(ctx, n) for n in projections or []]
    if not chosen:
        raise typer.BadParameter("name a projection (or --all)")
    options = RebuildOptions(
        batch or settings.rebuild_batch_max_records,
        settings.rebuild_cache_docs,
        settings.rebuild_grace_seconds if grace is None else grace,
        settings.rebuild_stale_seconds,
    )
    with gc_tuned():
        failures = asyncio.run(_rebuild(settings, registry, chosen, from_store, options, wait))
    if failures:
        raise typer.Exit(1)


async def _rebuild(
    settings: Settings,
    registry: ProjectorRegistry,
    chosen: list[Projection],
    from_store: bool,
    options: RebuildOptions,
    wait: bool,
) -> int:
    async with open_resources(settings, registry=registry) as res:
        groups = ConsumerGroups(settings.kafka_bootstrap)  # of these rebuilds and of abandoned ones
        bars = show.RebuildBars()
        with bars.progress:
            outcomes = await asyncio.gather(
                *(
                    rebuild(
                        res.db,
                        p,
                        _source(settings, p, from_store),
                        indexes=registry.indexes_for(p),
                        lot=res.lot,
                        dead_letters=res.dead_letters,
                        options=options,
                        on_progress=bars.update,
                        groups=groups,
                    )
                    for p in chosen
                ),
                return_exceptions=True,
            )
        done = [o for o in outcomes if isinstance(o, RebuildResult)]
        for projection, outcome in zip(chosen, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                show.console.print(f"[red]{projection.name}: rebuild failed: {type(outcome).__name__}: {outcome}")
        if done:
            show.out.print(show.rebuilt(done))
        if wait and done:
            await _drop_after_grace(res, done)
        return len(outcomes) - len(done)


async def _drop_after_grace(res: Resources, done: list[RebuildResult]) -> None:
    due = max(r.drop_due for r in done)
    show.console.print(
        f"waiting until {due:%H:%M:%S}Z to drop the old collections (--no-wait leaves it to the projector)"
    )
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
    for dropped in await drop_due(res.db, res.lot):
        show.out.print(f"dropped {dropped}")


@app.command()
def status(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    by_partition: Annotated[
        bool, typer.Option("--partitions", "-v", help="Also per partition: committed and end offsets, lag.")
    ] = False,
) -> None:
    """Per projection: its live collection, lag in events and seconds (the oldest event not applied
    yet), parked events, rebuilds (running, or ABANDONED: no heartbeat for BAHI_REBUILD_STALE_SECONDS).
    `--json` gives every projection with its totals and partitions."""
    settings = Settings()
    setup_logging("projector-status", "WARNING")
    statuses = asyncio.run(_status(settings, registry_of(ctx)))
    if as_json:
        show.out.print_json(json.dumps([s.as_dict() for s in statuses], default=str))
    else:
        show.out.print(status_view(statuses, partitions=by_partition))


async def _status(settings: Settings, registry: ProjectorRegistry) -> list[ProjectionStatus]:
    async with open_resources(settings, kafka=False, registry=registry) as res:
        collector = StatusCollector(
            settings.kafka_bootstrap,
            settings.topic_prefix,
            settings.group_prefix,
            res.db,
            stale_after=timedelta(seconds=settings.rebuild_stale_seconds),
        )
        await collector.start()
        try:
            return await collector.collect(registry.projections.values())
        finally:
            await collector.stop()
