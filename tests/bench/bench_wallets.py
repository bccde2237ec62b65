"""The wallets context under load, each figure against a baseline of the same run.

1. P2P transfers (`TransferFromWallet`: the sender's and the receiver's events in one atomic
   append), 16 concurrent writers over distinct wallet pairs, dispatched in-process through the
   real Dispatcher (`bootstrap.build_dispatcher`, its Loader and cache, group commit on
   PostgresEventStore). Against, interleaved in rounds (best of rounds):
   - append: Bahi's own append of the same event count, 2 events per call on one stream, 16
     writers, each appending to its own existing stream at its known version, with one
     idempotency record (a transfer records its transfer id): what a transfer appends minus the
     second stream and minus the decision — target >= 0.5x; also `append_bare`, the same
     without the record (a figure, no target);
   - es: the `eventsourcing` library's bank-account transfer on its PostgreSQL module, 16
     threads over distinct account pairs: two `repository.get`, a debit and a credit, one
     `Application.save(a, b)` (both aggregates in one transaction); its aggregate cache is on
     (fast-forwarding, as Bahi's loader cache) — target >= 10x.
2. Hot wallets: the same load with sender and receiver drawn by Zipf (s = 1.1) over a set of
   wallets: transfers/s, the 409 rate (ConflictError: still conflicting after the dispatcher's
   retries), p50/p99; target: no 5xx (any exception that is not a 409 or a domain 4xx).
3. A wallet with 10,000 events (top-ups, payments, transfers sent and received) loaded cold
   (a fresh store object: the loader's cache is per store) through the Loader with the wallet's
   aggregate type at snapshot_every=100 (the snapshot the loader itself saved, ~50 events
   behind the head) against snapshot_every=0 (every event folded) — target >= 20x.
4. `GET /v1/wallets/{id}/balance?as_of=` against `GET /v1/orders/{id}` on the same query-service
   process (bench_query's server), 64 connections, interleaved in rounds; both read models
   seeded in MongoDB through their real projections — target >= 0.7x.

Prints its figure last; saves tests/bench/results/bench_wallets.json.

    .venv/bin/python -m tests.bench.bench_wallets [--seconds 2] [--rounds 2] [--no-es]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from command_service.event_store import NO_STREAM, AppendStream, IdempotencyRecord
from command_service.event_store.postgres import PostgresEventStore
from command_service.handling import ConflictError, Envelope, Loader, new_events
from command_service.settings import Settings
from command_service.wallets.aggregates import aggregates
from command_service.wallets.commands import TransferFromWallet
from command_service.wallets.handlers.streams import load_wallet
from command_service.wallets.settings import WalletSettings
from shared.envelope import EventMetadata, NewEvent
from shared.errors import DomainError
from shared.events import DomainEvent, parse_event
from shared.wallets.events import (
    WalletOpened,
    WalletPaid,
    WalletToppedUp,
    WalletTransferReceived,
    WalletTransferSent,
)
from shared.wallets.streams import WALLET, new_wallet_id
from shared.wallets.values import KycLevel, TopupSource
from tests.bench.bench_query import MONGO_URL, start_server, wait_ready
from tests.bench.bench_query import seed as seed_orders
from tests.bench.common import Report, Run, Target, Timer, bahi_pool, fmt, fresh_database, run, run_for
from tests.bench.load import run_load
from tests.support import auth
from tests.support.wallets import T0, WalletWorld

try:
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class EsAccount(Aggregate):
        """The library's bank-account example, reduced to what a transfer needs."""

        @event("Opened")
        def __init__(self, balance: int) -> None:
            self.balance = balance

        @event("Debited")
        def debit(self, amount: int) -> None:
            self.balance -= amount

        @event("Credited")
        def credit(self, amount: int) -> None:
            self.balance += amount

    class EsBank(Application[Any]):
        pass

    ES_IMPORT_ERROR: Exception | None = None
except ImportError as exc:  # the comparison is optional, the rest still runs
    ES_IMPORT_ERROR = exc

