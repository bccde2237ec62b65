"""The cash view: one document per bank account (`_id` = the account id), from its own stream:
its customer (from the opening) and, per IST calendar month, its cash deposits and cash
withdrawals — sums, counts and every item (the CTR lists them). Effectively once by the
engine's per-document stream-version guard (one stream feeds each document)."""

from __future__ import annotations

from projector_service.engine import Document, Projection
from shared.banking.events import AccountDeposited, AccountOpened, AccountWithdrawn
from shared.banking.streams import ACCOUNT
from shared.banking.values import DepositMode
from shared.compliance.read_models import COMPLIANCE_CASH_VIEW
from shared.envelope import EventEnvelope
from shared.events import DomainEvent
from shared.periods import month_key

_READ = frozenset(t.__name__ for t in (AccountOpened, AccountDeposited, AccountWithdrawn))


def _doc_id(env: EventEnvelope) -> str | None:
    if env.stream_type != ACCOUNT.name or env.event_type not in _READ:
        return None
    return env.stream_id


def _utc(event: AccountDeposited | AccountWithdrawn) -> str:
    return event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def apply(doc: Document | None, event: DomainEvent, env: EventEnvelope) -> Document | None:
    if isinstance(event, AccountOpened):
        return {"_id": event.account_id, "account_id": event.account_id, "customer_id": event.customer_id}
    if not isinstance(event, AccountDeposited | AccountWithdrawn) or event.mode is not DepositMode.CASH:
        return None  # nothing to write: the document keeps its version
    base = doc or {"_id": event.account_id, "account_id": event.account_id, "customer_id": None}
    month = month_key(event.occurred_at)
    direction = "IN" if isinstance(event, AccountDeposited) else "OUT"
    cash = {k: dict(v) for k, v in base.get("cash", {}).items()}
    figures = cash.setdefault(month, {"in_paise": 0, "out_paise": 0, "in_count": 0, "out_count": 0, "items": []})
    figures[f"{direction.lower()}_paise"] += event.amount_paise
    figures[f"{direction.lower()}_count"] += 1
    item = {
        "txn_id": event.txn_id,
        "direction": direction,
        "amount_paise": event.amount_paise,
        "occurred_at": _utc(event),
        "narration": event.narration,
        "version": env.version,
    }
    figures["items"] = [*figures["items"], item]
    return {**base, "months": sorted(cash), "cash": cash}


COMPLIANCE_CASH_PROJECTION = Projection(
    name=COMPLIANCE_CASH_VIEW,
    collection=COMPLIANCE_CASH_VIEW,
    stream_types=(ACCOUNT.name,),
    doc_id=_doc_id,
    apply=apply,
)
