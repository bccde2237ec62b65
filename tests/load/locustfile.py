"""The same scenarios under Locust, for its web UI and its familiar CSV and HTML output:

    export BAHI_LOAD_TOKEN=$(python -m shared.auth mint --sub load-test \\
        --scope "orders:read catalog:read wallets:read banking:read")
    .venv/bin/locust -f tests/load/locustfile.py --host http://127.0.0.1:8002     # the UI on :8089
    .venv/bin/locust -f tests/load/locustfile.py --host http://127.0.0.1:8002 \\
        --headless -u 100 -r 20 -t 60s --csv .local/loadtest/locust

BAHI_LOAD_SCENARIO (read-mix), BAHI_LOAD_SEED, BAHI_LOAD_ORDERS, BAHI_LOAD_CUSTOMERS, ... (the data
set, as `seed` was given it) and BAHI_LOAD_PER_USER_RATE (requests/s per user, 1) configure it.

What it is for, and what it is not: each user is closed loop (`constant_throughput` waits nothing
after a slow answer, so a stall lowers the rate instead of queueing requests), and Locust rounds
response times to about two significant digits before its percentiles. Use it to explore and to
watch; use `python -m tests.load run` (open loop, HdrHistogram) for the tails you publish."""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

from locust import FastHttpUser, constant_throughput, task

from tests.load.dataset import Dataset, Spec
from tests.load.scenarios import Picker, Scenario


def _spec() -> Spec | None:
    values: dict[str, Any] = {}
    for f in fields(Spec):
        raw = os.environ.get(f"BAHI_LOAD_{f.name.upper()}")
        if raw is not None:
            values[f.name] = type(getattr(Spec(), f.name))(raw)
    return Spec(**values)


SCENARIO = Scenario.load(os.environ.get("BAHI_LOAD_SCENARIO", "read-mix"))
DATA = Dataset(_spec()) if SCENARIO.placeholders() else None  # type: ignore[arg-type]
TOKEN = os.environ.get("BAHI_LOAD_TOKEN")


class ReadSideUser(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("BAHI_LOAD_PER_USER_RATE", "1")))

    def on_start(self) -> None:
        self.picker = Picker(SCENARIO, DATA, seed=id(self))
        self.headers = {"Authorization": f"Bearer {TOKEN}"} if TOKEN else {}

    @task
    def read(self) -> None:
        endpoint, path = self.picker.draw()
        with self.client.get(path, headers=self.headers, name=endpoint.name, catch_response=True) as response:
            if endpoint.harvest and response.status_code == 200:
                self.picker.keep_cursor(endpoint, path, (response.json() or {}).get("next_cursor"))
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
