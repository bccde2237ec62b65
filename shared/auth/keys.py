"""The verification keys: a JWKS document (RFC 7517) read from a file, an http(s) URL or
given inline (a secret's value in the environment), its signing keys by `kid`. Read at
start-up; read again when older than the refresh interval or when a token names a `kid` it
does not hold (key rotation: the issuer publishes the new key before signing with it), at
most once per cooldown, one read at a time."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jwt import PyJWK, PyJWTError

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 1_000_000


class KeySetError(Exception):
    """A JWKS document that cannot be read or holds no usable key."""


Read = Callable[[], bytes]
"""The JWKS document's bytes, however they are had (blocking: run off the event loop once serving)."""


def from_file(path: str) -> Read:
    return lambda: _bounded(Path(path).read_bytes(), path)


def from_url(url: str) -> Read:
    if not url.startswith(("https://", "http://")):
        raise KeySetError(f"{url}: the JWKS URL must be http(s)")

    def read() -> bytes:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return _bounded(answer.read(MAX_DOCUMENT_BYTES + 1), url)

    return read


def inline(document: str) -> Read:
    body = document.encode()
    return lambda: body


def _bounded(body: bytes, where: str) -> bytes:
    if len(body) > MAX_DOCUMENT_BYTES:
        raise KeySetError(f"{where}: larger than {MAX_DOCUMENT_BYTES} bytes")
    return body


def parse_keys(document: bytes, algorithms: frozenset[str]) -> dict[str, tuple[PyJWK, str]]:
    """Signing keys by `kid`, each with its JWK as canonical JSON (to tell a changed key). A
    key without a `kid`, for encryption (`use` other than `sig`) or for an algorithm not
    accepted is left out: a token cannot pick it."""
    try:
        parsed: Any = json.loads(document)
    except ValueError as exc:
        raise KeySetError(f"not JSON: {exc}") from exc
    entries = parsed.get("keys") if isinstance(parsed, dict) else None
    if not isinstance(entries, list):
        raise KeySetError('expected a JWKS document: {"keys": [...]}')
    keys: dict[str, tuple[PyJWK, str]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or entry.get("use", "sig") != "sig":
            continue
        try:
            key = PyJWK(entry)
        except PyJWTError as exc:
            log.warning("JWKS key %s left out: %s", entry["kid"], exc)
            continue
        if key.algorithm_name not in algorithms:
            log.info("JWKS key %s left out: %s is not an accepted algorithm", entry["kid"], key.algorithm_name)
            continue
        keys[entry["kid"]] = (key, json.dumps(entry, sort_keys=True))
    if not keys:
        raise KeySetError(f"no usable signing key (kid, use sig, algorithm one of {sorted(algorithms)})")
    return keys


class KeySet:
    def __init__(
        self,
        source: str,
        read: Read,
        algorithms: frozenset[str],
        *,
        refresh_seconds: float = 300.0,
        cooldown_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        """What the logs call it (the file, the URL, or "inline")."""
        self._algorithms = algorithms
        self._refresh_seconds = refresh_seconds
        self._cooldown_seconds = cooldown_seconds
        self._read = read
        self._clock = clock
        self._keys: Mapping[str, tuple[PyJWK, str]] = {}
        self._read_at = -float("inf")
        self._lock = asyncio.Lock()

    def load(self) -> None:
        """Read the document now (at start-up: a missing or empty key set is a configuration
        error, raised)."""
        self._keys = parse_keys(self._read(), self._algorithms)
        self._read_at = self._clock()
        log.info("JWKS %s: keys %s", self.source, sorted(self._keys))

    def get(self, kid: str) -> PyJWK | None:
        found = self._keys.get(kid)
        return found[0] if found is not None else None

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def due(self, kid: str) -> bool:
        """Whether a verification naming `kid` should read the document again first."""
        age = self._clock() - self._read_at
        return age >= self._refresh_seconds or (kid not in self._keys and age >= self._cooldown_seconds)

    async def refresh(self) -> bool:
        """Read the document again (off the event loop); True if its keys changed. A failed
        read keeps the keys held and is logged: tokens signed by them still verify."""
        async with self._lock:
            if self._clock() - self._read_at < min(self._cooldown_seconds, self._refresh_seconds):
                return False  # another request just read it
            before = self._keys
            try:
                document = await asyncio.to_thread(self._read)
                self._keys = parse_keys(document, self._algorithms)
            except (OSError, KeySetError) as exc:
                log.warning("JWKS %s could not be read again, keeping keys %s: %s", self.source, sorted(before), exc)
            self._read_at = self._clock()
            if {k: v[1] for k, v in before.items()} != {k: v[1] for k, v in self._keys.items()}:
                log.info("JWKS %s: keys now %s", self.source, sorted(self._keys))
                return True
            return False
