"""The upi context's projections, fed by the VPA streams: the VPA view (what it is linked to, its
owner) and the payment view (one document per RRN)."""

from projector_service.manifest import ProjectorManifest
from projector_service.projections.upi.payment_view import UPI_PAYMENT_PROJECTION
from projector_service.projections.upi.vpa_view import UPI_VPA_PROJECTION
from shared.upi import MANIFEST as SHARED

MANIFEST = ProjectorManifest(shared=SHARED, projections=(UPI_VPA_PROJECTION, UPI_PAYMENT_PROJECTION))

__all__ = ["MANIFEST"]
