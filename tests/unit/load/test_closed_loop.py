"""A closed loop sends every request due within its run, however late it runs: one answer that
comes only after the run's end must not cost the requests due behind it (a count that did would
follow the machine's speed)."""

from __future__ import annotations

import asyncio
import time

from tests.load.driver import Worker
from tests.load.http import Target
from tests.load.plan import Plan, schedule


async def test_a_loop_behind_at_the_end_still_sends_what_was_due() -> None:
    plan = Plan(Target("127.0.0.1", 1), "calibrate", ((100.0, 0.1),), processes=1, connections=1, mode="closed")
    worker = Worker(plan, 0)
    sent: list[float] = []
    t0 = time.perf_counter()

    async def exchange(endpoint: object, path: str, due: float, start: float) -> None:
        if not sent:  # the first answer is held until the run is over
            while time.perf_counter() <= t0 + plan.seconds:
                await asyncio.sleep(0.005)
        sent.append(time.perf_counter())

    worker.exchange = exchange  # type: ignore[method-assign]
    await worker.run_closed(t0)
    assert len(sent) == len(list(schedule(plan, 0))) == 10
    assert sent[-1] > t0 + plan.seconds  # the loop did run late, past the run's end
