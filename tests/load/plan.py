"""What a load run is asked to do: the target, the token, the scenario and data set, the arrival
rate as steps of (rate, seconds), the driver's processes and connections. The schedule is a pure
function of the plan: request k of the whole run is due at a known moment and belongs to
process k mod P, so the processes together keep the one arrival rate asked for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from tests.load.dataset import Spec
from tests.load.http import Target


@dataclass(frozen=True)
class Plan:
    target: Target
    scenario: str
    steps: tuple[tuple[float, float], ...]
    """(requests per second, seconds) in order: one step is a constant rate."""
    authorization: str | None = None
    spec: Spec | None = None
    weights: dict[str, float] = field(default_factory=dict)
    processes: int = 2
    connections: int = 64
    """Per process, at most: opened as needed."""
    backlog: int = 2_000
    """Requests due but not yet answered, per process, beyond which a due request is dropped
    (counted, never hidden): the driver does not let an unbounded queue stand in for the server."""
    window: float = 1.0
    timeout: float = 10.0
    mode: str = "open"
    """open: sends are scheduled, latency from the scheduled moment. closed: each connection sends
    its next request when the last answer came (at most at the rate), latency from the send —
    what Locust and most tools measure; kept to show what it hides."""
    seed: int = 1

    @property
    def seconds(self) -> float:
        return sum(seconds for _, seconds in self.steps)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["target"] = self.target.url
        out["authorization"] = "<set>" if self.authorization else None
        return out

    def step_at(self, t: float) -> int:
        """The step a moment of the run (seconds from its start) belongs to."""
        edge = 0.0
        for i, (_, seconds) in enumerate(self.steps):
            edge += seconds
            if t < edge:
                return i
        return len(self.steps) - 1


def schedule(plan: Plan, process: int) -> Iterator[float]:
    """The due moments (seconds from the run's start) of this process's requests, in order."""
    k, start = 0, 0.0
    for rate, seconds in plan.steps:
        count = round(rate * seconds)
        for j in range(count):
            if k % plan.processes == process:
                yield start + j / rate
            k += 1
        start += seconds


def parse_steps(text: str) -> tuple[tuple[float, float], ...]:
    """'200x10' (200/s for 10 s), '500:4000:500x5' (500 to 4,000 in steps of 500, 5 s each),
    or a comma-separated list of either."""
    steps: list[tuple[float, float]] = []
    for part in text.split(","):
        rates, _, seconds = part.strip().partition("x")
        if not seconds:
            raise ValueError(f"--rate {part!r}: expected RATExSECONDS or FROM:TO:STEPxSECONDS")
        bounds = [float(v) for v in rates.split(":")]
        if len(bounds) == 1:
            steps.append((bounds[0], float(seconds)))
            continue
        low, high, by = bounds if len(bounds) == 3 else (bounds[0], bounds[1], bounds[0])
        rate = low
        while rate <= high + 1e-9:
            steps.append((rate, float(seconds)))
            rate += by
    if not steps or any(rate <= 0 or seconds <= 0 for rate, seconds in steps):
        raise ValueError(f"--rate {text!r}: rates and durations must be positive")
    return tuple(steps)
