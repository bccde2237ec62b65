"""The reversal process manager: every payment leaving Bahi (a PENDING `UpiPaymentSent`) is taken
to the simulated switch (`switch`) and its answer sent to the payer's VPA (`SettleUpiPayment`:
credited, declined — credited back at once — or no answer: deemed); a deemed payment is then
reversed to the payer (`ReverseUpiPayment`) — by T+1 when the manager runs, later (with the
compensation the VPA computes and records) when it did not. Each exactly once, however often
the manager is killed, restarts or sees an event again.

State per payment (a `PaymentWatch` in its own PostgreSQL table, `watches`), written from the
VPA's events before the consumer commits its offset, so a payment is never lost. Each command
has an idempotency key of the VPA and the payment and the payment id as its movement id, so a
command repeated after a SIGKILL (recorded in the store, the watch not yet moved on) is
answered from its record and appends nothing; the VPA itself refuses an answer or a reversal
for a payment no longer waiting for it. The switch is asked as soon as the payment's event
arrives (the timer retries a failure); a deemed payment's reversal is due
`reversal_delay_seconds` after its answer, never after its T+1 deadline.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from prometheus_client import Counter

from command_service.handling import Clock, Command, ConflictError, Dispatcher, Envelope
from command_service.upi.commands import ReverseUpiPayment, SettleUpiPayment
from command_service.upi.domain import PaymentNotPendingError
from command_service.upi.reversal import switch
from command_service.upi.reversal.watches import PaymentWatch, PaymentWatchStore, Stage
from shared.envelope import EventEnvelope, EventMetadata
from shared.errors import DomainError
from shared.events import parse_event
from shared.upi.events import (
    UpiPaymentCompleted,
    UpiPaymentDeclined,
    UpiPaymentDeemed,
    UpiPaymentReversed,
    UpiPaymentSent,
)
from shared.upi.streams import VPA
from shared.upi.values import PaymentStatus, SwitchOutcome

log = logging.getLogger(__name__)

ACTOR = "saga:upi_payment_reversal"
ANSWERED = Counter("bahi_saga_upi_switch_answers_total", "Payments leaving Bahi the switch answered", ["outcome"])
REVERSED = Counter("bahi_saga_upi_reversals_total", "Deemed UPI payments reversed to the payer", ["late"])
_FINAL = frozenset({e.__name__ for e in (UpiPaymentCompleted, UpiPaymentDeclined, UpiPaymentReversed)})
REVERSAL_REASON = "DEEMED: no credit confirmed at the payee's psp; reversed to the payer"


def idempotency_key(watch: PaymentWatch, stage: Stage) -> str:
    """Not the commands' movement claims (`upi-switch-answer:…`, `upi-reversal:…`): both are recorded."""
    return f"saga-upi-reversal:{stage.value.lower()}:{watch.vpa}:{watch.payment_id}"


