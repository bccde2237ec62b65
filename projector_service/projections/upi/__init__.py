"""The upi context's projections, fed by the VPA streams: the VPA view (what it is linked to, its
owner) and the payment view (one document per RRN); and by the collect streams: the collect view
(one document per collect request)."""

from projector_service.manifest import ProjectorManifest
from projector_service.projections.upi.collect_view import UPI_COLLECT_PROJECTION
from projector_service.projections.upi.payment_view import UPI_PAYMENT_PROJECTION
from projector_service.projections.upi.vpa_view import UPI_VPA_PROJECTION
from shared.upi import MANIFEST as SHARED

MANIFEST = ProjectorManifest(
    shared=SHARED, projections=(UPI_VPA_PROJECTION, UPI_PAYMENT_PROJECTION, UPI_COLLECT_PROJECTION)
)

__all__ = ["MANIFEST"]
