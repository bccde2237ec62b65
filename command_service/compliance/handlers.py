"""Recording a month's CTR as filed (one event on the month's filing stream) and an STR case's
STR as filed (one event on the case's stream)."""

from __future__ import annotations

from command_service.compliance import domain
from command_service.compliance.commands import MarkCtrFiled, MarkStrFiled
from command_service.event_store import AppendStream
from command_service.handling import Clock, Command, Decision, Handler, Loader, new_events
from shared.compliance.streams import CTR_FILING, STR_CASE
from shared.envelope import EventMetadata


async def mark_ctr_filed(
    cmd: MarkCtrFiled, *, target_id: str | None, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    month = target_id or ""
    stream_id = CTR_FILING.stream_id(month)
    state, version = await load(stream_id, domain.CtrFiling(month=month), domain.evolve)
    now = clock()
    events = domain.decide_filed(state, cmd.reference, now)
    answer = {"month": month, "reference": cmd.reference, "filed_at": now.isoformat()}
    return Decision([AppendStream(stream_id, CTR_FILING.name, version, new_events(events, metadata))], answer)


async def mark_str_filed(
    cmd: MarkStrFiled, *, target_id: str | None, metadata: EventMetadata, load: Loader, clock: Clock
) -> Decision:
    case_id = target_id or ""
    stream_id = STR_CASE.stream_id(case_id)
    state, version = await load(stream_id, domain.StrCase(case_id=case_id), domain.evolve_case)
    now = clock()
    events = domain.decide_str_filed(state, cmd.reference, now)
    answer = {"case_id": case_id, "status": "FILED", "reference": cmd.reference, "filed_at": now.isoformat()}
    return Decision([AppendStream(stream_id, STR_CASE.name, version, new_events(events, metadata))], answer)


HANDLERS: dict[type[Command], Handler] = {MarkCtrFiled: mark_ctr_filed, MarkStrFiled: mark_str_filed}
