"""The projector's side of the read models: which collection is live for each (the pointers),
switching and retiring collections, and creating the indexes the read model declares."""

from projector_service.read_models.indexes import ensure_indexes
from projector_service.read_models.pointers import drop_due, live_collection, schedule_drop, switch

__all__ = ["drop_due", "ensure_indexes", "live_collection", "schedule_drop", "switch"]
