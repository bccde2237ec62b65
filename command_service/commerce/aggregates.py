"""The commerce context's aggregate types and their snapshot policies."""

from __future__ import annotations

from typing import Any

from command_service.commerce.domain import order as order_domain
from command_service.commerce.domain import product as product_domain
from command_service.commerce.settings import CommerceSettings
from command_service.handling import AggregateType


def aggregates(settings: CommerceSettings) -> list[AggregateType[Any]]:
    """Bump a `schema_version` when that aggregate's state changes shape: old snapshots are then ignored."""
    return [
        AggregateType(
            product_domain.STREAM_TYPE,
            product_domain.Product,
            product_domain.evolve,
            schema_version=1,
            snapshot_every=settings.snapshot_every_product,
        ),
        AggregateType(
            order_domain.STREAM_TYPE,
            order_domain.Order,
            order_domain.evolve,
            schema_version=2,  # v2: `captures` (provider references), so older snapshots lack them
            snapshot_every=settings.snapshot_every_order,
        ),
    ]


def dependencies(settings: CommerceSettings) -> dict[str, Any]:
    """What commerce handlers ask for by name besides the generic ones."""
    return {"return_window": settings.return_window}