WRITERS = 16
ZIPF_S = 1.1
HOT_WALLETS = 500
FUNDS = 10_000_000
"""Paise each benchmark wallet is topped up with (₹1 lakh, half a full-KYC wallet's cap)."""
LOAD_EVENTS = 10_000
SNAPSHOT_EVERY = 100
QUERY_WALLETS = 2000
QUERY_T = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
AS_OF = "2026-11-28T12:00:00Z"
"""Between the wallet's third (11:30) and fourth (12:30) events: the third one answers."""


@dataclass
class AtMost(Target):
    """A target met at or below its threshold (an error count)."""

    @property
    def met(self) -> bool:
        return self.value <= self.threshold

    def line(self) -> str:
        mark = "ok" if self.met else "MISSED"
        return f"  target {self.label}: {fmt(self.value)} {self.unit} (<= {fmt(self.threshold)}) {mark}"


class WalletsReport(Report):
    def save(self) -> Path:
        path = super().save()
        payload = json.loads(path.read_text())
        for entry, target in zip(payload["targets"], self.targets, strict=True):
            if isinstance(target, AtMost):
                entry["at_most"] = True
        path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
        return path


# -- wallets through the real dispatcher -------------------------------------------------------


class BenchWorld(WalletWorld):
    @property
    def dispatch_loader(self) -> Loader:
        """A loader over the same store (and so the same cache) as the dispatcher's."""
        return Loader(self.store, aggregates(WalletSettings()))


async def open_funded(world: WalletWorld, count: int) -> list[str]:
    """`count` full-KYC wallets, each topped up with FUNDS, opened by the dispatcher 16 at a time."""
    wallets: list[str] = []
    queue = list(range(count))

    async def worker() -> None:
        while queue:
            n = queue.pop()
            wallet_id = await world.open(customer_id=f"cust-{uuid.uuid4().hex[:12]}-{n}", kyc=KycLevel.FULL)
            await world.top_up(wallet_id, FUNDS, source=TopupSource.UPI)
            wallets.append(wallet_id)

    await asyncio.gather(*(worker() for _ in range(WRITERS)))
    return wallets


def transfer(src: str, dst: str, transfer_id: str) -> Envelope:
    return Envelope(TransferFromWallet(transfer_id=transfer_id, to_wallet_id=dst, amount_paise=1), target_id=src)


def transfer_step(world: WalletWorld, pairs: list[tuple[str, str]], tag: str) -> Any:
    dispatch = world.dispatch

    async def step(w: int, i: int) -> int:
        src, dst = pairs[w]
        await dispatch(transfer(src, dst, f"tr-{tag}-{w}-{i}"))
        return 1

    return step


def append_step(store: PostgresEventStore, tag: str, *, record: bool) -> Any:
    """2 wallet events per append on the writer's own stream, at its known version, and (`record`)
    an idempotency record shaped as a transfer's (`command_service.handling.movements`)."""
    sent = WalletTransferSent(
        wallet_id="wal-" + "a" * 32,
        transfer_id="tr-x",
        to_wallet_id="wal-" + "b" * 32,
        amount_paise=1,
        balance_after_paise=FUNDS,
        occurred_at=T0,
    )
    received = WalletTransferReceived(
        wallet_id="wal-" + "b" * 32,
        transfer_id="tr-x",
        from_wallet_id="wal-" + "a" * 32,
        amount_paise=1,
        balance_after_paise=FUNDS,
        occurred_at=T0,
    )
    shapes = [(type(e).__name__, e.schema_version, e.model_dump(mode="json")) for e in (sent, received)]
    metadata = EventMetadata()
    streams = [f"wal-{uuid.uuid4().hex}" for _ in range(WRITERS)]
    versions = [NO_STREAM] * WRITERS

    async def step(w: int, i: int) -> int:
        events = [
            NewEvent.model_construct(
                event_id=uuid.uuid4(), event_type=name, schema_version=version, data=data, metadata=metadata
            )
            for name, version, data in shapes
        ]
        claims = [IdempotencyRecord(f"transfer:{streams[w]}:tr-{tag}-{w}-{i}", DIGESTS, ANSWER)] if record else []
        result = await store.append([AppendStream(streams[w], WALLET.name, versions[w], events)], claims)
        versions[w] = result.versions[streams[w]]
        return 1

    return step


