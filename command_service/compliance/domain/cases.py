"""An STR case's stream (`compliance-str-<case_id>`): opened by the risk context's escalation,
then filed once (a case not opened is a 404 naming `case_id`; a second filing a 409 naming the
first's reference)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.compliance.events import StrCaseOpened, StrFiled
from shared.errors import DomainError
from shared.events import DomainEvent


class CaseNotFoundError(DomainError):
    status = 404


class AlreadyFiledError(DomainError):
    status = 409


class StrCase(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str
    opened: bool = False
    reference: str | None = None


def evolve_case(state: StrCase, event: DomainEvent) -> StrCase:
    if isinstance(event, StrCaseOpened):
        return state.model_copy(update={"opened": True})
    if isinstance(event, StrFiled):
        return state.model_copy(update={"reference": event.reference})
    return state


def decide_str_filed(state: StrCase, reference: str, now: datetime) -> list[DomainEvent]:
    if not state.opened:
        raise CaseNotFoundError(f"STR case {state.case_id} not found", field="case_id")
    if state.reference is not None:
        raise AlreadyFiledError(
            f"the STR of case {state.case_id} was filed already, reference {state.reference}",
            field="case_id",
            reference=state.reference,
        )
    return [StrFiled(case_id=state.case_id, reference=reference, occurred_at=now)]
