"""Rate limits, so that one client cannot starve the others: a token bucket per principal
(the bearer token's subject) and one per client address, each refilled at a steady rate up to
its burst. A request finding its bucket empty is answered 429, problem+json, with
`Retry-After` (whole seconds until a token is back), and goes no further. Open paths (health,
readiness, metrics) are never limited. Buckets are per process and bounded: when there are too
many, the ones refilled to full (idle) are forgotten, which changes nothing for them."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.settings import RateLimitSettings
from shared.web import problem

Clock = Callable[[], float]


class TokenBuckets:
    def __init__(self, per_second: float, burst: int, *, clock: Clock = time.monotonic, max_keys: int = 100_000):
        if per_second <= 0 or burst < 1:
            raise ValueError("a bucket needs a positive rate and a burst of at least 1")
        self.per_second, self.burst = per_second, burst
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    def take(self, key: str) -> float:
        """0.0 and one token taken; or, the bucket empty, the seconds until a token is back."""
        now = self._clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_second
        if key not in self._buckets and len(self._buckets) >= self._max_keys:
            self._forget_idle(now)
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        full = self.burst / self.per_second  # seconds an empty bucket needs to be full again
        for key in [k for k, (_, then) in self._buckets.items() if now - then >= full]:
            del self._buckets[key]
        while len(self._buckets) >= self._max_keys:  # all busy: the longest unseen goes
            del self._buckets[min(self._buckets, key=lambda k: self._buckets[k][1])]


@dataclass(frozen=True)
class RateLimits:
    principal: TokenBuckets | None
    client: TokenBuckets | None

    @classmethod
    def of(cls, settings: RateLimitSettings) -> RateLimits | None:
        """The limits the settings ask for; None when both are off."""
        principal = client = None
        if settings.rate_limit_principal_per_second > 0:
            principal = TokenBuckets(settings.rate_limit_principal_per_second, settings.rate_limit_principal_burst)
        if settings.rate_limit_client_per_second > 0:
            client = TokenBuckets(settings.rate_limit_client_per_second, settings.rate_limit_client_burst)
        return cls(principal, client) if principal or client else None


Key = Callable[[Scope], str | None]
"""Whose bucket a request takes from (None: no limit applies to it)."""


def client_address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


class RateLimit:
    def __init__(self, app: ASGIApp, buckets: TokenBuckets, key: Key, what: str, open_paths: frozenset[str]) -> None:
        self.app = app
        self._buckets, self._key, self._what, self._open = buckets, key, what, open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self._open and (key := self._key(scope)) is not None:
            wait = self._buckets.take(key)
            if wait > 0:
                await self._refuse(wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refuse(self, wait: float) -> ASGIApp:
        rate = f"{self._buckets.per_second:g}"
        response = problem(
            429,
            "Too many requests",
            f"more than {rate} requests per second (burst {self._buckets.burst}) from this {self._what}",
            type_="https://bahi.dev/problems/rate-limited",
            limit=self._what,
        )
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
