"""The operator's command line, `python -m projector_service [COMMAND]` (a typer app): `serve`
(the default), `rebuild`, `status` and `parked list|redrive|skip`. How it shows things is
`console`'s; the projections come from the registry, built once per invocation."""

from projector_service.cli.main import app

__all__ = ["app"]
