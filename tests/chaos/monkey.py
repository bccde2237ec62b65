"""When and what to kill, by observed progress only: the next kill waits until the load got
`every` more commands accepted since the previous restart and every earlier kill has recovered
(so each kill lands on a system that works, under the load, which never pauses). Every
`overlap_every`-th kill takes two components down together. An app process is restarted as soon
as it is gone; a server stays down until its outage is observed where its neighbours meet it
(PostgreSQL: the command service answering 503 with Retry-After or failing /readyz; MongoDB: the
same from the query service; Kafka: commands still accepted without it), then restarted.

Recovery of a kill: from the SIGKILL until the component is ready again and a command accepted
after that shows in its view through the query service (`min_version` of its consistency token):
the whole path, store to view, flows again."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from tests.chaos.client import ClientLog, Operation
from tests.chaos.components import Component
from tests.support import auth

STALL_SECONDS = 240.0
"""A wait for progress (commands accepted, a recovery) fails once nothing moved for this long."""
OUTAGE_OBSERVED_WITHIN = 60.0
RECOVERY_CEILING = 1800.0
"""A view's recovery waits while the projector applies events, but not longer than this."""
_APPLIED = "bahi_projector_events_total{"

VIEW_OF = {"order": "/v1/orders/", "payment": "/v1/orders/", "restock": "/v1/products/", "transfer": "/v1/wallets/"}
"""The view a command's effect shows in, by the command's kind."""


def view_path(op: Operation) -> str:
    """The query service's read of the document an accepted command changed (its first stream's)."""
    key = str(op.answer["order_id"]) if op.kind == "order" else op.path.split("/")[3]
    return VIEW_OF[op.kind] + key


@dataclass
class Kill:
    component: str
    at: float
    overlapped_with: str | None = None
    outage_observed: str | None = None
    recovered_after: float | None = None


