"""The projection engine: what a projection is (`Projection`), the records it consumes, and how
a batch of them is applied to a collection effectively once (`apply`, `batch`).

Only the leaf names are re-exported here: `batch` parks and publishes dead letters, and
`dead_letters` itself builds on `records` and `apply`, so importing it from this package's
`__init__` would make the two packages import each other half-initialised.
"""

from projector_service.engine.projection import Apply, Document, Projection
from projector_service.engine.records import Coordinates, Incoming

__all__ = ["Apply", "Coordinates", "Document", "Incoming", "Projection"]
