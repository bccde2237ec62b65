"""Applies a batch of events to one projection's collection, effectively once.

Events of one document are coalesced into one write. Each document records the
last stream version applied; events at or below it are redeliveries and change
nothing. Writes are guarded by the version read (optimistic), so two projector
processes racing during a rebalance cannot lose an update: a write whose guard
failed is recomputed from the document as it now is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from projector_service.projections.base import Document, Projection
from shared.envelope import EventEnvelope
from shared.events import parse_event

_DUPLICATE_KEY = 11000
MAX_ROUNDS = 10


def group_by_document(projection: Projection, events: Iterable[EventEnvelope]) -> dict[str, list[EventEnvelope]]:
    groups: dict[str, list[EventEnvelope]] = {}
    for env in events:
        if env.stream_type in projection.stream_types and (doc_id := projection.doc_id(env)) is not None:
            groups.setdefault(doc_id, []).append(env)
    return groups


def fold(projection: Projection, doc: Document | None, events: list[EventEnvelope]) -> Document | None:
    """The document after the events it has not seen yet (pure)."""
    for env in events:
        if projection.multi_stream:
            applied: dict[str, int] = dict(doc.get("_applied", {})) if doc is not None else {}
            if env.version <= applied.get(env.stream_id, 0):
                continue
            new = projection.apply(doc, parse_event(env.event_type, env.schema_version, env.data), env)
            if new is not None:
                applied[env.stream_id] = env.version
                revision = (doc or {}).get("version", 0) + 1
                doc = {**new, "_applied": applied, "version": revision, "position": env.position}
            continue
        if doc is not None and env.version <= doc.get("version", 0):
            continue
        new = projection.apply(doc, parse_event(env.event_type, env.schema_version, env.data), env)
        if new is not None:
            doc = {**new, "version": env.version, "position": env.position}
    return doc


async def apply_batch(collection: AsyncCollection[Any], projection: Projection, events: Iterable[EventEnvelope]) -> int:
    """Apply and return the number of documents written."""
    pending = group_by_document(projection, events)
    written = 0
    for _ in range(MAX_ROUNDS):
        if not pending:
            return written
        current = {doc["_id"]: doc async for doc in collection.find({"_id": {"$in": list(pending)}})}
        ops: list[InsertOne[Any] | ReplaceOne[Any]] = []
        for doc_id, envs in pending.items():
            old = current.get(doc_id)
            new = fold(projection, old, envs)
            if new is None or new is old:
                continue
            if old is None:
                ops.append(InsertOne(new))
            else:
                ops.append(ReplaceOne({"_id": doc_id, "version": old["version"]}, new))
        if not ops:
            return written
        try:
            result = await collection.bulk_write(ops, ordered=False)
            done = result.inserted_count + result.matched_count
        except BulkWriteError as exc:
            details = exc.details
            if any(err.get("code") != _DUPLICATE_KEY for err in details.get("writeErrors", [])):
                raise
            done = details.get("nInserted", 0) + details.get("nMatched", 0)
        written += done
        if done == len(ops):
            return written
        # Some guard failed: another writer got there first. Recompute those
        # documents from what is stored now; the ones already current are skipped.
    raise RuntimeError(f"{projection.name}: documents kept changing under the projector")
