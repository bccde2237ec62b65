"""Where the order-payment manager keeps what it knows per order (`OrderPayment`): the port, and
an in-memory fake with the PostgreSQL store's behaviour (one contract suite,
tests/contracts/test_order_payment_store_contract.py; the refund's facts and field in
tests/integration/wallets_pm/test_order_refund_store.py).

Two kinds of writes, so that the consumer and the timer never lose each other's news:

- facts from events (`order_moved`, `hold_moved`, `debit_moved`): applied only when newer than
  the version already seen (a late debit: only the first time); a write that changes what the
  manager must do wakes the order (`retry_at` cleared, `settled` false), a settled one too;
- the manager's own results (`save`): a compare-and-set on `revision`, which every write bumps,
  so a result decided on facts that have changed meanwhile is refused and decided again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from command_service.wallets.order_payment.flow import HoldState, OrderPayment, OrderState


class OrderPaymentStore(Protocol):
    async def get(self, order_id: str) -> OrderPayment | None: ...

    async def start(self, payment: OrderPayment) -> bool:
        """Insert unless the order is known already (a redelivered `OrderPlaced`); True if inserted."""
        ...

    async def order_moved(self, order_id: str, status: OrderState | None, version: int, *, paid: bool = False) -> bool:
        """An order event at `version`: its status (None: unchanged), whether it recorded the wallet's
        capture; True if applied. Only a new status or `paid` wakes the order."""
        ...

    async def hold_moved(
        self,
        order_id: str,
        wallet_id: str,
        hold: HoldState,
        version: int,
        expires_at: datetime | None,
        captured_paise: int | None = None,
    ) -> bool:
        """A hold event of the order's wallet at `version` (another wallet's: ignored), with what a
        capture took; True if applied."""
        ...

    async def debit_moved(self, order_id: str, wallet_id: str, amount_paise: int) -> bool:
        """The order's late debit seen on its wallet (another wallet's: ignored); True the first time."""
        ...

    async def save(self, payment: OrderPayment) -> bool:
        """The manager's own fields (wallet, attempt, reason, report, refund, outcome, settled,
        retry_at), if the stored revision is still `payment.revision`; True if saved."""
        ...

    async def due(self, now: datetime, limit: int) -> list[OrderPayment]:
        """Unsettled orders to look at by `now` (`retry_at` None or passed), oldest look first."""
        ...

    async def unsettled(self) -> int: ...


def _wake(p: OrderPayment, **facts: Any) -> OrderPayment:
    return replace(p, **facts, settled=False, retry_at=None, revision=p.revision + 1)


class InMemoryOrderPaymentStore:
    def __init__(self) -> None:
        self.payments: dict[str, OrderPayment] = {}

    async def get(self, order_id: str) -> OrderPayment | None:
        return self.payments.get(order_id)

    async def start(self, payment: OrderPayment) -> bool:
        if payment.order_id in self.payments:
            return False
        self.payments[payment.order_id] = payment
        return True

    async def order_moved(self, order_id: str, status: OrderState | None, version: int, *, paid: bool = False) -> bool:
        p = self.payments.get(order_id)
        if p is None or version <= p.order_version:
            return False
        if status is None and not paid:
            self.payments[order_id] = replace(p, order_version=version, revision=p.revision + 1)
        else:
            self.payments[order_id] = _wake(p, order=status or p.order, order_version=version, paid=p.paid or paid)
        return True

    async def hold_moved(
        self,
        order_id: str,
        wallet_id: str,
        hold: HoldState,
        version: int,
        expires_at: datetime | None,
        captured_paise: int | None = None,
    ) -> bool:
        p = self.payments.get(order_id)
        if p is None or p.wallet_id != wallet_id or version <= p.hold_version:
            return False
        captured = captured_paise if captured_paise is not None else p.captured_paise
        facts = {"expires_at": expires_at or p.expires_at, "captured_paise": captured}
        self.payments[order_id] = _wake(p, hold=hold, hold_version=version, **facts)
        return True

    async def debit_moved(self, order_id: str, wallet_id: str, amount_paise: int) -> bool:
        p = self.payments.get(order_id)
        if p is None or p.wallet_id != wallet_id or p.debited_paise is not None:
            return False
        self.payments[order_id] = _wake(p, debited_paise=amount_paise)
        return True

    async def save(self, payment: OrderPayment) -> bool:
        current = self.payments.get(payment.order_id)
        if current is None or current.revision != payment.revision:
            return False
        own = {name: getattr(payment, name) for name in OWN_FIELDS}
        self.payments[payment.order_id] = replace(current, **own, revision=current.revision + 1)
        return True

    async def due(self, now: datetime, limit: int) -> list[OrderPayment]:
        due = [p for p in self.payments.values() if not p.settled and (p.retry_at is None or p.retry_at <= now)]
        return sorted(due, key=lambda p: (p.retry_at is not None, p.retry_at or p.placed_at))[:limit]

    async def unsettled(self) -> int:
        return sum(not p.settled for p in self.payments.values())


OWN_FIELDS = ("wallet_id", "attempt", "reason", "report", "refund", "outcome", "settled", "retry_at")
"""The fields `save` writes: the manager's own results, never a fact from an event."""