DIGESTS = '{"amount_paise":"0123456789abcdef","note":"0123456789abcdef","to_wallet_id":"0123456789abcdef"}'
"""A transfer's record: a digest per field of its body (as `handling.movements` writes them)."""
ANSWER = {
    "wallet_id": "wal-" + "a" * 32,
    "transfer_id": "tr-x",
    "to_wallet_id": "wal-" + "b" * 32,
    "amount_paise": 1,
    "note": None,
    "balance_paise": FUNDS,
    "held_paise": 0,
    "available_paise": FUNDS,
}


# -- the eventsourcing library's bank-account transfer -----------------------------------------


class EsTransfers:
    """`eventsourcing`'s Application on its PostgreSQL module: threads, one account pair each."""

    def __init__(self, dsn: str, threads: int) -> None:
        database = dsn.rsplit("/", 1)[1]
        self._threads = threads
        self.app = EsBank(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": database,
                "POSTGRES_HOST": dsn.split("@", 1)[1].split(":", 1)[0],
                "POSTGRES_PORT": dsn.rsplit(":", 1)[1].split("/", 1)[0],
                "POSTGRES_USER": dsn.split("//", 1)[1].split("@", 1)[0],
                "POSTGRES_PASSWORD": "",
                "POSTGRES_POOL_SIZE": str(threads),
                "POSTGRES_MAX_OVERFLOW": "0",
                "AGGREGATE_CACHE_MAXSIZE": "1000",
            }
        )
        self.pairs = []
        for _ in range(threads):
            a, b = EsAccount(FUNDS), EsAccount(FUNDS)
            self.app.save(a, b)
            self.pairs.append((a.id, b.id))

    def run(self, seconds: float) -> Run:
        counts = [0] * self._threads
        errors: list[BaseException] = []
        deadline = time.perf_counter() + seconds
        repository = self.app.repository

        def worker(t: int) -> None:
            src, dst = self.pairs[t]
            try:
                while time.perf_counter() < deadline:
                    a, b = repository.get(src), repository.get(dst)
                    a.debit(1)
                    b.credit(1)
                    self.app.save(a, b)
                    counts[t] += 1
            except BaseException as exc:  # reported, not swallowed
                errors.append(exc)

        workers = [threading.Thread(target=worker, args=(t,)) for t in range(self._threads)]
        with Timer() as timer:
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()
        if errors:
            raise errors[0]
        return timer.run(sum(counts))

    def balances(self) -> int:
        return sum(self.app.repository.get(i).balance for pair in self.pairs for i in pair)

    def close(self) -> None:
        self.app.close()


# -- phase 1 ----------------------------------------------------------------------------------


