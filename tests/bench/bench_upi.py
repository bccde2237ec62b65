"""UPI payments under load against wallet P2P transfers of the same run.

UPI payments account → wallet (`PayByUpi`: the payer VPA's `UpiPaymentSent`, the account's debit
and the wallet's credit in one atomic append), 16 concurrent clients each paying from its own
account-linked VPA to its own wallet-linked VPA, against wallet P2P transfers (`TransferFromWallet`,
two streams in one append) by 16 writers over distinct wallet pairs, interleaved in rounds, three
ways — each against 0.8x:

- as deployed (`upi_vs_p2p_service`, what a client of the running service sees): the command
  service in its own OS process (`python -m command_service`, as `make run` starts it) on the
  bench's database, over accounts, wallets and VPAs of its own, and 16 keep-alive connections
  from this process on raw sockets (`tests.bench.load`: far cheaper per request than httpx),
  each with its customer's bearer token (the payer's, the sender's: both routes check the
  payer's ownership). Each round prints the service process's CPU per request beside this one's;
- in process (`upi_vs_p2p`, the command path alone): dispatched through the real Dispatcher
  (`bootstrap.build_dispatcher`, its Loader and cache, group commit on PostgresEventStore);
- through HTTP in process (`upi_vs_p2p_http`): `POST /v1/upi/payments` and `POST
  /v1/wallets/{id}/transfers` on the app that `command_service.api.build_app` builds over that
  dispatcher (ASGI, no socket), from httpx in this process, which costs about as much CPU as the
  service's own work, so that figure dilutes the difference most.

Each figure is the median over rounds of each round's own ratio (its UPI run against its P2P run,
the two run back to back, in alternating order: UPI first in even rounds, P2P first in odd
ones). On 2 shared cores the CPU's speed drifts from second to second (the same P2P run has
taken 250 us of CPU per transfer in one round and 440 us in the next): a ratio of each side's
best round compares two different moments, and swings with whichever side met a fast one. That
ratio (`upi_vs_p2p_best`, ...) is printed and saved too.

Prints its figure last; saves tests/bench/results/bench_upi.json.

    .venv/bin/python -m tests.bench.bench_upi [--seconds 2] [--rounds 2] [--compare REV [--repeat 3]]

`--compare REV` runs it on REV's code (a git worktree under .local/bench-code/REV, this file
loaded over it) and on this checkout's, `--repeat` times each, alternately: the figure printed
last is then the two codes' median ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from command_service.event_store.postgres import PostgresEventStore
from command_service.handling import Envelope
from command_service.settings import Settings
from command_service.upi.commands import PayByUpi
from command_service.wallets.commands import TransferFromWallet
from shared.envelope import EventMetadata, NewEvent
from shared.upi.events import UpiPaymentSent
from shared.upi.values import LinkType
from tests.bench.common import (
    ADMIN_DSN,
    KAFKA,
    Report,
    Run,
    bahi_pool,
    fmt,
    fresh_database,
    run,
    run_for,
    unique_prefix,
)
from tests.bench.load import HttpPool, cpu_seconds
from tests.support import auth, processes
from tests.support.infra import Infra
from tests.support.upi import T0, UpiWorld, api, rupees

CLIENTS = 16
VARIANTS = ("upi", "p2p", "upi_http", "p2p_http", "upi_service", "p2p_service")
"""Run in this order in even rounds, each pair swapped in odd ones (`order`)."""
PAIRS = (("upi", "p2p"), ("upi_http", "p2p_http"), ("upi_service", "p2p_service"))
SERVICE_PREFIX = "svc-"
"""The customers (and VPAs) of the service variants: a set of their own, so that the service's
cache never meets a stream this process appended to."""
FUNDS = rupees(90_000)
"""Each account's deposit and each wallet's top-up (payments are of 1 paisa)."""


async def setup(world: UpiWorld, prefix: str = "") -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(payer VPA, payee VPA) per UPI client and (sender, receiver) wallets per P2P writer, client n's
    payer of customer `<prefix>bench-a<n>` and sender of `<prefix>bench-s<n>`."""
    upi: list[tuple[str, str]] = [("", "")] * CLIENTS
    p2p: list[tuple[str, str]] = [("", "")] * CLIENTS

    async def one(n: int) -> None:
        account = await world.account(FUNDS, customer_id=f"{prefix}bench-a{n}")
        payee_wallet = await world.wallet(customer_id=f"{prefix}bench-w{n}")
        await world.vpa(f"{prefix}payer{n}@bahi", account_id=account)
        await world.vpa(f"{prefix}payee{n}@bahi", wallet_id=payee_wallet)
        upi[n] = (f"{prefix}payer{n}@bahi", f"{prefix}payee{n}@bahi")
        sender = await world.wallet(FUNDS, customer_id=f"{prefix}bench-s{n}")
        receiver = await world.wallet(customer_id=f"{prefix}bench-r{n}")
        p2p[n] = (sender, receiver)

    await asyncio.gather(*(one(n) for n in range(CLIENTS)))
    return upi, p2p


