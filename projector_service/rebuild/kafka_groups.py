"""Deleting a rebuild's consumer group once nothing reads under it.

A Kafka rebuild commits its offsets under a group of its own (`RebuildRecord.group`); the
live projector consumes under `<prefix>.<projection>` and never reads the rebuild's offsets,
so a finished, failed or abandoned rebuild's group is only clutter on the broker. Deleting one
never fails the caller: a group already gone (or that never committed) counts as deleted, a
group with members (its process alive after all) is left for later, and a broker error is
logged and returned.

The rebuild's consumer takes its partitions by `assign`, not as a group member: the broker
sees its group as empty even while it runs, and a commit after the deletion creates the group
anew. A rebuild therefore deletes its own group after its source stopped, and one cleaned up
while it was in fact alive deletes it again when it stops (it fails at its next heartbeat).

aiokafka 0.14's admin client has no `delete_consumer_groups`: this sends the broker's
DeleteGroups request (KIP-229) to the group's coordinator itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import DeleteGroupsRequest

log = logging.getLogger(__name__)

DELETED, GONE, NOT_EMPTY, FAILED = "deleted", "already gone", "left for later: it has members", "failed"
_NONE, _NOT_EMPTY, _NOT_FOUND = 0, 68, 69  # Kafka error codes of a DeleteGroups result
_ATTEMPTS = 3  # a coordinator that moved or is loading answers a retriable error


@dataclass(frozen=True)
class GroupDeletion:
    group: str
    outcome: str
    error: str | None = None

    @property
    def done(self) -> bool:
        """The group is not on the broker any more."""
        return self.outcome in (DELETED, GONE)

    def __str__(self) -> str:
        return f"{self.outcome}: {self.error}" if self.error else self.outcome


class GroupDeleter(Protocol):
    async def delete(self, group: str) -> GroupDeletion: ...


class ConsumerGroups:
    """Deletes consumer groups through an admin client opened for the call."""

    def __init__(self, bootstrap: str, *, timeout_seconds: float = 15.0) -> None:
        self._bootstrap = bootstrap
        self._timeout = timeout_seconds

    async def delete(self, group: str) -> GroupDeletion:
        try:
            async with asyncio.timeout(self._timeout):
                code = await self._delete(group)
        except Exception as exc:
            log.warning("consumer group %s not deleted", group, exc_info=True)
            return GroupDeletion(group, FAILED, f"{type(exc).__name__}: {exc}")
        if code == _NONE:
            return GroupDeletion(group, DELETED)
        if code == _NOT_FOUND:
            return GroupDeletion(group, GONE)
        if code == _NOT_EMPTY:
            log.warning("consumer group %s still has members: left for later", group)
            return GroupDeletion(group, NOT_EMPTY)
        error = for_code(code).__name__
        log.warning("consumer group %s not deleted: %s", group, error)
        return GroupDeletion(group, FAILED, error)

    async def _delete(self, group: str) -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            code = _NONE
            for attempt in range(_ATTEMPTS):
                coordinator = await admin.find_coordinator(group)
                response = await admin._send_request(DeleteGroupsRequest([group]), coordinator)
                [(_, code)] = [(g, c) for g, c in response.results if g == group]
                if not code or not for_code(code).retriable or attempt == _ATTEMPTS - 1:
                    break
                await asyncio.sleep(0.2 * (attempt + 1))
            return int(code)
        finally:
            await admin.close()
