"""The running projector's live side: one Kafka consumer group per projection (`subscribers`),
where each projection stands (`status`: offsets, lag, parked, rebuilds) and the Prometheus
metrics that export it (`metrics`)."""

from projector_service.live.status import PartitionLag, ProjectionStatus, StatusCollector
from projector_service.live.subscribers import register

__all__ = ["PartitionLag", "ProjectionStatus", "StatusCollector", "register"]