def owners(pairs: list[tuple[str, str]], prefix: str) -> list[dict[str, str]]:
    """Each client's bearer token: its payer's (sender's) customer, as `setup` named them."""
    return [auth.customer(f"{prefix}{n}") for n in range(len(pairs))]


@contextlib.contextmanager
def command_service(dsn: str) -> Iterator[processes.Service]:
    """The command service in its own process on the bench's database, as the suite's e2e tests
    start it (trusting the test key, no rate limits), stopped afterwards."""
    mongo_url = f"mongodb://127.0.0.1:{os.environ.get('MONGO_PORT', '27017')}"  # unused by the command service
    infra = Infra(ADMIN_DSN, dsn, KAFKA, mongo_url, "bench_upi_unused", unique_prefix("upi"))
    service = processes.command(infra).start()
    try:
        yield service.wait_ready()
    finally:
        service.stop()


def service_step(pool: HttpPool, requests: list[tuple[str, dict[str, Any], dict[str, str]]]) -> Any:
    """Client w sends its request with a fresh id (the body's first field is the id)."""

    async def step(w: int, i: int) -> int:
        path, body, token = requests[w]
        key = next(iter(body))
        payload = json.dumps({**body, key: f"{body[key]}-{i}"}).encode()
        status, _, answer = await pool.request("POST", path, payload, token)
        if status >= 300:
            raise RuntimeError(f"POST {path} answered {status}: {answer[:300]!r}")
        return 1

    return step


def upi_service_step(pool: HttpPool, pairs: list[tuple[str, str]], tag: str) -> Any:
    tokens = owners(pairs, f"{SERVICE_PREFIX}bench-a")
    requests = [
        ("/v1/upi/payments", {"payment_id": f"us-{tag}-{w}", "payer_vpa": a, "payee_vpa": b, "amount_paise": 1}, t)
        for w, ((a, b), t) in enumerate(zip(pairs, tokens, strict=True))
    ]
    return service_step(pool, requests)


def p2p_service_step(pool: HttpPool, pairs: list[tuple[str, str]], tag: str) -> Any:
    tokens = owners(pairs, f"{SERVICE_PREFIX}bench-s")
    requests = [
        (f"/v1/wallets/{src}/transfers", {"transfer_id": f"ts-{tag}-{w}", "to_wallet_id": dst, "amount_paise": 1}, t)
        for w, ((src, dst), t) in enumerate(zip(pairs, tokens, strict=True))
    ]
    return service_step(pool, requests)


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


def upi_http_step(client: httpx.AsyncClient, pairs: list[tuple[str, str]], tag: str) -> Any:
    tokens = owners(pairs, "bench-a")

    async def step(w: int, i: int) -> int:
        payer, payee = pairs[w]
        body = {"payment_id": f"uh-{tag}-{w}-{i}", "payer_vpa": payer, "payee_vpa": payee, "amount_paise": 1}
        answer = await client.post("/v1/upi/payments", json=body, headers=tokens[w])
        if not answer.is_success:
            raise RuntimeError(f"UPI payment answered {answer.status_code}: {answer.text}")
        return 1

    return step


def p2p_http_step(client: httpx.AsyncClient, pairs: list[tuple[str, str]], tag: str) -> Any:
    tokens = owners(pairs, "bench-s")

    async def step(w: int, i: int) -> int:
        src, dst = pairs[w]
        body = {"transfer_id": f"th-{tag}-{w}-{i}", "to_wallet_id": dst, "amount_paise": 1}
        answer = await client.post(f"/v1/wallets/{src}/transfers", json=body, headers=tokens[w])
        if not answer.is_success:
            raise RuntimeError(f"P2P transfer answered {answer.status_code}: {answer.text}")
        return 1

    return step