async def phase_transfers(
    report: Report, world: BenchWorld, store: PostgresEventStore, es_dsn: str, args: argparse.Namespace
) -> tuple[dict[str, float], str]:
    print(f"-- 1. P2P transfers, {WRITERS} writers over distinct pairs, {args.rounds} rounds x {args.seconds}s")
    wallets = await open_funded(world, 2 * WRITERS)
    pairs = [(wallets[2 * w], wallets[2 * w + 1]) for w in range(WRITERS)]
    es: EsTransfers | None = None
    if args.no_es:
        report.note("eventsourcing comparison skipped (--no-es)")
    elif ES_IMPORT_ERROR is not None:
        report.note(f"eventsourcing comparison unavailable: {ES_IMPORT_ERROR!r}")
    else:
        try:
            es = await asyncio.to_thread(EsTransfers, es_dsn, WRITERS)
        except Exception as exc:
            report.note(f"eventsourcing comparison unavailable: {exc!r}")
    runs: dict[str, list[Run]] = {}

    async def measure(name: str, seconds: float, tag: str) -> Run:
        if name == "es":
            assert es is not None
            return await asyncio.to_thread(es.run, seconds)
        if name == "transfer":
            step = transfer_step(world, pairs, tag)
        else:
            step = append_step(store, tag, record=name == "append")
        return await run_for(seconds, WRITERS, step)

    try:
        # Warm-up: connections, prepared statements, the loader's cache of every pair.
        names = ["transfer", "append", "append_bare"] + (["es"] if es is not None else [])
        for rnd in range(-1, args.rounds):  # round -1: the warm-up, not counted
            for name in list(names):
                try:
                    result = await measure(name, args.seconds if rnd >= 0 else 0.4, f"r{rnd}")
                except Exception as exc:
                    if name != "es":
                        raise
                    report.note(f"eventsourcing comparison failed: {exc!r}")
                    names.remove("es")
                    runs.pop("es", None)
                    continue
                if rnd < 0:
                    continue
                runs.setdefault(name, []).append(result)
                print(
                    f"   round {rnd + 1} {name:<9} {fmt(result.rate):>7}/s  ({result.count} in {result.elapsed:.2f}s, "
                    f"{2 * result.rate:,.0f} events/s; this process's CPU {result.cpu_us_per_item:.0f} us each)",
                    flush=True,
                )
        if "es" in runs:
            total = await asyncio.to_thread(es.balances)  # type: ignore[union-attr]
            assert total == 2 * WRITERS * FUNDS, total  # every es transfer moved money, none made any
    finally:
        if es is not None:
            es.close()
    best = {name: max(r.rate for r in values) for name, values in runs.items()}
    report.figure("transfers_per_s_runs", {n: [round(r.rate, 1) for r in v] for n, v in runs.items()})
    report.figure("transfers_per_s_best", best)
    report.figure("cpu_us_per_transfer", {n: round(min(r.cpu_us_per_item for r in v), 1) for n, v in runs.items()})
    # Sanity: money is conserved over the pairs.
    balances = 0
    for wallet_id in wallets:
        state, _ = await load_wallet(world.dispatch_loader, wallet_id)
        balances += state.balance_paise
    assert balances == 2 * WRITERS * FUNDS, balances
    return best, wallets[0]


# -- phase 2 ----------------------------------------------------------------------------------


async def phase_hot(report: Report, world: WalletWorld, args: argparse.Namespace) -> dict[str, Any]:
    print(f"-- 2. hot wallets: Zipf (s = {ZIPF_S}) over {HOT_WALLETS} wallets, {WRITERS} writers, {args.seconds}s")
    wallets = await open_funded(world, HOT_WALLETS)
    cum = list(accumulate(k**-ZIPF_S for k in range(1, len(wallets) + 1)))
    dispatch = world.dispatch
    outcomes = {"ok": 0, "409": 0, "4xx": 0, "5xx": 0}
    latencies: list[float] = []
    failures: dict[str, int] = {}

    async def worker(w: int, seconds: float, tag: str, count: bool) -> None:
        rng = random.Random(w)
        i = 0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            src, dst = rng.choices(wallets, cum_weights=cum, k=2)
            while dst == src:
                dst = rng.choices(wallets, cum_weights=cum)[0]
            started = time.perf_counter()
            try:
                await dispatch(transfer(src, dst, f"hot-{tag}-{w}-{i}"))
                kind = "ok"
            except ConflictError:
                kind = "409"
            except DomainError as exc:
                kind = "4xx"
                failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
            except Exception as exc:
                kind = "5xx"
                failures[repr(exc)[:200]] = failures.get(repr(exc)[:200], 0) + 1
            if count:
                latencies.append(time.perf_counter() - started)
                outcomes[kind] += 1
            i += 1

    await asyncio.gather(*(worker(w, 0.5, "warm", False) for w in range(WRITERS)))
    with Timer() as timer:
        await asyncio.gather(*(worker(w, args.seconds, "run", True) for w in range(WRITERS)))
    total = sum(outcomes.values())
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")

    hot = {
        "transfers": total,
        "outcomes": outcomes,
        "transfers_per_s": round(outcomes["ok"] / timer.elapsed, 1),
        "rate_409": outcomes["409"] / total if total else 0.0,
        "p50_ms": round(pct(50), 2),
        "p99_ms": round(pct(99), 2),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else None,
        "hottest_share": round(cum[0] / cum[-1], 3),
        "failures": failures,
    }
    report.figure("hot_wallets", hot)
    print(
        f"   {hot['transfers_per_s']:,.0f} transfers/s; {outcomes}; 409 rate {100 * hot['rate_409']:.2f}%; "
        f"p50 {hot['p50_ms']} ms, p99 {hot['p99_ms']} ms, max {hot['max_ms']} ms; the hottest wallet is in "
        f"{100 * hot['hottest_share']:.0f}% of the draws" + (f"; failures {failures}" if failures else ""),
        flush=True,
    )
    return hot


