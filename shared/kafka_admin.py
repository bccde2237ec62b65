"""Topic provisioning: one topic per aggregate type, replayable forever (retention.ms=-1)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError, UnknownTopicOrPartitionError
from aiokafka.protocol.metadata import MetadataRequest

from shared.contexts import catalog
from shared.streams import topic_for

log = logging.getLogger(__name__)


async def described(admin: AIOKafkaAdminClient, topics: Iterable[str]) -> dict[str, list[int]]:
    """The partitions of each of `topics` that exists (a missing topic is left out), from fresh metadata.

    Asks for the named topics only, and says the broker must not create them: a broker that
    auto-creates topics would otherwise make a mistyped prefix look like an empty history, and
    asking for every topic instead costs a decode of the whole cluster's metadata (on a broker
    shared by many test runs, thousands of topics: about 0.1 s of CPU per call)."""
    names = sorted(set(topics))
    if not names:
        return {}
    response = await admin._send_request(MetadataRequest(names, allow_auto_topic_creation=False))
    return {
        str(topic["topic"]): sorted(int(p["partition"]) for p in topic["partitions"])
        for topic in response.to_object()["topics"]
        if topic["error_code"] != UnknownTopicOrPartitionError.errno
    }


async def topic_partitions(admin: AIOKafkaAdminClient, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the topics that exist, in topic then partition order."""
    found = await described(admin, topics)
    return [TopicPartition(topic, p) for topic, parts in sorted(found.items()) for p in parts]


async def ensure_topics(
    bootstrap: str, prefix: str, partitions: int, *, stream_types: Iterable[str] | None = None, attempts: int = 60
) -> list[str]:
    """Create the event topics that are missing: those of `stream_types` (default: every stream
    type of `shared.contexts.CONTEXTS`). Waits (with backoff) for a broker that is down."""
    types = list(catalog().stream_types) if stream_types is None else list(stream_types)
    names = [topic_for(stream_type, prefix) for stream_type in types]
    delay = 0.2
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            await admin.start()
            existing = set(await described(admin, names))
            missing = [
                NewTopic(name, num_partitions=partitions, replication_factor=1, topic_configs={"retention.ms": "-1"})
                for name in names
                if name not in existing
            ]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent starter made it
                    await admin.create_topics(missing)
            return names
        except KafkaConnectionError:
            if attempt == attempts - 1:
                raise
            log.warning("kafka not reachable at %s, retrying in %.1fs", bootstrap, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        finally:
            await admin.close()
    return names
