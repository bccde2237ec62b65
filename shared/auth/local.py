"""A local identity provider for development and tests: an ES256 signing key and the JWKS
that publishes its public half (`kid` = its RFC 7638 thumbprint), and tokens signed with it.
`make run` makes the key once under `.local/auth/` and prints tokens minted here; a real
deployment's tokens come from its own identity provider, its keys from its JWKS URL."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

KEY_FILE = "signing-key.pem"
JWKS_FILE = "jwks.json"


def new_signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pem_of(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_signing_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("expected an EC (P-256) private key")
    return key


def public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """The public key as a JWK, with `kid` its RFC 7638 thumbprint, `alg` ES256, `use` sig."""
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    digest = hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode()).digest()
    return {**required, "kid": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), "alg": "ES256", "use": "sig"}


def jwks_of(*keys: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    return {"keys": [public_jwk(key) for key in keys]}


def ensure_local_keys(directory: Path) -> tuple[Path, Path]:
    """(signing key, JWKS) under `directory`, made the first time only; the key is readable by
    its owner alone."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path, jwks_path = directory / KEY_FILE, directory / JWKS_FILE
    if not key_path.exists():
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem_of(new_signing_key()))
    key = load_signing_key(key_path.read_bytes())
    wanted = json.dumps(jwks_of(key), indent=2) + "\n"
    if not jwks_path.exists() or jwks_path.read_text() != wanted:
        jwks_path.write_text(wanted)
    return key_path, jwks_path


def mint(
    key: ec.EllipticCurvePrivateKey,
    *,
    sub: str,
    scopes: list[str] | tuple[str, ...],
    issuer: str,
    audience: str,
    ttl_seconds: float = 3600,
    now: float | None = None,
    **claims: Any,
) -> str:
    """A token of `key` (ES256, its thumbprint as `kid`) for `sub` with `scopes`."""
    issued = int(now if now is not None else time.time())
    payload = {
        "iss": issuer,
        "aud": audience,
        "sub": sub,
        "scope": " ".join(scopes),
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(ttl_seconds),
        **claims,
    }
    return jwt.encode(payload, key, algorithm="ES256", headers={"kid": public_jwk(key)["kid"]})
