"""The compliance context's projections: each bank account's cash per IST month (the CTR's
input), the STR cases and the months' CTR filings."""

from projector_service.manifest import ProjectorManifest
from projector_service.projections.compliance.cash_view import COMPLIANCE_CASH_PROJECTION
from projector_service.projections.compliance.ctr_filing_view import COMPLIANCE_CTR_FILING_PROJECTION
from projector_service.projections.compliance.str_view import COMPLIANCE_STR_PROJECTION
from shared.compliance import MANIFEST as SHARED

MANIFEST = ProjectorManifest(
    shared=SHARED,
    projections=(COMPLIANCE_CASH_PROJECTION, COMPLIANCE_STR_PROJECTION, COMPLIANCE_CTR_FILING_PROJECTION),
)

__all__ = ["MANIFEST"]
