"""The compliance context's events: an STR case opened (from an escalated alert) and filed, and a
month's CTR filed."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from shared.events import DomainEvent, Upcaster


class LinkedTransaction(BaseModel):
    """A money event the case is about: the alert's trigger, by stream id and version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    version: int
    event_type: str
    amount_paise: int
    occurred_at: str


class StrCaseOpened(DomainEvent):
    """Appended with the escalation (`RiskAlertReviewed`, decision ESCALATED) of `alert_id`. The
    deadline is computed once, from the escalation's own time, with the policy table then in force
    (`shared.compliance.deadlines.str_due_date`): it is the decision's fact, replayed as is."""

    case_id: str
    alert_id: str
    rule: str
    subject: str
    customer_id: str | None
    note: str
    linked: tuple[LinkedTransaction, ...]
    due_date: date
    """The last IST working day by which the STR is due."""
    occurred_at: datetime


class StrFiled(DomainEvent):
    """The case's STR was filed with FIU-IND (on the case's stream): the case is closed."""

    case_id: str
    reference: str
    occurred_at: datetime


class CtrFiled(DomainEvent):
    month: str
    reference: str
    """FIU-IND's acknowledgement (the batch's reference number)."""
    occurred_at: datetime


EVENT_TYPES: tuple[type[DomainEvent], ...] = (StrCaseOpened, StrFiled, CtrFiled)
UPCASTERS: dict[tuple[str, int], Upcaster] = {}
