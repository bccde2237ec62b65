"""The risk context's aggregate type (an alert's review stream)."""

from __future__ import annotations

from typing import Any

from command_service.handling import AggregateType
from command_service.risk import domain
from shared.risk.streams import REVIEW


def aggregates(settings: Any) -> list[AggregateType[Any]]:
    return [AggregateType(REVIEW.name, domain.Review, domain.evolve, schema_version=1, snapshot_every=0)]
