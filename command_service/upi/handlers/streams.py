"""Loading VPAs, choosing a ledger for a link, and turning decided events into append requests."""

from __future__ import annotations

from command_service.event_store import AppendStream
from command_service.handling import Loader, new_events
from command_service.upi import domain
from shared.envelope import EventMetadata
from shared.events import DomainEvent
from shared.frozen import blank_of
from shared.upi.ledger import Leg, UpiLedger
from shared.upi.streams import VPA
from shared.upi.values import LinkType

_blank = blank_of(domain.Vpa, "vpa")


async def load_vpa(load: Loader, vpa: str) -> tuple[domain.Vpa, int]:
    return await load(VPA.stream_id(vpa), _blank(vpa), domain.evolve)


async def load_registration(load: Loader, vpa: str) -> domain.Vpa:
    """A VPA's registration only (a payee's, a collect's parties'): trusted from the cache unread."""
    state, _ = await load.settled(VPA.stream_id(vpa), _blank(vpa), domain.evolve_registration)
    return state


def vpa_stream(vpa: str, version: int, events: list[DomainEvent], metadata: EventMetadata) -> AppendStream:
    return AppendStream(VPA.stream_id(vpa), VPA.name, version, new_events(events, metadata))


def leg_stream(leg: Leg, metadata: EventMetadata) -> AppendStream:
    return AppendStream(leg.stream_id, leg.stream_type, leg.expected_version, new_events(leg.events, metadata))


class Ledgers:
    """The two ledgers a VPA may be linked to, by link type (one is built per payment)."""

    __slots__ = ("_account", "_wallet")

    def __init__(self, account: UpiLedger, wallet: UpiLedger) -> None:
        self._account = account
        self._wallet = wallet

    def __getitem__(self, link_type: LinkType) -> UpiLedger:
        if link_type == LinkType.ACCOUNT:
            return self._account
        if link_type == LinkType.WALLET:
            return self._wallet
        raise KeyError(link_type)
