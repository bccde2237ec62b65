"""The process managers' runner stopped with SIGTERM (as `make run`'s Ctrl-C and a container stop
send) stops its consumers before the process ends: each leaves its consumer group at once, so a
restarted runner takes the partitions back without waiting out the session timeout (10 s), and
the next one resumes from the committed offsets."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from command_service.handling import default_registry
from tests.support.infra import Infra, fresh_infra
from tests.support.wallet_http import runner

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
async def saga_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_runner_stop") as value:
        yield value


async def group_states(infra: Infra) -> dict[str, str]:
    groups = [f"{infra.topic_prefix}.saga.{name}" for name in default_registry().process_managers]
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    states = {}
    try:
        for group in groups:  # one by one: aiokafka misreads Kafka 4's answer about several at once
            [described] = await admin.describe_consumer_groups([group])
            [(_, group_id, state, *_)] = described.groups
            states[group_id] = state
    finally:
        await admin.close()
    return states


async def test_a_runner_stopped_with_sigterm_leaves_its_consumer_groups_at_once(saga_infra: Infra) -> None:
    service = runner(saga_infra).start()
    try:
        service.wait_ready(90)  # ready: every process manager's consumer has started
        joined = await group_states(saga_infra)
        assert set(joined.values()) <= {"Stable", "PreparingRebalance", "CompletingRebalance"}, joined
        assert len(joined) == len(default_registry().process_managers)
    finally:
        service.kill(signal.SIGTERM)  # waits for the process to end
    # Right after the process ended: no member left behind (a consumer that did not leave stays
    # a member until its session times out, 10 s after its last heartbeat).
    left = await group_states(saga_infra)
    assert set(left.values()) == {"Empty"}, left