def wrapping_figures(report: Report, rounds: int = 5, count: int = 2000) -> None:
    """µs per event of wrapping a payment's decided events for the store: `handling.wrapping`
    against `NewEvent`'s validator on the same fields, interleaved, best of rounds."""
    sent = UpiPaymentSent(
        payment_id="up-1",
        rrn="612345678901",
        payer_vpa="payer0@bahi",
        payee_vpa="payee0@bahi",
        amount_paise=1,
        p2p=True,
        in_new_vpa_window=False,
        payer_link_type=LinkType.ACCOUNT,
        payer_link_id="acc-1",
        payer_customer_id="bench-a0",
        payee_link_type=LinkType.WALLET,
        payee_link_id="wal-1",
        payee_customer_id="bench-w0",
        occurred_at=T0,
    )
    metadata = EventMetadata(actor="bench", command_id="c-1", reason="UPI 612345678901 to payee0@bahi")

    def validated() -> NewEvent:
        data = sent.model_dump(mode="json")
        return NewEvent(event_id=uuid4(), event_type="UpiPaymentSent", schema_version=1, data=data, metadata=metadata)

    if importlib.util.find_spec("command_service.handling.wrapping") is None:
        return  # an older checkout's code (--compare) has no such path
    from command_service.handling.wrapping import wrap

    best = {"wrap": float("inf"), "validated": float("inf")}
    for _ in range(rounds):
        for name, make in (("wrap", lambda: wrap(sent, metadata)), ("validated", validated)):
            start = time.perf_counter()
            for _ in range(count):
                make()
            best[name] = min(best[name], (time.perf_counter() - start) / count * 1e6)
    report.figure("wrap_us_per_event", round(best["wrap"], 2))
    report.figure("validated_new_event_us_per_event", round(best["validated"], 2))
    print(f"  wrapping an event: {best['wrap']:.1f} us (validated NewEvent: {best['validated']:.1f} us)", flush=True)


def order(rnd: int) -> list[str]:
    """The variants of round `rnd`: each pair UPI first in even rounds, P2P first in odd ones."""
    return [name for pair in PAIRS for name in (pair if rnd % 2 == 0 else pair[::-1])]


def paired(runs: dict[str, list[Run]], upi: str, p2p: str) -> list[float]:
    """Each round's ratio of its UPI run to its P2P run."""
    return [u.rate / p.rate for u, p in zip(runs[upi], runs[p2p], strict=True)]


