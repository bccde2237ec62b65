"""The end checks of a chaos run, as pure functions of what was read (the client's log, the
store's events, the views' documents), each returning the problems it found: so that
tests/chaos/test_checks.py can plant a fault (an event missing or twice, a view off by one, a
paisa created) and see it named. `tests.chaos.verify` reads the real stores and calls these."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from tests.chaos.client import Operation


@dataclass(frozen=True)
class StoredEvent:
    stream_id: str
    version: int
    position: int
    event_type: str
    correlation_id: str | None
    command_id: str | None
    actor: str | None
    data: Mapping[str, Any]


def log_against_store(operations: Iterable[Operation], events: Iterable[StoredEvent], actor: str) -> list[str]:
    """Every 2xx command has its events in the store (the one its consistency token names, made by
    a request with its key), made once (one command id per key); a refused command has none."""
    at: dict[tuple[str, int], StoredEvent] = {}
    commands: dict[str, set[str]] = defaultdict(set)
    for event in events:
        at[(event.stream_id, event.version)] = event
        if event.actor == actor and event.correlation_id is not None and event.command_id is not None:
            commands[event.correlation_id].add(event.command_id)
    problems: list[str] = []
    for op in operations:
        if not op.is_command or op.status is None:
            continue
        made = commands.get(op.key, set())
        if not op.accepted:
            if made:
                problems.append(f"{op.kind} {op.key} was refused ({op.status}) yet appended {len(made)} command(s)")
            continue
        if op.token is None:
            problems.append(f"{op.kind} {op.key}: a {op.status} without a consistency token")
            continue
        event = at.get((op.token["stream_id"], op.token["version"]))
        if event is None:
            problems.append(f"{op.kind} {op.key}: {op.status}, yet {op.token} is not in the store")
        elif event.position != op.token["position"] or event.correlation_id != op.key:
            problems.append(f"{op.kind} {op.key}: {op.token} holds another command's event ({event.correlation_id})")
        if len(made) != 1:
            problems.append(f"{op.kind} {op.key}: {op.status}, appended by {len(made)} commands (want exactly 1)")
    return problems


def streams_gap_free(events: Iterable[StoredEvent]) -> list[str]:
    versions: dict[str, list[int]] = defaultdict(list)
    for event in events:
        versions[event.stream_id].append(event.version)
    return [
        f"stream {stream_id}: versions {sorted(found)[:10]}... not 1..{len(found)}"
        for stream_id, found in versions.items()
        if sorted(found) != list(range(1, len(found) + 1))
    ]


def saga_effects(operations: Iterable[Operation], events: Iterable[StoredEvent]) -> list[str]:
    """The payment saga's effect, exactly once: an order whose failed payment was accepted is
    cancelled once; one whose capture was accepted is confirmed once and never cancelled."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        counts[event.stream_id][event.event_type] += 1
    problems = []
    for op in operations:
        if op.kind != "payment" or not op.accepted or op.body is None:
            continue
        order_id = op.path.split("/")[3]
        seen = counts[order_id]
        if op.body["status"] == "failed" and seen["OrderCancelled"] != 1:
            problems.append(f"order {order_id}: payment failed, cancelled {seen['OrderCancelled']} times (want 1)")
        if op.body["status"] == "captured" and (seen["OrderConfirmed"] != 1 or seen["OrderCancelled"]):
            problems.append(f"order {order_id}: captured, yet {dict(seen)}")
    return problems


def money(funds: Mapping[str, int], operations: Iterable[Operation], balances: Mapping[str, int]) -> list[str]:
    """Each wallet's balance (as a view or the store says) is its funding plus the transfers it
    received less those it sent, of the transfers that got a 2xx; and the total is the funding."""
    expected = dict(funds)
    for op in operations:
        if op.kind == "transfer" and op.accepted and op.body is not None:
            sender = op.path.split("/")[3]
            expected[sender] -= op.body["amount_paise"]
            expected[op.body["to_wallet_id"]] += op.body["amount_paise"]
    problems = [
        f"wallet {wallet}: balance {balances.get(wallet)} paise, {want} wanted"
        for wallet, want in expected.items()
        if balances.get(wallet) != want
    ]
    if sum(balances.values()) != sum(funds.values()):
        problems.append(f"money: wallets hold {sum(balances.values())} paise in all, {sum(funds.values())} were put in")
    return problems


def stock(
    initial: Mapping[str, int],
    operations: Iterable[Operation],
    live_order_lines: Iterable[tuple[str, int]],
    products: Mapping[str, Mapping[str, int]],
) -> list[str]:
    """Per SKU: units sold (on orders not cancelled) + available = stocked (created + restocks
    that got a 2xx), and on hand = stocked (nothing ships in this load)."""
    stocked = dict(initial)
    for op in operations:
        if op.kind == "restock" and op.accepted and op.body is not None:
            stocked[op.path.split("/")[3]] += op.body["quantity"]
    sold: Counter[str] = Counter()
    for sku, quantity in live_order_lines:
        sold[sku] += quantity
    problems = []
    for sku, want in stocked.items():
        view = products.get(sku)
        if view is None:
            problems.append(f"{sku}: no product document")
            continue
        if sold[sku] + view["available"] != want or view["on_hand"] != want or view["reserved"] != sold[sku]:
            problems.append(
                f"{sku}: sold {sold[sku]} + available {view['available']} != stocked {want} "
                f"(on hand {view['on_hand']}, reserved {view['reserved']})"
            )
    return problems


def checksum(documents: Iterable[Mapping[str, Any]]) -> tuple[int, str]:
    """(documents, sha256 over them in _id order, each with its keys sorted): equal content,
    whatever order the fields were written in (multi-stream views' maps follow arrival order)."""
    ordered = sorted(documents, key=lambda d: str(d["_id"]))
    digest = hashlib.sha256()
    for doc in ordered:
        digest.update(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS, default=str))
    return len(ordered), digest.hexdigest()


def views_equal(live: Mapping[str, tuple[int, str]], rebuilt: Mapping[str, tuple[int, str]]) -> list[str]:
    return [
        f"{name}: live {live.get(name)} != rebuilt from scratch {rebuilt.get(name)}"
        for name in sorted(set(live) | set(rebuilt))
        if live.get(name) != rebuilt.get(name)
    ]


def first_differences(
    live: Iterable[Mapping[str, Any]], rebuilt: Iterable[Mapping[str, Any]], limit: int = 3
) -> list[str]:
    """Where two versions of a view differ: up to `limit` documents, each with its differing fields."""
    ours = {str(d["_id"]): d for d in live}
    theirs = {str(d["_id"]): d for d in rebuilt}
    found = []
    for doc_id in sorted(set(ours) | set(theirs)):
        a, b = ours.get(doc_id), theirs.get(doc_id)
        if a is None or b is None:
            found.append(f"{doc_id}: only in {'the rebuild' if a is None else 'the live view'}")
        else:
            fields = [f"{k}: {a.get(k)!r} != {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
            if not fields:
                continue
            found.append(f"{doc_id}: {'; '.join(fields)[:400]}")
        if len(found) >= limit:
            break
    return found
