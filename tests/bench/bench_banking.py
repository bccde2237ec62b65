"""Benchmark: an account's past state (`GET /v1/accounts/{id}/state?as_of=`) on an account of
10,000 events, against the latest state of the same account, in the same run.

The command service runs as its own process on a fresh database. One CURRENT account gets
`--events` deposits over HTTP (16 connections); the moment after the first half is noted.
Then each read is driven closed loop at 16 connections for `--seconds`:

- latest: `state` (no parameter): the stream's latest snapshot (one every
  BAHI_SNAPSHOT_EVERY_ACCOUNT = 100 events, written as the appends cross each multiple) plus
  the events after it;
- `state?version=<half>`: the latest snapshot at or before that version plus at most 99 events;
- `state?as_of=<the moment after half>`: the latest snapshot recorded by then plus the events
  after it up to that moment (the store filters the stream's later events by recorded time);
- `state?as_of=<now>`: the same at the end of the stream.

The figure: the as-of read's rate as a fraction of the latest-state rate. Prints its figure last; saves
tests/bench/results/bench_banking.json.

    .venv/bin/python -m tests.bench.bench_banking [--events 10000] [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.bench.load import HttpPool, run_load
from tests.support import processes
from tests.support.banking import IFSC
from tests.support.infra import fresh_infra

RESULTS = Path(__file__).resolve().parent / "results"
CONNECTIONS = 16


async def deposits(port: int, account_id: str, first: int, count: int) -> None:
    """`count` deposits of ₹1 (txn ids d-<first>...), CONNECTIONS * 4 in flight at a time."""
    pool = await HttpPool(port, CONNECTIONS).open()
    try:

        async def one(i: int) -> None:
            body = {"txn_id": f"d-{i}", "amount_paise": 100, "mode": "TRANSFER", "narration": f"salary part {i}"}
            status, _, payload = await pool.request(
                "POST", f"/v1/accounts/{account_id}/deposits", json.dumps(body).encode()
            )
            assert status == 200, payload

        last = first + count
        for start in range(first, last, CONNECTIONS * 4):
            await asyncio.gather(*(one(i) for i in range(start, min(start + CONNECTIONS * 4, last))))
    finally:
        await pool.close()


async def open_account(port: int) -> str:
    pool = await HttpPool(port, 1).open()
    try:
        body = {"customer_id": "cust-bench", "holder_name": "Asha Rao", "type": "CURRENT", "branch_ifsc": IFSC}
        status, _, payload = await pool.request("POST", "/v1/accounts", json.dumps(body).encode())
        assert status == 201, payload
        return str(json.loads(payload)["account_id"])
    finally:
        await pool.close()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    async with fresh_infra(f"bench_bank_{uuid.uuid4().hex[:6]}") as infra:
        service = processes.command(infra).start()
        try:
            await asyncio.to_thread(service.wait_ready, 90)
            account = await open_account(service.port)
            half = args.events // 2
            started = time.perf_counter()
            await deposits(service.port, account, 0, half - 1)  # the opening is event 1
            middle = datetime.now(UTC)
            await deposits(service.port, account, half - 1, args.events - half)
            seeding = time.perf_counter() - started
            base = f"/v1/accounts/{account}/state"
            reads = {
                "latest": base,
                f"version={half}": f"{base}?version={half}",
                "as_of the middle": f"{base}?as_of={quote(middle.isoformat())}",
                "as_of now": f"{base}?as_of={quote(datetime.now(UTC).isoformat())}",
            }
            figures = {}
            for label, path in reads.items():
                result = await run_load(service.port, [path], connections=CONNECTIONS, seconds=args.seconds)
                assert result.errors == 0, result.statuses
                figures[label] = result.summary()
                print(f"  {label}: {result.rate:,.1f}/s, p99 {result.percentile(99) * 1000:.1f} ms", flush=True)
        finally:
            service.stop()
    latest = figures["latest"]["rate_per_s"]
    as_of = figures["as_of the middle"]["rate_per_s"]
    ratio = as_of / latest if latest else 0.0
    return {
        "name": "bench_banking",
        "when": datetime.now(UTC).isoformat(),
        "config": {"events": args.events, "seconds": args.seconds, "connections": CONNECTIONS},
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
        "seeding": {
            "deposits": args.events - 1,
            "seconds": round(seeding, 1),
            "per_s": round((args.events - 1) / seeding),
        },
        "reads": figures,
        "as_of_vs_latest": round(ratio, 4),
        "targets": [],
    }


def cli() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    import uvloop

    report = uvloop.run(main(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_banking.json").write_text(json.dumps(report, indent=2) + "\n")
    seed = report["seeding"]
    print(f"seeded {seed['deposits']:,} deposits in {seed['seconds']} s ({seed['per_s']:,}/s)")
    print(f"results: {RESULTS / 'bench_banking.json'}")
    reads = report["reads"]
    latest = reads["latest"]
    middle = reads["as_of the middle"]
    print(
        f"bench_banking: state?as_of= on a {args.events:,}-event account {middle['rate_per_s']:,.1f}/s "
        f"(p99 {middle['p99_ms']} ms) = {report['as_of_vs_latest']:.3f}x the latest state's "
        f"{latest['rate_per_s']:,.1f}/s (p99 {latest['p99_ms']} ms; snapshot every 100 events)"
    )


if __name__ == "__main__":
    cli()
