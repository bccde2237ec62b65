"""The steps of an order paid from the wallet (`flow.Step`), one command each: what the step
sends and what its answer means for the order (`take` returns the order's next state).

Every command carries an idempotency key derived from the order id and the step
(`wallet-order:<order id>:<step>`), and the wallet's own movement ids are the order id (the hold,
its capture and void) or derived from it (`<order id>.late`, a late debit; `<order id>.refund`,
the refund of a cancelled order), so a step repeated after a crash or a redelivery appends
nothing twice. The reports to the order carry `If-Match` = the order version seen: an order
that moved on meanwhile refuses them with nothing appended.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from prometheus_client import Counter

from command_service.event_store import EventStore
from command_service.handling import (
    Command,
    ConflictError,
    Dispatcher,
    Envelope,
    IdempotencyKeyReusedError,
    PreconditionFailedError,
)
from command_service.wallets.commands import CaptureHold, PayFromWallet, RefundToWallet, VoidHold
from command_service.wallets.order_payment.flow import (
    Attempt,
    OrderPayment,
    Refund,
    Report,
    Step,
    captured_reference,
    failed_reference,
    failure_reason,
    late_payment_id,
    refund_id,
    taken,
)
from command_service.wallets.order_payment.named import NamedCommands
from shared.envelope import EventMetadata
from shared.errors import DomainError
from shared.events import parse_event
from shared.wallets.events import WalletOwnerRegistered
from shared.wallets.streams import owner_stream_id

log = logging.getLogger(__name__)

ACTOR = "saga:wallet_order_payment"
RECORD_PAYMENT = "RecordPayment"
"""Commerce's command for a payment provider's report, sent by name (see `named.py`)."""
WAIT = timedelta(seconds=30)
"""How long to wait for an event a step makes certain before looking again (a safety net)."""
BACKOFF = timedelta(seconds=1)
UNPAID = Counter("bahi_saga_wallet_orders_unpaid_total", "Confirmed orders whose wallet payment failed")
REFUSED = Counter(
    "bahi_saga_wallet_order_refunds_refused_total", "Cancelled orders whose refund to the wallet was refused"
)


class Steps:
    def __init__(
        self,
        dispatch: Dispatcher,
        commerce: NamedCommands,
        store: EventStore,
        *,
        merchant_id: str,
        margin: timedelta,
    ) -> None:
        self._dispatch = dispatch
        self._commerce = commerce
        self._store = store
        self._merchant = merchant_id
        self._margin = margin

    async def take(self, step: Step, p: OrderPayment, now: datetime) -> OrderPayment:
        """The order after `step`: the result (retry_at None: go on at once), or when to look again."""
        try:
            match step:
                case Step.FIND_WALLET:
                    return await self._find_wallet(p)
                case Step.PLACE_HOLD:
                    hold = PayFromWallet(
                        payment_id=p.order_id,
                        merchant_id=self._merchant,
                        amount_paise=p.amount_paise,
                        order_id=p.order_id,
                        hold=True,
                    )
                    try:
                        await self._wallet(hold, p, "hold")
                    except DomainError as exc:  # insufficient balance, frozen, closed
                        return replace(p, attempt=Attempt.REFUSED, reason=f"wallet: {exc.detail}")
                    return replace(p, attempt=Attempt.PLACED, retry_at=now + WAIT)
                case Step.REPORT_CAPTURED | Step.REPORT_FAILED:
                    return await self._report(step, p, now)
                case Step.CAPTURE | Step.VOID:
                    command: Command = (
                        CaptureHold(payment_id=p.order_id) if step is Step.CAPTURE else VoidHold(payment_id=p.order_id)
                    )
                    try:
                        await self._wallet(command, p, step.value.lower())
                    except DomainError as exc:  # settled meanwhile (its event is on its way), frozen, expired
                        log.warning("order %s: %s refused (%s); looking again later", p.order_id, step, exc.detail)
                    return replace(p, retry_at=now + WAIT)
                case Step.LATE_DEBIT:
                    return await self._late_debit(p)
                case Step.REFUND:
                    return await self._refund(p)
        except (PreconditionFailedError, ConflictError) as exc:
            log.info("order %s: %s deferred (%s)", p.order_id, step, exc)
            return replace(p, retry_at=now + BACKOFF)

    async def _find_wallet(self, p: OrderPayment) -> OrderPayment:
        """The customer's wallet, from the owner index stream (read from the store, never a view)."""
        for env in await self._store.read_stream(owner_stream_id(p.customer_id)):
            owner = parse_event(env.event_type, env.schema_version, env.data)
            if isinstance(owner, WalletOwnerRegistered):
                return replace(p, wallet_id=owner.wallet_id)
        return replace(p, attempt=Attempt.REFUSED, reason=f"wallet: customer {p.customer_id} has no wallet")

    async def _report(self, step: Step, p: OrderPayment, now: datetime) -> OrderPayment:
        """Tell the order (commerce's `RecordPayment`, by name), guarded by the order version seen."""
        captured = step is Step.REPORT_CAPTURED
        body: dict[str, object] = {"status": "captured", "provider_reference": captured_reference(p.order_id)}
        if not captured:
            reason = failure_reason(p, now, self._margin)[:200]
            body = {"status": "failed", "provider_reference": failed_reference(p.order_id), "reason": reason}
        body["amount_paise"] = p.amount_paise
        try:
            outcome = await self._commerce.send(
                RECORD_PAYMENT,
                body,
                target_id=p.order_id,
                idempotency_key=self._key(p, step.value.lower()),
                expected_version=p.order_version,
                metadata=self._metadata(p, step.value.lower()),
            )
        except DomainError as exc:  # the order refuses the report: do not take the money
            log.warning("order %s refused the wallet's report: %s", p.order_id, exc.detail)
            return replace(p, report=Report.FAILED, outcome=f"ORDER REFUSED: {exc.detail}"[:200])
        except IdempotencyKeyReusedError:  # a failure reported before a crash, for a reason since changed
            return replace(p, report=Report.FAILED)
        answer = outcome.response.get("outcome")
        if captured and answer not in ("CONFIRMED", "UNCHANGED"):
            log.warning("order %s answered %s to the wallet's capture: not taking the money", p.order_id, answer)
            return replace(p, report=Report.FAILED, outcome=f"ORDER ANSWERED {answer}")
        if captured:
            return replace(p, report=Report.CAPTURED, retry_at=now + WAIT)  # the confirmation is on its way
        return replace(p, report=Report.FAILED)  # on at once: the hold, if any, is voided

    async def _late_debit(self, p: OrderPayment) -> OrderPayment:
        """A confirmed order whose hold expired (or was voided) before its capture: a direct debit."""
        debit = PayFromWallet(
            payment_id=late_payment_id(p.order_id),
            merchant_id=self._merchant,
            amount_paise=p.amount_paise,
            order_id=p.order_id,
        )
        try:
            await self._wallet(debit, p, "late-debit")
        except DomainError as exc:
            UNPAID.inc()
            log.error("order %s is confirmed but its wallet payment failed: %s", p.order_id, exc.detail)
            return replace(p, settled=True, outcome=f"UNPAID: {exc.detail}"[:200])
        return replace(p, settled=True, outcome="PAID_LATE")

    async def _refund(self, p: OrderPayment) -> OrderPayment:
        """A cancelled order the wallet was paid for: what was taken goes back, against the payment
        that took it. The body is the same every time (facts that never change once the order is
        cancelled), so a repeat answers the first refund."""
        paid = taken(p)
        assert paid is not None  # the step is derived only when money was taken
        payment_id, amount = paid
        refund = RefundToWallet(refund_id=refund_id(p.order_id), payment_id=payment_id, amount_paise=amount)
        try:
            await self._wallet(refund, p, "refund")
        except DomainError as exc:  # closed, over the balance cap, refunded otherwise already
            REFUSED.inc()
            log.error("order %s is cancelled but its refund to the wallet was refused: %s", p.order_id, exc.detail)
            return replace(p, refund=Refund.REFUSED, settled=True, outcome=f"REFUND REFUSED: {exc.detail}"[:200])
        return replace(p, refund=Refund.REFUNDED, settled=True, outcome=f"REFUNDED {amount} paise")

    async def _wallet(self, command: Command, p: OrderPayment, step: str) -> None:
        assert p.wallet_id is not None  # every wallet step follows FIND_WALLET
        envelope = Envelope(
            command, idempotency_key=self._key(p, step), target_id=p.wallet_id, metadata=self._metadata(p, step)
        )
        await self._dispatch(envelope)

    @staticmethod
    def _key(p: OrderPayment, step: str) -> str:
        return f"wallet-order:{p.order_id}:{step}"

    def _metadata(self, p: OrderPayment, step: str) -> EventMetadata:
        return EventMetadata(correlation_id=p.order_id, causation_id=self._key(p, step), actor=ACTOR)
