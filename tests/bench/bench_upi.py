"""UPI payments under load against wallet P2P transfers of the same run.

UPI payments account → wallet (`PayByUpi`: the payer VPA's `UpiPaymentSent`, the RRN's claim, the
account's debit and the wallet's credit in one atomic append), 16 concurrent clients each paying
from its own account-linked VPA to its own wallet-linked VPA, dispatched in-process through the
real Dispatcher (`bootstrap.build_dispatcher`, its Loader and cache, group commit on
PostgresEventStore). Against, interleaved in rounds (best of rounds): wallet P2P transfers
(`TransferFromWallet`, two streams in one append), 16 writers over distinct wallet pairs —
target >= 0.8x.

Prints its figure last; saves tests/bench/results/bench_upi.json.

    .venv/bin/python -m tests.bench.bench_upi [--seconds 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from command_service.event_store.postgres import PostgresEventStore
from command_service.handling import Envelope
from command_service.settings import Settings
from command_service.upi.commands import PayByUpi
from command_service.wallets.commands import TransferFromWallet
from tests.bench.common import Report, Run, bahi_pool, fmt, fresh_database, run, run_for
from tests.support.upi import UpiWorld, rupees

CLIENTS = 16
FUNDS = rupees(90_000)
"""Each account's deposit and each wallet's top-up (payments are of 1 paisa)."""


async def setup(world: UpiWorld) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(payer VPA, payee VPA) per UPI client and (sender, receiver) wallets per P2P writer."""
    upi: list[tuple[str, str]] = []
    p2p: list[tuple[str, str]] = []

    async def one(n: int) -> None:
        account = await world.account(FUNDS, customer_id=f"bench-a{n}")
        payee_wallet = await world.wallet(customer_id=f"bench-w{n}")
        await world.vpa(f"payer{n}@bahi", account_id=account)
        await world.vpa(f"payee{n}@bahi", wallet_id=payee_wallet)
        upi.append((f"payer{n}@bahi", f"payee{n}@bahi"))
        sender = await world.wallet(FUNDS, customer_id=f"bench-s{n}")
        receiver = await world.wallet(customer_id=f"bench-r{n}")
        p2p.append((sender, receiver))

    await asyncio.gather(*(one(n) for n in range(CLIENTS)))
    world.clock.advance(days=2)  # past every VPA's first day
    return upi, p2p


def upi_step(world: UpiWorld, pairs: list[tuple[str, str]], tag: str) -> Any:
    dispatch = world.dispatch

    async def step(w: int, i: int) -> int:
        payer, payee = pairs[w]
        command = PayByUpi(payment_id=f"up-{tag}-{w}-{i}", payer_vpa=payer, payee_vpa=payee, amount_paise=1)
        await dispatch(Envelope(command, target_id=payer))
        return 1

    return step


def p2p_step(world: UpiWorld, pairs: list[tuple[str, str]], tag: str) -> Any:
    dispatch = world.dispatch

    async def step(w: int, i: int) -> int:
        src, dst = pairs[w]
        command = TransferFromWallet(transfer_id=f"tr-{tag}-{w}-{i}", to_wallet_id=dst, amount_paise=1)
        await dispatch(Envelope(command, target_id=src))
        return 1

    return step


async def main(args: argparse.Namespace) -> Report:
    report = Report("bench_upi", config={"clients": CLIENTS, "seconds_per_run": args.seconds, "rounds": args.rounds})
    print(f"upi: load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores", flush=True)
    best: dict[str, float] = {}
    async with fresh_database("upi") as dsn:
        pool = await bahi_pool(dsn, CLIENTS)
        try:
            world = UpiWorld(store=PostgresEventStore(pool), max_attempts=Settings().max_conflict_retries)
            upi_pairs, p2p_pairs = await setup(world)
            runs: dict[str, list[Run]] = {"upi": [], "p2p": []}
            for rnd in range(-1, args.rounds):  # round -1: the warm-up, not counted
                for name in ("upi", "p2p"):
                    step = (upi_step if name == "upi" else p2p_step)(
                        world, upi_pairs if name == "upi" else p2p_pairs, f"r{rnd}"
                    )
                    result = await run_for(args.seconds if rnd >= 0 else 0.4, CLIENTS, step)
                    if rnd >= 0:
                        runs[name].append(result)
                        print(f"  round {rnd} {name}: {fmt(result.rate)}/s", flush=True)
            for name, measured in runs.items():
                best[name] = max(r.rate for r in measured)
                report.figure(f"{name}_per_s", best[name])
        finally:
            await pool.close()
    ratio = best["upi"] / best["p2p"]
    report.figure("upi_vs_p2p", ratio)
    report.target("UPI payments (account -> wallet) vs wallet P2P transfers", ratio, 0.8, "x")
    report.finish(f"UPI payments {fmt(best['upi'])}/s, {ratio:.2f}x wallet P2P transfers ({fmt(best['p2p'])}/s)")
    return report


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of one run of one variant")
    parser.add_argument("--rounds", type=int, default=2)
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse()
    run(lambda: main(options), loop="uvloop")
