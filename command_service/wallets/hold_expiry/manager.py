"""The hold-expiry process manager: a wallet hold nobody captured or voided is released once its
deadline (`expires_at`) passes, exactly once however often the manager restarts or sees an
event again.

State per hold (a `HoldWatch`, keyed by wallet and payment id): the deadline and the latest
wallet-stream version the manager has seen while watching it, so a redelivered event changes
nothing. When a deadline passes the manager dispatches `ExpireHold` with an idempotency key
derived from the wallet and payment ids (a restart that expires again gets the first answer
back) and `If-Match` = that version. If the wallet moved on meanwhile (a capture at the last
moment, a top-up) nothing is appended: the manager catches up by reading the wallet's later
events from the event store and decides again. An `ExpireHold` that decides nothing (the hold
was captured, voided or expired already) settles the watch, and so does a refusal for good (no
such wallet or payment, a direct payment); a hold not due yet by the handler's clock is tried
again on a later tick.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from prometheus_client import Counter

from command_service.event_store import EventStore
from command_service.handling import Clock, ConflictError, Dispatcher, Envelope, PreconditionFailedError
from command_service.wallets.commands import ExpireHold
from command_service.wallets.domain import HoldNotDueError
from shared.envelope import EventEnvelope, EventMetadata
from shared.errors import DomainError
from shared.events import DomainEvent, parse_event
from shared.wallets.events import WalletHoldCaptured, WalletHoldExpired, WalletHoldPlaced, WalletHoldVoided
from shared.wallets.streams import WALLET
from shared.wallets.values import PaymentStatus

log = logging.getLogger(__name__)

ACTOR = "saga:wallet_hold_expiry"
EXPIRED = Counter("bahi_saga_wallet_holds_expired_total", "Wallet holds the hold-expiry manager released")
HOLD_EVENTS = frozenset(t.__name__ for t in (WalletHoldPlaced, WalletHoldCaptured, WalletHoldVoided, WalletHoldExpired))


class WatchState(StrEnum):
    WAITING = "WAITING"
    DONE = "DONE"


@dataclass(frozen=True)
class HoldWatch:
    wallet_id: str
    payment_id: str
    deadline: datetime
    state: WatchState
    version: int
    """The latest version of the wallet's stream seen while watching (the `If-Match` of the expiry)."""
    outcome: str | None = None


def react(current: HoldWatch | None, event: DomainEvent, version: int) -> HoldWatch | None:
    """The watch after a wallet event, or None when nothing changes (pure)."""
    if current is not None and version <= current.version:
        return None  # seen already: a redelivery, or read while catching up
    match event:
        case WalletHoldPlaced() if current is None:
            return HoldWatch(event.wallet_id, event.payment_id, event.expires_at, WatchState.WAITING, version)
        case WalletHoldCaptured() | WalletHoldVoided() | WalletHoldExpired() if (
            current is not None and current.state is WatchState.WAITING and event.payment_id == current.payment_id
        ):
            return replace(current, state=WatchState.DONE, version=version, outcome=type(event).__name__)
    return None


class HoldWatchStore(Protocol):
    """Where the manager keeps its watches (PostgreSQL, or the in-memory fake: one contract suite)."""

    async def get(self, wallet_id: str, payment_id: str) -> HoldWatch | None: ...

    async def save(self, watch: HoldWatch) -> None:
        """Insert or replace, unless the stored watch has already seen this version or a later one."""
        ...

    async def due(self, now: datetime, limit: int) -> list[HoldWatch]:
        """The waiting watches whose deadline is `now` or earlier, earliest first."""
        ...

    async def finish(self, wallet_id: str, payment_id: str, outcome: str) -> None: ...

    async def waiting(self) -> int: ...


def idempotency_key(watch: HoldWatch) -> str:
    return f"wallet-hold-expiry:{watch.wallet_id}:{watch.payment_id}"


class HoldExpiry:
    def __init__(
        self, watches: HoldWatchStore, dispatch: Dispatcher, store: EventStore, clock: Clock, timeout: timedelta
    ) -> None:
        self._watches = watches
        self._dispatch = dispatch
        self._store = store
        self._clock = clock
        self._timeout = timeout

    @property
    def max_tick_seconds(self) -> float:
        """Deadlines are looked at least four times per hold timeout."""
        return self._timeout.total_seconds() / 4

    async def status(self) -> dict[str, object]:
        return {"watching": await self._watches.waiting(), "hold_timeout_seconds": self._timeout.total_seconds()}

    async def handle(self, env: EventEnvelope) -> None:
        """React to one event of the wallet topic (redeliveries are harmless)."""
        if env.stream_type != WALLET.name or env.event_type not in HOLD_EVENTS:
            return
        event = parse_event(env.event_type, env.schema_version, env.data)
        assert isinstance(event, WalletHoldPlaced | WalletHoldCaptured | WalletHoldVoided | WalletHoldExpired)
        changed = react(await self._watches.get(event.wallet_id, event.payment_id), event, env.version)
        if changed is not None:
            await self._watches.save(changed)

    async def tick(self, limit: int = 100) -> int:
        """Release the holds whose deadline passed; returns how many watches were settled.
        A failure on one hold (the store, a bug) is logged and never stops the others."""
        settled = 0
        for watch in await self._watches.due(self._clock(), limit):
            try:
                outcome = await self._expire(watch)
                if outcome is not None:
                    await self._watches.finish(watch.wallet_id, watch.payment_id, outcome[:200])
                    settled += 1
            except Exception:
                log.exception("expiring hold %s of wallet %s failed; trying again", watch.payment_id, watch.wallet_id)
        return settled

    async def _expire(self, watch: HoldWatch) -> str | None:
        """What settled the watch, or None to decide again on a later tick."""
        for _ in range(2):  # once more after catching up with the wallet
            try:
                outcome = await self._dispatch(
                    Envelope(
                        ExpireHold(payment_id=watch.payment_id),
                        idempotency_key=idempotency_key(watch),
                        target_id=watch.wallet_id,
                        expected_version=watch.version,
                        metadata=EventMetadata(
                            correlation_id=watch.payment_id, causation_id=idempotency_key(watch), actor=ACTOR
                        ),
                    )
                )
            except PreconditionFailedError:
                watch = await self._catch_up(watch)
                if watch.state is WatchState.DONE:
                    return watch.outcome or "DONE"  # settled by an event the manager had not seen yet
                continue
            except HoldNotDueError:
                return None  # the handler's clock says not yet
            except ConflictError:
                log.warning("wallet %s busy; expiring hold %s on the next tick", watch.wallet_id, watch.payment_id)
                return None
            except DomainError as exc:  # no such wallet or payment, or a direct payment: nothing to release
                return f"NOT_NEEDED: {exc.detail}"
            status = outcome.response.get("payment_status")
            if outcome.replayed or outcome.token.version > watch.version:
                if not outcome.replayed:
                    EXPIRED.inc()
                return PaymentStatus.EXPIRED.value
            return f"NOT_NEEDED: {status}"  # settled already: ExpireHold decided nothing
        return None

    async def _catch_up(self, watch: HoldWatch) -> HoldWatch:
        """The watch after the wallet's events it has not seen, read from the event store."""
        for env in await self._store.read_stream(WALLET.stream_id(watch.wallet_id), watch.version + 1):
            event = parse_event(env.event_type, env.schema_version, env.data)
            watch = react(watch, event, env.version) or replace(watch, version=max(watch.version, env.version))
        await self._watches.save(watch)
        return watch
