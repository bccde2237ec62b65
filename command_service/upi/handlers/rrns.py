"""RRNs no other payment got: the IST hour's prefix and a serial of that hour from a counter in
the event store (`EventStore.reserve`, one counter per IST hour, `upi-rrn:<prefix>`), taken
`BLOCK` serials at a time and handed out here in order.

Unique by construction: a block is this process's once the store's counter has moved past it,
so no two payments, in this process or another, ever get one serial of an hour, and a payment
needs no record of its RRN to be checked at its append. What a process does not hand out (it
stops; a decision is made again after a conflict and takes a new serial) is never given: RRNs
have gaps, not twins. The hour's `RRN_SERIALS` are all usable, and the millionth payment of an
hour costs what the first did; past them a payment is refused (`RrnExhaustedError`, a 503) until
the hour turns.

RRNs given out before 2026-12-03 were claimed one by one by key records (`upi-rrn:<rrn>`) and
chosen from a hash of the payment: this does not read those. An RRN starts with its IST hour, so
only a payment in the IST hour of the upgrade could be given one of theirs."""

from __future__ import annotations

import asyncio
import weakref
from datetime import datetime

from command_service.event_store import EventStore
from command_service.upi import domain

BLOCK = 1_000
"""Serials reserved per round trip to the store."""
COUNTER = "upi-rrn"


class _Block:
    __slots__ = ("end", "next", "prefix")

    def __init__(self, prefix: str, first: int, end: int) -> None:
        self.prefix, self.next, self.end = prefix, first, end


class RrnSerials:
    """`await rrns.next(store, now)`: an RRN of `now`'s IST hour no other payment got (one
    `RrnSerials` per dispatcher: the handlers ask for it by name, `upi_rrns`)."""

    def __init__(self, block: int = BLOCK) -> None:
        self._size = block
        self._blocks: weakref.WeakKeyDictionary[EventStore, _Block] = weakref.WeakKeyDictionary()
        self._refilling = asyncio.Lock()

    async def next(self, store: EventStore, now: datetime) -> str:
        prefix = domain.rrn_prefix(now)
        block = self._blocks.get(store)
        if block is None or block.prefix != prefix or block.next == block.end:
            block = await self._refill(store, prefix)
        rrn = domain.rrn_of(prefix, block.next)  # past the hour's last serial: refused
        block.next += 1
        return rrn

    async def _refill(self, store: EventStore, prefix: str) -> _Block:
        async with self._refilling:  # one reservation at a time: the others take from its block
            block = self._blocks.get(store)
            current = block is not None and block.prefix == prefix
            if block is not None and current and (block.next < block.end or block.end == domain.RRN_SERIALS):
                return block  # refilled meanwhile, or the hour is given out (`rrn_of` refuses: no round trip)
            first = min(await store.reserve(f"{COUNTER}:{prefix}", self._size), domain.RRN_SERIALS)
            block = self._blocks[store] = _Block(prefix, first, min(first + self._size, domain.RRN_SERIALS))
            return block
