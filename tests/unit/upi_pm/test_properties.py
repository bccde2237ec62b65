"""Properties of payments leaving Bahi over random sequences (hypothesis): whatever the switch
answers and however long the reversal process manager is down (0 to 5 days, so some reversals
are late), a payment that fails comes back to its payer exactly — the payer ends with what it
had less what the payees' psps were credited, no paisa created or lost — each late reversal's
compensation is the policy's ₹100 per IST day after T+1, and replaying the VPA's events gives
a state where nothing waits and only the credited payments count towards the IST day's limit."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from command_service.upi import domain
from command_service.upi.reversal import InMemoryPaymentWatchStore, PaymentReversal
from shared.events import parse_event
from shared.upi.streams import VPA
from tests.support.upi import UpiWorld, rupees
from tests.support.upi_outbound import START, Feed, payer
from tests.support.upi_workload import REMOTE_PAYEES

payments = st.lists(
    st.tuples(st.sampled_from(REMOTE_PAYEES), st.integers(min_value=1, max_value=rupees(5_000))),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(payments, st.integers(min_value=0, max_value=5 * 24), st.booleans())
async def test_a_failed_payment_restores_the_payer_exactly_and_a_late_one_is_compensated(
    sent: list[tuple[str, int]], hours_down: int, wallet: bool
) -> None:
    world = UpiWorld()
    link, vpa = await payer(world, wallet=wallet)
    for n, (payee, paise) in enumerate(sent):
        await world.pay(vpa, payee, paise, payment_id=f"p-{n}")
    world.clock.advance(hours=hours_down)  # the manager starts only now
    reversal = PaymentReversal(InMemoryPaymentWatchStore(), world.dispatch, world.clock)
    await Feed(world).pump(reversal)
    await reversal.tick()
    assert (await reversal.status())["waiting"] == 0
    credited = sum(paise for payee, paise in sent if payee == REMOTE_PAYEES[0])
    assert await world.balance(link) == START - credited  # an account's or a wallet's stream id is its id
    events = await world.events(VPA.stream_id(vpa))
    for event in events:
        if type(event).__name__ == "UpiPaymentReversed":
            sent_at = next(e.occurred_at for e in events if getattr(e, "payment_id", None) == event.payment_id)
            t_plus_1 = sent_at + timedelta(hours=25)  # 23:00 IST on T: T+1 ends 25 hours later
            late = event.occurred_at >= t_plus_1
            assert (event.days_late > 0) == late
            assert event.compensation_paise == event.days_late * rupees(100)
    stored = await world.store.read_stream(VPA.stream_id(vpa))
    replayed = domain.fold(domain.Vpa(vpa=vpa), [parse_event(e.event_type, e.schema_version, e.data) for e in stored])
    assert replayed.outbound == {}  # nothing left waiting
    assert replayed.p2p_by_day == {"2026-12-01": credited}  # only what left Bahi counts towards the day