@dataclass
class Monkey:
    components: dict[str, Component]
    log: ClientLog
    query_url: str
    command_url: str
    kills_each: int
    every: int
    overlap_every: int = 4
    seed: int = 7
    kills: list[Kill] = field(default_factory=list)
    _recoveries: list[asyncio.Task[None]] = field(default_factory=list)

    def schedule(self) -> list[list[str]]:
        """Rounds of every component in a random order; some kills paired (both down at once)."""
        rng = random.Random(self.seed)
        order: list[str] = []
        for _ in range(self.kills_each):
            names = sorted(self.components)
            rng.shuffle(names)
            order.extend(names)
        steps: list[list[str]] = []
        index = 0
        while index < len(order):
            pair = len(steps) % self.overlap_every == self.overlap_every - 1 and index + 1 < len(order)
            if pair and order[index] != order[index + 1]:
                steps.append(order[index : index + 2])
                index += 2
            else:
                steps.append([order[index]])
                index += 1
        return steps

    async def run(self) -> None:
        async with httpx.AsyncClient(headers=auth.STAFF) as http:
            mark = self.log.accepted_count
            for step in self.schedule():
                await self._until(lambda m=mark: self.log.accepted_count >= m + self.every, "commands accepted")
                await self._recovered()
                print(f"[chaos] kill {'+'.join(step)} at {self.log.accepted_count} accepted", flush=True)
                kills = []
                for name in step:
                    kill = Kill(name, time.monotonic(), overlapped_with=next((n for n in step if n != name), None))
                    await self.components[name].kill()
                    kills.append(kill)
                for kill in kills:
                    kill.outage_observed = await self._observe_outage(kill.component, http, step)
                    self.components[kill.component].start()
                for kill in kills:
                    self.kills.append(kill)
                    self._recoveries.append(asyncio.create_task(self._recovery(kill, http)))
                mark = self.log.accepted_count
            await self._recovered()

    async def _recovered(self) -> None:
        for task in self._recoveries:
            await task

    async def _until(self, done: Callable[[], bool], what: str) -> None:
        seen, moved_at = self.log.accepted_count, time.monotonic()
        while not done():
            if self.log.accepted_count != seen:
                seen, moved_at = self.log.accepted_count, time.monotonic()
            if time.monotonic() - moved_at > STALL_SECONDS:
                raise AssertionError(f"no progress for {STALL_SECONDS:.0f}s waiting for {what}: {self._states()}")
            await asyncio.sleep(0.05)

    def _states(self) -> str:
        return ", ".join(f"{c.name}={'down' if c.down else c.pid}" for c in self.components.values())

    async def _observe_outage(self, name: str, http: httpx.AsyncClient, step: list[str]) -> str | None:
        """Wait (bounded) until the server's outage shows at its neighbour; None for app processes,
        or when the neighbour that would show it is down too."""
        probes = {"postgres": ("command", self.command_url), "mongo": ("query", self.query_url)}
        deadline = time.monotonic() + OUTAGE_OBSERVED_WITHIN
        if name in probes:
            neighbour, url = probes[name]
            if neighbour in step or self.components[neighbour].down:
                return None
            seen = self.log.unavailable_with_retry_after[neighbour]
            while time.monotonic() < deadline:
                if self.log.unavailable_with_retry_after[neighbour] > seen:
                    return f"{neighbour} answered 503 with Retry-After"
                try:
                    # longer than the service's own ready check (1 s) and its driver's server selection (2 s)
                    if (await http.get(f"{url}/readyz", timeout=5.0)).status_code == 503:
                        return f"{neighbour} /readyz 503"
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.05)
            raise AssertionError(f"{name} down for {OUTAGE_OBSERVED_WITHIN:.0f}s and {neighbour} never said so")
        if name == "kafka":
            if any(n in step for n in ("command", "postgres")):
                return None
            mark = self.log.accepted_count
            while time.monotonic() < deadline:
                if self.log.accepted_count >= mark + 3:
                    return "commands accepted while the broker was down"
                await asyncio.sleep(0.05)
            raise AssertionError(f"no command accepted in {OUTAGE_OBSERVED_WITHIN:.0f}s while only the broker was down")
        return None

    async def _recovery(self, kill: Kill, http: httpx.AsyncClient) -> None:
        component = self.components[kill.component]
        await self._wait(lambda: component.ready(http), f"{kill.component} ready again")
        back = time.monotonic()
        op = await self._accepted_after(back)
        assert op.token is not None
        path, version = view_path(op), op.token["version"]
        last: list[str] = []

        async def in_view() -> bool:
            try:
                answer = await http.get(f"{self.query_url}{path}", params={"min_version": version})
            except httpx.HTTPError as exc:
                last[:] = [type(exc).__name__]
                return False
            last[:] = [f"{answer.status_code} {answer.headers.get('X-Consistency-Timeout')} {answer.text[:200]}"]
            return answer.status_code == 200 and answer.headers.get("X-Consistency-Timeout") != "true"

        await self._wait(
            in_view,
            lambda: f"{path} at version {version} after {kill.component} came back: {last}",
            progress=lambda: self._projected(http),
        )
        kill.recovered_after = time.monotonic() - kill.at

    async def _projected(self, http: httpx.AsyncClient) -> float | None:
        """The events the projector applied since it started (its /metrics), or None when it does
        not answer: the view's wait goes on while this moves (a projector catching up on the
        backlog of an outage while the load goes on) and fails once it stood still."""
        projector = self.components["projector"]
        if projector.service is None or projector.down:
            return None
        try:
            text = (await http.get(f"{projector.service.url}/metrics", timeout=5.0)).text
        except httpx.HTTPError:
            return None
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(_APPLIED))

    async def _accepted_after(self, moment: float) -> Operation:
        async def found() -> bool:
            return any(self._probe_of(op, moment) for op in reversed(self.log.operations[-200:]))

        await self._wait(found, "a command accepted after the restart")
        return next(op for op in reversed(self.log.operations) if self._probe_of(op, moment))

    @staticmethod
    def _probe_of(op: Operation, moment: float) -> bool:
        return op.accepted and op.kind in VIEW_OF and op.token is not None and op.answered_at >= moment

    async def _wait(
        self,
        check: Callable[[], Awaitable[bool]],
        what: str | Callable[[], str],
        progress: Callable[[], Awaitable[float | None]] | None = None,
    ) -> None:
        """Until `check` holds; fails after STALL_SECONDS without it, or, given `progress`, after
        STALL_SECONDS in which `progress` did not move (and at the latest after RECOVERY_CEILING)."""
        started = time.monotonic()
        deadline = started + STALL_SECONDS
        seen = await progress() if progress is not None else None
        polls = 0
        while not await check():
            now = time.monotonic()
            if progress is not None and (polls := polls + 1) % 10 == 0:
                moved = await progress()
                if moved is not None and moved != seen:
                    seen, deadline = moved, min(now + STALL_SECONDS, started + RECOVERY_CEILING)
            if now > deadline:
                said = what() if callable(what) else what
                raise AssertionError(f"not within {STALL_SECONDS:.0f}s of no progress: {said} ({self._states()})")
            await asyncio.sleep(0.1)