# -- phase 3 ----------------------------------------------------------------------------------


def history(wallet_id: str, count: int) -> list[DomainEvent]:
    """A long-lived full-KYC wallet: opened, then top-ups, payments, transfers sent and received."""
    other = "wal-" + "c" * 32
    balance = 0
    events: list[DomainEvent] = [
        WalletOpened(
            wallet_id=wallet_id,
            customer_id="cust-long",
            mobile="9876543210",
            kyc_level=KycLevel.FULL,
            balance_after_paise=0,
            occurred_at=T0,
        )
    ]
    for i in range(1, count):
        at = T0 + timedelta(minutes=i)
        kind = i % 4
        if kind == 1:
            balance += 1_000 if i > 1 else 1_000_000
            events.append(
                WalletToppedUp(
                    wallet_id=wallet_id,
                    topup_id=f"t-{i}",
                    amount_paise=1_000 if i > 1 else 1_000_000,
                    source=TopupSource.UPI,
                    reference=f"upi-{i}",
                    balance_after_paise=balance,
                    occurred_at=at,
                )
            )
        elif kind == 2:
            balance -= 300
            events.append(
                WalletPaid(
                    wallet_id=wallet_id,
                    payment_id=f"p-{i}",
                    merchant_id=f"merch-{i % 50}",
                    amount_paise=300,
                    balance_after_paise=balance,
                    occurred_at=at,
                )
            )
        elif kind == 3:
            balance -= 200
            events.append(
                WalletTransferSent(
                    wallet_id=wallet_id,
                    transfer_id=f"tr-{i}",
                    to_wallet_id=other,
                    amount_paise=200,
                    balance_after_paise=balance,
                    occurred_at=at,
                )
            )
        else:
            balance += 100
            events.append(
                WalletTransferReceived(
                    wallet_id=wallet_id,
                    transfer_id=f"tr-in-{i}",
                    from_wallet_id=other,
                    amount_paise=100,
                    balance_after_paise=balance,
                    occurred_at=at,
                )
            )
    return events


