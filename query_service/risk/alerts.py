"""Reading alerts: from the subjects' documents (where the rules put them), each merged with its
review (an alert without one is OPEN). Pure helpers and the MongoDB queries; the routes are in
`routes`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.read_models import CollectionResolver
from shared.risk.read_models import RISK_REVIEW_VIEW, RISK_SUBJECT_VIEW
from shared.risk.values import AlertStatus

_INTERNAL = {"first_t", "last_t", "sort_key"}
_CHUNK = 50


def shown(alert: Mapping[str, Any], review: Mapping[str, Any] | None) -> dict[str, Any]:
    """The alert as answered: without the fold's own fields, with its status and reviews."""
    body = {k: v for k, v in alert.items() if k not in _INTERNAL}
    body["status"] = review["status"] if review else AlertStatus.OPEN.value
    body["reviews"] = list(review["reviews"]) if review else []
    return body


async def reviews_of(db: AsyncDatabase[Any], resolver: CollectionResolver, ids: Iterable[str]) -> dict[str, Any]:
    collection = db[await resolver.live(RISK_REVIEW_VIEW)]
    wanted = list(ids)
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), _CHUNK):
        async for doc in collection.find({"_id": {"$in": wanted[start : start + _CHUNK]}}):
            found[doc["_id"]] = doc
    return found


async def reviewed_ids(db: AsyncDatabase[Any], resolver: CollectionResolver, status: str | None) -> list[str]:
    """The ids of the alerts reviewed (with that status, if given)."""
    collection = db[await resolver.live(RISK_REVIEW_VIEW)]
    query = {"status": status} if status else {}
    return [doc["_id"] async for doc in collection.find(query, {"_id": 1})]


@dataclass(frozen=True)
class AlertFilter:
    status: AlertStatus | None = None
    rule: str | None = None
    subject: str | None = None
    low: str | None = None
    """`first_seen` at or after (the stored RFC 3339 UTC form, comparable as text)."""
    high: str | None = None
    """`first_seen` at or before."""


async def alert_page(
    db: AsyncDatabase[Any], resolver: CollectionResolver, f: AlertFilter, limit: int, before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Alerts newest first (by first seen, then id), `limit` of them after the cursor `before`
    (a sort key), and the next cursor."""
    subjects = db[await resolver.live(RISK_SUBJECT_VIEW)]
    match: dict[str, Any] = {"alert_count": {"$gt": 0}}
    if f.subject:
        match["_id"] = f.subject
    inner: dict[str, Any] = {}
    if f.rule:
        inner["rule"] = f.rule
    sort_key: dict[str, str] = {}
    if f.low:
        sort_key["$gte"] = f.low
    uppers = [f.high + "}"] if f.high else []  # "}" sorts after the "|" that follows each time
    if before:
        uppers.append(before)
    if uppers:
        sort_key["$lt"] = min(uppers)
    if sort_key:
        inner["sort_key"] = sort_key
    if f.status is AlertStatus.OPEN:
        inner["alert_id"] = {"$nin": await reviewed_ids(db, resolver, None)}
    elif f.status is not None:
        inner["alert_id"] = {"$in": await reviewed_ids(db, resolver, f.status.value)}
    pipeline: list[dict[str, Any]] = [
        {"$match": match},
        {"$project": {"alerts": 1}},
        {"$unwind": "$alerts"},
        {"$replaceRoot": {"newRoot": "$alerts"}},
        {"$match": inner},
        {"$sort": {"sort_key": -1}},
        {"$limit": limit + 1},
    ]
    found = await (await subjects.aggregate(pipeline)).to_list()
    more = len(found) > limit
    found = found[:limit]
    reviews = await reviews_of(db, resolver, [a["alert_id"] for a in found])
    items = [shown(a, reviews.get(a["alert_id"])) for a in found]
    return items, (found[-1]["sort_key"] if more and found else None)
