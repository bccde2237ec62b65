"""Property tests: random command sequences against two pure Wallet aggregates (a minimum-KYC
and a full-KYC one, paying, holding, transferring and refunding between them). The balance is
never negative nor above the tier's cap, held money never exceeds the balance and equals the
open holds, each event's balance-after is the folded balance, replaying the events rebuilds
the same state, and the state survives a snapshot (TypeAdapter) round trip."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from command_service.wallets import domain
from shared.errors import DomainError
from shared.events import DomainEvent
from shared.wallets import policy as ppi
from shared.wallets.values import DocumentType, KycLevel, TopupSource, WalletStatus
from tests.support.wallets import T0, opened, rupees

POLICY = ppi.PPI_POLICY
TIMEOUT = timedelta(minutes=10)
IDS = st.sampled_from(["a", "b", "c", "d"])  # few ids: replays and reuses with other bodies are common
WALLET = st.integers(0, 1)
AMOUNT = st.one_of(st.integers(1, rupees(200)), st.integers(1, rupees(12_000)), st.integers(1, rupees(2_10_000)))

SMALL = st.integers(1, rupees(3_000))
FRESH = st.integers(0, 40).map(str)  # top-ups and transfers mostly new, sometimes repeated
topups = st.tuples(st.just("topup"), WALLET, AMOUNT, st.sampled_from(list(TopupSource)), FRESH)
payments = st.tuples(st.just("pay"), WALLET, SMALL, st.booleans(), IDS)
settlements = st.one_of(
    st.tuples(st.just("capture"), WALLET, IDS, st.one_of(st.none(), SMALL)),
    st.tuples(st.just("void"), WALLET, IDS),
    st.tuples(st.just("expire"), WALLET, IDS),
    st.tuples(st.just("refund"), WALLET, IDS, SMALL, IDS),
)
# Money moves most of the time; status steps (closing above all) rarely, or little else would happen.
steps = st.lists(
    st.one_of(
        topups,
        topups,
        payments,
        payments,
        settlements,
        settlements,
        st.tuples(st.just("transfer"), WALLET, SMALL, FRESH),
        st.tuples(st.just("wait"), st.integers(1, 60 * 24 * 20)),  # minutes: holds expire, months turn
        st.tuples(st.sampled_from(["freeze", "unfreeze", "unfreeze", "kyc", "kyc", "close"]), WALLET),
    ),
    min_size=5,
    max_size=60,
)
FUNDED = [("topup", 0, rupees(5_000), TopupSource.UPI, "seed"), ("topup", 1, rupees(50_000), TopupSource.UPI, "seed")]
"""Both wallets start with money, so that payments, holds and transfers mostly pass."""


def _decide(step: tuple[Any, ...], wallets: list[domain.Wallet], now: Any) -> list[list[DomainEvent]]:
    """Events per wallet (index 0 and 1) for one step; raises the domain's refusals."""
    kind, w, *args = step
    me, other = wallets[w], wallets[1 - w]
    decided: list[list[DomainEvent]] = [[], []]
    match kind, args:
        case "topup", [amount, source, i]:
            decided[w] = domain.decide_top_up(
                me, topup_id=i, amount_paise=amount, source=source, reference="r", now=now, policy=POLICY
            )
        case "pay", [amount, hold, i]:
            decided[w] = domain.decide_pay(
                me,
                payment_id=i,
                merchant_id="m",
                amount_paise=amount,
                order_id=None,
                hold=hold,
                now=now,
                policy=POLICY,
                hold_timeout=TIMEOUT,
            )
        case "capture", [i, amount]:
            decided[w] = domain.decide_capture(me, payment_id=i, amount_paise=amount, now=now, policy=POLICY)
        case "void", [i]:
            decided[w] = domain.decide_void(me, payment_id=i, now=now)
        case "expire", [i]:
            decided[w] = domain.decide_expire(me, payment_id=i, now=now)
        case "transfer", [amount, i]:
            decided[w], decided[1 - w] = domain.decide_transfer(
                me, other, transfer_id=i, amount_paise=amount, note=None, now=now, policy=POLICY
            )
        case "refund", [payment_id, amount, i]:
            decided[w] = domain.decide_refund(
                me, refund_id=i, payment_id=payment_id, amount_paise=amount, now=now, policy=POLICY
            )
        case "freeze", []:
            decided[w] = domain.decide_freeze(me, reason="r", now=now)
        case "unfreeze", []:
            decided[w] = domain.decide_unfreeze(me, reason="r", now=now)
        case "kyc", []:
            decided[w] = domain.decide_upgrade_kyc(
                me, level=KycLevel.FULL, document_type=DocumentType.AADHAAR, document_last4="1234", now=now
            )
        case "close", []:
            decided[w] = domain.decide_close(
                me, reason="r", to_bank_account="HDFC0001234:123456789", now=now, policy=POLICY
            )
    return decided


def _check(state: domain.Wallet, now: Any) -> None:
    assert state.balance_paise >= 0
    assert 0 <= state.held_paise <= state.balance_paise
    assert state.held_paise == sum(p.amount_paise for p in state.payments.values() if p.open_hold)
    assert state.balance_paise <= POLICY.value(ppi.BALANCE_CAP[state.kyc_level], now)
    if state.status is WalletStatus.CLOSED:
        assert state.balance_paise == 0
    for payment in state.payments.values():
        assert 0 <= payment.refunded_paise <= payment.captured_paise <= payment.amount_paise


@settings(max_examples=300, deadline=None)
@given(steps)
def test_random_sequences_keep_the_invariants_and_replay_to_the_same_state(sequence: list[tuple[Any, ...]]) -> None:
    now = T0
    starts = [opened(KycLevel.MINIMUM, "wal-" + "a" * 32), opened(KycLevel.FULL, "wal-" + "b" * 32)]
    wallets = list(starts)
    histories: list[list[DomainEvent]] = [[], []]
    for step in [*FUNDED, *sequence]:
        if step[0] == "wait":
            now += timedelta(minutes=step[1])
            continue
        try:
            decided = _decide(step, wallets, now)
        except DomainError:
            continue  # refused: nothing decided, nothing changes
        for w, events in enumerate(decided):
            for event in events:
                wallets[w] = domain.evolve(wallets[w], event)
                assert getattr(event, "balance_after_paise", wallets[w].balance_paise) == wallets[w].balance_paise
                assert getattr(event, "held_after_paise", wallets[w].held_paise) == wallets[w].held_paise
            histories[w] += events
            _check(wallets[w], now)
    adapter = TypeAdapter(domain.Wallet)
    for w, state in enumerate(wallets):
        opening = opened(
            state.kyc_level if not histories[w] else KycLevel.MINIMUM if w == 0 else KycLevel.FULL, state.wallet_id
        )
        assert domain.fold(opening, histories[w]) == state
        assert adapter.validate_python(adapter.dump_python(state, mode="json")) == state


def test_every_wallet_event_type_has_its_evolve_step() -> None:
    """`evolve` dispatches on the exact event type: a wallet event type without a step would be
    ignored silently, so each one (but the owner index's) must have one."""
    from command_service.wallets.domain.evolve import _EVOLVE
    from shared.wallets import MANIFEST
    from shared.wallets.events import WalletOwnerRegistered

    assert set(MANIFEST.events) - {WalletOwnerRegistered} == set(_EVOLVE)
