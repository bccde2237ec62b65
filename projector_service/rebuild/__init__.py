"""Blue/green rebuilds: replaying a projection's history into a new versioned collection and
switching the read model to it (`blue_green`), the record of every rebuild (`ledger`), one
rebuild's draining with its heartbeat (`run`, `readahead`), where history is read (`sources`;
`store_feed`, imported only by `rebuild --from-store`: the one module that needs PostgreSQL),
and deleting a finished rebuild's consumer group (`kafka_groups`)."""

from projector_service.rebuild.blue_green import (
    EmptyHistoryError,
    RebuildResult,
    SwitchConflictError,
    rebuild,
)
from projector_service.rebuild.kafka_groups import ConsumerGroups, GroupDeleter, GroupDeletion
from projector_service.rebuild.ledger import RebuildRecord, RebuildRunningError
from projector_service.rebuild.run import Progress, RebuildAbandonedError, RebuildOptions
from projector_service.rebuild.sources import KafkaSource, Source

__all__ = [
    "ConsumerGroups",
    "EmptyHistoryError",
    "GroupDeleter",
    "GroupDeletion",
    "KafkaSource",
    "Progress",
    "RebuildAbandonedError",
    "RebuildOptions",
    "RebuildRecord",
    "RebuildResult",
    "RebuildRunningError",
    "Source",
    "SwitchConflictError",
    "rebuild",
]