async def main(args: argparse.Namespace) -> Report:
    report = Report("bench_upi", config={"clients": CLIENTS, "seconds_per_run": args.seconds, "rounds": args.rounds})
    print(f"upi: load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores", flush=True)
    best: dict[str, float] = {}
    async with fresh_database("upi") as dsn:
        pool = await bahi_pool(dsn, CLIENTS)
        try:
            world = UpiWorld(store=PostgresEventStore(pool), max_attempts=Settings().max_conflict_retries)
            upi_pairs, p2p_pairs = await setup(world)
            svc_upi_pairs, svc_p2p_pairs = await setup(world, SERVICE_PREFIX)
            world.clock.advance(days=2)  # past every VPA's first day (the service's clock is the real one, later still)
            runs: dict[str, list[Run]] = {name: [] for name in VARIANTS}
            with command_service(dsn) as service:
                assert service.process is not None
                sockets = HttpPool(service.port, CLIENTS)
                async with api(world) as client:
                    steps = {
                        "upi": lambda tag: upi_step(world, upi_pairs, tag),
                        "p2p": lambda tag: p2p_step(world, p2p_pairs, tag),
                        "upi_http": lambda tag: upi_http_step(client, upi_pairs, tag),
                        "p2p_http": lambda tag: p2p_http_step(client, p2p_pairs, tag),
                        "upi_service": lambda tag: upi_service_step(sockets, svc_upi_pairs, tag),
                        "p2p_service": lambda tag: p2p_service_step(sockets, svc_p2p_pairs, tag),
                    }
                    for rnd in range(-1, args.rounds):  # round -1: the warm-up, not counted
                        for name in order(rnd):
                            remote = name.endswith("_service")
                            if remote:  # connected afresh: uvicorn closes idle connections after 5 s
                                sockets = await HttpPool(service.port, CLIENTS).open()
                            served = cpu_seconds(service.process.pid)
                            result = await run_for(args.seconds if rnd >= 0 else 0.4, CLIENTS, steps[name](f"r{rnd}"))
                            served = cpu_seconds(service.process.pid) - served
                            if remote:
                                await sockets.close()
                            if rnd < 0:
                                continue
                            runs[name].append(result)
                            own = f"{result.cpu_us_per_item:,.0f} us of this process's CPU each"
                            if remote:
                                own += f", {served / result.count * 1e6:,.0f} us of the service's"
                            print(f"  round {rnd} {name}: {fmt(result.rate)}/s ({own})", flush=True)
            for name, measured in runs.items():
                best[name] = max(r.rate for r in measured)
                report.figure(f"{name}_per_s", best[name])
        finally:
            await pool.close()
    wrapping_figures(report)
    rounds, rounds_http = paired(runs, "upi", "p2p"), paired(runs, "upi_http", "p2p_http")
    rounds_service = paired(runs, "upi_service", "p2p_service")
    ratio, http, deployed = (statistics.median(r) for r in (rounds, rounds_http, rounds_service))
    report.figure("upi_vs_p2p_rounds", rounds, f"  each round's UPI/P2P: {', '.join(f'{r:.2f}' for r in rounds)}")
    shown_http = ", ".join(f"{r:.2f}" for r in rounds_http)
    report.figure("upi_vs_p2p_http_rounds", rounds_http, f"  each round's through HTTP: {shown_http}")
    shown_service = ", ".join(f"{r:.2f}" for r in rounds_service)
    report.figure("upi_vs_p2p_service_rounds", rounds_service, f"  each round's against the service: {shown_service}")
    best_ratio, best_http = best["upi"] / best["p2p"], best["upi_http"] / best["p2p_http"]
    best_service = best["upi_service"] / best["p2p_service"]
    report.figure("upi_vs_p2p_best", best_ratio, f"  best round against best round: {best_ratio:.2f}x")
    report.figure("upi_vs_p2p_http_best", best_http, f"  the same through HTTP: {best_http:.2f}x")
    report.figure("upi_vs_p2p_service_best", best_service, f"  the same against the service: {best_service:.2f}x")
    report.figure("upi_vs_p2p", ratio)
    report.figure("upi_vs_p2p_http", http)
    report.figure("upi_vs_p2p_service", deployed)
    report.target("UPI payments (account -> wallet) vs wallet P2P transfers, in process", ratio, 0.8, "x")
    report.target("the same through HTTP with customer tokens (httpx in process)", http, 0.8, "x")
    report.target("the same, 16 clients against the command service's own process", deployed, 0.8, "x")
    report.finish(
        f"UPI payments {fmt(best['upi'])}/s, {ratio:.2f}x wallet P2P transfers ({fmt(best['p2p'])}/s, best rounds;"
        f" the ratio is the median of {len(rounds)} rounds' own); through HTTP {fmt(best['upi_http'])}/s, {http:.2f}x"
        f" ({fmt(best['p2p_http'])}/s); against the running service {fmt(best['upi_service'])}/s, {deployed:.2f}x"
        f" ({fmt(best['p2p_service'])}/s)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report.figures))
    return report


def compare(args: argparse.Namespace) -> None:
    """This benchmark run `--repeat` times on the code of `--compare REV` (a worktree, this file
    loaded over it) and on this checkout's, alternately: the ratios of each, and their medians."""
    from tests.bench.bench_capacity import code_checkout
    from tests.support.infra import ROOT

    codes = [(args.compare, code_checkout(args.compare)), ("this checkout", ROOT)]
    figures: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in codes}
    loads: list[float] = []
    for _ in range(args.repeat):
        for label, code in codes:
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                argv = [__file__, "--seconds", str(args.seconds), "--rounds", str(args.rounds), "--json", out.name]
                program = f"import runpy, sys; sys.argv = {argv!r}; runpy.run_path({__file__!r}, run_name='__main__')"
                print(f"-- {label} ({code})", flush=True)
                loads.append(os.getloadavg()[0])
                subprocess.run([sys.executable, "-c", program], cwd=code, check=True)
                figures[label].append(json.loads(Path(out.name).read_text()))
    report = Report("bench_upi_compare", config={"compare": args.compare, "repeat": args.repeat, "rounds": args.rounds})
    medians = {}
    for label, runs in figures.items():
        for key in ("upi_vs_p2p", "upi_vs_p2p_http"):
            values = [run[key] for run in runs]
            medians[(label, key)] = statistics.median(values)
            report.figure(f"{key} {label}", values, f"  {label}: {key} {', '.join(f'{v:.2f}' for v in values)}")
    shown = ", ".join(f"{v:.1f}" for v in loads)
    report.figure("load_averages", loads, f"  load averages at each run's start: {shown}")
    before, after = medians[(args.compare, "upi_vs_p2p")], medians[("this checkout", "upi_vs_p2p")]
    before_http, after_http = medians[(args.compare, "upi_vs_p2p_http")], medians[("this checkout", "upi_vs_p2p_http")]
    report.target("UPI vs wallet P2P, this checkout (median)", after, 0.8, "x")
    report.finish(
        f"UPI payments vs wallet P2P transfers, medians of {args.repeat}: {args.compare} {before:.2f}x,"
        f" this checkout {after:.2f}x (through HTTP {before_http:.2f}x -> {after_http:.2f}x)"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of one run of one variant")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", metavar="REV", help="also run on REV's code, alternately (see compare)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each code with --compare")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # a compare's child writes its figures here
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse()
    if options.compare:
        compare(options)
    else:
        run(lambda: main(options), loop="uvloop")
