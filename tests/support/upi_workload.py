"""The money-conservation workload across accounts, wallets and UPI, for the in-memory and the
PostgreSQL store alike: `Workload.build` opens and funds accounts and wallets and links a VPA to
each; `run_workload` sends INTERNAL transfers, wallet P2P transfers and UPI payments (account to
wallet, wallet to account, account to account, wallet to wallet) from many tasks at once, and —
with `outbound=True` — payments leaving Bahi (to VPAs of other psps the simulated switch credits,
declines or does not answer), with the reversal process manager running meanwhile and then until
nothing waits; `check` asserts that the totals inside Bahi plus what the payees' psps were
credited are what was funded, that every accepted movement appears exactly once on each of its
sides, and that a payment leaving Bahi is debited once and credited back once exactly when the
switch did not credit it."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field

from command_service.banking import commands as bank
from command_service.handling import ConflictError
from command_service.upi.reversal import InMemoryPaymentWatchStore, PaymentReversal, answer
from command_service.wallets import commands as wal
from shared.errors import DomainError
from shared.upi.streams import VPA
from shared.upi.values import SwitchOutcome
from tests.support.upi import UpiWorld, new_id
from tests.support.upi_outbound import Feed

REMOTE_PAYEES = ("shop@okaxis", "shop.decline@okaxis", "ravi.timeout@ybl")
"""Credited, declined and unanswered by the simulated switch."""


@dataclass
class Workload:
    accounts: list[str]
    wallets: list[str]
    vpas: dict[str, str]
    """VPA -> the account or wallet it is linked to."""
    funded: int
    kinds: Counter[str] = field(default_factory=Counter)

    @classmethod
    async def build(cls, world: UpiWorld, *, accounts: int, wallets: int, funds: int) -> Workload:
        account_ids = [await world.account(funds, customer_id=f"cust-a{i}") for i in range(accounts)]
        wallet_ids = [await world.wallet(funds, customer_id=f"cust-w{i}") for i in range(wallets)]
        vpas = {}
        for i, account in enumerate(account_ids):
            await world.vpa(f"acct{i}@bahi", account_id=account)
            vpas[f"acct{i}@bahi"] = account
        for i, wallet in enumerate(wallet_ids):
            await world.vpa(f"wal{i}@bahi", wallet_id=wallet)
            vpas[f"wal{i}@bahi"] = wallet
        return cls(account_ids, wallet_ids, vpas, funds * (accounts + wallets))

    async def check(self, world: UpiWorld, accepted: list[tuple[str, str, str, str]]) -> None:
        """`accepted`: (kind, movement id, from stream, to stream — or the remote payee's VPA) of each 2xx."""
        streams = self.accounts + self.wallets  # an account's and a wallet's stream id is its id
        balances = {s: await world.balance(s) for s in streams}
        remote = 0
        for vpa in self.vpas:
            for event in await world.events(VPA.stream_id(vpa)):
                remote += event.amount_paise if type(event).__name__ == "UpiPaymentCompleted" else 0
        assert sum(balances.values()) + remote == self.funded, (balances, remote)
        seen: Counter[tuple[str, str]] = Counter()
        reversed_: Counter[tuple[str, str]] = Counter()
        settled: Counter[tuple[str, str]] = Counter()  # an outbound debit made final: no money moves
        for stream in streams:
            for event in await world.events(stream):
                moved = getattr(event, "transfer_id", None) or getattr(event, "payment_id", None)
                delta = getattr(event, "amount_paise", None)
                if moved is not None and delta is not None:
                    name = type(event).__name__
                    back, final = name.endswith("UpiReversed"), name.endswith("UpiSettled")
                    (reversed_ if back else settled if final else seen)[(stream, moved)] += 1
        outbound = 0
        for kind, movement_id, source, target in accepted:
            assert seen[(source, movement_id)] == 1, (movement_id, source)
            if kind == "outbound":
                outbound += 1
                back = answer(target)[0] is not SwitchOutcome.CREDITED
                assert reversed_[(source, movement_id)] == int(back), (movement_id, target)
                assert settled[(source, movement_id)] == int(not back), (movement_id, target)
            else:
                assert seen[(target, movement_id)] == 1, (movement_id, target)
        assert len(seen) == 2 * (len(accepted) - outbound) + outbound  # nothing applied that was not accepted
        assert sum(reversed_.values()) == sum(1 for k, *_, t in accepted if k == "outbound" and t != REMOTE_PAYEES[0])
        assert sum(settled.values()) == sum(1 for k, *_, t in accepted if k == "outbound" and t == REMOTE_PAYEES[0])


async def run_workload(
    world: UpiWorld, workload: Workload, *, tasks: int, per_task: int, seed: int, outbound: bool = False
) -> list[tuple[str, str, str, str]]:
    accepted: list[tuple[str, str, str, str]] = []
    vpas = list(workload.vpas)
    kinds = ["internal", "p2p", "upi", *(["outbound"] if outbound else [])]

    async def one(rng: random.Random) -> None:
        kind = rng.choice(kinds)
        amount = rng.randint(1, 2_000_00)
        movement_id = new_id(f"{kind}-")
        try:
            if kind == "internal":
                source, target = rng.sample(workload.accounts, 2)
                command = bank.Transfer(
                    transfer_id=movement_id, rail="INTERNAL", amount_paise=amount, to_account_id=target
                )
                await world.run(command, source)
                accepted.append((kind, movement_id, source, target))
            elif kind == "p2p":
                source, target = rng.sample(workload.wallets, 2)
                command = wal.TransferFromWallet(transfer_id=movement_id, to_wallet_id=target, amount_paise=amount)
                await world.run(command, source)
                accepted.append((kind, movement_id, source, target))
            elif kind == "outbound":
                payer, payee = rng.choice(vpas), rng.choice(REMOTE_PAYEES)
                await world.pay(payer, payee, amount, payment_id=movement_id)
                accepted.append((kind, movement_id, workload.vpas[payer], payee))
            else:
                payer, payee = rng.sample(vpas, 2)
                await world.pay(payer, payee, amount, payment_id=movement_id)
                accepted.append((kind, movement_id, workload.vpas[payer], workload.vpas[payee]))
        except (DomainError, ConflictError):
            return  # refused or still conflicting: nothing appended, checked by the totals
        workload.kinds[kind] += 1

    async def task(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        for _ in range(per_task):
            await one(rng)

    if not outbound:
        await asyncio.gather(*(task(i) for i in range(tasks)))
        return accepted
    reversal = PaymentReversal(InMemoryPaymentWatchStore(), world.dispatch, world.clock)
    feed, done = Feed(world), asyncio.Event()

    async def manager() -> None:
        """The process manager beside the clients (its commands race theirs on the VPAs)."""
        while not done.is_set():
            await feed.pump(reversal)
            await reversal.tick()
            await asyncio.sleep(0.01)

    running = asyncio.create_task(manager())
    await asyncio.gather(*(task(i) for i in range(tasks)))
    done.set()
    await running
    while True:  # then until nothing waits (a command that conflicted is retried by the tick)
        await feed.pump(reversal)
        await reversal.tick()
        if (await reversal.status())["waiting"] == 0:
            return accepted
