"""Opening (one wallet per customer, through the owner index), KYC upgrades, freezing and
closing, through the service's composition root on the in-memory store."""

from __future__ import annotations

import asyncio

import pytest

from command_service.wallets import commands as c
from command_service.wallets import domain
from shared.wallets import policy as ppi
from shared.wallets.events import WalletClosed, WalletOwnerRegistered
from shared.wallets.streams import owner_stream_id
from shared.wallets.values import DocumentType, KycLevel
from tests.support.wallets import WalletWorld, new_id, rupees

ACCOUNT = "HDFC0001234:123456789012"


async def test_opening_appends_the_wallet_and_the_owner_index_in_one_append() -> None:
    world = WalletWorld()
    wallet_id = await world.open("cust-9")
    assert wallet_id.startswith("wal-") and len(wallet_id) == 36
    assert await world.events(owner_stream_id("cust-9")) == [
        WalletOwnerRegistered(wallet_id=wallet_id, customer_id="cust-9", occurred_at=world.clock.now)
    ]
    assert [e.position for e in await world.store.read_all()] == [1, 2]


async def test_a_second_wallet_for_a_customer_is_a_409_naming_the_first() -> None:
    world = WalletWorld()
    first = await world.open("cust-9")
    with pytest.raises(domain.WalletAlreadyExistsError) as caught:
        await world.open("cust-9")
    assert caught.value.status == 409 and caught.value.extra == {"customer_id": "cust-9", "wallet_id": first}
    assert await world.event_count() == 2


async def test_of_two_concurrent_opens_one_wins_and_the_other_names_it() -> None:
    world = WalletWorld()
    opens = [
        world.run(c.OpenWallet(customer_id="cust-9", mobile="9876543210", kyc=KycLevel.FULL), new_id())
        for _ in range(2)
    ]
    results = await asyncio.gather(*opens, return_exceptions=True)
    [won] = [r for r in results if not isinstance(r, BaseException)]
    [lost] = [r for r in results if isinstance(r, domain.WalletAlreadyExistsError)]
    assert lost.extra["wallet_id"] == won.response["wallet_id"]
    assert await world.event_count() == 2


async def test_kyc_goes_up_never_down() -> None:
    world = WalletWorld()
    wallet_id = await world.open()
    upgrade = c.UpgradeKyc(level=KycLevel.FULL, document_type=DocumentType.PAN, document_last4="123F")
    assert (await world.run(upgrade, wallet_id)).response["kyc_level"] == "FULL"
    await world.top_up(wallet_id, rupees(50_000))  # over the minimum-KYC cap: the full-KYC one applies
    for level in (KycLevel.FULL, KycLevel.MINIMUM):
        with pytest.raises(domain.KycUpgradeError, match="never lower") as caught:
            await world.run(c.UpgradeKyc(level=level, document_type=DocumentType.PAN, document_last4="123F"), wallet_id)
        assert caught.value.extra["kyc_level"] == "FULL"


async def test_freeze_and_unfreeze_follow_the_status_machine() -> None:
    world = WalletWorld()
    wallet_id = await world.open()
    assert (await world.run(c.FreezeWallet(reason="fraud alert"), wallet_id)).response["status"] == "FROZEN"
    with pytest.raises(domain.IllegalWalletTransitionError) as caught:
        await world.run(c.FreezeWallet(reason="again"), wallet_id)
    assert caught.value.extra["current_status"] == "FROZEN"
    assert caught.value.extra["allowed_next"] == ["ACTIVE", "CLOSED"]
    assert (await world.run(c.UnfreezeWallet(reason="cleared"), wallet_id)).response["status"] == "ACTIVE"


async def test_closing_at_zero_balance_or_paying_the_balance_out_in_the_closing_event() -> None:
    world = WalletWorld()
    empty = await world.open("cust-1")
    assert (await world.run(c.CloseWallet(), empty)).response["status"] == "CLOSED"
    full = await world.open("cust-2", KycLevel.FULL)
    await world.top_up(full, rupees(700))
    with pytest.raises(domain.ClosingError) as caught:
        await world.run(c.CloseWallet(), full)
    assert caught.value.extra["field"] == "to_bank_account" and caught.value.extra["balance_paise"] == rupees(700)
    outcome = await world.run(c.CloseWallet(to_bank_account=ACCOUNT), full)
    assert outcome.response["balance_paise"] == 0 and outcome.response["paid_out_paise"] == rupees(700)
    closed = (await world.events(full))[-1]
    assert isinstance(closed, WalletClosed) and closed.paid_out_paise == rupees(700)
    assert closed.to_bank_account == ACCOUNT


async def test_a_minimum_kyc_wallet_with_a_balance_cannot_pay_it_out_to_a_bank() -> None:
    world = WalletWorld()
    wallet_id = await world.open()
    await world.top_up(wallet_id, rupees(10))
    with pytest.raises(domain.PolicyRefusedError) as caught:
        await world.run(c.CloseWallet(to_bank_account=ACCOUNT), wallet_id)
    assert caught.value.extra["rule"] == ppi.MIN_KYC_CASH_OUT and caught.value.extra["allowed_paise"] == 0


async def test_a_wallet_with_an_open_hold_cannot_close() -> None:
    world = WalletWorld()
    wallet_id = await world.open(kyc=KycLevel.FULL)
    await world.top_up(wallet_id, rupees(10))
    await world.pay(wallet_id, rupees(4), payment_id="p-1", hold=True)
    with pytest.raises(domain.ClosingError) as caught:
        await world.run(c.CloseWallet(to_bank_account=ACCOUNT), wallet_id)
    assert caught.value.extra["payment_ids"] == ["p-1"]


async def test_an_unknown_wallet_is_a_404() -> None:
    with pytest.raises(domain.WalletNotFoundError) as caught:
        await WalletWorld().top_up(new_id(), 100)
    assert caught.value.status == 404