async def phase_load(report: Report, pool: Any, warm_wallet: str, args: argparse.Namespace) -> float:
    events = args.events
    print(f"-- 3. cold load of a wallet with {events:,} events: snapshot_every={SNAPSHOT_EVERY} vs 0")
    wallet_id = new_wallet_id()
    stream_id = WALLET.stream_id(wallet_id)
    writer = PostgresEventStore(pool, group_commit=False)
    new = new_events(history(wallet_id, events), EventMetadata())
    behind = SNAPSHOT_EVERY // 2
    head, tail = new[:-behind], new[-behind:]
    version = NO_STREAM
    for start in range(0, len(head), 500):
        result = await writer.append([AppendStream(stream_id, WALLET.name, version, head[start : start + 500])])
        version = result.versions[stream_id]

    def loader(snapshot_every: int) -> Loader:
        # A fresh store object: the loader's cache (command_service/handling/cache.py) is per store.
        store = PostgresEventStore(pool, group_commit=False)
        return Loader(store, aggregates(WalletSettings(snapshot_every_wallet=snapshot_every)))

    # The snapshot the service's own loader saves (a cold load that folded >= snapshot_every events),
    # then events after it, as a wallet has between two snapshots.
    with Timer() as first:
        await load_wallet(loader(SNAPSHOT_EVERY), wallet_id)
    snapshot = await writer.latest_snapshot(stream_id)
    assert snapshot is not None and snapshot.version == version, (snapshot, version)
    result = await writer.append([AppendStream(stream_id, WALLET.name, version, tail)])
    assert result.versions[stream_id] == events
    print(
        f"   seeded; the loader's first cold load folded {version:,} events and saved a snapshot "
        f"({first.elapsed:.2f}s); {behind} events after it",
        flush=True,
    )
    for every in (0, SNAPSHOT_EVERY):  # warm-up: statements on the connections, not the wallet
        await load_wallet(loader(every), warm_wallet)

    async def timed(every: int, at_most: int, budget: float) -> tuple[list[float], Any]:
        times: list[float] = []
        state: Any = None
        spent = time.perf_counter() + budget
        while len(times) < at_most and (len(times) < 2 or time.perf_counter() < spent):
            load = loader(every)
            with Timer() as t:
                state, loaded_version = await load_wallet(load, wallet_id)
            assert loaded_version == events, loaded_version
            times.append(t.elapsed)
        return times, state

    # Where a snapshot load's time goes: fetching the snapshot, restoring it, folding the events after it.
    kind = aggregates(WalletSettings(snapshot_every_wallet=SNAPSHOT_EVERY))[0]
    fresh = PostgresEventStore(pool, group_commit=False)
    with Timer() as fetched:
        got = await fresh.latest_snapshot(stream_id)
    assert got is not None
    with Timer() as restored:
        state = kind.restore(got.state)
    with Timer() as folded:
        for env in await fresh.read_stream(stream_id, got.version + 1):
            state = kind.evolve(state, parse_event(env.event_type, env.schema_version, env.data))
    parts = {
        "fetch_ms": fetched.elapsed * 1000,
        "restore_ms": restored.elapsed * 1000,
        "fold_tail_ms": folded.elapsed * 1000,
    }
    report.figure("snapshot_load_parts_ms", {k: round(v, 1) for k, v in parts.items()})
    full_times, full_state = await timed(0, 3, 6.0)
    snap_times, snap_state = await timed(SNAPSHOT_EVERY, 20, 2.0)
    assert full_state.balance_paise == snap_state.balance_paise, (full_state.balance_paise, snap_state.balance_paise)
    if full_state != snap_state:
        report.note("the state restored from the snapshot differs from the folded one (balances agree)")
    ratio = min(full_times) / min(snap_times)
    report.figure(
        "load_10k",
        {
            "events": events,
            "snapshot_every": SNAPSHOT_EVERY,
            "events_after_snapshot": behind,
            "snapshot_bytes": len(json.dumps(snapshot.state)),
            "no_snapshot_s": [round(t, 4) for t in full_times],
            "snapshot_s": [round(t, 4) for t in snap_times],
            "ratio_best": ratio,
            "ratio_median": statistics.median(full_times) / statistics.median(snap_times),
        },
    )
    print(
        f"   no snapshot {1000 * min(full_times):,.0f} ms (best of {len(full_times)}), snapshot "
        f"{1000 * min(snap_times):,.1f} ms (best of {len(snap_times)}): {ratio:.1f}x; snapshot "
        f"{len(json.dumps(snapshot.state)) / 1e6:.1f} MB of JSON ({len(snap_state.payments):,} payments); "
        f"a snapshot load: fetch {parts['fetch_ms']:.0f} ms, restore {parts['restore_ms']:.0f} ms, "
        f"fold of the {behind} events after it {parts['fold_tail_ms']:.0f} ms",
        flush=True,
    )
    return ratio


# -- phase 4 ----------------------------------------------------------------------------------


def wallet_history(wallet_id: str) -> list[DomainEvent]:
    opened = WalletOpened(
        wallet_id=wallet_id,
        customer_id=f"cust-{wallet_id[-8:]}",
        mobile="9876543210",
        kyc_level=KycLevel.FULL,
        balance_after_paise=0,
        occurred_at=QUERY_T,
    )
    topups = [
        WalletToppedUp(
            wallet_id=wallet_id,
            topup_id=f"t-{n}",
            amount_paise=10_000,
            source=TopupSource.UPI,
            reference=f"upi-{n}",
            balance_after_paise=10_000 * n,
            occurred_at=QUERY_T + timedelta(hours=n),
        )
        for n in range(1, 6)
    ]
    return [opened, *topups]


