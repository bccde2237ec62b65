"""The payment saga: watches prepaid orders until they are paid or cancelled.

State per order (a `Watch`): the deadline (placed_at + timeout, or the failure time
when a payment fails) and the last order-stream version seen, so a redelivered
event changes nothing. When a deadline passes the saga dispatches `CancelOrder`
with an idempotency key derived from the order id (a restart that cancels again
gets the first answer back) and `If-Match` = the last order version it saw: if
the order moved on meanwhile (paid just now, and the saga has not read that event
yet) the cancellation is refused with nothing appended, and the saga decides
again once it has caught up. A cancelled or gone order refuses it too: the saga
then stops watching it. A payment captured after the saga cancelled (a late UPI
callback) is recorded by the order as a refund due; the saga leaves it alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from prometheus_client import Counter

from command_service.commerce.commands import CancelOrder
from command_service.handling import Clock, ConflictError, Dispatcher, Envelope, PreconditionFailedError
from shared.commerce.events import OrderCancelled, OrderConfirmed, OrderPlaced, PaymentFailed, SurplusPaymentCaptured
from shared.commerce.streams import ORDER
from shared.envelope import EventEnvelope, EventMetadata
from shared.errors import DomainError
from shared.events import DomainEvent, parse_event

log = logging.getLogger(__name__)

ACTOR = "saga:payment"
CANCELLED = Counter("bahi_saga_payment_cancellations_total", "Orders the payment saga cancelled", ["why"])


class WatchState(StrEnum):
    WAITING = "WAITING"
    FAILED = "FAILED"
    DONE = "DONE"


@dataclass(frozen=True)
class Watch:
    order_id: str
    deadline: datetime
    state: WatchState
    reason: str
    version: int
    outcome: str | None = None


def react(current: Watch | None, event: DomainEvent, version: int, timeout: timedelta) -> Watch | None:
    """The watch after an order event, or None when nothing changes (pure)."""
    if current is not None and version <= current.version:
        return None  # seen already: a redelivery or a replay
    match event:
        case OrderPlaced() if event.payment_method.prepaid and current is None:
            reason = f"payment not received within {timeout.total_seconds():g}s"
            return Watch(event.order_id, event.placed_at + timeout, WatchState.WAITING, reason, version)
        case PaymentFailed() if current is not None and current.state is not WatchState.DONE:
            return replace(
                current,
                state=WatchState.FAILED,
                deadline=min(current.deadline, event.failed_at),
                reason=f"payment failed: {event.reason}",
                version=version,
            )
        case OrderConfirmed() | OrderCancelled() if current is not None and current.state is not WatchState.DONE:
            return replace(current, state=WatchState.DONE, version=version, outcome=type(event).__name__)
        case SurplusPaymentCaptured():
            # Comes only after the order was cancelled or paid, and is a refund to make, not a
            # payment: never a reason to cancel, nor to stop watching an order still waiting.
            return None
    return None


class WatchStore(Protocol):
    """Where the saga keeps its watches (PostgreSQL, or the in-memory fake: one contract suite)."""

    async def get(self, order_id: str) -> Watch | None: ...

    async def save(self, watch: Watch) -> None:
        """Insert or replace, unless the stored watch has already seen a later version."""
        ...

    async def due(self, now: datetime, limit: int) -> list[Watch]: ...

    async def finish(self, order_id: str, outcome: str) -> None: ...

    async def waiting(self) -> int: ...


class PaymentSaga:
    def __init__(self, watches: WatchStore, dispatch: Dispatcher, clock: Clock, timeout: timedelta) -> None:
        self._watches = watches
        self._dispatch = dispatch
        self._clock = clock
        self._timeout = timeout

    @property
    def max_tick_seconds(self) -> float:
        """Deadlines are looked at least four times per timeout."""
        return self._timeout.total_seconds() / 4

    async def status(self) -> dict[str, object]:
        return {"watching": await self._watches.waiting(), "timeout_seconds": self._timeout.total_seconds()}

    async def handle(self, env: EventEnvelope) -> None:
        """React to one event of the order topic (any order: redeliveries are harmless)."""
        if env.stream_type != ORDER.name:
            return
        event = parse_event(env.event_type, env.schema_version, env.data)
        current = await self._watches.get(env.stream_id)
        changed = react(current, event, env.version, self._timeout)
        if changed is not None:
            await self._watches.save(changed)

    async def tick(self, limit: int = 100) -> int:
        """Cancel the orders whose deadline passed; returns how many were settled."""
        settled = 0
        for watch in await self._watches.due(self._clock(), limit):
            try:
                await self._dispatch(
                    Envelope(
                        CancelOrder(reason=watch.reason),
                        idempotency_key=f"saga-payment-cancel:{watch.order_id}",
                        target_id=watch.order_id,
                        expected_version=watch.version,
                        metadata=EventMetadata(
                            correlation_id=watch.order_id, causation_id=f"saga-payment:{watch.order_id}", actor=ACTOR
                        ),
                    )
                )
                outcome = "CANCELLED"
                CANCELLED.labels(watch.state.value.lower()).inc()
            except DomainError as exc:  # paid, cancelled by someone else, or gone: nothing left to do
                outcome = f"NOT_NEEDED: {exc.detail}"[:200]
            except PreconditionFailedError:
                continue  # the order changed since the saga looked: decide again after reading its events
            except ConflictError:
                log.warning("order %s busy; cancelling it on the next tick", watch.order_id)
                continue
            await self._watches.finish(watch.order_id, outcome)
            settled += 1
        return settled