class PaymentReversal:
    def __init__(
        self,
        watches: PaymentWatchStore,
        dispatch: Dispatcher,
        clock: Clock,
        *,
        reversal_delay_seconds: float = 0.0,
        pace_seconds: float = 0.0,
    ) -> None:
        self._watches = watches
        self._dispatch = dispatch
        self._clock = clock
        self._delay = timedelta(seconds=reversal_delay_seconds)
        self._pace = pace_seconds
        self._busy: set[tuple[str, str]] = set()

    @property
    def max_tick_seconds(self) -> float:
        return 1.0

    async def status(self) -> dict[str, object]:
        waiting = await self._watches.waiting()
        return {
            "waiting": sum(waiting.values()),
            "by_stage": waiting,
            "reversal_delay_seconds": self._delay.total_seconds(),
        }

    def _reversal_due(self, answered_at: datetime, reverse_by: datetime) -> datetime:
        return min(answered_at + self._delay, reverse_by)

    async def handle(self, env: EventEnvelope) -> None:
        """React to one event of the VPA topic (redeliveries are harmless)."""
        if env.stream_type != VPA.name:
            return
        vpa = VPA.key(env.stream_id)
        if env.event_type == UpiPaymentSent.__name__ and env.data.get("status") == PaymentStatus.PENDING.value:
            event = parse_event(env.event_type, env.schema_version, env.data)
            assert isinstance(event, UpiPaymentSent)
            known = await self._watches.get(vpa, event.payment_id)
            if known is not None and known.version >= env.version:
                return  # a redelivery: watched already (and maybe answered)
            watch = PaymentWatch(
                vpa, event.payment_id, event.payee_vpa, event.amount_paise, Stage.SWITCH, event.occurred_at, env.version
            )
            await self._watches.save(watch)
            await self._at_once(watch)
        elif env.event_type == UpiPaymentDeemed.__name__:
            deemed = parse_event(env.event_type, env.schema_version, env.data)
            assert isinstance(deemed, UpiPaymentDeemed)
            known = await self._watches.get(vpa, deemed.payment_id)
            if known is not None and known.stage is not Stage.DONE:
                due = self._reversal_due(deemed.occurred_at, deemed.reverse_by)
                watch = PaymentWatch(
                    vpa,
                    deemed.payment_id,
                    deemed.payee_vpa,
                    deemed.amount_paise,
                    Stage.REVERSAL,
                    due,
                    env.version,
                    deemed.reverse_by,
                )
                await self._watches.save(watch)
                if due <= self._clock():
                    await self._at_once(watch)
        elif env.event_type in _FINAL:
            known = await self._watches.get(vpa, str(env.data["payment_id"]))
            if known is not None and known.stage is not Stage.DONE:
                await self._watches.finish(vpa, known.payment_id, known.stage, env.event_type)

    async def _at_once(self, watch: PaymentWatch) -> None:
        try:  # the timer retries a failure
            await self._act(watch)
        except Exception:
            log.exception("%s of payment %s of %s failed; trying again", watch.stage.value, watch.payment_id, watch.vpa)

    async def tick(self, limit: int = 200) -> int:
        """Act on the due watches, in order; returns how many were answered or reversed. A
        failure on one (the store, a bug) is logged and never stops the others."""
        acted = 0
        for watch in await self._watches.due(self._clock(), limit):
            try:
                acted += await self._act(watch)
            except Exception:
                log.exception("acting on payment %s of %s failed; trying again", watch.payment_id, watch.vpa)
        return acted

    async def _act(self, watch: PaymentWatch) -> bool:
        """True once the watch's stage is done (now or before)."""
        key = (watch.vpa, watch.payment_id)
        if key in self._busy:
            return False
        self._busy.add(key)
        try:
            if self._pace:
                await asyncio.sleep(self._pace)  # the simulated switch's time for this payment
            return await self._send(watch)
        finally:
            self._busy.discard(key)

    async def _send(self, watch: PaymentWatch) -> bool:
        command: Command
        outcome = None
        if watch.stage is Stage.SWITCH:
            outcome, reason = switch.answer(watch.payee_vpa)
            command = SettleUpiPayment(payment_id=watch.payment_id, outcome=outcome, reason=reason)
        else:
            command = ReverseUpiPayment(payment_id=watch.payment_id, reason=REVERSAL_REASON)
        key = idempotency_key(watch, watch.stage)
        metadata = EventMetadata(correlation_id=watch.payment_id, causation_id=key, actor=ACTOR)
        try:
            answer = await self._dispatch(
                Envelope(command, idempotency_key=key, target_id=watch.vpa, metadata=metadata)
            )
        except ConflictError:
            log.warning("VPA %s busy; %s of %s on the next tick", watch.vpa, watch.stage.value, watch.payment_id)
            return False
        except PaymentNotPendingError as exc:  # answered by another run, never through this key
            if watch.stage is Stage.SWITCH:
                # deemed meanwhile or final: the VPA's event moves the watch on (its version is newer)
                await self._watches.advance(watch.vpa, watch.payment_id, Stage.SWITCH, Stage.SWITCH, _later(watch))
                return False
            await self._watches.finish(watch.vpa, watch.payment_id, watch.stage, f"NOT_PENDING: {exc.detail}"[:200])
            return True
        except DomainError as exc:  # no such VPA: nothing to answer
            await self._watches.finish(watch.vpa, watch.payment_id, watch.stage, f"NOT_NEEDED: {exc.detail}"[:200])
            return True
        response = answer.response
        if outcome is SwitchOutcome.TIMEOUT:
            reverse_by = datetime.fromisoformat(str(response["reverse_by"]))
            due = self._reversal_due(datetime.fromisoformat(str(response["occurred_at"])), reverse_by)
            await self._watches.advance(watch.vpa, watch.payment_id, Stage.SWITCH, Stage.REVERSAL, due)
        else:
            await self._watches.finish(watch.vpa, watch.payment_id, watch.stage, str(response["status"]))
        if not answer.replayed:
            if outcome is not None:
                ANSWERED.labels(outcome.value).inc()
            else:
                REVERSED.labels(str(response["days_late"] > 0).lower()).inc()
        return True


def _later(watch: PaymentWatch) -> datetime:
    return watch.due_at + timedelta(seconds=60)
