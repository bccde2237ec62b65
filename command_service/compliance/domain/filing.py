"""A month's CTR filing (`compliance-ctr-<YYYY-MM>`): recorded once, for an IST month that has
ended (a report of a month still running would be incomplete: 409 naming `month`); a second
filing is a 409 naming the first's reference."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.compliance.deadlines import next_month
from shared.compliance.events import CtrFiled
from shared.errors import DomainError
from shared.events import DomainEvent
from shared.periods import month_start


class CtrFilingError(DomainError):
    status = 409


class MonthNotEndedError(DomainError):
    """Not yet: the month is still running (409, as a state the request cannot meet now)."""

    status = 409


class CtrFiling(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: str
    reference: str | None = None
    filed_at: datetime | None = None


def evolve(state: CtrFiling, event: DomainEvent) -> CtrFiling:
    if isinstance(event, CtrFiled):
        return state.model_copy(update={"reference": event.reference, "filed_at": event.occurred_at})
    return state


def decide_filed(state: CtrFiling, reference: str, now: datetime) -> list[DomainEvent]:
    if now < month_start(next_month(state.month)):
        raise MonthNotEndedError(f"the IST month {state.month} has not ended", field="month")
    if state.reference is not None:
        raise CtrFilingError(
            f"the CTR of {state.month} was filed already, reference {state.reference}",
            field="month",
            reference=state.reference,
        )
    return [CtrFiled(month=state.month, reference=reference, occurred_at=now)]
