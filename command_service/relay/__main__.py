"""`python -m command_service.relay [run|republish|audit|status]`: the relay process and its tools."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import typer
from rich.console import Console

from command_service.relay.app import republish_range, run_audit, serve
from command_service.relay.status import read_status
from command_service.relay.status_view import status_json, status_table
from command_service.settings import Settings
from shared.logging import setup_logging

cli = typer.Typer(add_completion=False, no_args_is_help=False, help="Bahi relay: PostgreSQL -> Kafka")


@cli.callback(invoke_without_command=True)
def main(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        run()


@cli.command()
def run() -> None:
    """Publish committed events to Kafka until stopped (one active instance; others stand by)."""
    settings = Settings()
    setup_logging("relay", settings.log_level)
    asyncio.run(serve(settings))


@cli.command()
def republish(
    from_position: int = typer.Option(..., "--from-position", help="first global position to re-send"),
    to_position: int | None = typer.Option(None, "--to-position", help="last position (default: the end)"),
) -> None:
    """Re-send a range of the event store to Kafka (to refill a topic); consumers dedupe by stream version."""
    settings = Settings()
    setup_logging("relay", settings.log_level)
    sent = asyncio.run(republish_range(settings, from_position, to_position))
    typer.echo(f"republished {sent} events")


@cli.command("audit")
def audit_command(
    republish_holes: bool = typer.Option(False, "--republish", help="re-send the events missing from Kafka"),
) -> None:
    """Prove every stored event reached Kafka: per stream, the versions on the topic equal those in the store."""
    settings = Settings()
    setup_logging("relay", "WARNING")
    report = asyncio.run(run_audit(settings, republish_holes))
    for stream_id, version in report.holes[:50]:
        typer.echo(f"hole: {stream_id} v{version}")
    for (stream_id, version), count in list(report.duplicates.items())[:50]:
        typer.echo(f"duplicate: {stream_id} v{version} x{count}")
    for stream_id, version in report.strays[:50]:
        typer.echo(f"stray: {stream_id} v{version}")
    typer.echo(report.summary())
    raise typer.Exit(0 if report.ok or report.republished == len(report.holes) else 1)


@cli.command()
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Where the relay stands, read from PostgreSQL: its checkpoint, the store's head, the events not
    published yet (count and age of the oldest), the events stored, whether a relay holds the leader lock."""
    settings = Settings()
    setup_logging("relay", "WARNING")
    try:
        standing = asyncio.run(read_status(settings.database_url, settings.relay_name))
    except asyncpg.UndefinedTableError:
        typer.echo("no event store in this database yet (the relay creates it when it starts)", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(status_json(standing), indent=2))
    else:
        Console().print(status_table(standing))


if __name__ == "__main__":
    cli()
