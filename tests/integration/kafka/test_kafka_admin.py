"""Topic metadata against the real broker (which auto-creates topics on request): asking about
a topic that does not exist neither creates it nor reports partitions for it."""

from __future__ import annotations

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.kafka_admin import described, ensure_topics, topic_partitions
from tests.support.infra import fresh_infra, unique

pytestmark = [pytest.mark.integration]


async def test_metadata_of_named_topics_creates_none_and_lists_only_existing_ones(run_id: str) -> None:
    async with fresh_infra(f"{run_id}_ka") as infra:
        made = await ensure_topics(infra.kafka, infra.topic_prefix, 3, stream_types=["order"])
        missing = f"{infra.topic_prefix}.{unique('nope')}"
        admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
        await admin.start()
        try:
            assert await described(admin, [*made, missing]) == {made[0]: [0, 1, 2]}
            assert await topic_partitions(admin, [missing, *made]) == [TopicPartition(made[0], p) for p in range(3)]
            assert missing not in await admin.list_topics()  # asking did not create it
            assert await described(admin, []) == {}
        finally:
            await admin.close()
