"""Registering a VPA: its stream at "no stream yet" (a VPA is claimed once: a concurrent twin
conflicts, and the dispatcher's retry finds it taken, a 409)."""

from __future__ import annotations

from command_service.event_store import NO_STREAM
from command_service.handling import Clock, Decision, Loader
from command_service.upi import domain
from command_service.upi.commands import RegisterVpa
from command_service.upi.handlers.streams import Ledgers, load_vpa, vpa_stream
from shared.envelope import EventMetadata
from shared.upi.ledger import UpiLedger
from shared.upi.values import LinkType


async def register_vpa(
    cmd: RegisterVpa,
    *,
    metadata: EventMetadata,
    load: Loader,
    clock: Clock,
    upi_psp: str,
    upi_account_ledger: UpiLedger,
    upi_wallet_ledger: UpiLedger,
) -> Decision:
    link_type, link_id = cmd.link
    state, _ = await load_vpa(load, cmd.vpa)
    holder = await Ledgers(upi_account_ledger, upi_wallet_ledger)[link_type].holder(load, link_id)
    if holder is None:
        field = "account_id" if link_type is LinkType.ACCOUNT else "wallet_id"
        raise domain.VpaNotFoundError(f"{field} {link_id} does not exist", field=field)
    events = domain.decide_register(
        state, vpa=cmd.vpa, kind=cmd.kind, link_type=link_type, holder=holder, psp=upi_psp, now=clock()
    )
    registered = events[0]
    answer = {
        "vpa": cmd.vpa,
        "kind": cmd.kind.value,
        "link_type": link_type.value,
        "link_id": link_id,
        "customer_id": holder.customer_id,
        "registered_at": registered.model_dump(mode="json")["occurred_at"],
    }
    return Decision([vpa_stream(cmd.vpa, NO_STREAM, events, metadata)], answer)
