"""What the chaos suite kills: the services (each an OS process of its own, as `tests.support.
processes` starts them) and the private servers (`tests.support.chaos_infra`), behind one
interface; and a supervisor that restarts a process which exits on its own (a restart policy, as
an orchestrator has), counting each such exit: the suite asserts that none happens to a
process that was up and ready (a dependency going away must make it wait, not exit), and
reports the ones at start-up (a service started while its database is down)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx

from tests.support import processes
from tests.support.chaos_infra import Server

RESTART_BACKOFF_MAX = 5.0


@dataclass
class Component:
    name: str
    service: processes.Service | None = None
    server: Server | None = None
    kills: int = 0
    down: bool = False
    """Killed by the suite and not restarted yet."""
    exits_at_start: int = 0
    """Exited on its own before it was ever ready since its last start (restarted with backoff)."""
    exits_when_ready: list[str] = field(default_factory=list)
    """Exited on its own after it had been ready: each with the tail of its log."""
    _was_ready: bool = False
    _backoff: float = 0.2

    @property
    def pid(self) -> int | None:
        process = self.service.process if self.service else self.server.process if self.server else None
        return process.pid if process is not None else None

    def _alive(self) -> bool:
        if self.service is not None:
            return self.service.process is not None and self.service.process.poll() is None
        assert self.server is not None
        return self.server.running

    async def ready(self, http: httpx.AsyncClient) -> bool:
        if self.down or not self._alive():
            return False
        if self.server is not None:
            return await asyncio.to_thread(self.server.ready)
        assert self.service is not None
        try:
            ok = (await http.get(f"{self.service.url}/readyz", timeout=2.0)).status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            self._was_ready = True
            self._backoff = 0.2
        return ok

    async def kill(self) -> None:
        """SIGKILL (the server's whole process group); returns once it is gone."""
        self.down = True
        self.kills += 1
        self._was_ready = False
        if self.service is not None:
            await asyncio.to_thread(self.service.kill)
        else:
            assert self.server is not None
            await asyncio.to_thread(self.server.kill)

    def start(self) -> None:
        self.down = False
        self._was_ready = False
        if self.service is not None:
            self.service.start()
        else:
            assert self.server is not None
            self.server.start()

    def stop(self) -> None:
        self.down = True
        if self.service is not None:
            self.service.stop()
        elif self.server is not None:
            self.server.stop()

    def tail(self) -> str:
        return self.service.tail() if self.service else self.server.tail() if self.server else ""


async def supervise(components: list[Component], http: httpx.AsyncClient, stop: asyncio.Event) -> None:
    """Restart, with backoff, any process that exited while not killed by the suite."""
    while not stop.is_set():
        for component in components:
            if component.down or component._alive():
                if not component.down and not component._was_ready:
                    await component.ready(http)  # notes readiness, so a later exit counts as a crash
                continue
            if component._was_ready:
                component.exits_when_ready.append(f"{time.strftime('%H:%M:%S')} {component.tail()}")
            else:
                component.exits_at_start += 1
            await asyncio.sleep(component._backoff)
            component._backoff = min(component._backoff * 2, RESTART_BACKOFF_MAX)
            if not component.down:
                component.start()
        await asyncio.sleep(0.1)
