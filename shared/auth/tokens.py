"""Verifying bearer tokens: a JWT (RFC 7519) signed by a key of the `KeySet`, of an accepted
algorithm (never `none`; HS256 only when configured), with the configured `iss` and `aud`,
within `nbf`..`exp` (and `iat` not in the future) give or take the leeway, naming a `sub`.
PyJWT checks the signature and the claims but the times, which are checked here against the
verifier's clock, the one its memory of verified tokens runs on. Its `scope` claim (a
space-separated string, RFC 8693, or a list) is the principal's scopes.

Verified tokens are remembered by their bytes until they expire (bounded, oldest first out),
so a client that sends one token many times pays for one signature check: on the hot reads a
signature check would cost more than the rest of the request. A change of the key set forgets
them all (a key withdrawn stops its tokens at once)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt

from shared.auth.keys import KeySet
from shared.auth.principal import Principal

MAX_TOKEN_BYTES = 8192
_REQUIRED = ["exp", "iss", "aud", "sub"]


class InvalidTokenError(Exception):
    """A token that does not authenticate: `description` says why (RFC 6750 error_description)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class TokenVerifier:
    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        algorithms: frozenset[str],
        leeway_seconds: float = 30.0,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if "none" in {a.lower() for a in algorithms}:
            raise ValueError("the algorithm 'none' is never accepted")
        self.keys = keys
        self._issuer = issuer
        self._audience = audience
        self._algorithms = algorithms
        self._leeway = leeway_seconds
        self._cache_size = cache_size
        self._clock = clock
        self._verified: dict[bytes, tuple[Principal, float]] = {}

    async def verify(self, token: bytes) -> Principal:
        """The token's principal, or InvalidTokenError."""
        hit = self._verified.get(token)
        if hit is not None and self._clock() <= hit[1]:
            return hit[0]
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidTokenError(f"longer than {MAX_TOKEN_BYTES} bytes")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(f"malformed: {exc}") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self._algorithms:
            raise InvalidTokenError(f"the algorithm {alg!r} is not accepted")
        if not isinstance(kid, str):
            raise InvalidTokenError("no key id (kid) in its header")
        if self.keys.due(kid) and await self.keys.refresh():
            self._verified.clear()
        key = self.keys.get(kid)
        if key is None:
            raise InvalidTokenError(f"signed by an unknown key {kid[:64]!r}")
        claims = self._decode(token, key, alg)
        principal = Principal(_subject(claims), _scopes(claims))
        self._remember(token, principal, float(claims["exp"]) + self._leeway)
        return principal

    def _decode(self, token: bytes, key: jwt.PyJWK, alg: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self._issuer,
                # The times are checked below, against this verifier's clock (the one its
                # memory of verified tokens runs on), with the same leeway.
                options={"require": _REQUIRED, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidSignatureError:
            raise InvalidTokenError("the signature does not verify") from None
        except jwt.InvalidAudienceError:
            raise InvalidTokenError("the audience (aud) is not this service's") from None
        except jwt.InvalidIssuerError:
            raise InvalidTokenError("the issuer (iss) is not the one trusted") from None
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(str(exc)) from None
        except Exception as exc:  # whatever a crafted token makes a decoder raise is a 401, never a 500
            raise InvalidTokenError(f"malformed: {type(exc).__name__}") from None
        self._check_times(claims)
        return claims

    def _check_times(self, claims: dict[str, Any]) -> None:
        now, leeway = self._clock(), self._leeway
        times: dict[str, float] = {}
        for name in ("exp", "nbf", "iat"):
            if name in claims:
                value = claims[name]
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InvalidTokenError(f"{name} must be a number (seconds since the epoch)")
                times[name] = float(value)
        if times["exp"] <= now - leeway:
            raise InvalidTokenError("the token has expired")
        if times.get("nbf", now) > now + leeway:
            raise InvalidTokenError("the token is not valid yet (nbf)")
        if times.get("iat", now) > now + leeway:
            raise InvalidTokenError("the token was issued in the future (iat)")

    def _remember(self, token: bytes, principal: Principal, until: float) -> None:
        if self._cache_size <= 0:
            return
        if len(self._verified) >= self._cache_size:
            now = self._clock()
            for stale in [t for t, (_, expires) in self._verified.items() if expires < now]:
                del self._verified[stale]
            while len(self._verified) >= self._cache_size:
                del self._verified[next(iter(self._verified))]  # the oldest remembered
        self._verified[token] = (principal, until)


def _subject(claims: dict[str, Any]) -> str:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not 0 < len(sub) <= 200 or not sub.isprintable():
        raise InvalidTokenError("sub must be 1 to 200 printable characters")
    return sub


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    scope = claims.get("scope", "")
    if isinstance(scope, str):
        return frozenset(scope.split())
    if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        return frozenset(scope)
    raise InvalidTokenError("scope must be a space-separated string or a list of strings")
