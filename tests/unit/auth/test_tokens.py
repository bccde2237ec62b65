"""The bearer-token verifier (`shared.auth.TokenVerifier` over a `KeySet`): what passes and
what is refused, each refusal with its reason; key rotation by `kid`; the cache of verified
tokens. Times come from a fake clock: nothing sleeps."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jwt
import pytest

from shared.auth import InvalidTokenError, KeySet, Principal, TokenVerifier
from shared.auth.keys import KeySetError, from_file, inline
from shared.auth.local import jwks_of, mint, new_signing_key

ISS, AUD = "https://idp.test", "bahi"
NOW = 1_900_000_000.0
KEY, OTHER = new_signing_key(), new_signing_key()
ES256 = frozenset({"ES256", "RS256"})


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def token(key: Any = KEY, *, sub: str = "cust-1", scopes: tuple[str, ...] = ("customer",), **claims: Any) -> bytes:
    at = claims.pop("now", NOW)
    issuer, audience = claims.pop("iss", ISS), claims.pop("aud", AUD)
    raw = mint(key, sub=sub, scopes=scopes, issuer=issuer, audience=audience, ttl_seconds=600, now=at, **claims)
    return raw.encode()


def verifier(
    *keys: Any, clock: Clock | None = None, algorithms: frozenset[str] = ES256, path: Path | None = None, **kw: Any
) -> TokenVerifier:
    clock = clock or Clock()
    if path is not None:
        key_set = KeySet(str(path), from_file(str(path)), algorithms, cooldown_seconds=0, clock=clock)
    else:
        key_set = KeySet("inline", inline(json.dumps(jwks_of(*(keys or (KEY,))))), algorithms, clock=clock)
    key_set.load()
    return TokenVerifier(key_set, issuer=ISS, audience=AUD, algorithms=algorithms, clock=clock, **kw)


async def refused(check: TokenVerifier, raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidTokenError) as caught:
        await check.verify(raw)
    assert reason in caught.value.description


async def test_a_good_token_names_its_subject_and_scopes() -> None:
    principal = await verifier().verify(token(sub="staff-7", scopes=("orders:read", "orders:write")))
    assert principal == Principal("staff-7", frozenset({"orders:read", "orders:write"}))
    assert not principal.is_customer and principal.has("orders:read") and not principal.has("admin")
    assert (await verifier().verify(token())).is_customer


async def test_expired_and_not_yet_valid_tokens_are_refused_beyond_the_leeway() -> None:
    check = verifier(leeway_seconds=30)
    await refused(check, token(now=NOW - 600 - 31), "expired")
    assert await check.verify(token(now=NOW - 600 - 29))  # expired 29 s ago: within the clock skew allowed
    await refused(check, token(nbf=int(NOW + 31)), "not valid yet")
    assert await check.verify(token(nbf=int(NOW + 29)))


@pytest.mark.parametrize(
    ("claims", "reason"), [({"iss": "https://evil.test"}, "issuer"), ({"aud": "other"}, "audience")]
)
async def test_another_issuer_or_audience_is_refused(claims: dict[str, str], reason: str) -> None:
    await refused(verifier(), token(**claims), reason)


async def test_a_key_the_jwks_does_not_hold_is_refused() -> None:
    await refused(verifier(KEY), token(OTHER), "unknown key")


async def test_a_tampered_token_is_refused() -> None:
    head, body, signature = token().split(b".")
    claims = json.loads(base64.urlsafe_b64decode(body + b"=="))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "cust-2"}).encode()).rstrip(b"=")
    await refused(verifier(), b".".join([head, forged, signature]), "signature")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not-a-jwt", "malformed"),
        (b"a.b.c", "malformed"),
        (b"x" * 9000, "longer than"),
    ],
)
async def test_garbage_is_refused(raw: bytes, reason: str) -> None:
    await refused(verifier(), raw, reason)


async def test_alg_none_is_refused() -> None:
    unsigned = jwt.encode({"iss": ISS, "aud": AUD, "sub": "x", "exp": int(NOW) + 60}, None, algorithm="none")
    await refused(verifier(), unsigned.encode(), "'none' is not accepted")
    with pytest.raises(ValueError, match="never accepted"):
        verifier(algorithms=frozenset({"ES256", "none"}))


async def test_hs256_is_refused_unless_configured() -> None:
    secret = b"s" * 32
    oct_key = {"kty": "oct", "kid": "shared-1", "k": base64.urlsafe_b64encode(secret).rstrip(b"=").decode()}
    claims = {"iss": ISS, "aud": AUD, "sub": "svc", "exp": int(NOW) + 60, "scope": "orders:read"}
    raw = jwt.encode(claims, secret, algorithm="HS256", headers={"kid": "shared-1"}).encode()
    document = json.dumps({"keys": [*jwks_of(KEY)["keys"], oct_key]})
    default = KeySet("inline", inline(document), ES256)
    default.load()  # the oct key is left out: no accepted algorithm uses it
    assert default.get("shared-1") is None
    await refused(TokenVerifier(default, issuer=ISS, audience=AUD, algorithms=ES256, clock=Clock()), raw, "HS256")
    allowing = frozenset({"ES256", "HS256"})
    configured = KeySet("inline", inline(document), allowing)
    configured.load()
    check = TokenVerifier(configured, issuer=ISS, audience=AUD, algorithms=allowing, clock=Clock())
    assert (await check.verify(raw)).subject == "svc"
    # An HS256 token never verifies against an asymmetric key (no algorithm confusion).
    kid = jwks_of(KEY)["keys"][0]["kid"]
    confused = jwt.encode(claims, b"x" * 32, algorithm="HS256", headers={"kid": kid}).encode()
    await refused(check, confused, "does not match")


async def test_a_token_without_sub_or_exp_is_refused() -> None:
    no_sub = jwt.encode({"iss": ISS, "aud": AUD, "exp": int(NOW) + 60}, KEY, "ES256", headers={"kid": _kid(KEY)})
    await refused(verifier(), no_sub.encode(), "sub")
    no_exp = jwt.encode({"iss": ISS, "aud": AUD, "sub": "x"}, KEY, "ES256", headers={"kid": _kid(KEY)})
    await refused(verifier(), no_exp.encode(), "exp")


async def test_keys_rotate_by_kid(tmp_path: Path) -> None:
    """The issuer publishes the new key, then signs with it; later it withdraws the old one."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(jwks_of(KEY)))
    clock = Clock()
    check = verifier(path=jwks, clock=clock)
    old = token(KEY)
    assert await check.verify(old)
    jwks.write_text(json.dumps(jwks_of(KEY, OTHER)))
    assert (await check.verify(token(OTHER, sub="cust-2"))).subject == "cust-2"  # unknown kid: read again
    assert await check.verify(old)
    jwks.write_text(json.dumps(jwks_of(OTHER)))
    clock.now += 301  # the refresh interval: the next verification reads the key set again
    await refused(check, token(KEY, sub="cust-3"), "unknown key")
    await refused(check, old, "unknown key")  # remembered as verified, forgotten when its key went


async def test_an_unreadable_jwks_keeps_the_keys_held(tmp_path: Path) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(jwks_of(KEY)))
    clock = Clock()
    check = verifier(path=jwks, clock=clock)
    jwks.write_text("{not json")
    clock.now += 301
    assert await check.verify(token(KEY))
    with pytest.raises(KeySetError):
        verifier(path=jwks)  # at start-up it is a configuration error


async def test_verified_tokens_are_remembered_until_they_expire_and_bounded() -> None:
    clock = Clock()
    check = verifier(clock=clock, leeway_seconds=0, cache_size=2)
    calls = 0
    decode = check._decode

    def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return decode(*args)

    check._decode = counting  # type: ignore[method-assign]
    first = token(sub="a")
    for _ in range(3):
        await check.verify(first)
    assert calls == 1
    await check.verify(token(sub="b"))
    await check.verify(token(sub="c"))  # the cache holds two: the oldest, "a", goes
    await check.verify(first)
    assert calls == 4
    clock.now = NOW + 601  # past exp: a remembered token is not answered from memory
    await refused(check, first, "expired")


def _kid(key: Any) -> str:
    return str(jwks_of(key)["keys"][0]["kid"])
