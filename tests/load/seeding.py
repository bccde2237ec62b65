"""`python -m tests.load seed`: writes a `Dataset` through the command service's own dispatcher
(`command_service.bootstrap.build_dispatcher`: the commands' validation, the aggregates' decisions,
one append per command with its idempotency record, group-committed) into the event store the
deployment's relay publishes from, so every view is the projector's own projection of real events.
HTTP is skipped on purpose: it would add the command service's per-request cost and let the
server choose the ids, and a seeded data set must have the ids its seed says (`dataset`).

Each command runs at its step's moment (a clock per task), so orders spread over months and
`balance?as_of=` has a history to answer from. A command the domain refuses (a wallet over its
monthly limit) is counted by its error; a second seeding of the same spec appends nothing (every
step's idempotency key answers from its record)."""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from command_service.banking.commands import Deposit, OpenAccount, Withdraw
from command_service.bootstrap import build_dispatcher
from command_service.commerce.commands import (
    CancelOrder,
    CreateProduct,
    DeliverOrder,
    PlaceOrder,
    RecordPayment,
    ShipOrder,
)
from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from command_service.handling import Command, Dispatcher, Envelope, default_registry
from command_service.settings import Settings
from command_service.wallets.commands import OpenWallet, PayFromWallet, TopUpWallet
from shared.envelope import EventMetadata
from shared.errors import DomainError
from tests.load.dataset import Dataset
from tests.load.stories import Step

COMMANDS: dict[str, type[Command]] = {
    "create_product": CreateProduct,
    "place_order": PlaceOrder,
    "record_payment": RecordPayment,
    "ship_order": ShipOrder,
    "deliver_order": DeliverOrder,
    "cancel_order": CancelOrder,
    "open_wallet": OpenWallet,
    "topup": TopUpWallet,
    "wallet_payment": PayFromWallet,
    "open_account": OpenAccount,
    "deposit": Deposit,
    "withdrawal": Withdraw,
}
ACTOR = "load-seed"
_NOW: contextvars.ContextVar[datetime] = contextvars.ContextVar("seeding_now")


def seeding_clock() -> datetime:
    return _NOW.get()


def envelope(step: Step) -> Envelope:
    command = COMMANDS[step.kind](**step.body)
    metadata = EventMetadata(correlation_id=step.key, command_id=step.key, actor=ACTOR, request_id=step.key)
    return Envelope(command, idempotency_key=step.key, metadata=metadata, target_id=step.target)


class Tally:
    def __init__(self) -> None:
        self.commands = 0
        self.replayed = 0
        self.refused: Counter[str] = Counter()
        self.failed: list[str] = []


async def run_stories(
    dispatch: Callable[[Envelope], Any],
    stories: Iterator[list[Step]],
    tally: Tally,
    concurrency: int,
    advance: Callable[[], None],
) -> None:
    """Every story, `concurrency` at a time; a story's steps in order, each at its own moment."""

    async def worker() -> None:
        for story in stories:  # one shared iterator: each story is taken by one worker
            for step in story:
                _NOW.set(step.at)
                try:
                    outcome = await dispatch(envelope(step))
                except DomainError as exc:
                    tally.refused[type(exc).__name__] += 1
                    if step.kind in {"place_order", "open_wallet", "open_account"}:
                        break  # nothing else of the story can follow
                    continue
                except Exception as exc:
                    tally.failed.append(f"{step.kind} {step.key}: {type(exc).__name__}: {exc}")
                    if len(tally.failed) > 20:
                        raise RuntimeError(
                            "seeding: more than 20 commands failed:\n" + "\n".join(tally.failed)
                        ) from exc
                    break
                tally.commands += 1
                tally.replayed += bool(outcome.replayed)
            advance()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def seed(data: Dataset, settings: Settings, *, concurrency: int = 48, quiet: bool = False) -> dict[str, Any]:
    pool = await open_pool(settings.database_url, min_size=2, max_size=max(4, settings.db_pool_max))
    try:
        await create_schema(pool)
        dispatch: Dispatcher = build_dispatcher(default_registry(), PostgresEventStore(pool), seeding_clock, settings)
        tally, phases = Tally(), []
        started = time.perf_counter()
        columns = (
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>7} cmd/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, disable=quiet) as progress:
            for name, total, stories in data.phases():
                task = progress.add_task(name, total=total, rate="")
                phase_start, before = time.perf_counter(), tally.commands

                def advance(task: Any = task, phase_start: float = phase_start, before: int = before) -> None:
                    rate = (tally.commands - before) / max(1e-9, time.perf_counter() - phase_start)
                    progress.update(task, advance=1, rate=f"{rate:,.0f}")

                await run_stories(dispatch, stories, tally, concurrency, advance)
                seconds = time.perf_counter() - phase_start
                phases.append(
                    {
                        "phase": name,
                        "stories": total,
                        "commands": tally.commands - before,
                        "seconds": round(seconds, 1),
                        "commands_per_s": round((tally.commands - before) / max(seconds, 1e-9), 1),
                    }
                )
        wall = time.perf_counter() - started
        return {
            "spec": data.spec.as_dict(),
            "checksum": data.checksum(),
            "commands": tally.commands,
            "replayed": tally.replayed,
            "refused": dict(tally.refused),
            "failed": tally.failed,
            "write_seconds": round(wall, 1),
            "orders_per_s": round(data.spec.orders / wall, 1) if wall else None,
            "phases": phases,
        }
    finally:
        await pool.close()
