"""The banking context's projections, all fed by the account streams: the account view
(balance, status, pending transfers, limits left), the statement (one document per movement,
with its running balance) and the balance history ("balance as of T")."""

from projector_service.manifest import ProjectorManifest
from projector_service.projections.banking.account_view import ACCOUNT_VIEW_PROJECTION
from projector_service.projections.banking.balance_history import ACCOUNT_BALANCE_HISTORY_VIEW
from projector_service.projections.banking.statement import ACCOUNT_STATEMENT_VIEW
from shared.banking import MANIFEST as SHARED

MANIFEST = ProjectorManifest(
    shared=SHARED,
    projections=(ACCOUNT_VIEW_PROJECTION, ACCOUNT_STATEMENT_VIEW, ACCOUNT_BALANCE_HISTORY_VIEW),
)

__all__ = ["MANIFEST"]
