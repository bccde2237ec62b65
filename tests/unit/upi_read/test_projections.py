"""The upi projections, and the banking and wallets projections of a UPI payment's legs, as pure
folds of events the domain decided (a `UpiWorld` over the in-memory store): the VPA view, one
payment document per RRN with both VPAs and both owners, the account's and the wallet's balances
and statement entries; redelivered events change nothing."""

from __future__ import annotations

from functools import cache
from typing import Any

from projector_service.engine.apply import fold, group_by_document
from projector_service.projections import banking, upi, wallets
from projector_service.registry import ProjectorRegistry
from shared.envelope import EventEnvelope
from tests.support.upi import UpiWorld, rupees


@cache
def registry() -> ProjectorRegistry:
    return ProjectorRegistry([wallets.MANIFEST, banking.MANIFEST, upi.MANIFEST])


def project(name: str, envelopes: list[EventEnvelope]) -> dict[str, dict[str, Any]]:
    projection = registry().projections[name]
    folded = {key: fold(projection, None, envs) for key, envs in group_by_document(projection, envelopes).items()}
    return {key: doc for key, doc in folded.items() if doc is not None}


async def paid_world() -> tuple[UpiWorld, str, str, str]:
    world = UpiWorld()
    account, wallet = await world.account(rupees(10_000)), await world.wallet()
    await world.vpa("asha@bahi", account_id=account)
    await world.vpa("ravi@bahi", wallet_id=wallet)
    world.clock.advance(days=1)
    outcome = await world.pay("asha@bahi", "ravi@bahi", rupees(700), note="chai")
    return world, account, wallet, str(outcome.response["rrn"])


async def test_the_vpa_view_resolves_a_vpa_to_its_link_and_owner() -> None:
    world, account, _, _ = await paid_world()
    doc = project("upi_vpa_view", await world.store.read_all(0, 10_000))["asha@bahi"]
    assert (doc["link_type"], doc["link_id"], doc["customer_id"], doc["kind"]) == (
        "ACCOUNT",
        account,
        "cust-1",
        "PERSON",
    )
    assert (doc["payments_sent"], doc["sent_paise"], doc["version"]) == (1, rupees(700), 2)


async def test_one_payment_document_per_rrn_names_both_sides() -> None:
    world, account, wallet, rrn = await paid_world()
    [(key, doc)] = project("upi_payment_view", await world.store.read_all(0, 10_000)).items()
    assert key == rrn and doc["vpas"] == ["asha@bahi", "ravi@bahi"] and doc["customer_ids"] == ["cust-1", "cust-2"]
    assert (doc["amount_paise"], doc["status"], doc["note"]) == (rupees(700), "COMPLETED", "chai")
    assert doc["payer"] == {"link_type": "ACCOUNT", "link_id": account}
    assert doc["payee"] == {"link_type": "WALLET", "link_id": wallet}


async def test_the_legs_move_the_account_and_wallet_views_and_statements() -> None:
    world, account, wallet, rrn = await paid_world()
    envelopes = await world.store.read_all(0, 10_000)
    assert project("account_view", envelopes)[account]["balance_paise"] == rupees(9_300)
    assert project("wallet_view", envelopes)[wallet]["balance_paise"] == rupees(700)
    out = [d for d in project("account_statement", envelopes).values() if d.get("kind") == "UPI_OUT"]
    into = [d for d in project("wallet_statement", envelopes).values() if d.get("kind") == "UPI_IN"]
    assert [(d["rrn"], d["delta_paise"], d["balance_after_paise"]) for d in out] == [(rrn, -rupees(700), rupees(9_300))]
    assert [(d["rrn"], d["delta_paise"], d["payer_vpa"]) for d in into] == [(rrn, rupees(700), "asha@bahi")]


async def test_redelivered_events_change_nothing() -> None:
    world, *_ = await paid_world()
    envelopes = await world.store.read_all(0, 10_000)
    for name in ("upi_vpa_view", "upi_payment_view"):
        assert project(name, envelopes + envelopes) == project(name, envelopes)
