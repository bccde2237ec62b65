"""What every command of the CLI shares: the registry (built once per invocation, on first
use, and kept on the root context: a test can hand one in with `obj=`), naming a projection,
and the `--json` option."""

from __future__ import annotations

from typing import Annotated

import typer

from projector_service.engine import Projection
from projector_service.registry import ProjectorRegistry, default_registry

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def registry_of(ctx: typer.Context) -> ProjectorRegistry:
    root = ctx.find_root()
    if not isinstance(root.obj, ProjectorRegistry):
        root.obj = default_registry()
    return root.obj


def projection_named(ctx: typer.Context, name: str) -> Projection:
    known = registry_of(ctx).projections
    if name not in known:
        raise typer.BadParameter(f"unknown projection {name!r}; known: {', '.join(sorted(known))}")
    return known[name]
