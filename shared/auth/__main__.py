"""`python -m shared.auth [init|mint]`: the local identity provider's command line.

    python -m shared.auth init [--dir .local/auth]      # the signing key and JWKS, once
    python -m shared.auth mint --sub cust-1 --scope customer [--ttl 3600]
    python -m shared.auth mint --sub ops-1 --scope "orders:read orders:write" --ttl 86400

`mint` prints a token signed with `<dir>/signing-key.pem` for the issuer and audience the
services are configured with (BAHI_AUTH_ISSUER, BAHI_AUTH_AUDIENCE) unless given."""

from __future__ import annotations

from pathlib import Path

import typer

from shared.auth.local import KEY_FILE, ensure_local_keys, load_signing_key, mint
from shared.settings import AuthSettings

cli = typer.Typer(add_completion=False, no_args_is_help=True, help="Bahi's local identity provider")
DIR = typer.Option(Path(".local/auth"), "--dir", help="where the signing key and the JWKS live")


@cli.command()
def init(directory: Path = DIR) -> None:
    """Make the local signing key and its JWKS (the first time only); print the JWKS path."""
    _, jwks = ensure_local_keys(directory)
    typer.echo(jwks.resolve())


@cli.command("mint")
def mint_token(
    sub: str = typer.Option(..., "--sub", help="the subject: a customer id, or a staff or service name"),
    scope: list[str] = typer.Option([], "--scope", help="scopes, space-separated; may be repeated"),
    ttl: float = typer.Option(3600.0, "--ttl", help="seconds until it expires"),
    issuer: str | None = typer.Option(None, "--issuer", help="default: BAHI_AUTH_ISSUER's"),
    audience: str | None = typer.Option(None, "--audience", help="default: BAHI_AUTH_AUDIENCE's"),
    directory: Path = DIR,
) -> None:
    """Print a token signed with the local key."""
    key_path = directory / KEY_FILE
    if not key_path.exists():
        typer.echo(f"no signing key at {key_path}: run `python -m shared.auth init` first", err=True)
        raise typer.Exit(2)
    settings = AuthSettings()
    scopes = [s for group in scope for s in group.split()]
    token = mint(
        load_signing_key(key_path.read_bytes()),
        sub=sub,
        scopes=scopes,
        issuer=issuer or settings.auth_issuer,
        audience=audience or settings.auth_audience,
        ttl_seconds=ttl,
    )
    typer.echo(token)


if __name__ == "__main__":
    cli()