async def seed_wallets(db: Any) -> list[str]:
    """Wallet views and balance-history documents as the projector writes them (the real
    projections, their indexes)."""
    from projector_service.engine.apply import apply_batch
    from projector_service.read_models import ensure_indexes
    from projector_service.registry import default_registry
    from tests.support.views import stored

    registry = default_registry()
    for name in ("wallet_balance_history", "wallet_view", "order_view"):
        projection = registry.projections[name]
        await ensure_indexes(db, registry.indexes_for(projection), projection.collection)
    ids = [new_wallet_id() for _ in range(QUERY_WALLETS)]
    events = [e for wallet_id in ids for e in stored(wallet_id, WALLET.name, wallet_history(wallet_id))]
    for name in ("wallet_balance_history", "wallet_view"):  # the read answers from both
        projection = registry.projections[name]
        await apply_batch(db[projection.collection], projection, events)
    return ids


async def probe_latency(port: int, paths: dict[str, list[str]], db: Any, wallets: list[str]) -> dict[str, float]:
    """Median latency of one request at a time, each kind, and of the history query on MongoDB
    alone, with the index hint the query service sends and without it."""
    out: dict[str, float] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, headers=auth.STAFF) as http:
        for kind, kind_paths in paths.items():
            times = []
            for path in kind_paths[1:6]:
                started = time.perf_counter()
                http.get(path).raise_for_status()
                times.append(time.perf_counter() - started)
            out[f"http_{kind}"] = round(1000 * statistics.median(times), 2)
    history = db["wallet_balance_history"]
    for hinted in (True, False):
        times = []
        for wallet_id in wallets[1:6]:
            cursor = history.find({"wallet_id": wallet_id, "sort_key": {"$lt": "2026-11-28T12:00:00.000000}"}})
            cursor = cursor.sort("sort_key", -1)
            if hinted:
                cursor = cursor.hint("by_wallet_time")
            started = time.perf_counter()
            found = await cursor.limit(1).to_list()
            times.append(time.perf_counter() - started)
            assert found and found[0]["balance_after_paise"] == 20_000, found
        out["mongo_history_hinted" if hinted else "mongo_history_unhinted"] = round(1000 * statistics.median(times), 2)
    return out


