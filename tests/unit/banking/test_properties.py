"""Property tests: random command sequences against two pure Account aggregates (a rich SAVINGS
one, and a BSBD or a small SAVINGS one), depositing, withdrawing, transferring between them and
out to other banks, the clearing settling or returning, charging, freezing, with time passing. The balance is never
negative; each event's balance-after is the folded balance; the balance is always what the
ledger says (credits in, less debits and charges, with every returned transfer given back
exactly: its return restores the balance by exactly its amount, once); replaying the events
rebuilds the same state, and the state survives a snapshot (TypeAdapter) round trip."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from command_service.banking import domain
from shared.banking import policy as bank
from shared.banking.events import (
    AccountDeposited,
    AccountMinimumBalanceCharged,
    AccountTransferInitiated,
    AccountTransferReceived,
    AccountTransferReturned,
    AccountTransferSent,
    AccountTransferSettled,
    AccountWithdrawn,
)
from shared.banking.values import AccountType, DepositMode, Outcome, Rail
from shared.errors import DomainError
from shared.events import DomainEvent
from shared.periods import month_key
from tests.support.banking import OTHER_IFSC, T0, opened, rupees

POLICY = bank.BANK_POLICY
ACCOUNT = st.integers(0, 1)
AMOUNT = st.one_of(st.integers(1, rupees(500)), st.integers(1, rupees(20_000)), st.integers(1, rupees(3_00_000)))
PAYEES = st.sampled_from(["50100012345678", "50100000000000", "60200011112222"])  # ...000: returned
SMALL = st.integers(1, rupees(30_000))
PICK = st.integers(0, 3)
"""Which of the account's pending transfers the clearing answers (sorted by id; past the end: an
id that is not pending, refused)."""
steps = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), ACCOUNT, AMOUNT),
        st.tuples(st.just("deposit"), ACCOUNT, AMOUNT),
        st.tuples(st.just("withdraw"), ACCOUNT, AMOUNT),
        st.tuples(st.just("send"), ACCOUNT, AMOUNT, st.sampled_from(list(Rail)[:3]), PAYEES),
        st.tuples(st.just("send"), st.just(0), SMALL, st.sampled_from(list(Rail)[:3]), PAYEES),
        st.tuples(st.just("send"), st.just(0), SMALL, st.sampled_from(list(Rail)[:3]), PAYEES),
        st.tuples(st.just("internal"), ACCOUNT, AMOUNT),
        st.tuples(st.just("clear"), ACCOUNT, PICK, st.just(Outcome.RETURNED)),
        st.tuples(st.just("clear"), st.just(0), PICK, st.just(Outcome.RETURNED)),
        st.tuples(st.just("clear"), ACCOUNT, PICK, st.sampled_from(list(Outcome))),
        st.tuples(st.just("charge"), st.just(0), st.integers(1, 62)),
        st.tuples(st.just("charge"), ACCOUNT, st.integers(1, 62)),
        st.tuples(st.just("wait"), st.integers(1, 60 * 24 * 40)),  # minutes: windows close, months turn
        st.tuples(st.just("wait"), st.integers(1, 60 * 24 * 40)),
        st.tuples(st.sampled_from(["freeze", "unfreeze", "unfreeze"]), ACCOUNT),
    ),
    min_size=5,
    max_size=60,
)
FUNDED = [("deposit", 0, rupees(5_00_000)), ("deposit", 1, rupees(5_000))]


def _decide(step: tuple[Any, ...], accounts: list[domain.Account], now: Any, n: int) -> list[list[DomainEvent]]:
    """Events per account (index 0 and 1) for step `n`; raises the domain's refusals."""
    kind, a, *args = step
    tid = f"t{n}"  # every transfer a new id: the dispatcher keeps a reused one from reaching the domain
    me, other = accounts[a], accounts[1 - a]
    decided: list[list[DomainEvent]] = [[], []]
    money = {"mode": DepositMode.CASH, "narration": "n", "now": now, "policy": POLICY}
    match kind, args:
        case "deposit", [amount]:
            decided[a] = domain.decide_deposit(me, txn_id="x", amount_paise=amount, **money)
        case "withdraw", [amount]:
            decided[a] = domain.decide_withdraw(me, txn_id="x", amount_paise=amount, **money)
        case "send", [amount, rail, payee]:
            decided[a] = domain.decide_external_transfer(
                me,
                transfer_id=tid,
                rail=rail,
                to_account_number=payee,
                to_ifsc=OTHER_IFSC,
                amount_paise=amount,
                narration=None,
                now=now,
                policy=POLICY,
            )
        case "internal", [amount]:
            decided[a], decided[1 - a] = domain.decide_internal_transfer(
                me, other, transfer_id=tid, amount_paise=amount, narration=None, now=now, policy=POLICY
            )
        case "clear", [pick, outcome]:
            pending = sorted(me.pending)
            chosen = pending[pick] if pick < len(pending) else "t-unknown"
            decided[a] = domain.decide_settle(
                me, transfer_id=chosen, outcome=outcome, reason="r", batch_id=None, utr="U1", now=now
            )
        case "charge", [days_ago]:
            month = month_key(now - timedelta(days=days_ago))  # often one that has ended
            decided[a] = domain.decide_minimum_balance_charge(me, month=month, now=now, policy=POLICY)
        case "freeze", []:
            decided[a] = domain.decide_freeze(me, reason="r", now=now)
        case "unfreeze", []:
            decided[a] = domain.decide_unfreeze(me, reason="r", now=now)
    return decided


