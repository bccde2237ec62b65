"""The risk context's projections: the subject view (each account's, wallet's and VPA's own
stream folded by the risk rules: rolling state, figures, alerts) and the review view (each
reviewed alert's decisions)."""

from projector_service.manifest import ProjectorManifest
from projector_service.projections.risk.review_view import RISK_REVIEW_PROJECTION
from projector_service.projections.risk.subject_view import RISK_SUBJECT_PROJECTION
from shared.risk import MANIFEST as SHARED

MANIFEST = ProjectorManifest(shared=SHARED, projections=(RISK_SUBJECT_PROJECTION, RISK_REVIEW_PROJECTION))

__all__ = ["MANIFEST"]