async def phase_query(report: Report, args: argparse.Namespace) -> float:
    print(f"-- 4. GET balance?as_of= vs GET order, {args.connections} connections, {args.rounds} rounds x 3s")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    name = f"bench_wallets_{uuid.uuid4().hex[:8]}"
    db = client[name]
    server = None
    try:
        orders = await seed_orders(db)
        wallets = await seed_wallets(db)
        port = int(args.port)
        server = start_server(port, name, routed=False)
        wait_ready(f"http://127.0.0.1:{port}")
        paths = {
            "order": [f"/v1/orders/{i}" for i in orders],
            "balance": [f"/v1/wallets/{w}/balance?as_of={AS_OF}" for w in wallets],
        }
        # Sanity: the read answers what was seeded (the third event's balance at as_of).
        check = httpx.get(f"http://127.0.0.1:{port}{paths['balance'][0]}", timeout=10, headers=auth.STAFF)
        assert check.status_code == 200, (check.status_code, check.text)
        assert check.json()["balance_paise"] == 20_000, check.text
        assert (
            httpx.get(f"http://127.0.0.1:{port}{paths['order'][0]}", timeout=10, headers=auth.STAFF).status_code == 200
        )
        probe = await probe_latency(port, paths, db, wallets)
        report.figure("query_probe_ms", probe)
        print(f"   one request at a time (median ms): {json.dumps(probe)}", flush=True)
        if probe["mongo_history_hinted"] > 5 * probe["mongo_history_unhinted"]:
            report.note(
                f"the balance-history query with the index hint the query service sends takes "
                f"{probe['mongo_history_hinted']} ms on the MongoDB stand-in, {probe['mongo_history_unhinted']} ms "
                f"without it: the hint, not the route, bounds GET balance?as_of="
            )
        runs: dict[str, list[dict[str, Any]]] = {}
        for rnd in range(args.rounds):
            for kind, kind_paths in paths.items():
                result = await run_load(port, kind_paths, connections=args.connections, seconds=3.0)
                summary = {**result.summary(), "statuses": result.statuses}
                runs.setdefault(kind, []).append(summary)
                print(f"   round {rnd + 1} {kind:<8} {json.dumps(summary)}", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        await client.drop_database(name)
        await client.close()
    best = {kind: max(r["rate_per_s"] for r in values) for kind, values in runs.items()}
    errors = {kind: sum(r["errors"] for r in values) for kind, values in runs.items()}
    report.figure("query_runs", runs)
    report.figure("query_best_per_s", best)
    if any(errors.values()):
        report.note(f"query errors (status >= 400): {errors}")
    for kind, values in runs.items():
        if not any(r["requests"] for r in values):
            report.note(
                f"no {kind} read completed inside the measured windows: each took longer than the warm-up plus "
                f"the window at {args.connections} connections (see query_probe_ms)"
            )
    ratio = best["balance"] / best["order"] if best["order"] else 0.0
    p99 = {kind: min(r["p99_ms"] for r in values) for kind, values in runs.items()}
    report.figure("query_best_p99_ms", p99)
    print(
        f"   balance {best['balance']:,.0f}/s vs order {best['order']:,.0f}/s = {ratio:.2f}x "
        f"(p99 {p99['balance']} ms vs {p99['order']} ms)",
        flush=True,
    )
    return ratio


# -- the run ----------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> Report:
    report = WalletsReport(
        "bench_wallets",
        config={
            "writers": WRITERS,
            "seconds_per_run": args.seconds,
            "rounds": args.rounds,
            "zipf_s": ZIPF_S,
            "hot_wallets": HOT_WALLETS,
            "load_events": args.events,
            "snapshot_every": SNAPSHOT_EVERY,
            "connections": args.connections,
            "loop": "uvloop (as the command service)",
        },
    )
    print(f"wallets: load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores", flush=True)
    async with fresh_database("wallets") as dsn, fresh_database("wallets_es") as es_dsn:
        pool = await bahi_pool(dsn, WRITERS)
        try:
            store = PostgresEventStore(pool)  # as the command service runs it: group commit on
            world = BenchWorld(store=store, max_attempts=Settings().max_conflict_retries)
            best, some_wallet = await phase_transfers(report, world, store, es_dsn, args)
            hot = await phase_hot(report, world, args)
            load_ratio = await phase_load(report, pool, some_wallet, args)
        finally:
            await pool.close()
    query_ratio = await phase_query(report, args)

    vs_append = best["transfer"] / best["append"]
    report.figure("transfer_vs_append", vs_append)
    report.figure("transfer_vs_append_bare", best["transfer"] / best["append_bare"])
    report.target("transfers vs bahi append (2 events + 1 idempotency record/append)", vs_append, 0.5, "x")
    vs_es = None
    if "es" in best:
        vs_es = best["transfer"] / best["es"]
        report.figure("transfer_vs_eventsourcing", vs_es)
        report.target("transfers vs eventsourcing", vs_es, 10, "x")
    outcomes = hot["outcomes"]
    report.targets.append(AtMost("hot wallets: 5xx/exceptions", outcomes["5xx"], 0, "errors"))
    report.target(f"{args.events // 1000}k-event load: snapshot vs none", load_ratio, 20, "x")
    report.target("balance as_of vs order read", query_ratio, 0.7, "x")
    es_text = f", {vs_es:.1f}x eventsourcing" if vs_es is not None else ""
    report.finish(
        f"P2P transfers {fmt(best['transfer'])}/s ({vs_append:.2f}x bahi append, "
        f"{best['transfer'] / best['append_bare']:.2f}x without its record{es_text}); hot wallets "
        f"{fmt(hot['transfers_per_s'])}/s, 409 {100 * hot['rate_409']:.2f}%, p99 {hot['p99_ms']} ms, "
        f"{outcomes['5xx']} 5xx; {args.events:,}-event load {load_ratio:.0f}x faster with snapshots; "
        f"balance as_of {query_ratio:.2f}x order read"
    )
    return report


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of one run of one variant")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--events", type=int, default=LOAD_EVENTS, help="events of the wallet loaded in phase 3")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port", default="18712", help="the query server's port (phase 4)")
    parser.add_argument("--no-es", action="store_true", help="skip the eventsourcing comparison")
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse()
    run(lambda: main(options), loop="uvloop")
