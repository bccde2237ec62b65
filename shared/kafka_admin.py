"""Topic provisioning: one topic per aggregate type, replayable forever (retention.ms=-1)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from shared.contexts import catalog
from shared.streams import topic_for

log = logging.getLogger(__name__)


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
            existing = set(await admin.list_topics())
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
