"""The bearer token the driver sends: given (`--token`, or BAHI_LOAD_TOKEN, as a deployment's
identity provider issues it), or minted with the local signing key `make run` made
(`.local/auth/signing-key.pem`, for BAHI_AUTH_ISSUER and BAHI_AUTH_AUDIENCE) holding the read
scopes only: a load test needs no right to change anything."""

from __future__ import annotations

import os
from pathlib import Path

from shared.auth.local import KEY_FILE, load_signing_key, mint
from shared.settings import AuthSettings
from tests.load.http import SetupError

READ_SCOPES = ("orders:read", "catalog:read", "wallets:read", "banking:read", "upi:read", "settlements:read")
SUBJECT = "load-test"


def authorization(token: str | None, key_dir: Path, ttl_seconds: float) -> str:
    token = token or os.environ.get("BAHI_LOAD_TOKEN")
    if token:
        return f"Bearer {token}"
    key = key_dir / KEY_FILE
    if not key.exists():
        raise SetupError(
            "no token: pass --token (or BAHI_LOAD_TOKEN), or make a local key with"
            f" `python -m shared.auth init` ({key})"
        )
    settings = AuthSettings()
    raw = mint(
        load_signing_key(key.read_bytes()),
        sub=SUBJECT,
        scopes=READ_SCOPES,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        ttl_seconds=ttl_seconds,
    )
    return f"Bearer {raw}"
