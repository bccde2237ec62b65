"""The money-conservation workload across accounts, wallets and UPI, for the in-memory and the
PostgreSQL store alike: `Workload.build` opens and funds accounts and wallets and links a VPA to
each; `run_workload` sends INTERNAL transfers, wallet P2P transfers and UPI payments (account to
wallet, wallet to account, account to account, wallet to wallet) from many tasks at once; `check`
asserts that the totals are what was funded and that every accepted movement appears exactly once
on each of its sides."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field

from command_service.banking import commands as bank
from command_service.handling import ConflictError
from command_service.wallets import commands as wal
from shared.errors import DomainError
from tests.support.upi import UpiWorld, new_id


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
        """`accepted`: (kind, movement id, from stream, to stream) of each 2xx."""
        streams = self.accounts + self.wallets  # an account's and a wallet's stream id is its id
        balances = {s: await world.balance(s) for s in streams}
        assert sum(balances.values()) == self.funded, balances
        seen: Counter[tuple[str, str]] = Counter()
        for stream in streams:
            for event in await world.events(stream):
                moved = getattr(event, "transfer_id", None) or getattr(event, "payment_id", None)
                delta = getattr(event, "amount_paise", None)
                if moved is not None and delta is not None:
                    seen[(stream, moved)] += 1
        for _, movement_id, source, target in accepted:
            assert seen[(source, movement_id)] == 1, (movement_id, source)
            assert seen[(target, movement_id)] == 1, (movement_id, target)
        assert len(seen) == 2 * len(accepted)  # nothing applied that was not accepted


async def run_workload(
    world: UpiWorld, workload: Workload, *, tasks: int, per_task: int, seed: int
) -> list[tuple[str, str, str, str]]:
    accepted: list[tuple[str, str, str, str]] = []
    vpas = list(workload.vpas)

    async def one(rng: random.Random) -> None:
        kind = rng.choice(["internal", "p2p", "upi"])
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

    await asyncio.gather(*(task(i) for i in range(tasks)))
    return accepted
