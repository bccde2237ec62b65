"""Applies a batch of events to one projection's collection, effectively once.

Events of one document are coalesced into one write. Each document records the
last stream version applied; events at or below it are redeliveries and change
nothing. Writes are guarded by the version read (optimistic), so two projector
processes racing during a rebalance cannot lose an update: a write whose guard
failed is recomputed from the document as it now is.

An event the projection cannot apply (unknown type or schema version, invalid
payload, a bug raising in the projection) does not fail the batch:
`apply_checked` reports it, holds the later events of its stream behind it and
writes everything else. The caller parks what was rejected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection

from projector_service.engine import documents
from projector_service.engine.documents import DocCache
from projector_service.engine.projection import Document, Projection
from shared.envelope import EventEnvelope
from shared.events import parse_event

MAX_ROUNDS = 10
YIELD_EVERY = 16
"""Events folded between two yields to the event loop. A projection's fold is plain Python: a batch
of 1,000 events on subjects with long histories (the risk fold reads a subject's last 24 hours)
once held the loop for minutes, and every Kafka consumer of the process missed its heartbeats."""

Pending = dict[str, list[tuple[int, EventEnvelope]]]
Froms = tuple[Document | None, list[tuple[int, EventEnvelope]]]  # a document as read, and its events


class DocumentRefusedError(ValueError):
    """MongoDB refused the document the events made (too large, a field name it does not allow)."""


@dataclass
class Outcome:
    """What `apply_checked` did with a batch; indexes point into the events given."""

    written: int = 0
    failed: dict[int, Exception] = field(default_factory=dict)
    """Events the projection could not apply, with the reason."""
    held: list[int] = field(default_factory=list)
    """Later events of a failed event's stream: not applied, so the stream keeps its order."""


def group_by_document(projection: Projection, events: Iterable[EventEnvelope]) -> dict[str, list[EventEnvelope]]:
    groups: dict[str, list[EventEnvelope]] = {}
    for env in events:
        if env.stream_type in projection.stream_types and (doc_id := projection.doc_id(env)) is not None:
            groups.setdefault(doc_id, []).append(env)
    return groups


def step(projection: Projection, doc: Document | None, env: EventEnvelope) -> Document | None:
    """The document after one event; the same object when the event was applied already (pure)."""
    if projection.multi_stream:
        applied: dict[str, int] = dict(doc.get("_applied", {})) if doc is not None else {}
        if env.version <= applied.get(env.stream_id, 0):
            return doc
        new = projection.apply(doc, parse_event(env.event_type, env.schema_version, env.data), env)
        if new is None:
            return doc
        applied[env.stream_id] = env.version
        revision = (doc or {}).get("version", 0) + 1
        # Streams of one document arrive in an order that depends on partitions and batches: keep what
        # this module adds independent of it (sorted `_applied`, the highest position), so a rebuild
        # gives the same document.
        position = max(env.position, (doc or {}).get("position", 0))
        return {**new, "_applied": dict(sorted(applied.items())), "version": revision, "position": position}
    if doc is not None and env.version <= doc.get("version", 0):
        return doc
    new = projection.apply(doc, parse_event(env.event_type, env.schema_version, env.data), env)
    return doc if new is None else {**new, "version": env.version, "position": env.position}


def fold(projection: Projection, doc: Document | None, events: list[EventEnvelope]) -> Document | None:
    """The document after the events it has not seen yet (pure)."""
    for env in events:
        doc = step(projection, doc, env)
    return doc


def _fail(outcome: Outcome, blocked: dict[str, int], events: list[EventEnvelope], index: int, exc: Exception) -> None:
    stream = events[index].stream_id
    blocked[stream] = min(index, blocked.get(stream, index))
    outcome.failed[index] = exc
    for later in [i for i in outcome.failed if i > blocked[stream] and events[i].stream_id == stream]:
        del outcome.failed[later]  # it is held behind the earlier failure now


def _plan(projection: Projection, events: list[EventEnvelope], blocked: dict[str, int], outcome: Outcome) -> Pending:
    pending: Pending = {}
    for index, env in enumerate(events):
        first_failed = blocked.get(env.stream_id)
        if (first_failed is not None and index >= first_failed) or env.stream_type not in projection.stream_types:
            continue
        try:
            doc_id = projection.doc_id(env)
        except Exception as exc:  # a bug in the projection: this event is parked, the batch goes on
            _fail(outcome, blocked, events, index, exc)  # its stream's later events are skipped from here on
            continue
        if doc_id is not None:
            pending.setdefault(doc_id, []).append((index, env))
    return pending


async def _ops(
    projection: Projection,
    pending: Pending,
    current: dict[str, Document],
    events: list[EventEnvelope],
    blocked: dict[str, int],
    outcome: Outcome,
) -> tuple[list[InsertOne[Any] | ReplaceOne[Any]], list[Document], list[Froms]] | None:
    """The writes bringing every pending document up to date (with what each was made from),
    or None when an event failed."""
    ops: list[InsertOne[Any] | ReplaceOne[Any]] = []
    docs: list[Document] = []
    froms: list[tuple[Document | None, list[tuple[int, EventEnvelope]]]] = []
    failed = False
    folded = 0
    for doc_id, items in pending.items():
        old = new = current.get(doc_id)
        for index, env in items:
            folded += 1
            if folded % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # the heartbeats, the other projections and the HTTP endpoints run
            try:
                new = step(projection, new, env)
            except Exception as exc:  # parse or apply: the event is parked, its stream held
                _fail(outcome, blocked, events, index, exc)
                failed = True
                break
        if failed or new is None or new is old:
            continue
        ops.append(InsertOne(new) if old is None else ReplaceOne({"_id": doc_id, "version": old["version"]}, new))
        docs.append(new)
        froms.append((old, items))
    return None if failed else (ops, docs, froms)


def _created_here(projection: Projection, pending: Pending) -> set[str]:
    """Documents whose first event here is the first of their one stream: absent unless this is a
    redelivery, so not read first (a live batch of new orders costs no find). A redelivered one
    already exists: its insert fails on the duplicate key and it is read and the batch goes again."""
    if projection.multi_stream:
        return set()
    return {doc_id for doc_id, items in pending.items() if items[0][1].version == 1}


def _culprit(projection: Projection, froms: Froms) -> int:
    """The first event after which the document cannot be written; the first event if the server
    refused it for a reason we cannot see here."""
    doc, items = froms
    for index, env in items:
        doc = step(projection, doc, env)
        if doc is not None and documents.unwritable(doc):
            return index
    return items[0][0]


async def apply_checked(
    collection: AsyncCollection[Any],
    projection: Projection,
    events: Iterable[EventEnvelope],
    *,
    cache: DocCache | None = None,
) -> Outcome:
    """Apply what can be applied; report what cannot (and what is held behind it)."""
    events = list(events)
    outcome = Outcome()
    blocked: dict[str, int] = {}
    stale: set[str] = set()
    rounds = 0
    while pending := _plan(projection, events, blocked, outcome):
        current = await documents.load(collection, list(pending), cache, stale, new=_created_here(projection, pending))
        planned = await _ops(projection, pending, current, events, blocked, outcome)
        if planned is None:
            continue  # plan again without the failed streams' rest: every pass blocks one more stream
        ops, docs, froms = planned
        if not ops:
            break
        written = await documents.write(collection, ops, docs)
        outcome.written += written.done
        if written.done == len(ops):
            if cache is not None:
                cache.put(docs)
            break
        for op, reason in written.refused.items():
            _fail(outcome, blocked, events, _culprit(projection, froms[op]), DocumentRefusedError(reason))
        # Some guard failed (another writer got there first) or a document was refused. Recompute
        # from what is stored now; the documents already current are skipped.
        rounds += 1
        if rounds >= MAX_ROUNDS:
            raise RuntimeError(f"{projection.name}: documents kept changing under the projector")
        written_ids = [doc["_id"] for doc in docs]
        stale.update(written_ids)
        if cache is not None:
            cache.forget(written_ids)
    outcome.held = [
        index
        for index, env in enumerate(events)
        if index not in outcome.failed and index > blocked.get(env.stream_id, len(events))
    ]
    return outcome


async def apply_batch(collection: AsyncCollection[Any], projection: Projection, events: Iterable[EventEnvelope]) -> int:
    """Apply and return the number of documents written; raises the first event's error if one failed
    (the events of other streams are written all the same)."""
    outcome = await apply_checked(collection, projection, events)
    if outcome.failed:
        raise next(iter(outcome.failed.values()))
    return outcome.written
