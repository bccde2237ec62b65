"""The order-payment process manager: applies order and wallet events to what it knows per order
(`store.py`), then takes the steps `flow.next_step` derives (`steps.py`, one command each) until
the order waits for an event or is settled.

The consumer acts at once on the events it applies; the timer (`tick`) takes up whatever is due:
an order another run was busy with when its event arrived, a step deferred by a transient failure
or an `If-Match` refusal, a look after `WAIT`, a restart. A result is saved only on the revision
it was decided on (`store.save`): decided on facts that changed meanwhile, it is decided again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from prometheus_client import Counter

from command_service.event_store import EventStore
from command_service.handling import Clock, Dispatcher
from command_service.wallets.order_payment.flow import (
    HOLD_EVENTS,
    ORDER_EVENTS,
    OrderPayment,
    captured_reference,
    finished,
    late_payment_id,
    next_step,
)
from command_service.wallets.order_payment.named import NamedCommands
from command_service.wallets.order_payment.steps import WAIT, Steps
from command_service.wallets.order_payment.store import OrderPaymentStore
from shared.commerce.events import OrderPlaced, PaymentCaptured, PaymentMethod
from shared.commerce.streams import ORDER
from shared.envelope import EventEnvelope
from shared.events import parse_event
from shared.wallets.events import WalletHoldCaptured, WalletHoldPlaced, WalletPaid
from shared.wallets.streams import WALLET

log = logging.getLogger(__name__)

MAX_STEPS = 8
STEPS = Counter("bahi_saga_wallet_order_steps_total", "Steps of orders paid from the wallet", ["step"])


class OrderPaymentManager:
    def __init__(
        self,
        payments: OrderPaymentStore,
        dispatch: Dispatcher,
        commerce: NamedCommands,
        store: EventStore,
        clock: Clock,
        *,
        merchant_id: str,
        hold_timeout: timedelta,
    ) -> None:
        self._payments = payments
        self._clock = clock
        self._merchant = merchant_id
        self._margin = hold_timeout / 2
        self._steps = Steps(dispatch, commerce, store, merchant_id=merchant_id, margin=self._margin)
        self._busy: set[str] = set()

    @property
    def max_tick_seconds(self) -> float:
        return min(5.0, self._margin.total_seconds() / 4)

    async def status(self) -> dict[str, object]:
        return {"unsettled": await self._payments.unsettled(), "merchant_id": self._merchant}

    async def handle(self, env: EventEnvelope) -> None:
        """Apply one order or wallet event (redeliveries are harmless), then act on it."""
        order_id = await self._apply(env)
        if order_id is None:
            return
        try:
            await self._advance(order_id)
        except Exception:  # the facts are saved: the timer takes the order up again
            log.exception("order %s: acting on %s failed; trying again on a tick", order_id, env.event_type)

    async def tick(self, limit: int = 100) -> int:
        """Advance the orders that are due; returns how many were settled."""
        settled = 0
        for payment in await self._payments.due(self._clock(), limit):
            try:
                settled += await self._advance(payment.order_id)
            except Exception:
                log.exception("order %s: advancing failed; trying again", payment.order_id)
        return settled

    async def _apply(self, env: EventEnvelope) -> str | None:
        """The event's facts saved; the order to act on when they may call for a step."""
        if env.stream_type == ORDER.name:
            if env.event_type == OrderPlaced.__name__:
                placed = parse_event(env.event_type, env.schema_version, env.data)
                assert isinstance(placed, OrderPlaced)
                if placed.payment_method is not PaymentMethod.WALLET:
                    return None
                started = OrderPayment(
                    placed.order_id, placed.customer_id, placed.total_paise, placed.placed_at, order_version=env.version
                )
                return placed.order_id if await self._payments.start(started) else None
            status = ORDER_EVENTS.get(env.event_type)
            reference = env.data.get("provider_reference")
            paid = env.event_type == PaymentCaptured.__name__ and reference == captured_reference(env.stream_id)
            moved = await self._payments.order_moved(env.stream_id, status, env.version, paid=paid)
            return env.stream_id if moved and (status is not None or paid) else None
        if env.stream_type == WALLET.name and env.event_type in HOLD_EVENTS:
            data = env.data
            if data.get("merchant_id") != self._merchant:
                return None
            event = parse_event(env.event_type, env.schema_version, data)
            expires_at = event.expires_at if isinstance(event, WalletHoldPlaced) else None
            captured = event.captured_paise if isinstance(event, WalletHoldCaptured) else None
            hold = HOLD_EVENTS[env.event_type]
            moved = await self._payments.hold_moved(
                data["payment_id"], data["wallet_id"], hold, env.version, expires_at, captured
            )
            return str(data["payment_id"]) if moved else None
        if env.stream_type == WALLET.name and env.event_type == WalletPaid.__name__:
            data = env.data
            order_id = data.get("order_id")
            if data.get("merchant_id") != self._merchant or order_id is None:
                return None
            if data["payment_id"] != late_payment_id(order_id):
                return None  # a direct payment of the order made some other way: not this manager's
            moved = await self._payments.debit_moved(order_id, data["wallet_id"], int(data["amount_paise"]))
            return str(order_id) if moved else None
        return None

    async def _advance(self, order_id: str) -> bool:
        """Take the steps the order's facts call for until it waits or is settled; True if settled now."""
        if order_id in self._busy:
            return False  # another run is at it; the facts just saved left the order due for the timer
        self._busy.add(order_id)
        try:
            for _ in range(MAX_STEPS):
                payment = await self._payments.get(order_id)
                if payment is None or payment.settled:
                    return False
                now = self._clock()
                step = next_step(payment, now, self._margin)
                if step is None:
                    done = finished(payment, step)
                    outcome = payment.outcome or f"{payment.order.value}; hold {payment.hold.value}"
                    after = replace(
                        payment, settled=done, outcome=outcome if done else payment.outcome, retry_at=now + WAIT
                    )
                else:
                    STEPS.labels(step.value).inc()
                    after = await self._steps.take(step, payment, now)
                if not await self._payments.save(after):
                    continue  # the facts changed meanwhile: decide again on what is stored now
                if after.settled or after.retry_at is not None:
                    return after.settled
            return False
        finally:
            self._busy.discard(order_id)
