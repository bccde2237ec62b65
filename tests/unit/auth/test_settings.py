"""How authentication is configured: on unless explicitly switched off (then a loud warning at
start-up), a service without verification keys refuses to start, the deployment files never
switch it off, and the local identity provider's command line makes a key once and mints
tokens the services accept."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from command_service.api import build_app
from command_service.bootstrap import create_app, services_for
from command_service.event_store.memory import InMemoryEventStore
from command_service.handling import default_registry
from command_service.settings import Settings
from shared.auth import AuthConfigError, TokenVerifier, authenticator_for
from shared.settings import AuthSettings
from tests.support.infra import ROOT

PRODUCT = {"sku": "P-1", "name": "Phone", "category": "books", "price_paise": 1000, "stock": 5}


def no_auth_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISABLED", "JWKS_FILE", "JWKS_URL", "JWKS", "ISSUER", "AUDIENCE", "ALGORITHMS"):
        monkeypatch.delenv(f"BAHI_AUTH_{name}", raising=False)


def test_auth_is_on_by_default_and_a_service_without_keys_does_not_start(monkeypatch: pytest.MonkeyPatch) -> None:
    no_auth_environment(monkeypatch)
    assert AuthSettings().auth_disabled is False
    with pytest.raises(AuthConfigError, match="BAHI_AUTH_JWKS_FILE"):
        create_app(Settings())
    with pytest.raises(AuthConfigError, match="BAHI_AUTH_ALGORITHMS"):
        authenticator_for(AuthSettings(auth_jwks="{}", auth_algorithms="ES256,none"), "tests")


async def test_switched_off_it_warns_at_start_up_and_serves_unrestricted(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bahi.auth"):
        off = authenticator_for(AuthSettings(auth_disabled=True), "the command service")
    [warning] = [r for r in caplog.records if r.name == "bahi.auth"]
    assert warning.levelno == logging.WARNING
    assert "AUTHENTICATION IS OFF" in warning.getMessage() and "the command service" in warning.getMessage()
    store = InMemoryEventStore()
    services = services_for(store, settings=Settings())
    app = build_app(lambda: services, default_registry(), auth=off)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as http:
        assert (await http.post("/v1/products", json=PRODUCT)).status_code == 201
    [event] = await store.read_all(0, 10)
    assert event.metadata.actor == "anonymous"


def test_the_deployment_files_never_switch_auth_off() -> None:
    for path in [
        ROOT / "deploy" / "Dockerfile",
        ROOT / "deploy" / "compose.yaml",
        *(ROOT / "deploy" / "k8s").glob("*.yaml"),
    ]:
        if path.exists():
            assert "AUTH_DISABLED" not in path.read_text(), path


async def test_the_local_identity_provider_makes_a_key_once_and_mints_tokens(tmp_path: Path) -> None:
    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "shared.auth", *args, "--dir", str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        return done.stdout.strip()

    jwks = Path(cli("init"))
    key = (tmp_path / "signing-key.pem").read_bytes()
    assert Path(cli("init")) == jwks and (tmp_path / "signing-key.pem").read_bytes() == key  # made once
    assert (tmp_path / "signing-key.pem").stat().st_mode & 0o077 == 0
    token = cli("mint", "--sub", "cust-1", "--scope", "customer", "--issuer", "iss-1", "--audience", "aud-1")
    settings = AuthSettings(auth_jwks_file=str(jwks), auth_issuer="iss-1", auth_audience="aud-1", auth_disabled=False)
    verifier = authenticator_for(settings, "tests").verifier
    assert isinstance(verifier, TokenVerifier)
    principal = await verifier.verify(token.encode())
    assert principal.subject == "cust-1" and principal.is_customer
    assert [key["alg"] for key in json.loads(jwks.read_text())["keys"]] == ["ES256"]