def _ledger(history: list[DomainEvent]) -> int:
    """The balance as a ledger adds it up, from the events' amounts alone."""
    total = 0
    for event in history:
        match event:
            case AccountDeposited() | AccountTransferReceived() | AccountTransferReturned():
                total += event.amount_paise
            case AccountWithdrawn() | AccountTransferSent() | AccountTransferInitiated():
                total -= event.amount_paise
            case AccountMinimumBalanceCharged():
                total -= event.charged_paise
    return total


@settings(max_examples=300, deadline=None)
@given(steps, st.sampled_from([AccountType.BSBD, AccountType.SAVINGS]))
def test_random_sequences_keep_the_invariants_and_replay_to_the_same_state(
    sequence: list[tuple[Any, ...]], second: AccountType
) -> None:
    """The second account is a BSBD one (its limits bind) or a small SAVINGS one (it is charged)."""
    now = T0
    starts = [opened(AccountType.SAVINGS, "acc-" + "a" * 32), opened(second, "acc-" + "b" * 32)]
    accounts = list(starts)
    histories: list[list[DomainEvent]] = [[], []]
    for n, step in enumerate([*FUNDED, *sequence]):
        if step[0] == "wait":
            now += timedelta(minutes=step[1])
            continue
        try:
            decided = _decide(step, accounts, now, n)
        except DomainError:
            continue  # refused: nothing decided, nothing changes
        for a, events in enumerate(decided):
            for event in events:
                before = accounts[a]
                accounts[a] = domain.evolve(accounts[a], event)
                assert getattr(event, "balance_after_paise") == accounts[a].balance_paise >= 0  # noqa: B009
                if isinstance(event, AccountTransferReturned):
                    assert (
                        accounts[a].balance_paise
                        == before.balance_paise + before.pending[event.transfer_id].amount_paise
                    )
                    assert event.transfer_id not in accounts[a].pending
            histories[a] += events
            assert accounts[a].balance_paise == _ledger(histories[a])
    adapter = TypeAdapter(domain.Account)
    for a, state in enumerate(accounts):
        assert domain.fold(starts[a], histories[a]) == state
        assert adapter.validate_python(adapter.dump_python(state, mode="json")) == state
        returned = [e.transfer_id for e in histories[a] if isinstance(e, AccountTransferReturned)]
        settled = [e.transfer_id for e in histories[a] if isinstance(e, AccountTransferSettled)]
        assert len(returned + settled) == len(set(returned + settled))  # each transfer answered once at most


def test_every_account_event_type_has_its_evolve_step() -> None:
    """`evolve` dispatches on the exact event type: an account event type without a step would be
    ignored silently, so each one (but the number claim's) must have one."""
    from command_service.banking.domain.evolve import _EVOLVE
    from shared.banking import MANIFEST
    from shared.banking.events import AccountNumberClaimed

    assert set(MANIFEST.events) - {AccountNumberClaimed} == set(_EVOLVE)
