"""The settlement process manager: every external transfer (NEFT, RTGS, IMPS) is taken to the
simulated clearing (`clearing`) when it is due, and the clearing's answer sent to the account
(`SettleTransfer`): settled, or returned and credited back with the reason — exactly once,
however often the manager is killed, restarts or sees an event again.

State per transfer (a `TransferWatch` in its own PostgreSQL table, `watches`), written from the
account's `AccountTransferInitiated` before the consumer commits its offset, so a transfer is
never lost. Each settlement is one command with an idempotency key derived from the account and
the transfer and the transfer id as its movement id, so a settlement repeated after a SIGKILL
(recorded in the store, the watch not yet marked done) is answered from its record and appends
nothing; the account itself refuses to settle a transfer that is no longer pending. IMPS and
RTGS are settled as soon as their event arrives; NEFT waits for its batch, which the timer
(`tick`) takes in order (due time, account, transfer), one transfer after another.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from prometheus_client import Counter

from command_service.banking.commands import SettleTransfer
from command_service.banking.domain import TransferNotPendingError
from command_service.banking.settlement import clearing
from command_service.banking.settlement.watches import TransferWatch, TransferWatchStore, WatchState
from command_service.handling import Clock, ConflictError, Dispatcher, Envelope
from shared.banking.events import AccountTransferInitiated, AccountTransferReturned, AccountTransferSettled
from shared.banking.streams import ACCOUNT
from shared.envelope import EventEnvelope, EventMetadata
from shared.errors import DomainError
from shared.events import parse_event

log = logging.getLogger(__name__)

ACTOR = "saga:bank_transfer_settlement"
SETTLED = Counter("bahi_saga_bank_transfers_settled_total", "External transfers the clearing answered", ["outcome"])
_FINAL = frozenset({AccountTransferSettled.__name__, AccountTransferReturned.__name__})


def idempotency_key(watch: TransferWatch) -> str:
    return f"bank-settlement:{watch.account_id}:{watch.transfer_id}"


class TransferSettlement:
    def __init__(
        self,
        watches: TransferWatchStore,
        dispatch: Dispatcher,
        clock: Clock,
        *,
        batch_seconds: Callable[[datetime], float],
        pace_seconds: float = 0.0,
    ) -> None:
        self._watches = watches
        self._dispatch = dispatch
        self._clock = clock
        self._batch_seconds = batch_seconds
        self._pace = pace_seconds
        self._busy: set[tuple[str, str]] = set()

    @property
    def max_tick_seconds(self) -> float:
        return 1.0

    async def status(self) -> dict[str, object]:
        return {"waiting": await self._watches.waiting(), "neft_batch_seconds": self._batch_seconds(self._clock())}

    async def handle(self, env: EventEnvelope) -> None:
        """React to one event of the account topic (redeliveries are harmless)."""
        if env.stream_type != ACCOUNT.name:
            return
        if env.event_type == AccountTransferInitiated.__name__:
            event = parse_event(env.event_type, env.schema_version, env.data)
            assert isinstance(event, AccountTransferInitiated)
            known = await self._watches.get(event.account_id, event.transfer_id)
            if known is not None and known.version >= env.version:
                return  # a redelivery: watched already (and maybe settled)
            due_at, batch = clearing.due(event.rail, event.occurred_at, self._batch_seconds(event.occurred_at))
            watch = TransferWatch(
                event.account_id,
                event.transfer_id,
                event.rail,
                event.to_account_number,
                event.to_ifsc,
                event.amount_paise,
                due_at,
                batch,
                WatchState.WAITING,
                env.version,
            )
            await self._watches.save(watch)
            if due_at <= self._clock():  # IMPS and RTGS: at once (the timer retries a failure)
                try:
                    await self._settle(watch)
                except Exception:
                    log.exception(
                        "settling transfer %s of %s failed; trying again", watch.transfer_id, watch.account_id
                    )
        elif env.event_type in _FINAL:
            known = await self._watches.get(env.stream_id, str(env.data["transfer_id"]))
            if known is not None and known.state is WatchState.WAITING:
                await self._watches.save(
                    replace(known, state=WatchState.DONE, version=env.version, outcome=env.event_type)
                )

    async def tick(self, limit: int = 200) -> int:
        """Take the due transfers to the clearing, in order; returns how many were settled or
        returned. A failure on one (the store, a bug) is logged and never stops the others."""
        settled = 0
        for watch in await self._watches.due(self._clock(), limit):
            try:
                settled += await self._settle(watch)
            except Exception:
                log.exception("settling transfer %s of %s failed; trying again", watch.transfer_id, watch.account_id)
        return settled

    async def _settle(self, watch: TransferWatch) -> bool:
        """True once the transfer is settled or returned (now or before)."""
        key = (watch.account_id, watch.transfer_id)
        if key in self._busy:
            return False
        self._busy.add(key)
        try:
            if self._pace:
                await asyncio.sleep(self._pace)  # the simulated clearing's time for this transfer
            outcome, reason = clearing.clear(watch.to_account_number, watch.to_ifsc)
            command = SettleTransfer(
                transfer_id=watch.transfer_id,
                outcome=outcome,
                reason=reason,
                batch_id=watch.batch_id,
                utr=clearing.utr(watch.rail, watch.account_id, watch.transfer_id),
            )
            metadata = EventMetadata(correlation_id=watch.transfer_id, causation_id=idempotency_key(watch), actor=ACTOR)
            try:
                answer = await self._dispatch(
                    Envelope(
                        command, idempotency_key=idempotency_key(watch), target_id=watch.account_id, metadata=metadata
                    )
                )
            except ConflictError:
                log.warning("account %s busy; settling %s on the next tick", watch.account_id, watch.transfer_id)
                return False
            except TransferNotPendingError as exc:  # settled by another run, never through this key
                await self._watches.finish(*key, f"NOT_PENDING: {exc.detail}"[:200])
                return True
            except DomainError as exc:  # no such account: nothing to settle
                await self._watches.finish(*key, f"NOT_NEEDED: {exc.detail}"[:200])
                return True
            if not answer.replayed:
                SETTLED.labels(outcome.value).inc()
            await self._watches.finish(*key, outcome.value)
            return True
        finally:
            self._busy.discard(key)
